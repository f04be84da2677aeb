"""The HTTP surface of the API process: health, readiness, metrics, the GraphQL endpoint."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.settings import DatabaseSettings, RedisSettings, Settings


async def test_healthz_answers_without_touching_dependencies(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["x-request-id"]


async def test_request_id_from_the_caller_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


async def test_api_root_is_the_original_load_balancer_check(client: httpx.AsyncClient) -> None:
    response = await client.get("/api")
    assert response.status_code == 200
    assert response.text == "😁"


async def test_readyz_reports_every_part_up(client: httpx.AsyncClient, queues: None) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok", "queue": "ok"}}


async def readyz_with(settings: Settings) -> httpx.Response:
    container = build_container(settings, "test")
    app = build_app(container, settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            return await http.get("/readyz")
    finally:
        await container.close()


async def test_readyz_with_redis_down_is_degraded_but_ready(settings: Settings, queues: None) -> None:
    """Every request is still served (reads fall back to PostgreSQL): the replica stays in rotation."""
    broken = settings.model_copy(update={"redis": RedisSettings(url="unix:///nonexistent/redis.sock")})
    response = await readyz_with(broken)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["queue"] == "ok"
    assert body["checks"]["redis"] != "ok"


async def test_readyz_with_postgres_down_is_unavailable(settings: Settings, queues: None) -> None:
    down = DatabaseSettings(url="postgresql://nobody@127.0.0.1:9/inkverse", pool_timeout_seconds=1)
    response = await readyz_with(settings.model_copy(update={"database": down}))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] != "ok"
    assert body["checks"]["redis"] == "ok"


async def test_readyz_reports_a_missing_queue_as_degraded(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["queue"] != "ok"


async def test_metrics_count_requests(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert 'inkverse_http_requests_total{method="GET",route="/healthz",status="200"} 1.0' in response.text


async def test_graphql_answers_typename(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_graphql_over_get(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/graphql", params={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_is_served_in_development(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_graphiql_says_it_needs_the_cdn_when_its_scripts_do_not_load(client: httpx.AsyncClient) -> None:
    page = (await client.get("/api/graphql", headers={"Accept": "text/html"})).text
    assert ">Loading...<" not in page
    assert "unpkg.com" in page
    note = page[page.index('id="graphiql"') : page.index("const EXAMPLE_QUERY")]
    assert "typeof GraphiQL" in note
    assert "POST /api/graphql" in note


async def test_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
