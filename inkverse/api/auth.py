"""`/api/auth/*`: e-mail sign-in and the token exchanges (graphql.md §1.3).

    POST /api/auth/login-with-email                        {email}  -> 200 {success: true}
    POST /api/auth/exchange-otp                            {otp}    -> 200 token_response(user)
    POST /api/auth/exchange-refresh-token-for-access-token {token?} -> 200 {accessToken}
    POST /api/auth/exchange-refresh-token-for-refresh-token {token?} -> 200 {refreshToken} + cookie

Bodies are JSON or form-encoded; errors are `{"error": message}` with the original's statuses and
messages. Unlike the original, the login token is single-use, a refresh for a user that no longer
exists is 401, and both sign-in and exchanges are rate-limited per client address (429, Retry-After).
`token_response(user, ...)` is the success answer every sign-in route shares (Google and Apple too).
"""

import json
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

import structlog
from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inkverse.api.bodies import BodyTooLargeError, UnreadableJsonError, json_text, media_type, read_body
from inkverse.api.client_ip import ClientIpResolver
from inkverse.cache.rate_limit import RateLimitDecision, RateLimiter
from inkverse.database import tables
from inkverse.errors import EmailDeliveryError
from inkverse.messaging import links
from inkverse.messaging.email import EmailSender, LoginLinkEmail, SignupLinkEmail
from inkverse.messaging.octopus import MailingList
from inkverse.settings import AuthSettings, Environment, ServerSettings
from inkverse.users.accounts import Accounts, is_valid_email, normalize_email, subscribe_to_signup_list
from inkverse.users.login import issue_login_token, redeem_login_token
from inkverse.users.tokens import ExpiredTokenError, InvalidTokenError, TokenService, TokenType

log = structlog.get_logger(__name__)

REFRESH_COOKIE = "inkverse-refresh-token"
REFRESH_COOKIE_MAX_AGE = 15_552_000
MAX_BODY_BYTES = 102_400
TOO_MANY_REQUESTS = "Too many requests, try again later"

Handler = Callable[[Request], Awaitable[Response]]


def error(status: HTTPStatus, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def set_refresh_cookie(response: Response, refresh_token: str, *, production: bool) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        refresh_token,
        max_age=REFRESH_COOKIE_MAX_AGE,
        path="/",
        secure=production,
        httponly=True,
        samesite="strict",
    )


def token_response(user: tables.User, tokens: TokenService, *, production: bool) -> JSONResponse:
    """200 `{accessToken, refreshToken, user: {id, isEmailVerified, username}}` with the refresh cookie."""
    refresh_token = tokens.issue(user.id, TokenType.REFRESH)
    body = {
        "accessToken": tokens.issue(user.id, TokenType.ACCESS),
        "refreshToken": refresh_token,
        "user": {"id": str(user.id), "isEmailVerified": user.is_email_verified, "username": user.username},
    }
    response = JSONResponse(body)
    set_refresh_cookie(response, refresh_token, production=production)
    return response


async def read_fields(request: Request) -> dict[str, Any] | JSONResponse:
    """The body's fields (JSON object or form), or the 4xx response refusing it."""
    try:
        body = await read_body(request, MAX_BODY_BYTES)
    except BodyTooLargeError:
        return error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Body over {MAX_BODY_BYTES} bytes")
    except ClientDisconnect:
        return error(HTTPStatus.BAD_REQUEST, "Client disconnected")
    try:
        return _fields(media_type(request), body)
    except (UnicodeDecodeError, UnreadableJsonError, json.JSONDecodeError) as exc:
        return error(HTTPStatus.BAD_REQUEST, f"Malformed body: {exc}")


def _fields(kind: str, body: bytes) -> dict[str, Any]:
    if kind == "application/x-www-form-urlencoded":
        return dict(parse_qsl(body.decode(), keep_blank_values=True))
    if kind != "application/json" or not body:
        return {}
    fields = json.loads(json_text(body))
    return fields if isinstance(fields, dict) else {}


