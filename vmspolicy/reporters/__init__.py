"""Reporters: the output formats of a run's result, each a built-in plugin. Reporters compute nothing."""
