"""The typed per-request GraphQL context."""

from dataclasses import dataclass

from dishka import AsyncContainer
from starlette.requests import Request
from starlette.responses import Response


@dataclass
class Context:
    """One per HTTP request: the request-scoped container and the raw request."""

    container: AsyncContainer
    request: Request
    response: Response | None
