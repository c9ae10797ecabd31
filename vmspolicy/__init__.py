"""vmspolicy: policy-as-code for video-surveillance estates."""

from vmspolicy.plugins import hookimpl

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]
