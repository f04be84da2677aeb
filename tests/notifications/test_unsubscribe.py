"""The unsubscribe link of notification e-mails turns that e-mail's events off (both creator events for a
digest link); a bad or expired link is 400 with the reason."""

import re
import time

import httpx
import jwt
from dishka import AsyncContainer

from inkverse.notifications.events import NotificationChannel, NotificationEventType
from inkverse.notifications.settings import effective_settings
from inkverse.notifications.unsubscribe import KEY_PURPOSE, LINK_LIFETIME_SECONDS, UnsubscribeTokens
from inkverse.queues.messages import NewEpisodeReleased, dump
from inkverse.settings import Settings
from inkverse.users.tokens import TokenService
from tests.notifications.conftest import Sessionmaker, Worker, add_reader, seed_episode
from tests.notifications.test_new_episode import emails_to, text_of

NEW_EPISODE = NotificationEventType.NEW_EPISODE_RELEASED
LIKED = NotificationEventType.CREATOR_EPISODE_LIKED
COMMENTED = NotificationEventType.CREATOR_EPISODE_COMMENTED
LINK = re.compile(r"https://inkverse\.co(/api/notifications/unsubscribe\?token=\S+)")


async def enabled(
    sessionmaker: Sessionmaker,
    user_id: int,
    event: NotificationEventType = NEW_EPISODE,
    channel: NotificationChannel = NotificationChannel.EMAIL,
) -> bool:
    async with sessionmaker() as session:
        settings = await effective_settings(session, user_id)
    return next(s.is_enabled for s in settings if s.event is event and s.channel is channel)


async def email_enabled(sessionmaker: Sessionmaker, user_id: int) -> bool:
    return await enabled(sessionmaker, user_id)


async def unsubscribe_key(container: AsyncContainer) -> bytes:
    return (await container.get(TokenService)).derive_key(KEY_PURPOSE)


async def test_the_link_in_the_email_turns_new_episode_emails_off(
    worker: Worker, client: httpx.AsyncClient, sessionmaker: Sessionmaker, settings: Settings
) -> None:
    episode = await seed_episode(sessionmaker)
    reader = await add_reader(sessionmaker, "mira", follows=episode.series_uuid, email=True)
    await worker.send(
        dump(NewEpisodeReleased(issue_uuid=episode.issue_uuid, series_uuid=episode.series_uuid))
    )
    await worker.drain()
    [message] = emails_to(settings, reader.email)
    match = LINK.search(text_of(message))
    assert match is not None

    response = await client.get(match.group(1))

    assert response.status_code == 200
    assert "no longer get e-mails about new episodes" in response.text
    assert not await email_enabled(sessionmaker, reader.id)
    # Mail clients' one-click unsubscribe (RFC 8058) posts to the same link.
    assert (await client.post(match.group(1), data={"List-Unsubscribe": "One-Click"})).status_code == 200


async def test_a_tampered_or_expired_link_is_400_with_the_reason(
    client: httpx.AsyncClient, container: AsyncContainer, sessionmaker: Sessionmaker
) -> None:
    reader = await add_reader(sessionmaker, "mira", email=True)
    key = await unsubscribe_key(container)
    long_ago = time.time() - LINK_LIFETIME_SECONDS - 60
    expired = UnsubscribeTokens(key, clock=lambda: long_ago).issue(reader.id, NEW_EPISODE)
    forged = UnsubscribeTokens(b"another key" * 3).issue(reader.id, NEW_EPISODE)
    claims = {"sub": str(reader.id), "use": "unsubscribe", "exp": int(time.time()) + 60}
    no_event = jwt.encode({**claims, "evt": []}, key, algorithm="HS256")
    unknown = jwt.encode({**claims, "evt": [NEW_EPISODE.value, "NO_SUCH_EVENT"]}, key, algorithm="HS256")

    cases = (
        (expired, "has expired"),
        (forged, "not valid"),
        ("", "not valid"),
        (no_event, "names no notification type"),
        (unknown, "names no notification type"),
    )
    for token, reason in cases:
        response = await client.get("/api/notifications/unsubscribe", params={"token": token})
        assert response.status_code == 400
        assert reason in response.text
    assert await email_enabled(sessionmaker, reader.id)


async def test_a_digest_link_turns_both_creator_events_off_and_nothing_else(
    client: httpx.AsyncClient, container: AsyncContainer, sessionmaker: Sessionmaker
) -> None:
    creator = await add_reader(sessionmaker, "ines", email=True)
    token = (await container.get(UnsubscribeTokens)).issue(creator.id, LIKED, COMMENTED)
    assert await enabled(sessionmaker, creator.id, LIKED)
    assert await enabled(sessionmaker, creator.id, COMMENTED)

    response = await client.get("/api/notifications/unsubscribe", params={"token": token})

    assert response.status_code == 200
    assert "no longer get e-mails about likes on your episodes and comments on your episodes" in response.text
    assert not await enabled(sessionmaker, creator.id, LIKED)
    assert not await enabled(sessionmaker, creator.id, COMMENTED)
    assert await enabled(sessionmaker, creator.id, LIKED, NotificationChannel.PUSH)
    assert await email_enabled(sessionmaker, creator.id)  # new episodes: untouched


async def test_a_link_sent_before_digest_links_still_works(
    client: httpx.AsyncClient, container: AsyncContainer, sessionmaker: Sessionmaker
) -> None:
    reader = await add_reader(sessionmaker, "mira", email=True)
    now = int(time.time())
    # The earlier token shape: `evt` a single string.
    claims = {"sub": str(reader.id), "evt": NEW_EPISODE.value, "use": "unsubscribe", "iat": now}
    earlier = jwt.encode({**claims, "exp": now + 60}, await unsubscribe_key(container), algorithm="HS256")

    response = await client.get("/api/notifications/unsubscribe", params={"token": earlier})

    assert response.status_code == 200
    assert "no longer get e-mails about new episodes." in response.text
    assert not await email_enabled(sessionmaker, reader.id)
