"""Webhook intake over HTTP: the secret, validation, size limit, enqueueing and queue failures."""

import json
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from types_aiobotocore_s3 import S3Client
from types_aiobotocore_sqs import SQSClient

from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.queues.client import QueueClient
from inkverse.settings import AwsSettings, Settings
from tests.conftest import WEBHOOK_SECRET

PATHS = ["/api/webhooks/taddy", "/api/worker/process-taddy-webhook"]
SERIES_UUID = "6f1d2a3b-1111-4c2d-8e9f-0a1b2c3d4e5f"


def delivery(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "uuid": SERIES_UUID,
        "taddyType": "comicseries",
        "action": "created",
        "timestamp": 1767225600,
        "data": {"uuid": SERIES_UUID, "name": "The Lighthouse", "hash": "abc"},
    }
    body.update(overrides)
    return body


async def received(container: AsyncContainer, queue: str = "INKVERSE_HIGH_PRIORITY") -> list[dict[str, Any]]:
    client = await container.get(QueueClient)
    messages = await client.receive(queue, wait_seconds=1)
    return [json.loads(message.body) for message in messages]


@pytest.mark.parametrize("path", PATHS)
async def test_valid_delivery_is_enqueued_with_its_type(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None, path: str
) -> None:
    response = await client.post(path, json=delivery(), headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET})
    assert response.status_code == 200
    assert response.text == "OK"
    assert await received(container) == [{"type": "PROCESS_TADDY_WEBHOOK", **delivery()}]


@pytest.mark.parametrize("headers", [{}, {"X-TADDY-WEBHOOK-SECRET": "wrong"}, {"X-TADDY-WEBHOOK-SECRET": ""}])
async def test_wrong_or_missing_secret_is_401(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None, headers: dict[str, str]
) -> None:
    response = await client.post(PATHS[0], json=delivery(), headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid webhook secret"}
    assert await received(container) == []


async def test_header_name_is_case_insensitive(client: httpx.AsyncClient, queues: None) -> None:
    response = await client.post(
        PATHS[0], json=delivery(), headers={"x-taddy-webhook-secret": WEBHOOK_SECRET}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (json.dumps(delivery(taddyType="podcastseries")).encode(), "taddyType"),
        (json.dumps(delivery(action="exploded")).encode(), "action"),
        (json.dumps(delivery(timestamp="yesterday")).encode(), "timestamp"),
        (json.dumps(delivery(action="new_content_released")).encode(), "does not apply to comicseries"),
        (json.dumps(delivery(data=None)).encode(), "needs `data`"),
        (json.dumps({k: v for k, v in delivery().items() if k != "uuid"}).encode(), "uuid"),
    ],
)
async def test_malformed_delivery_is_400_with_the_reason(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None, body: bytes, reason: str
) -> None:
    response = await client.post(
        PATHS[0],
        content=body,
        headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert await received(container) == []


async def test_deleted_without_data_is_accepted(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    response = await client.post(
        PATHS[0],
        json=delivery(action="deleted", data=None),
        headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET},
    )
    assert response.status_code == 200
    assert (await received(container))[0]["action"] == "deleted"


async def test_body_over_the_limit_is_413(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    huge = delivery(data={"uuid": SERIES_UUID, "description": "x" * 1_100_000})
    response = await client.post(PATHS[0], json=huge, headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET})
    assert response.status_code == 413
    assert await received(container) == []


async def test_body_over_the_sqs_limit_travels_through_s3(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None, settings: Settings
) -> None:
    big = delivery(data={"uuid": SERIES_UUID, "description": "x" * 400_000})
    response = await client.post(PATHS[0], json=big, headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET})
    assert response.status_code == 200
    [message] = await received(container)
    pointer = message["bodyPointer"]
    assert message["type"] == "PROCESS_TADDY_WEBHOOK"
    assert pointer["bucket"] == settings.queues.overflow_bucket
    stored = await (await container.get(S3Client)).get_object(Bucket=pointer["bucket"], Key=pointer["key"])
    async with stored["Body"] as stream:
        assert json.loads(await stream.read()) == {"type": "PROCESS_TADDY_WEBHOOK", **big}


