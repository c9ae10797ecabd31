"""Core: what every other part speaks in.

Errors and their exit codes, rule codes, findings, source positions and
located data (with the YAML reader that produces them), frozen records, the
estate model, configuration, the rule base class and the shipped data. Core
imports nothing else of vmspolicy.
"""
