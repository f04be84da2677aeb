"""The project's error tree.

InkverseError
├── ConfigurationError      a setting is missing or invalid (the process refuses to start)
├── DependencyUnavailableError  Postgres, Redis, an AWS endpoint or a third party cannot be reached
├── NotFoundError           the thing asked for does not exist
│   └── ObjectNotFoundError     no object under that key in the bucket
├── ValidationError         input was refused; `field` names the culprit
├── TemplateRenderError     an e-mail template could not be rendered (names the template and variable)
├── EmailDeliveryError      SES refused the message or stayed unreachable after the retries
├── MailingListError        EmailOctopus refused the contact or stayed unreachable
└── StorageError            R2 (S3 API) refused or failed an operation
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


class ObjectNotFoundError(NotFoundError):
    """No object is stored under the key."""

    def __init__(self, bucket: str, key: str) -> None:
        super().__init__(f"no object {key!r} in bucket {bucket!r}")
        self.bucket = bucket
        self.key = key


class TemplateRenderError(InkverseError):
    """An e-mail template referenced a variable it was not given (or failed otherwise)."""

    def __init__(self, template: str, variable: str | None, detail: str) -> None:
        super().__init__(f"e-mail template {template!r}: {detail}")
        self.template = template
        self.variable = variable


class EmailDeliveryError(InkverseError):
    """SES did not accept the message."""


class MailingListError(InkverseError):
    """EmailOctopus did not accept the contact."""


class StorageError(InkverseError):
    """Object storage (R2 over the S3 API) failed."""