def string_field(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    return value if isinstance(value, str) else ""


def too_many(decision: RateLimitDecision) -> JSONResponse:
    return error(HTTPStatus.TOO_MANY_REQUESTS, TOO_MANY_REQUESTS, {"Retry-After": str(decision.retry_after)})


class AuthRoutes:
    """The handlers, resolving what they use from the request's container."""

    @staticmethod
    def _container(request: Request) -> AsyncContainer:
        container: AsyncContainer = request.state.dishka_container
        return container

    async def _limit(self, request: Request, bucket: str, identity: str, limit: int) -> RateLimitDecision:
        limiter = await self._container(request).get(RateLimiter)
        return await limiter.hit(bucket, identity, limit=limit)

    async def _limit_client(self, request: Request, bucket: str, limit: int) -> RateLimitDecision:
        client = (await self._container(request).get(ClientIpResolver))(request)
        return await self._limit(request, bucket, client, limit)

    async def _exchange_fields(self, request: Request) -> dict[str, Any] | JSONResponse:
        """The body of a token exchange (OTP, refresh, Google, Apple), once the client is within the
        exchange limit; failed exchanges count too, so tokens cannot be guessed."""
        auth = await self._container(request).get(AuthSettings)
        limited = await self._limit_client(request, "token-exchange", auth.token_exchanges_per_ip)
        if not limited.allowed:
            return too_many(limited)
        return await read_fields(request)

    async def login_with_email(self, request: Request) -> Response:
        container = self._container(request)
        fields = await read_fields(request)
        if isinstance(fields, JSONResponse):
            return fields
        email = normalize_email(string_field(fields, "email"))
        if not is_valid_email(email):
            return error(HTTPStatus.BAD_REQUEST, "Invalid email address")
        auth = await container.get(AuthSettings)
        by_ip = await self._limit_client(request, "login-email-ip", auth.login_emails_per_ip)
        if not by_ip.allowed:
            return too_many(by_ip)
        by_address = await self._limit(request, "login-email-address", email, auth.login_emails_per_address)
        if not by_address.allowed:
            return too_many(by_address)
        sessionmaker = await container.get(async_sessionmaker[AsyncSession])
        async with sessionmaker() as session, session.begin():
            accounts = Accounts(session)
            user = await accounts.by_email(email)
            is_new = user is None
            user = user or await accounts.create(email)
            token = await issue_login_token(session, user)
        message = SignupLinkEmail if is_new else LoginLinkEmail
        server = await container.get(ServerSettings)
        try:
            await (await container.get(EmailSender)).send(email, message(reset_password_token=token))
        except EmailDeliveryError as exc:
            log.error("auth.login_email_failed", error=str(exc))
            return error(HTTPStatus.INTERNAL_SERVER_ERROR, "Authentication failed")
        if server.env is Environment.DEVELOPMENT:
            log.info("auth.login_link", url=links.login_url(server.website_url, token))
        return JSONResponse({"success": True})

    async def exchange_otp(self, request: Request) -> Response:
        container = self._container(request)
        fields = await self._exchange_fields(request)
        if isinstance(fields, JSONResponse):
            return fields
        otp = string_field(fields, "otp").strip()
        if not otp:
            return error(HTTPStatus.BAD_REQUEST, "OTP token is required")
        sessionmaker = await container.get(async_sessionmaker[AsyncSession])
        async with sessionmaker() as session, session.begin():
            user = await redeem_login_token(session, otp)
            newly_verified = user is not None and Accounts.mark_email_verified(user)
        if user is None:
            return error(HTTPStatus.UNAUTHORIZED, "Invalid or expired OTP token")
        if newly_verified:
            await subscribe_to_signup_list(await container.get(MailingList), user.email)
        server = await container.get(ServerSettings)
        return token_response(user, await container.get(TokenService), production=server.is_production)

    async def refresh_access_token(self, request: Request) -> Response:
        return await self._exchange_refresh_token(request, TokenType.ACCESS)

    async def refresh_refresh_token(self, request: Request) -> Response:
        return await self._exchange_refresh_token(request, TokenType.REFRESH)

    async def _exchange_refresh_token(self, request: Request, issue: TokenType) -> Response:
        container = self._container(request)
        fields = await self._exchange_fields(request)
        if isinstance(fields, JSONResponse):
            return fields
        token = string_field(fields, "token") or request.cookies.get(REFRESH_COOKIE, "")
        if not token:
            return error(HTTPStatus.UNAUTHORIZED, "No token provided")
        tokens = await container.get(TokenService)
        user_id = await self._refreshing_user(container, tokens, token)
        if isinstance(user_id, str):
            message = user_id or f"Failed to refresh {issue.value} token"
            return error(HTTPStatus.UNAUTHORIZED, message)
        if issue is TokenType.ACCESS:
            return JSONResponse({"accessToken": tokens.issue(user_id, TokenType.ACCESS)})
        refresh_token = tokens.issue(user_id, TokenType.REFRESH)
        response = JSONResponse({"refreshToken": refresh_token})
        server = await container.get(ServerSettings)
        set_refresh_cookie(response, refresh_token, production=server.is_production)
        return response

    @staticmethod
    async def _refreshing_user(container: AsyncContainer, tokens: TokenService, token: str) -> int | str:
        """The user id of a valid refresh token whose user exists; else the 401 message ("" for the
        route's generic one)."""
        try:
            claims = tokens.verify(token)
        except ExpiredTokenError:
            return "Refresh token has expired"
        except InvalidTokenError:
            return ""
        if claims.token_type != TokenType.REFRESH:
            return ""
        sessionmaker = await container.get(async_sessionmaker[AsyncSession])
        async with sessionmaker() as session:
            exists = await Accounts(session).by_id(claims.user_id) is not None
        return claims.user_id if exists else ""


def auth_routes() -> list[Route]:
    handlers = AuthRoutes()
    return [
        Route("/api/auth/login-with-email", handlers.login_with_email, methods=["POST"]),
        Route("/api/auth/exchange-otp", handlers.exchange_otp, methods=["POST"]),
        Route(
            "/api/auth/exchange-refresh-token-for-access-token",
            handlers.refresh_access_token,
            methods=["POST"],
        ),
        Route(
            "/api/auth/exchange-refresh-token-for-refresh-token",
            handlers.refresh_refresh_token,
            methods=["POST"],
        ),
    ]
