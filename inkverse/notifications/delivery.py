"""Push and e-mail of in-app notifications (`SEND_NOTIFICATION`), in the worker, never in a request.

For each notification named, per its recipient's settings read now (override, else the default): a push
to every device of the recipient and/or an e-mail to their verified address, with the texts of
`inkverse.notifications.content`. Creator events wait for the daily digest and are skipped here.

Pushes go out in requests of at most 100 messages, a recipient's devices never split across two; each
ticket is kept in `push_tickets` for the `push-receipts` job and a `DeviceNotRegistered` token leaves
`user_device` at once. E-mails go out 25 at a time (SES throttling is retried by the sender).

Exactly-once-ish: every (notification, channel) sent is recorded in `notification_deliveries`, so a
redelivered message sends nothing twice. The record is inserted before the send, in a transaction that
commits only after it: a concurrent duplicate waits on it and then finds it taken, and a failed send rolls
it back. A failure is raised after the rest of the message was delivered, so the queue retries only what
failed, and after its last attempt dead-letters the message with the reason. Only a crash between a send
and its commit can send one twice.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.errors import InkverseError, ValidationError
from inkverse.messaging.email import Email, EmailSender
from inkverse.messaging.push import (
    ExpoPushClient,
    ExpoPushError,
    ExpoTransientError,
    PushMessage,
    request_groups,
)
from inkverse.messaging.push_tickets import send_and_record
from inkverse.notifications import dedupe
from inkverse.notifications.content import (
    About,
    Issue,
    Series,
    banner_url,
    email_message,
    is_uuid,
    push_message,
)
from inkverse.notifications.devices import expo_tokens_of
from inkverse.notifications.events import NotificationChannel, NotificationEventType, enabled_by_default
from inkverse.notifications.unsubscribe import UnsubscribeTokens

log = structlog.get_logger(__name__)

Event = NotificationEventType
Channel = NotificationChannel
Notification = tables.UserNotification
Delivery = tables.NotificationDelivery
IssueRow = tables.ComicIssue
SeriesRow = tables.ComicSeries
Device = tables.UserDevice
User = tables.User

DELIVERED_HERE = frozenset({Event.NEW_EPISODE_RELEASED, Event.COMMENT_REPLY, Event.COMMENT_LIKED})
EMAIL_BATCH = 25


class DeliveryFailedError(InkverseError):
    """Some pushes or e-mails of the message could not be sent; the rest were, and are recorded."""


def dedupe_key(notification_id: int, channel: Channel) -> str:
    return f"notification:{notification_id}:{channel.value}"


@dataclass(frozen=True, slots=True)
class Planned:
    """What one notification still has to send."""

    notification_id: int
    pushes: list[PushMessage]
    email: tuple[str, Email] | None


@dataclass(slots=True)
class DeliveryReport:
    notifications: int = 0
    pushes: int = 0
    emails: int = 0
    dead_tokens: int = 0
    failures: list[str] = field(default_factory=list)


class NotificationDelivery:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        push: ExpoPushClient,
        email: EmailSender,
        unsubscribe: UnsubscribeTokens,
        *,
        email_batch: int = EMAIL_BATCH,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._push = push
        self._email = email
        self._unsubscribe = unsubscribe
        self._email_batch = email_batch

    async def deliver(self, notification_ids: Sequence[int]) -> DeliveryReport:
        """Send what is due; raises `DeliveryFailedError` when a send failed (after sending the rest)."""
        async with self._sessionmaker() as session:
            planned = await self._plan(session, notification_ids)
        report = DeliveryReport(notifications=len(planned))
        for request in request_groups(planned, lambda item: len(item.pushes)):
            await self._push_request(request, report)
        with_email = [item for item in planned if item.email is not None]
        for start in range(0, len(with_email), self._email_batch):
            await self._email_batch_of(with_email[start : start + self._email_batch], report)
        log.info(
            "notification.delivered",
            notifications=len(notification_ids),
            pushes=report.pushes,
            emails=report.emails,
            dead_tokens=report.dead_tokens,
            failures=len(report.failures),
        )
        if report.failures:
            raise DeliveryFailedError(
                f"{len(report.failures)} sends failed: {'; '.join(report.failures[:3])}"
            )
        return report

    # --- planning -----------------------------------------------------------------------------------

    async def _plan(self, session: AsyncSession, notification_ids: Sequence[int]) -> list[Planned]:
        rows = list(await session.scalars(select(Notification).where(Notification.id.in_(notification_ids))))
        deliverable = [row for row in rows if row.event_type in DELIVERED_HERE]
        if len(deliverable) < len(notification_ids):
            log.info(
                "notification.not_delivered_here", missing_or_digest=len(notification_ids) - len(deliverable)
            )
        due = await _due_channels(session, deliverable)
        abouts = await _abouts(session, deliverable)
        pushed_to = {row.recipient_id for row in deliverable if Channel.PUSH in due[row.id]}
        emailed_to = {row.recipient_id for row in deliverable if Channel.EMAIL in due[row.id]}
        devices = await expo_tokens_of(session, pushed_to)
        addresses = await _addresses(session, emailed_to)
        planned = []
        for row in sorted(deliverable, key=lambda row: row.id):
            about = abouts[row.id]
            pushes: list[PushMessage] = []
            if Channel.PUSH in due[row.id]:
                pushes = [m for t in devices.get(row.recipient_id, []) if (m := push_message(about, t))]
            email = None
            address = addresses.get(row.recipient_id)
            if Channel.EMAIL in due[row.id] and address is not None:
                content = email_message(about, self._unsubscribe.issue(row.recipient_id, about.event))
                email = (address, content) if content is not None else None
            if pushes or email is not None:
                planned.append(Planned(row.id, pushes, email))
        return planned

    # --- sending ------------------------------------------------------------------------------------

    async def _push_request(self, request: Sequence[Planned], report: DeliveryReport) -> None:
        try:
            async with self._sessionmaker() as session, session.begin():
                keys = [dedupe_key(item.notification_id, Channel.PUSH) for item in request]
                claimed = await dedupe.claim(session, keys)
                messages = [
                    message
                    for item in request
                    if dedupe_key(item.notification_id, Channel.PUSH) in claimed
                    for message in item.pushes
                ]
                if not messages:
                    return
                result = await send_and_record(self._push, session, messages)
                report.dead_tokens += len(result.dead_tokens)
        except (ExpoPushError, ExpoTransientError) as exc:
            report.failures.append(f"push: {exc}")
            return
        report.pushes += len(messages)

    async def _email_batch_of(self, batch: Sequence[Planned], report: DeliveryReport) -> None:
        async with self._sessionmaker() as session, session.begin():
            keys = {dedupe_key(item.notification_id, Channel.EMAIL): item for item in batch}
            claimed = await dedupe.claim(session, list(keys))
            todo = [(key, item.email) for key, item in keys.items() if key in claimed and item.email]
            outcomes = await asyncio.gather(
                *(self._email.send(address, email) for _, (address, email) in todo), return_exceptions=True
            )
            failed = []
            for (key, _), outcome in zip(todo, outcomes, strict=True):
                if isinstance(outcome, ValidationError):
                    # A stored address SES can never take: recorded, so it is not retried forever.
                    log.warning("notification.email_address_refused", dedupe_key=key, reason=outcome.reason)
                elif isinstance(outcome, Exception):
                    failed.append(key)
                    report.failures.append(f"e-mail: {outcome}")
                elif isinstance(outcome, BaseException):
                    raise outcome
                else:
                    report.emails += 1
            if failed:
                await session.execute(delete(Delivery).where(Delivery.dedupe_key.in_(failed)))


# --- what the texts need, read in a few statements for the whole message -----------------------------


async def _due_channels(session: AsyncSession, rows: Sequence[Notification]) -> dict[int, set[Channel]]:
    """Per notification, the channels its recipient has on and that were not delivered yet."""
    recipients = {row.recipient_id for row in rows}
    overrides = {
        (user_id, event, channel): enabled
        for user_id, event, channel, enabled in await session.execute(
            select(
                tables.NotificationSetting.user_id,
                tables.NotificationSetting.event_type,
                tables.NotificationSetting.channel,
                tables.NotificationSetting.is_enabled,
            ).where(tables.NotificationSetting.user_id.in_(recipients))
        )
    }
    delivered = await dedupe.recorded(
        session, [dedupe_key(row.id, channel) for row in rows for channel in Channel]
    )
    due: dict[int, set[Channel]] = {}
    for row in rows:
        event = Event(row.event_type)
        due[row.id] = {
            channel
            for channel in Channel
            if overrides.get(
                (row.recipient_id, event.value, channel.value), enabled_by_default(event, channel)
            )
            and dedupe_key(row.id, channel) not in delivered
        }
    return due


async def _abouts(session: AsyncSession, rows: Sequence[Notification]) -> dict[int, About]:
    def issue_of(row: Notification) -> str | None:
        return row.target_uuid if row.event_type == Event.NEW_EPISODE_RELEASED else row.parent_uuid

    issues = await _issues(session, {uuid for row in rows if (uuid := issue_of(row)) and is_uuid(uuid)})
    series = await _series(session, {issue.series_uuid for issue in issues.values()})
    senders = {row.sender_id for row in rows if row.sender_id is not None}
    statement = select(User.id, User.username).where(User.id.in_(senders))
    usernames = dict((await session.execute(statement)).all())
    abouts = {}
    for row in rows:
        issue = issues.get(issue_of(row) or "")
        abouts[row.id] = About(
            event=Event(row.event_type),
            target_uuid=row.target_uuid,
            parent_uuid=row.parent_uuid,
            issue=issue,
            series=series.get(issue.series_uuid) if issue else None,
            actor_username=usernames.get(row.sender_id) if row.sender_id is not None else None,
        )
    return abouts


async def _issues(session: AsyncSession, uuids: set[str]) -> dict[str, Issue]:
    statement = select(IssueRow.uuid, IssueRow.name, IssueRow.series_uuid, IssueRow.banner_image).where(
        IssueRow.uuid.in_(uuids)
    )
    return {
        str(uuid): Issue(str(uuid), name, str(series_uuid), banner_url(banner))
        for uuid, name, series_uuid, banner in await session.execute(statement)
    }


async def _series(session: AsyncSession, uuids: set[str]) -> dict[str, Series]:
    statement = select(SeriesRow.uuid, SeriesRow.name, SeriesRow.short_url).where(SeriesRow.uuid.in_(uuids))
    return {
        str(uuid): Series(str(uuid), name, short_url)
        for uuid, name, short_url in await session.execute(statement)
    }


async def _addresses(session: AsyncSession, user_ids: set[int]) -> dict[int, str]:
    """Verified addresses only: the original also e-mailed addresses no one had confirmed."""
    statement = select(User.id, User.email).where(
        User.id.in_(user_ids), User.is_email_verified.is_(True), User.email != ""
    )
    return dict((await session.execute(statement)).all())
