"""HTTP intake of Taddy webhooks: `POST /api/webhooks/taddy` and the original's
`POST /api/worker/process-taddy-webhook`. Answers 200 only once the delivery is durably enqueued."""

from http import HTTPStatus

import structlog
from dishka import AsyncContainer
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from inkverse.api.bodies import BodyTooLargeError, UnreadableJsonError, json_text, media_type, read_body
from inkverse.errors import ValidationError
from inkverse.queues.producer import QueueProducer
from inkverse.settings import ServerSettings, TaddySettings, WorkerSettings
from inkverse.taddy.webhooks import (
    TaddyWebhook,
    effective_secret,
    parse_webhook,
    queue_message,
    secret_matches,
)

log = structlog.get_logger(__name__)

SECRET_HEADER = "x-taddy-webhook-secret"  # noqa: S105 - a header name, not a secret


def error(status: HTTPStatus, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def taddy_webhook(request: Request) -> Response:
    container: AsyncContainer = request.state.dishka_container
    taddy = await container.get(TaddySettings)
    server = await container.get(ServerSettings)
    configured = taddy.webhook_secret.get_secret_value() if taddy.webhook_secret else None
    expected = effective_secret(configured, server.env)
    if not secret_matches(request.headers.get(SECRET_HEADER), expected):
        return error(HTTPStatus.UNAUTHORIZED, "Invalid webhook secret")
    webhook = await read_webhook(request, taddy.webhook_max_body_bytes)
    if isinstance(webhook, Response):
        return webhook
    producer = await container.get(QueueProducer)
    queue = (await container.get(WorkerSettings)).queue
    try:
        message_id = await producer.send(queue, queue_message(webhook))
    except Exception as exc:  # noqa: BLE001 - any queue failure: tell Taddy to retry
        log.error("webhook.enqueue_failed", webhook_event=webhook.event, uuid=webhook.uuid, error=str(exc))
        return error(HTTPStatus.SERVICE_UNAVAILABLE, "Could not enqueue the webhook; retry later")
    log.info("webhook.enqueued", webhook_event=webhook.event, uuid=webhook.uuid, message_id=message_id)
    return PlainTextResponse("OK")


async def read_webhook(request: Request, max_bytes: int) -> TaddyWebhook | Response:
    """The delivery, or the 4xx response that refuses it (nothing is enqueued then)."""
    if media_type(request) != "application/json":
        return error(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, "Content-Type must be application/json")
    try:
        body = await read_body(request, max_bytes)
    except BodyTooLargeError:
        return error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"Body over {max_bytes} bytes")
    except ClientDisconnect:
        return error(HTTPStatus.BAD_REQUEST, "Client disconnected")
    try:
        return parse_webhook(json_text(body))
    except (ValidationError, UnreadableJsonError) as exc:
        return error(HTTPStatus.BAD_REQUEST, f"Invalid webhook: {exc}")
