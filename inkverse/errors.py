"""The project's error tree.

InkverseError
├── ConfigurationError      a setting is missing or invalid (the process refuses to start)
├── DependencyUnavailable   Postgres, Redis, an AWS endpoint or a third party cannot be reached
├── NotFoundError           the thing asked for does not exist
└── ValidationError         input was refused; `field` names the culprit
"""


class InkverseError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigurationError(InkverseError):
    """A setting is missing or invalid; the message names the variable."""


class DependencyUnavailableError(InkverseError):
    """A service the process depends on cannot be reached."""


class NotFoundError(InkverseError):
    """The requested entity does not exist."""


class ValidationError(InkverseError):
    """Input was refused."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
