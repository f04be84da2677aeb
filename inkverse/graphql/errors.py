"""The error model of the contract: every error is exactly `{"message", "code"}` (graphql.md §1.6)."""

from typing import Any

from graphql import GraphQLError

from inkverse.errors import InkverseError, NotFoundError, ValidationError

BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
SERVER_ERROR = "INKVERSE_SERVER_ERROR"
INVALID_QUERY = "INVALID_QUERY_OR_SYNTAX"
REQUIRES_AUTH = "REQUIRES_USER_AUTHENTICATION"
RATE_LIMIT_EXCEEDED = "API_RATE_LIMIT_EXCEEDED"
MASKED_MESSAGE = "An error occurred"

_PASS_THROUGH_IN_PRODUCTION = frozenset({BAD_USER_INPUT, REQUIRES_AUTH, RATE_LIMIT_EXCEEDED})


class ExpectedServerError(InkverseError):
    """A refusal the contract reports as INKVERSE_SERVER_ERROR although nothing failed (an unknown
    documentation path): logged as a warning without a traceback, not as a failure."""


class AuthenticationError(InkverseError):
    """The field needs a signed-in user (the original's AuthenticationError): REQUIRES_USER_AUTHENTICATION
    with the field's own message, shown in production too."""


class RateLimitExceededError(InkverseError):
    """A per-user abuse limit was reached (the original's ApiRateLimitExceededError): API_RATE_LIMIT_EXCEEDED
    with the field's own message, shown in production too."""


def is_expected(error: GraphQLError) -> bool:
    return isinstance(error.original_error, ExpectedServerError)


def error_code(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, ValidationError):
        return BAD_USER_INPUT
    if isinstance(original, NotFoundError):
        return BAD_USER_INPUT
    if isinstance(original, AuthenticationError):
        return REQUIRES_AUTH
    if isinstance(original, RateLimitExceededError):
        return RATE_LIMIT_EXCEEDED
    if original is None:
        code = (error.extensions or {}).get("code")
        return str(code) if code else INVALID_QUERY
    return SERVER_ERROR


def error_message(error: GraphQLError) -> str:
    original = error.original_error
    if isinstance(original, ValidationError):
        return original.reason
    return error.message


def format_error(error: GraphQLError, *, production: bool) -> dict[str, Any]:
    code = error_code(error)
    message = error_message(error)
    if production and (_is_internal(code) or isinstance(error.original_error, NotFoundError)):
        # A not-found message names internals (bucket and key names): only its code reaches clients.
        message = MASKED_MESSAGE
    return {"message": message, "code": code}


def _is_internal(code: str) -> bool:
    return code not in _PASS_THROUGH_IN_PRODUCTION and code != INVALID_QUERY
