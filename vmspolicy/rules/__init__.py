"""Rules: one module per rule family, each a built-in plugin.

Rules depend on everything below them; nothing but the plugin host (which
imports them by name) depends on a rule, and no rule module imports another.
"""
