"""Creator claims and the hosting-provider OAuth callback (graphql.md §1.3).

    POST /api/claim-creator/initiate  Bearer, {creatorUuid}  -> 200 {claimCreatorUrl}
    POST /api/claim-creator/callback  {signed_claim_token}   -> 200 {success: true, redirectUrl}
    GET  /api/hosting-provider/{uuid}?code=...               -> 302 /hosting-provider/{uuid}?success=true
                                                                (or ?error=<reason>)

Statuses and messages are the original's. Unlike it, an invalid or expired bearer token is 401 (not
500), the callback's signature is checked with RS256 only against the configured provider key, and a
repeated callback is answered as the first was without applying anything again.
"""

from http import HTTPStatus
from urllib.parse import quote

import structlog
from dishka import AsyncContainer
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from inkverse.api.auth import error, read_fields, string_field
from inkverse.asgi import bearer_token
from inkverse.settings import ServerSettings
from inkverse.users.claims import CallbackOutcome, ClaimError, CreatorClaims, claim_page_url
from inkverse.users.hosting_providers import HostingProviderConnector
from inkverse.users.tokens import InvalidTokenError, TokenService

log = structlog.get_logger(__name__)


def _container(request: Request) -> AsyncContainer:
    container: AsyncContainer = request.state.dishka_container
    return container


def _callback_failure(status: HTTPStatus, message: str) -> JSONResponse:
    return JSONResponse({"success": False, "error": message}, status_code=status)


async def initiate_claim(request: Request) -> Response:
    container = _container(request)
    user_id = await _signed_in_user_id(request, container)
    if user_id is None:
        return error(HTTPStatus.UNAUTHORIZED, "Authentication required")
    fields = await read_fields(request)
    if isinstance(fields, JSONResponse):
        return fields
    creator_uuid = string_field(fields, "creatorUuid").strip()
    if not creator_uuid:
        return error(HTTPStatus.BAD_REQUEST, "creatorUuid is required")
    try:
        url = await (await container.get(CreatorClaims)).initiate(user_id, creator_uuid)
    except ClaimError as refused:
        return error(refused.status, refused.message)
    except SQLAlchemyError as exc:
        log.error("claims.initiate_error", error=str(exc))
        return error(HTTPStatus.INTERNAL_SERVER_ERROR, "Failed to initiate claim")
    return JSONResponse({"claimCreatorUrl": url})


async def _signed_in_user_id(request: Request, container: AsyncContainer) -> int | None:
    """The bearer token's user id (any token type, as the original); None without a valid token."""
    token = bearer_token(request.headers)
    if token is None:
        return None
    try:
        return (await container.get(TokenService)).verify(token).user_id
    except InvalidTokenError:
        return None


async def claim_callback(request: Request) -> Response:
    container = _container(request)
    fields = await read_fields(request)
    if isinstance(fields, JSONResponse):
        return fields
    signed_claim_token = string_field(fields, "signed_claim_token").strip()
    if not signed_claim_token:
        return _callback_failure(HTTPStatus.BAD_REQUEST, "Missing signed_claim_token")
    claims = await container.get(CreatorClaims)
    try:
        decision = claims.verify_decision(signed_claim_token)
        outcome = await claims.decide(decision)
    except ClaimError as refused:
        return _callback_failure(refused.status, refused.message)
    server = await container.get(ServerSettings)
    redirect_url = claim_page_url(server.website_url, decision.creator_uuid)
    if outcome is CallbackOutcome.CLAIMED_BY_ANOTHER_USER:
        return JSONResponse(
            {"success": False, "error": "Creator already claimed", "redirectUrl": redirect_url}
        )
    return JSONResponse({"success": True, "redirectUrl": redirect_url})


async def hosting_provider_callback(request: Request) -> Response:
    provider_uuid: str = request.path_params["uuid"]
    code = request.query_params.get("code", "")
    connector = await _container(request).get(HostingProviderConnector)
    failure = await connector.connect(provider_uuid, code)
    outcome = "success=true" if failure is None else f"error={failure.value}"
    # Relative, as the original: the website serves the page under the same host.
    return RedirectResponse(f"/hosting-provider/{quote(provider_uuid, safe='')}?{outcome}", status_code=302)


def claim_routes() -> list[Route]:
    return [
        Route("/api/claim-creator/initiate", initiate_claim, methods=["POST"]),
        Route("/api/claim-creator/callback", claim_callback, methods=["POST"]),
        Route("/api/hosting-provider/{uuid}", hosting_provider_callback, methods=["GET"]),
    ]
