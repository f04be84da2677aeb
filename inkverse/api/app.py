"""The ASGI application: GraphQL at `/api/graphql`, health, readiness and metrics.

`build_app(container)` is what tests call; `create_app()` is the zero-argument factory for
`uvicorn --factory`, which loads the settings and builds the container itself.
"""

import gc
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from dishka import AsyncContainer
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from inkverse.api.access_log import AccessLogMiddleware
from inkverse.api.auth import auth_routes
from inkverse.api.claims import claim_routes
from inkverse.api.conditional_get import ConditionalGet
from inkverse.api.cors import Cors, SiteCors
from inkverse.api.graphql_first import GRAPHQL_PATH, GraphQLFirst
from inkverse.api.health import ReadinessChecker
from inkverse.api.http import GraphQLEndpoint
from inkverse.api.notifications import notification_routes
from inkverse.api.persisted_queries import PersistedQueries
from inkverse.api.provider_auth import provider_auth_routes
from inkverse.api.webhooks import taddy_webhook
from inkverse.cache.redis import RedisClient
from inkverse.cache.response_middleware import ResponseCache, ViewerPolicy
from inkverse.container import build_container
from inkverse.database.replicas import ReadReplicas
from inkverse.graphql.schema import build_schema
from inkverse.graphql.viewer import PUBLIC_ROOT_FIELDS, SELF_ONLY_FIELDS
from inkverse.lists.editorial import EditorialData
from inkverse.logging import configure_logging
from inkverse.metrics import Metrics
from inkverse.notion.pages import DocumentationPages
from inkverse.queues.client import QueueClient
from inkverse.settings import ServerSettings, Settings, WorkerSettings, load_settings
from inkverse.taddy.webhooks import effective_secret
from inkverse.users.tokens import InvalidTokenError, TokenService, require_jwt_keys

log = structlog.get_logger(__name__)

CONTAINER_KEY = "dishka_container"
# Most specific first: "/api" would otherwise also count the webhook and GraphQL paths.
_KNOWN_ROUTES = (
    "/api/graphql",
    "/api/auth",
    "/api/claim-creator",
    "/api/hosting-provider",
    "/api/notifications",
    "/api/webhooks/taddy",
    "/api/worker/process-taddy-webhook",
    "/healthz",
    "/readyz",
    "/metrics",
    "/api",
)


class RequestScopeMiddleware:
    """Per HTTP request: a request id bound to the logs, metrics, and a REQUEST-scoped container."""

    def __init__(self, app: ASGIApp, container: AsyncContainer) -> None:
        self._app = app
        self._container = container
        self._metrics: Metrics | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        request_id = _header(scope, b"x-request-id") or uuid.uuid4().hex
        route = _route_label(scope["path"])
        status = 500
        started = time.perf_counter()

        async def send_with_request_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        if self._metrics is None:
            self._metrics = await self._container.get(Metrics)
        metrics: Metrics = self._metrics
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                async with self._container() as request_container:
                    scope.setdefault("state", {})[CONTAINER_KEY] = request_container
                    await self._app(scope, receive, send_with_request_id)
            finally:
                metrics.http_requests.labels(scope["method"], route, str(status)).inc()
                metrics.http_duration.labels(route).observe(time.perf_counter() - started)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")[:128]
    return None


def _route_label(path: str) -> str:
    for route in _KNOWN_ROUTES:
        if path == route or path.startswith(route + "/"):
            return route
    return "other"


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def api_root(_: Request) -> Response:
    # The original's load-balancer health path answers with this emoji as text/html.
    return Response("😁", media_type="text/html")


async def readyz(request: Request) -> Response:
    container: AsyncContainer = request.state.dishka_container
    checker = ReadinessChecker(
        await container.get(AsyncEngine),
        await container.get(RedisClient),
        await container.get(QueueClient),
        (await container.get(WorkerSettings)).queue,
        replicas=[replica.engine for replica in (await container.get(ReadReplicas)).replicas],
        detailed=not (await container.get(ServerSettings)).is_production,
    )
    readiness = await checker.check()
    body = {
        "status": readiness.status,
        "checks": {result.name: result.detail for result in readiness.results},
    }
    if readiness.failing:
        log.warning("readiness.failed", status=readiness.status, failing=readiness.failing)
    return JSONResponse(body, status_code=503 if readiness.status == "unavailable" else 200)


