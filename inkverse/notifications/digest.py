"""The daily creator digest (integrations.md §5.7): likes and comments on a creator's episodes, counted
per day window, pushed and e-mailed once.

A window runs from 07:00 UTC to 07:00 UTC the next day (what the original computes, §9.1). The job
(`DigestStager`) stages, in one transaction, a marker per window (`digest-window:<start>` in
`notification_deliveries`) and one `SEND_CREATOR_DIGEST` outbox message per 100 recipients with their
counts: a window is staged exactly once, and a rerun finds its marker and stages nothing. Windows that
ended after the newest marked one (at most `CATCH_UP_WINDOWS`) are caught up together, as one digest per
creator; with no marker at all only the latest window is staged, so a first run never resends old days.

The worker (`DigestSender`) sends each push and e-mail once, under the key
`digest:<window start>:<user id>:<PUSH|EMAIL>` (see `inkverse.notifications.dedupe`). The e-mail's
unsubscribe link names both digest events: one click stops the digest e-mail, whatever it counted that day.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.errors import EmailDeliveryError, InkverseError, ValidationError
from inkverse.messaging.email import CreatorDigestEmail, EmailSender
from inkverse.messaging.email.messages import CREATOR_DIGEST_IMAGE_URL
from inkverse.messaging.push import (
    ExpoPushClient,
    ExpoPushError,
    ExpoTransientError,
    PushMessage,
    RichContent,
    request_groups,
)
from inkverse.messaging.push_tickets import send_and_record
from inkverse.notifications import dedupe
from inkverse.notifications.devices import expo_tokens_of
from inkverse.notifications.events import NotificationChannel, NotificationEventType, enabled_by_default
from inkverse.notifications.unsubscribe import UnsubscribeTokens
from inkverse.queues.messages import (
    MAX_DIGESTS_PER_MESSAGE,
    DigestRecipient,
    SendCreatorDigest,
    dump,
)
from inkverse.queues.outbox import stage

log = structlog.get_logger(__name__)

LIKED = NotificationEventType.CREATOR_EPISODE_LIKED
COMMENTED = NotificationEventType.CREATOR_EPISODE_COMMENTED
DIGEST_EVENTS = (LIKED, COMMENTED)
WINDOW_END_HOUR = 7
WINDOW = timedelta(days=1)
CATCH_UP_WINDOWS = 7
"""How far back missed windows are caught up; well inside the 30 days delivery keys are kept."""
RECIPIENTS_PER_PAGE = 1000
EMAILS_AT_ONCE = 5
PUSH_CHANNEL_ID = "DIGEST"

Notification = tables.UserNotification


@dataclass(frozen=True, slots=True)
class Window:
    start: datetime
    end: datetime

    @property
    def marker(self) -> str:
        return f"digest-window:{int(self.start.timestamp())}"


def latest_window(now: datetime) -> Window:
    """The latest window that has ended at `now`."""
    end = now.astimezone(UTC).replace(hour=WINDOW_END_HOUR, minute=0, second=0, microsecond=0)
    if end > now:
        end -= WINDOW
    return Window(end - WINDOW, end)


def recent_windows(now: datetime, count: int = CATCH_UP_WINDOWS) -> list[Window]:
    """The `count` latest ended windows, oldest first."""
    latest = latest_window(now)
    return [
        Window(latest.start - WINDOW * back, latest.end - WINDOW * back) for back in range(count - 1, -1, -1)
    ]


@dataclass(frozen=True, slots=True)
class StagedDigests:
    windows: list[Window]
    recipients: int
    outbox_ids: list[int]


class DigestStager:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        queue: str,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        page_size: int = RECIPIENTS_PER_PAGE,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._queue = queue
        self._clock = clock
        self._page_size = page_size

    async def stage(self) -> StagedDigests:
        """Stage the digests of every window still unsent; nothing when there is none."""
        async with self._sessionmaker() as session, session.begin():
            windows = await self._claim_windows(session)
            if not windows:
                return StagedDigests([], 0, [])
            start, end = windows[0].start, windows[-1].end
            recipients, outbox_ids = 0, []
            pages = _recipient_pages(session, int(start.timestamp()), int(end.timestamp()), self._page_size)
            async for page in pages:
                recipients += len(page)
                for chunk in _chunks(page, MAX_DIGESTS_PER_MESSAGE):
                    message = SendCreatorDigest(
                        window_start=int(start.timestamp()), window_end=int(end.timestamp()), recipients=chunk
                    )
                    outbox_ids.append(await stage(session, self._queue, dump(message)))
        return StagedDigests(windows, recipients, outbox_ids)

    async def _claim_windows(self, session: AsyncSession) -> list[Window]:
        candidates = recent_windows(self._clock())
        sent = await dedupe.recorded(session, [window.marker for window in candidates])
        newest_sent = max((i for i, window in enumerate(candidates) if window.marker in sent), default=None)
        due = candidates[-1:] if newest_sent is None else candidates[newest_sent + 1 :]
        claimed = await dedupe.claim(session, [window.marker for window in due])
        return [window for window in due if window.marker in claimed]


async def _recipient_pages(
    session: AsyncSession, start: int, end: int, page_size: int
) -> AsyncIterator[list[DigestRecipient]]:
    """The window's recipients with their counts, in recipient order, a page at a time (keyset on the
    grouped recipient id: a recipient is never split across pages)."""
    after = 0
    while True:
        rows = (
            await session.execute(
                select(
                    Notification.recipient_id,
                    func.count().filter(Notification.event_type == LIKED.value),
                    func.count().filter(Notification.event_type == COMMENTED.value),
                )
                .where(Notification.event_type.in_([event.value for event in DIGEST_EVENTS]))
                .where(Notification.created_at >= start, Notification.created_at < end)
                .where(Notification.recipient_id > after)
                .group_by(Notification.recipient_id)
                .order_by(Notification.recipient_id)
                .limit(page_size)
            )
        ).all()
        if not rows:
            return
        yield [
            DigestRecipient(user_id=user_id, episode_likes=likes, episode_comments=comments)
            for user_id, likes, comments in rows
        ]
        after = rows[-1][0]


def _chunks(items: Sequence[DigestRecipient], size: int) -> Iterator[list[DigestRecipient]]:
    for first in range(0, len(items), size):
        yield list(items[first : first + size])


def digest_sentence(email: CreatorDigestEmail) -> str:
    """The push body: the e-mail's sentence without the bold counts."""
    return ", and ".join(f"{part.number} {part.words}" for part in email.parts()) + " on Inkverse."


