"""The HTTP surface of the API process: health, readiness, metrics, the GraphQL endpoint."""

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.settings import RedisSettings, Settings


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


async def test_readyz_names_the_part_that_is_down(settings: Settings, queues: None, tmp_path: object) -> None:
    broken = settings.model_copy(update={"redis": RedisSettings(url="unix:///nonexistent/redis.sock")})
    container = build_container(broken, "test")
    app = build_app(container, broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/readyz")
    await container.close()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["postgres"] == "ok"
    assert body["checks"]["queue"] == "ok"
    assert body["checks"]["redis"] != "ok"


async def test_readyz_reports_a_missing_queue(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 503
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


async def test_unknown_path_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope")
    assert response.status_code == 404