async def metrics_endpoint(request: Request) -> Response:
    metrics: Metrics = await request.state.dishka_container.get(Metrics)
    return PlainTextResponse(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)


def build_app(container: AsyncContainer, settings: Settings) -> Starlette:
    """The application around an already-built container; the app closes it on shutdown."""
    server = settings.server
    check_webhook_secret(settings)
    require_jwt_keys(settings.jwt, production=server.is_production)
    schema = build_schema(settings.graphql)
    endpoint = GraphQLEndpoint(schema, production=server.is_production, limits=settings.graphql)
    # CORS outside the response cache, so that cache hits carry the CORS headers too.
    # Persisted queries are resolved first, so the response cache and the endpoint see plain requests;
    # ETags are computed on the final answer, cache hits included.
    graphql = Cors(
        PersistedQueries(
            ConditionalGet(
                ResponseCache(endpoint, container=container, schema=schema, viewers=viewer_policy(container))
            ),
            container=container,
        )
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        # Operator data files are read and validated now, so a broken one stops the start.
        await container.get(EditorialData)
        await container.get(DocumentationPages)
        await container.get(ReadReplicas)  # their pools (and the primary's) are in /metrics from the start
        freeze_startup_heap()
        yield
        await container.close()

    app = Starlette(
        routes=[
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            Route("/api", api_root),
            *auth_routes(),
            *provider_auth_routes(),
            *claim_routes(),
            *notification_routes(),
            Route("/api/webhooks/taddy", taddy_webhook, methods=["POST"]),
            Route("/api/worker/process-taddy-webhook", taddy_webhook, methods=["POST"]),
            # Reached here only behind a root path: GraphQLFirst takes them otherwise.
            Route(GRAPHQL_PATH, graphql),
            Route(GRAPHQL_PATH + "/{rest:path}", graphql),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(GraphQLFirst, graphql=graphql)
    app.add_middleware(SiteCors, website_url=server.website_url)
    # The access log is written at INFO: above that level its lines would be dropped after the work.
    level = logging.getLevelNamesMapping().get(settings.log.level.upper(), logging.NOTSET)
    if settings.log.access and level <= logging.INFO:
        # Added first, so it runs inside RequestScopeMiddleware and sees the request id.
        app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestScopeMiddleware, container=container)
    return app


def freeze_startup_heap() -> None:
    """Exempt what start-up built (modules, the schema, the container: about 240,000 objects) from the
    cyclic garbage collector: it lives as long as the process, and every full collection scanned it
    again (about 0.1 s on the bench machine, stalling the requests in flight)."""
    gc.collect()
    gc.freeze()


def viewer_policy(container: AsyncContainer) -> ViewerPolicy:
    """Signed-in readers share cached answers that cannot depend on who asks."""

    async def verify_bearer(token: str) -> bool:
        try:
            (await container.get(TokenService)).verify(token)
        except InvalidTokenError:
            return False
        return True

    return ViewerPolicy(verify_bearer, PUBLIC_ROOT_FIELDS, SELF_ONLY_FIELDS)


def check_webhook_secret(settings: Settings) -> None:
    """Refuse to start without a webhook secret outside development; say which secret dev uses."""
    configured = settings.taddy.webhook_secret
    secret = effective_secret(configured.get_secret_value() if configured else None, settings.server.env)
    if configured is None:
        log.warning("webhook.dev_secret", header="X-TADDY-WEBHOOK-SECRET", secret=secret)


def create_app(settings: Settings | None = None) -> Starlette:
    """Factory for `uvicorn inkverse.api.app:create_app --factory`."""
    settings = settings or load_settings()
    configure_logging(settings.log)
    return build_app(build_container(settings, "api"), settings)
