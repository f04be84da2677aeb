"""The access log: one `http.request` line per request, without secrets or variable values."""

from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from structlog.testing import capture_logs

from inkverse.api.app import build_app
from inkverse.settings import LogSettings, Settings

URL = "/api/graphql"
QUERY = "query FindSeries($uuid: ID) { getComicSeries(uuid: $uuid) { uuid name } }"
SECRET_UUID = "6b0f3c1e-1d2a-4f5b-8c9d-0e1f2a3b4c5d"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The access log is written at INFO."""
    return settings.model_copy(update={"log": LogSettings(level="INFO")})


def access_lines(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == "http.request"]


async def test_one_line_per_request_with_operation_cache_and_request_id(client: httpx.AsyncClient) -> None:
    payload = {"query": QUERY, "variables": {"uuid": SECRET_UUID}}
    with capture_logs() as logs:
        first = await client.post(URL, json=payload, headers={"x-request-id": "req-1"})
        await client.post(URL, json=payload, headers={"x-request-id": "req-2"})
        await client.get("/healthz")
    first_line, second_line, health = access_lines(logs)
    assert first.status_code == 200
    assert {key: first_line[key] for key in ("method", "path", "status", "operation", "cache", "request_id")} == {
        "method": "POST", "path": URL, "status": 200, "operation": "FindSeries", "cache": "BYPASS",
        "request_id": "req-1",
    }  # fmt: skip
    assert isinstance(first_line["duration_ms"], float)
    assert (second_line["operation"], second_line["request_id"]) == ("FindSeries", "req-2")
    assert {key: health[key] for key in ("method", "path", "status", "operation")} == {
        "method": "GET", "path": "/healthz", "status": 200, "operation": None,
    }  # fmt: skip


async def test_operation_name_from_the_body_and_no_secrets_logged(client: httpx.AsyncClient) -> None:
    headers = {"authorization": "Bearer secret-token-123", "cookie": "inkverse-refresh-token=cookie-456"}
    with capture_logs() as logs:
        await client.post(
            URL,
            json={"query": QUERY, "variables": {"uuid": SECRET_UUID}, "operationName": "FindSeries"},
            headers=headers,
        )
        await client.get(URL, params={"query": QUERY, "variables": f'{{"uuid": "{SECRET_UUID}"}}'},
                         headers={"accept": "application/json"})  # fmt: skip
    post, get = access_lines(logs)
    assert (post["operation"], get["operation"], get["path"]) == ("FindSeries", "FindSeries", URL)
    logged = repr(logs)
    for secret in ("secret-token-123", "cookie-456", SECRET_UUID):
        assert secret not in logged


async def test_log_access_false_turns_it_off(container: AsyncContainer, settings: Settings) -> None:
    quiet = settings.model_copy(update={"log": LogSettings(level="WARNING", access=False)})
    transport = httpx.ASGITransport(app=build_app(container, quiet))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        with capture_logs() as logs:
            response = await http.get("/healthz")
    assert response.status_code == 200
    assert access_lines(logs) == []


async def test_a_level_above_info_leaves_it_out(container: AsyncContainer, settings: Settings) -> None:
    """Its lines would be dropped, so the app does not spend the work on them."""
    warnings_only = settings.model_copy(update={"log": LogSettings(level="WARNING")})
    transport = httpx.ASGITransport(app=build_app(container, warnings_only))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        with capture_logs() as logs:
            response = await http.post(URL, json={"query": QUERY})
    assert response.status_code == 200
    assert access_lines(logs) == []
