"""Run: one check from the files to the result.

Discover the files, load them through the plugins' loaders, model the estate,
run the rules, apply governance, hand the result to the reporters. The plugin
host lives here: a run is where plugins are loaded and isolated.
"""
