"""`/api/notifications/unsubscribe`: the link at the foot of every notification e-mail.

    GET  /api/notifications/unsubscribe?token=...  -> 200 page: the e-mail's notifications are turned off
    POST /api/notifications/unsubscribe?token=...  -> the same (RFC 8058 one-click, from mail clients)

A bad, tampered or expired token is 400 with the reason; the settings are the user's EMAIL settings of the
events the token names (the e-mail's event; both creator events for the digest), written in one
transaction as `addOrUpdateNotificationSetting` would write them (the settings cache is purged).
"""

import html
from http import HTTPStatus

import structlog
from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.messaging import links
from inkverse.messaging.links import UNSUBSCRIBE_PATH
from inkverse.notifications.events import NotificationEventType
from inkverse.notifications.unsubscribe import InvalidUnsubscribeTokenError, UnsubscribeTokens, unsubscribe
from inkverse.settings import ServerSettings

log = structlog.get_logger(__name__)

WHAT: dict[NotificationEventType, str] = {
    NotificationEventType.NEW_EPISODE_RELEASED: "new episodes",
    NotificationEventType.COMMENT_REPLY: "replies to your comments",
    NotificationEventType.COMMENT_LIKED: "likes on your comments",
    NotificationEventType.CREATOR_EPISODE_LIKED: "likes on your episodes",
    NotificationEventType.CREATOR_EPISODE_COMMENTED: "comments on your episodes",
}


def what(events: tuple[NotificationEventType, ...]) -> str:
    """`likes on your episodes and comments on your episodes`."""
    named = [WHAT[event] for event in events]
    return named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"


def page(status: HTTPStatus, heading: str, text: str, settings_url: str) -> HTMLResponse:
    body = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(heading)}</title></head>"
        '<body style="font-family:sans-serif; max-width:560px; margin:48px auto; padding:0 16px;">'
        f"<h1>{html.escape(heading)}</h1><p>{html.escape(text)}</p>"
        f'<p><a href="{html.escape(settings_url)}">Notification settings</a></p></body></html>'
    )
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def unsubscribe_link(request: Request) -> Response:
    container: AsyncContainer = request.state.dishka_container
    settings_url = links.notification_settings_url((await container.get(ServerSettings)).website_url)
    try:
        target = (await container.get(UnsubscribeTokens)).verify(request.query_params.get("token", ""))
    except InvalidUnsubscribeTokenError as exc:
        return page(
            HTTPStatus.BAD_REQUEST, "This link does not work", f"{str(exc).capitalize()}.", settings_url
        )
    sessionmaker = await container.get(async_sessionmaker[AsyncSession])
    async with sessionmaker() as session, session.begin():
        found = await unsubscribe(session, target)
    if not found:
        return page(
            HTTPStatus.BAD_REQUEST, "This link does not work", "Its account no longer exists.", settings_url
        )
    await (await container.get(CachePurger)).purge(
        [Purge(CacheType.NOTIFICATION_SETTINGS, (str(target.user_id),))]
    )
    log.info(
        "notifications.unsubscribed",
        user_id=target.user_id,
        event_types=[event.value for event in target.events],
    )
    return page(
        HTTPStatus.OK,
        "You are unsubscribed",
        f"You will no longer get e-mails about {what(target.events)}. Push notifications are unchanged.",
        settings_url,
    )


def notification_routes() -> list[Route]:
    return [Route(UNSUBSCRIBE_PATH, unsubscribe_link, methods=["GET", "POST"])]
