"""A plugin with a misspelt hook name: it must fail loudly, not be ignored."""

from vmspolicy import hookimpl


@hookimpl
def vmspolicy_rule() -> list[object]:
    return []