class DigestDeliveryError(InkverseError):
    """Some digest pushes or e-mails of a message could not be sent; a retry sends only those."""


@dataclass(frozen=True, slots=True)
class _Recipient:
    counts: DigestRecipient
    email_address: str
    email: CreatorDigestEmail
    tokens: list[str]
    push_on: bool
    email_on: bool


class DigestSender:
    """Sends the pushes and e-mails of one `SEND_CREATOR_DIGEST` message, each once. A failed send does
    not stop the others; it is raised at the end, so the queue's retry sends only what is missing."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        push: ExpoPushClient,
        email: EmailSender,
        unsubscribe: UnsubscribeTokens,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._push = push
        self._email = email
        self._unsubscribe = unsubscribe

    async def send(self, message: SendCreatorDigest) -> None:
        recipients = await self._load(message.recipients)
        failures: list[str] = []
        pushed = [r for r in recipients if r.push_on]
        for group in request_groups(pushed, lambda recipient: len(recipient.tokens)):
            try:
                await self._send_pushes(message, group)
            except (ExpoPushError, ExpoTransientError) as exc:
                failures.append(f"push: {exc}")
        emails = asyncio.Semaphore(EMAILS_AT_ONCE)
        failed = await asyncio.gather(
            *(self._send_email(message, r, emails) for r in recipients if r.email_on)
        )
        failures += [f"{sum(failed)} of {len(failed)} e-mails"] if any(failed) else []
        if failures:
            raise DigestDeliveryError(f"digest sends failed: {'; '.join(failures[:3])}")

    async def _load(self, counts: Sequence[DigestRecipient]) -> list[_Recipient]:
        ids = [item.user_id for item in counts]
        async with self._sessionmaker() as session:
            users = {
                user.id: user
                for user in await session.scalars(select(tables.User).where(tables.User.id.in_(ids)))
            }
            overrides = await _overrides(session, ids)
            tokens = await expo_tokens_of(session, ids)
        return [
            _recipient(
                item,
                users[item.user_id],
                overrides,
                tokens.get(item.user_id, []),
                self._unsubscribe.issue(item.user_id, *DIGEST_EVENTS),
            )
            for item in counts
            if item.user_id in users
        ]

    async def _send_pushes(self, message: SendCreatorDigest, group: Sequence[_Recipient]) -> None:
        async with self._sessionmaker() as session, session.begin():
            keys = {_key(message, r, NotificationChannel.PUSH): r for r in group}
            claimed = await dedupe.claim(session, list(keys))
            pushes = [
                _push_message(token, keys[key])
                for key in keys
                if key in claimed
                for token in keys[key].tokens
            ]
            if pushes:
                await send_and_record(self._push, session, pushes)

    async def _send_email(
        self, message: SendCreatorDigest, recipient: _Recipient, slots: asyncio.Semaphore
    ) -> bool:
        """True when the e-mail failed (and may be retried)."""
        async with slots:
            try:
                async with self._sessionmaker() as session, session.begin():
                    key = _key(message, recipient, NotificationChannel.EMAIL)
                    if await dedupe.claim(session, [key]):
                        await self._email_or_skip(recipient)
            except EmailDeliveryError as exc:
                log.warning("digest.email_failed", user_id=recipient.counts.user_id, error=str(exc))
                return True
        return False

    async def _email_or_skip(self, recipient: _Recipient) -> None:
        try:
            await self._email.send(recipient.email_address, recipient.email)
        except ValidationError as exc:
            # An address SES can never take: recorded as handled, never retried.
            log.warning("digest.email_skipped", user_id=recipient.counts.user_id, reason=exc.reason)


def _key(message: SendCreatorDigest, recipient: _Recipient, channel: NotificationChannel) -> str:
    return f"digest:{message.window_start}:{recipient.counts.user_id}:{channel.value}"


def _push_message(token: str, recipient: _Recipient) -> PushMessage:
    return PushMessage(
        to=token,
        title=recipient.email.subject,
        body=digest_sentence(recipient.email),
        data={"type": PUSH_CHANNEL_ID},
        channel_id=PUSH_CHANNEL_ID,
        rich_content=RichContent(image=CREATOR_DIGEST_IMAGE_URL),
    )


Overrides = dict[tuple[int, str, str], bool]


async def _overrides(session: AsyncSession, user_ids: Sequence[int]) -> Overrides:
    setting = tables.NotificationSetting
    rows = await session.execute(
        select(setting.user_id, setting.event_type, setting.channel, setting.is_enabled)
        .where(setting.user_id.in_(user_ids))
        .where(setting.event_type.in_([event.value for event in DIGEST_EVENTS]))
    )
    return {(user_id, event, channel): enabled for user_id, event, channel, enabled in rows}


def _recipient(
    counts: DigestRecipient,
    user: tables.User,
    overrides: Overrides,
    tokens: list[str],
    unsubscribe_token: str,
) -> _Recipient:
    present = [
        event for event, n in ((LIKED, counts.episode_likes), (COMMENTED, counts.episode_comments)) if n
    ]

    def on(channel: NotificationChannel) -> bool:
        # The original sends a channel when any event type in the user's digest has it on.
        return any(
            overrides.get((user.id, event.value, channel.value), enabled_by_default(event, channel))
            for event in present
        )

    email = CreatorDigestEmail(
        username=user.username,
        episode_likes=counts.episode_likes,
        episode_comments=counts.episode_comments,
        unsubscribe_token=unsubscribe_token,
    )
    # Verified addresses only, as the other notification e-mails (the original e-mailed any address).
    verified = bool(user.is_email_verified and user.email)
    return _Recipient(
        counts=counts,
        email_address=user.email,
        email=email,
        tokens=tokens,
        push_on=on(NotificationChannel.PUSH),
        email_on=verified and on(NotificationChannel.EMAIL),
    )
