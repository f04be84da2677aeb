"""`/api/auth/login-with-google` and `/api/auth/login-with-apple` (graphql.md §1.3).

    POST /api/auth/login-with-google {googleIdToken, source?} -> 200 token_response(user) + cookie
    POST /api/auth/login-with-apple  {id_token, source?}      -> 200 token_response(user) + cookie

Bodies are JSON or form-encoded. The ID token is verified against the provider's published keys
(`IdentityVerifier`); a refusal is `{"error": message}` (plus `details` for a 500) with the original's
status and message. Both count against the per-client token-exchange limit (429, Retry-After).
"""

from http import HTTPStatus

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from inkverse.api.auth import AuthRoutes, error, string_field, token_response
from inkverse.messaging.octopus import MailingList
from inkverse.settings import ServerSettings
from inkverse.users.accounts import Accounts, subscribe_to_signup_list
from inkverse.users.identity import IdentityError, IdentityVerifier, VerifiedIdentity
from inkverse.users.provider_sign_in import EmailRequiredError, Provider, account_for_identity
from inkverse.users.tokens import TokenService

log = structlog.get_logger(__name__)


def refusal(exc: IdentityError) -> JSONResponse:
    body = {"error": exc.message} if exc.details is None else {"error": exc.message, "details": exc.details}
    return JSONResponse(body, status_code=exc.status)


class ProviderAuthRoutes(AuthRoutes):
    async def login_with_google(self, request: Request) -> Response:
        return await self._sign_in(request, Provider.GOOGLE, "googleIdToken", "Google ID token is required")

    async def login_with_apple(self, request: Request) -> Response:
        return await self._sign_in(request, Provider.APPLE, "id_token", "ID token is required")

    async def _sign_in(
        self, request: Request, provider: Provider, token_field: str, missing: str
    ) -> Response:
        container = self._container(request)
        fields = await self._exchange_fields(request)
        if isinstance(fields, JSONResponse):
            return fields
        id_token = string_field(fields, token_field).strip()
        if not id_token:
            return error(HTTPStatus.BAD_REQUEST, missing)
        verifier = await container.get(IdentityVerifier)
        verify = verifier.verify_google if provider is Provider.GOOGLE else verifier.verify_apple
        try:
            identity = await verify(id_token, string_field(fields, "source") or None)
        except IdentityError as exc:
            return refusal(exc)
        return await self._signed_in(request, provider, identity)

    async def _signed_in(self, request: Request, provider: Provider, identity: VerifiedIdentity) -> Response:
        container = self._container(request)
        sessionmaker = await container.get(async_sessionmaker[AsyncSession])
        try:
            async with sessionmaker() as session, session.begin():
                signed_in = await account_for_identity(Accounts(session), provider, identity)
        except EmailRequiredError as exc:
            return error(HTTPStatus.UNAUTHORIZED, str(exc))
        except IntegrityError:
            # Another sign-in took the address or the provider id between our lookup and our write.
            log.warning("auth.provider_account_conflict", provider=provider.value)
            failed = f"Failed to login with {provider.value}"
            return refusal(
                IdentityError(HTTPStatus.INTERNAL_SERVER_ERROR, failed, "account conflict, try again")
            )
        if signed_in.newly_verified:
            await subscribe_to_signup_list(await container.get(MailingList), signed_in.user.email)
        server = await container.get(ServerSettings)
        tokens = await container.get(TokenService)
        return token_response(signed_in.user, tokens, production=server.is_production)


def provider_auth_routes() -> list[Route]:
    handlers = ProviderAuthRoutes()
    return [
        Route("/api/auth/login-with-google", handlers.login_with_google, methods=["POST"]),
        Route("/api/auth/login-with-apple", handlers.login_with_apple, methods=["POST"]),
    ]
