"""A reader's series: subscriptions, new-episode alerts and episode likes (graphql.md §2.6, §2.7).

`getUserSubscribedComics` is public (anyone's subscriptions are readable, cached per user id);
`getUserComicSeries` and the mutations need a signed-in reader. Each mutation commits once, then purges
what §2.7 lists, only when its write changed something. Likes are limited per reader (failing open)
and notify the series' claimed creator once per new like.
"""

from collections.abc import Sequence

import strawberry
from strawberry import UNSET

from inkverse.cache.purge import CachePurger, CacheType, Purge
from inkverse.cache.rate_limit import RateLimiter
from inkverse.database import tables
from inkverse.errors import ValidationError
from inkverse.graphql.auth import require_user
from inkverse.graphql.context import Context
from inkverse.graphql.errors import ExpectedServerError, RateLimitExceededError
from inkverse.graphql.types import ComicSeries
from inkverse.graphql.users import parse_user_id
from inkverse.graphql.validation import validate_and_trim_uuid
from inkverse.notifications.events import NotificationEventType
from inkverse.notifications.writer import NotificationWriter
from inkverse.social.reading import (
    ReaderSeriesRepository,
    SeriesState,
    notify_creators_of_likes,
    subscribed_series,
)

Info = strawberry.Info[Context, None]

LIKES_BUCKET = "likes"
LIKES_PER_MINUTE = 60
SUBSCRIBED_PER_PAGE = 20
MAX_SUBSCRIBED_PER_PAGE = 1000
SUBSCRIBED_FAILED = "Failed to get subscribed comics"


@strawberry.type
class UserComicSeries:
    series_uuid: strawberry.ID
    is_subscribed: bool
    is_recommended: bool
    has_notification_enabled: bool
    liked_comic_issue_uuids: list[str | None]

    @classmethod
    def from_state(cls, state: SeriesState) -> "UserComicSeries":
        return cls(
            series_uuid=strawberry.ID(state.series_uuid),
            is_subscribed=state.is_subscribed,
            is_recommended=False,  # "future implementation" in the original
            has_notification_enabled=state.has_notification_enabled,
            liked_comic_issue_uuids=list(state.liked_issue_uuids),
        )


@strawberry.type
class ProfileComicSeries:
    user_id: strawberry.ID
    comic_series: list[ComicSeries | None] | None


def profile_purge(user: tables.User) -> Purge:
    """The reader's public list of subscriptions (and their profile page)."""
    return Purge(CacheType.PROFILE_COMICSERIES, (str(user.id),), short_url=user.username)


def like_purges(issue_uuids: Sequence[str], series_uuid: str) -> list[Purge]:
    purges = [Purge(CacheType.COMICSERIES_STATS, (series_uuid,))]
    if issue_uuids:
        purges.insert(0, Purge(CacheType.COMICISSUE_STATS, tuple(issue_uuids)))
    return purges


def feed_purges(recipient_ids: Sequence[int]) -> list[Purge]:
    ids = tuple(str(recipient) for recipient in dict.fromkeys(recipient_ids))
    return [Purge(CacheType.NOTIFICATION_FEED, ids)] if ids else []


async def purge(info: Info, purges: Sequence[Purge]) -> None:
    if purges:
        await (await info.context.container.get(CachePurger)).purge(purges)


async def check_like_rate(info: Info, user: tables.User) -> None:
    """At most LIKES_PER_MINUTE likes per reader; allowed when Redis is unavailable."""
    limiter = await info.context.container.get(RateLimiter)
    decision = await limiter.hit(LIKES_BUCKET, str(user.id), limit=LIKES_PER_MINUTE, window_seconds=60)
    if not decision.allowed:
        raise RateLimitExceededError(f"You are liking too fast. Try again in {decision.retry_after} seconds.")


@strawberry.type
class SubscribedComicsQuery:
    """Apart from `ReaderSeriesQuery`: the reference places it between the Patreon field and Canny."""

    @strawberry.field
    async def get_user_subscribed_comics(
        self,
        info: Info,
        user_id: strawberry.ID,
        limit_per_page: int | None = UNSET,
        page: int | None = UNSET,
    ) -> ProfileComicSeries | None:
        limit = limit_per_page or SUBSCRIBED_PER_PAGE
        if not 1 <= limit <= MAX_SUBSCRIBED_PER_PAGE:
            raise ExpectedServerError(SUBSCRIBED_FAILED)
        reader_id = parse_user_id(str(user_id))
        rows: list[tables.ComicSeries] = []
        if reader_id is not None:
            async with info.context.read_session() as session:
                rows = await subscribed_series(session, reader_id, page or 1, limit)
        # The parsed id is echoed, so the cache tag matches the purge of that user's list.
        echoed = strawberry.ID(str(reader_id)) if reader_id is not None else user_id
        return ProfileComicSeries(user_id=echoed, comic_series=[ComicSeries.from_row(row) for row in rows])


@strawberry.type
class ReaderSeriesQuery:
    @strawberry.field
    async def get_user_comic_series(self, info: Info, series_uuid: strawberry.ID) -> UserComicSeries | None:
        user = require_user(info, "You must be logged in to get user comic data")
        uuid = validate_and_trim_uuid(series_uuid, "seriesUuid")
        async with info.context.read_session() as session:
            state = await ReaderSeriesRepository(session, user.id).state(uuid)
        return UserComicSeries.from_state(state)