async def test_unreachable_queue_is_503_so_taddy_retries(settings: Settings, queues: None) -> None:
    broken = settings.model_copy(
        update={
            "aws": AwsSettings(endpoint_url="http://127.0.0.1:9", access_key_id="x", secret_access_key="x")
        }
    )
    container = build_container(broken, "test")
    app = build_app(container, broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post(
            PATHS[0], json=delivery(), headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
        )
    await container.close()
    assert response.status_code == 503
    assert "retry" in response.json()["error"]


async def test_missing_queue_is_503(client: httpx.AsyncClient, sqs_free: None) -> None:
    response = await client.post(
        PATHS[0], json=delivery(), headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
    )
    assert response.status_code == 503


@pytest.fixture
async def sqs_free(container: AsyncContainer) -> None:
    """No queue exists (moto starts empty after the previous test's reset)."""
    sqs: SQSClient = await container.get(SQSClient)
    assert (await sqs.list_queues()).get("QueueUrls", []) == []


async def test_fractional_timestamp_is_accepted_as_whole_seconds(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    response = await client.post(
        PATHS[0], json=delivery(timestamp=1767225600.75), headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    assert (await received(container))[0]["timestamp"] == 1767225600


def test_the_development_secret_is_only_for_development() -> None:
    from inkverse.errors import ConfigurationError
    from inkverse.settings import Environment
    from inkverse.taddy.webhooks import DEV_WEBHOOK_SECRET, effective_secret

    assert effective_secret(None, Environment.DEVELOPMENT) == DEV_WEBHOOK_SECRET
    assert effective_secret("s3cret", Environment.PRODUCTION) == "s3cret"
    for environment in (Environment.TEST, Environment.PRODUCTION):
        with pytest.raises(ConfigurationError, match="TADDY_WEBHOOK_SECRET"):
            effective_secret(None, environment)


def nested(depth: int) -> str:
    """JSON text nesting `depth` objects (built as text: json.dumps itself fails near 1,000 levels)."""
    return '{"child": ' * depth + '"deep"' + "}" * depth


@pytest.mark.parametrize("depth", [100, 300, 1_500])
async def test_deeply_nested_delivery_is_400_and_not_enqueued(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None, depth: int
) -> None:
    body = json.dumps(delivery(data={"uuid": SERIES_UUID, "extra": None}))
    body = body.replace('"extra": null', '"extra": ' + nested(depth))
    response = await client.post(
        PATHS[0],
        content=body.encode(),
        headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert "nested deeper than 64" in response.json()["error"]
    assert await received(container) == []


async def test_nesting_within_the_limit_is_enqueued(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    extra = json.loads(nested(60))
    body = delivery(data={"uuid": SERIES_UUID, "extra": extra, "note": "[[[[{{{{ not structure"})
    response = await client.post(PATHS[0], json=body, headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET})
    assert response.status_code == 200
    assert (await received(container))[0]["data"] == body["data"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None, content_type: str | None
) -> None:
    headers = {"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
    if content_type:
        headers["content-type"] = content_type
    response = await client.post(PATHS[0], content=json.dumps(delivery()).encode(), headers=headers)
    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    assert await received(container) == []


async def test_json_with_a_charset_is_accepted(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    headers = {"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET, "content-type": "Application/JSON; charset=utf-8"}
    response = await client.post(PATHS[0], content=json.dumps(delivery()).encode(), headers=headers)
    assert response.status_code == 200
    assert len(await received(container)) == 1


async def test_nul_characters_are_stripped_from_a_delivery(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    data = {"uuid": SERIES_UUID, "name": "The\u0000 Lighthouse", "tags": ["sea\u0000"], "n\u0000ote": "x"}
    response = await client.post(
        PATHS[0], json=delivery(data=data), headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    [message] = await received(container)
    assert message["data"] == {"uuid": SERIES_UUID, "name": "The Lighthouse", "tags": ["sea"], "note": "x"}


async def test_an_escaped_backslash_before_u0000_is_kept(
    client: httpx.AsyncClient, container: AsyncContainer, queues: None
) -> None:
    data = {"uuid": SERIES_UUID, "name": "C:\\u0000 and \\\u0000"}
    response = await client.post(
        PATHS[0], json=delivery(data=data), headers={"X-TADDY-WEBHOOK-SECRET": WEBHOOK_SECRET}
    )
    assert response.status_code == 200
    [message] = await received(container)
    assert message["data"]["name"] == "C:\\u0000 and \\"
