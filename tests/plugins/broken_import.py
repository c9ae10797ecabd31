"""A plugin that fails to import."""

import vmspolicy_does_not_exist  # noqa: F401