@strawberry.type
class SubscribeManyMutation:
    """Apart from `ReaderSeriesMutation`: the reference lists `savePushToken` between them."""

    @strawberry.mutation
    async def subscribe_to_multiple_comic_series(self, info: Info, series_uuids: list[strawberry.ID]) -> bool:
        user = require_user(info, "You must be logged in to subscribe to series")
        if not series_uuids:
            raise ValidationError("seriesUuids", "At least one series UUID is required")
        valid = [uuid for uuid in map(_valid_uuid_or_none, series_uuids) if uuid is not None]
        async with info.context.session() as session, session.begin():
            added = await ReaderSeriesRepository(session, user.id).subscribe(valid)
        if added:
            await purge(info, [profile_purge(user)])
        return bool(valid)


@strawberry.type
class ReaderSeriesMutation:
    @strawberry.mutation
    async def subscribe_to_series(self, info: Info, series_uuid: strawberry.ID) -> UserComicSeries:
        user = require_user(info, "You must be logged in to subscribe to a series")
        uuid = validate_and_trim_uuid(series_uuid, "seriesUuid")
        async with info.context.session() as session, session.begin():
            reader = ReaderSeriesRepository(session, user.id)
            added = await reader.subscribe([uuid])
            state = await reader.state(uuid)
        if added:
            await purge(info, [profile_purge(user)])
        return UserComicSeries.from_state(state)

    @strawberry.mutation
    async def unsubscribe_from_series(self, info: Info, series_uuid: strawberry.ID) -> UserComicSeries:
        user = require_user(info, "You must be logged in to unsubscribe from a series")
        uuid = validate_and_trim_uuid(series_uuid, "seriesUuid")
        async with info.context.session() as session, session.begin():
            reader = ReaderSeriesRepository(session, user.id)
            removed = await reader.unsubscribe(uuid)
            state = await reader.state(uuid)
        if removed:
            await purge(info, [profile_purge(user)])
        return UserComicSeries.from_state(state)

    @strawberry.mutation
    async def enable_notifications_for_series(
        self, info: Info, series_uuid: strawberry.ID
    ) -> UserComicSeries:
        user = require_user(info, "You must be logged in to enable notifications")
        return await _set_new_episode_alerts(info, user.id, series_uuid, enabled=True)

    @strawberry.mutation
    async def disable_notifications_for_series(
        self, info: Info, series_uuid: strawberry.ID
    ) -> UserComicSeries:
        user = require_user(info, "You must be logged in to disable notifications")
        return await _set_new_episode_alerts(info, user.id, series_uuid, enabled=False)

    @strawberry.mutation
    async def like_comic_issue(
        self, info: Info, issue_uuid: strawberry.ID, series_uuid: strawberry.ID
    ) -> UserComicSeries:
        user = require_user(info, "You must be logged in to like a comic issue")
        issue = validate_and_trim_uuid(issue_uuid, "issueUuid")
        series = validate_and_trim_uuid(series_uuid, "seriesUuid")
        await check_like_rate(info, user)
        notified: list[int] = []
        async with info.context.session() as session, session.begin():
            reader = ReaderSeriesRepository(session, user.id)
            liked = await reader.like_issue(issue, series)
            if liked:
                notified = await notify_creators_of_likes(session, user.id, series, [issue])
            state = await reader.state(series)
        if liked:
            await purge(info, [*like_purges([issue], series), *feed_purges(notified)])
        return UserComicSeries.from_state(state)

    @strawberry.mutation
    async def unlike_comic_issue(
        self, info: Info, issue_uuid: strawberry.ID, series_uuid: strawberry.ID
    ) -> UserComicSeries:
        user = require_user(info, "You must be logged in to unlike a comic issue")
        issue = validate_and_trim_uuid(issue_uuid, "issueUuid")
        series = validate_and_trim_uuid(series_uuid, "seriesUuid")
        recipients: list[int] = []
        async with info.context.session() as session, session.begin():
            reader = ReaderSeriesRepository(session, user.id)
            unliked = await reader.unlike_issue(issue)
            if unliked:
                recipients = await NotificationWriter(session).retract(
                    sender_id=user.id, event=NotificationEventType.CREATOR_EPISODE_LIKED, target_uuid=issue
                )
            state = await reader.state(series)
        if unliked:
            await purge(info, [*like_purges([issue], series), *feed_purges(recipients)])
        return UserComicSeries.from_state(state)

    @strawberry.mutation
    async def super_like_all_episodes(self, info: Info, series_uuid: strawberry.ID) -> UserComicSeries:
        user = require_user(info, "You must be logged in to super-like episodes")
        series = validate_and_trim_uuid(series_uuid, "seriesUuid")
        await check_like_rate(info, user)
        async with info.context.session() as session, session.begin():
            reader = ReaderSeriesRepository(session, user.id)
            liked = await reader.like_every_issue(series)
            notified = await notify_creators_of_likes(session, user.id, series, liked)
            state = await reader.state(series)
        if liked:
            await purge(info, [*like_purges(liked, series), *feed_purges(notified)])
        return UserComicSeries.from_state(state)


def _valid_uuid_or_none(value: str) -> str | None:
    """Invalid entries are skipped, as the original tolerated each failed subscription."""
    try:
        return validate_and_trim_uuid(value, "seriesUuid")
    except ValidationError:
        return None


async def _set_new_episode_alerts(
    info: Info, user_id: int, series_uuid: strawberry.ID, *, enabled: bool
) -> UserComicSeries:
    uuid = validate_and_trim_uuid(series_uuid, "seriesUuid")
    async with info.context.session() as session, session.begin():
        reader = ReaderSeriesRepository(session, user_id)
        if enabled:
            await reader.enable_new_episode_alerts(uuid)
        else:
            await reader.disable_new_episode_alerts(uuid)
        state = await reader.state(uuid)
    return UserComicSeries.from_state(state)
