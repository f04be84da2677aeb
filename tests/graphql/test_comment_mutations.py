"""The comment, comment-like and report mutations and `getUserComments` over HTTP, signed in with a bearer
token, against real PostgreSQL, Redis and a local Slack webhook (graphql.md §2.7): the text rules and the
sanitiser, author-only changes, the creator badge, notifications, purges seen through the response
cache, idempotent likes, the comment rate limit, and Slack never failing a mutation."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from dishka import AsyncContainer
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.messaging.slack import SlackNotifier
from inkverse.settings import Settings, SlackSettings
from inkverse.users.tokens import TokenService, TokenType
from tests.fixtures.catalog import EventApplier
from tests.graphql.seed import add_comment, add_user, now, seed_creator, seed_series
from tests.messaging.conftest import FakeHttpServer, fake_http  # noqa: F401 - fixture found by name

ADD = """mutation AddComment($issueUuid: ID!, $seriesUuid: ID!, $text: String!, $replyToCommentUuid: ID) {
  addComment(issueUuid: $issueUuid, seriesUuid: $seriesUuid, text: $text, replyToCommentUuid: $replyToCommentUuid) {
    uuid text targetUuid targetType replyToUuid isCreator user { id username } stats { uuid likeCount replyCount }
  }
}"""
EDIT = """mutation EditComment($commentUuid: ID!, $text: String!, $targetUuid: ID!) {
  editComment(commentUuid: $commentUuid, text: $text, targetUuid: $targetUuid, targetType: COMICISSUE) {
    uuid text stats { uuid likeCount replyCount }
  }
}"""
VISIBILITY = """mutation V($commentUuid: ID!, $isVisible: Boolean!) {
  setCommentVisibility(commentUuid: $commentUuid, isVisible: $isVisible) { uuid user { id } }
}"""
DELETE = """mutation D($commentUuid: ID!, $targetUuid: ID!) {
  deleteComment(commentUuid: $commentUuid, targetUuid: $targetUuid, targetType: COMICISSUE)
}"""
LIKE = """mutation L($commentUuid: ID!, $issueUuid: ID!) {
  likeComment(commentUuid: $commentUuid, issueUuid: $issueUuid) { targetUuid targetType likedCommentUuids }
}"""
UNLIKE = """mutation U($commentUuid: ID!, $issueUuid: ID!) {
  unlikeComment(commentUuid: $commentUuid, issueUuid: $issueUuid) { targetUuid targetType likedCommentUuids }
}"""
USER_COMMENTS = """query G($targetUuid: ID!) {
  getUserComments(targetUuid: $targetUuid, targetType: COMICISSUE) { targetUuid likedCommentUuids }
}"""
REPORT_COMMENT = """mutation R($commentUuid: ID!, $reportType: ReportType!, $additionalInfo: String) {
  reportComment(commentUuid: $commentUuid, reportType: $reportType, additionalInfo: $additionalInfo)
}"""
REPORT_SERIES = """mutation S($uuid: ID!, $reportType: ReportType!) {
  reportComicSeries(uuid: $uuid, reportType: $reportType)
}"""
COMMENTS = """query C($t: ID!) {
  getComments(targetUuid: $t, targetType: COMICISSUE) {
    targetUuid
    comments { uuid text isCreator user { id username } stats { uuid likeCount replyCount } }
  }
}"""
REPLIES = """query R($t: ID!, $c: ID!) {
  getRepliesForComment(targetUuid: $t, targetType: COMICISSUE, commentUuid: $c) { targetUuid comments { uuid } }
}"""
ISSUE_STATS = "query S($u: ID!) { getStatsForComicIssue(issueUuid: $u) { uuid commentCount } }"
SERIES_STATS = "query S($u: ID!) { getStatsForComicSeries(seriesUuid: $u) { uuid commentCount } }"


@dataclass
class App:
    http: httpx.AsyncClient
    container: AsyncContainer
    slack: FakeHttpServer
    sessionmaker: async_sessionmaker[AsyncSession]
    issue: str
    series: str
    reader: tables.User
    author: tables.User
    creator: tables.User

    async def bearer(self, user: tables.User) -> dict[str, str]:
        token = (await self.container.get(TokenService)).issue(user.id, TokenType.ACCESS)
        return {"Authorization": f"Bearer {token}"}

    async def run(self, query: str, as_user: tables.User | None = None, **variables: Any) -> dict[str, Any]:
        headers = await self.bearer(as_user) if as_user else None
        response = await self.http.post(
            "/api/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def public(self, query: str, **variables: Any) -> tuple[dict[str, Any], str]:
        """A read without a token: the answer and whether the response cache served it."""
        response = await self.http.post("/api/graphql", json={"query": query, "variables": variables})
        return response.json(), response.headers["x-cache"]

    async def comment(
        self, text: str = "Great episode", as_user: tables.User | None = None, **extra: Any
    ) -> str:
        body = await self.run(
            ADD, as_user or self.reader, issueUuid=self.issue, seriesUuid=self.series, text=text, **extra
        )
        assert "errors" not in body, body
        return str(body["data"]["addComment"]["uuid"])

    async def slack_texts(self) -> list[str]:
        await (await self.container.get(SlackNotifier)).drain()
        return [request.json()["text"] for request in self.slack.requests]

    async def count(self, model: type[Any], *conditions: Any) -> int:
        async with self.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0)

    async def notifications(self, recipient: tables.User) -> list[tuple[str, str, str | None]]:
        n = tables.UserNotification
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(n.event_type, n.target_uuid, n.context_uuid).where(n.recipient_id == recipient.id)
            )
            return [(row.event_type, str(row.target_uuid), row.context_uuid) for row in rows]


@pytest.fixture
async def app(
    settings: Settings,
    engine: AsyncEngine,
    events: EventApplier,
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Redis,
    fake_http: FakeHttpServer,  # noqa: F811 - the imported fixture
) -> AsyncIterator[App]:
    """A series with one episode whose creator has an account; a reader and another comment author."""
    seeded = await seed_series(events, issues=1, name="The Lighthouse Keeper")
    series, issue = seeded["series"]["uuid"], seeded["issues"][0]["uuid"]
    made = await seed_creator(events, series, name="Ann Example")
    creator = await add_user(sessionmaker, "annexample", creator_uuid=made["creator"]["uuid"])
    reader = await add_user(sessionmaker, "reader")
    author = await add_user(sessionmaker, "author")
    configured = settings.model_copy(
        update={"slack": SlackSettings(webhooks={"general": f"{fake_http.url}/slack/general"})}
    )
    container = build_container(configured, "test")
    transport = httpx.ASGITransport(app=build_app(container, configured))
    async with httpx.AsyncClient(transport=transport, base_url="http://inkverse.test") as http:
        yield App(http, container, fake_http, sessionmaker, issue, series, reader, author, creator)
    await redis.flushdb()  # the response cache and the rate-limit counters
    await container.close()


def refused(body: dict[str, Any], message: str, code: str = "BAD_USER_INPUT") -> bool:
    return body.get("errors") == [{"message": message, "code": code}]


COMMENT_UUID = "6f1c2b8e-3d4a-4f5b-9c6d-7e8f9a0b1c2d"


@pytest.mark.parametrize(
    ("query", "variables", "message"),
    [
        (ADD, {"issueUuid": COMMENT_UUID, "seriesUuid": COMMENT_UUID, "text": "hi"}, "add a comment"),
        (EDIT, {"commentUuid": COMMENT_UUID, "text": "hi", "targetUuid": COMMENT_UUID}, "edit a comment"),
        (VISIBILITY, {"commentUuid": COMMENT_UUID, "isVisible": False}, "modify comment visibility"),
        (DELETE, {"commentUuid": COMMENT_UUID, "targetUuid": COMMENT_UUID}, "delete a comment"),
        (LIKE, {"commentUuid": COMMENT_UUID, "issueUuid": COMMENT_UUID}, "like a comment"),
        (UNLIKE, {"commentUuid": COMMENT_UUID, "issueUuid": COMMENT_UUID}, "unlike a comment"),
        (REPORT_COMMENT, {"commentUuid": COMMENT_UUID, "reportType": "COMMENT_SPAM"}, "report a comment"),
        (USER_COMMENTS, {"targetUuid": COMMENT_UUID}, "get user comment data"),
    ],
)
async def test_each_needs_a_signed_in_user(
    app: App, query: str, variables: dict[str, Any], message: str
) -> None:
    body = await app.run(query, **variables)
    assert refused(body, f"You must be logged in to {message}", "REQUIRES_USER_AUTHENTICATION")


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("<3 & more", "<3 & more"),
        ("  Tom &amp; Jerry > cats  ", "Tom & Jerry > cats"),
        ("<b>bold</b> and <a href='javascript:alert(1)'>link</a>", "bold and link"),
        ("nice<script>alert(1)</script><iframe src=x>frame</iframe>!", "nice!"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;ok", "ok"),
        ("<<script>script>alert(1)<</script>/script>ok", "ok"),
        ("<img src=x onerror=alert(1)>pic", "pic"),
    ],
)
async def test_markup_is_stripped_and_text_kept_as_written(app: App, text: str, stored: str) -> None:
    body = await app.run(ADD, app.reader, issueUuid=app.issue, seriesUuid=app.series, text=text)
    assert body["data"]["addComment"]["text"] == stored
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert [c["text"] for c in listed["data"]["getComments"]["comments"]] == [stored]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Comment text cannot be empty"),
        ("<script>alert(1)</script>", "Comment text cannot be empty"),
        ("a" * 2001, "Comment text cannot exceed 2000 characters"),
    ],
)
async def test_text_rules(app: App, text: str, message: str) -> None:
    body = await app.run(ADD, app.reader, issueUuid=app.issue, seriesUuid=app.series, text=text)
    assert refused(body, message)
    assert await app.count(tables.UserComment) == 0
    comment = await app.comment()
    edit = await app.run(EDIT, app.reader, commentUuid=comment, text=text, targetUuid=app.issue)
    assert refused(edit, message)


async def test_a_new_comment_answers_with_its_author_and_empty_stats_and_is_posted_to_slack(app: App) -> None:
    body = await app.run(ADD, app.reader, issueUuid=app.issue, seriesUuid=app.series, text="So <good>")
    comment = body["data"]["addComment"]
    assert comment["stats"] == {"uuid": comment["uuid"], "likeCount": 0, "replyCount": 0}
    assert comment["user"] == {"id": str(app.reader.id), "username": "reader"}
    assert (comment["targetUuid"], comment["targetType"], comment["replyToUuid"]) == (
        app.issue,
        "COMICISSUE",
        None,
    )
    assert comment["isCreator"] is False
    assert await app.slack_texts() == ["NEW COMMENT by reader on The Lighthouse Keeper"]


async def test_a_slack_failure_never_fails_the_comment(app: App) -> None:
    for _ in range(5):
        app.slack.respond(500, "down")
    uuid = await app.comment("still here")
    await app.slack_texts()
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert [c["uuid"] for c in listed["data"]["getComments"]["comments"]] == [uuid]


async def test_the_series_creator_comments_with_the_badge(app: App) -> None:
    body = await app.run(ADD, app.creator, issueUuid=app.issue, seriesUuid=app.series, text="Thanks!")
    assert body["data"]["addComment"]["isCreator"] is True
    assert await app.notifications(app.creator) == []  # no notification about one's own comment


async def test_replies_notify_the_author_and_the_creator_once(app: App) -> None:
    top = await app.comment("first", as_user=app.author)
    assert await app.notifications(app.creator) == [("CREATOR_EPISODE_COMMENTED", app.issue, top)]
    reply = await app.comment("a reply", replyToCommentUuid=top)
    assert await app.notifications(app.author) == [("COMMENT_REPLY", reply, None)]
    # A reply to the creator's own comment: the reply notification only, not also the creator one.
    own = await app.comment("creator here", as_user=app.creator)
    second = await app.comment("to the creator", replyToCommentUuid=own)
    assert ("COMMENT_REPLY", second, None) in await app.notifications(app.creator)
    assert ("CREATOR_EPISODE_COMMENTED", app.issue, second) not in await app.notifications(app.creator)
    listed = await app.run(REPLIES, t=app.issue, c=top)
    assert [c["uuid"] for c in listed["data"]["getRepliesForComment"]["comments"]] == [reply]


async def test_reply_rules(app: App) -> None:
    top = await app.comment()
    reply = await app.comment("reply", replyToCommentUuid=top)
    other_issue = "0d9c1b2a-3e4f-4a5b-8c6d-7e8f9a0b1c2d"
    cases = [
        (reply, app.issue, "Cannot reply to a reply"),
        (COMMENT_UUID, app.issue, "Parent comment not found"),
        (top, other_issue, "Parent comment not found"),
    ]
    for reply_to, issue, message in cases:
        body = await app.run(
            ADD, app.reader, issueUuid=issue, seriesUuid=app.series, text="x", replyToCommentUuid=reply_to
        )
        assert refused(body, message), (reply_to, body)


async def test_a_new_comment_purges_the_cached_list_and_stats(app: App) -> None:
    for query, variables in (
        (COMMENTS, {"t": app.issue}),
        (ISSUE_STATS, {"u": app.issue}),
        (SERIES_STATS, {"u": app.series}),
    ):
        assert [(await app.public(query, **variables))[1] for _ in range(2)] == ["MISS", "HIT"]
    uuid = await app.comment("fresh")
    listed, cache = await app.public(COMMENTS, t=app.issue)
    assert cache == "MISS"
    assert [c["uuid"] for c in listed["data"]["getComments"]["comments"]] == [uuid]
    issue_stats, _ = await app.public(ISSUE_STATS, u=app.issue)
    series_stats, _ = await app.public(SERIES_STATS, u=app.series)
    assert issue_stats["data"]["getStatsForComicIssue"]["commentCount"] == 1
    assert series_stats["data"]["getStatsForComicSeries"]["commentCount"] == 1


async def test_only_the_author_edits_hides_or_deletes(app: App) -> None:
    uuid = await app.comment("mine")
    for query, variables, message in (
        (EDIT, {"text": "theirs", "targetUuid": app.issue}, "edit it"),
        (VISIBILITY, {"isVisible": False}, "modify it"),
        (DELETE, {"targetUuid": app.issue}, "delete it"),
    ):
        body = await app.run(query, app.author, commentUuid=uuid, **variables)
        assert refused(body, f"Comment not found or you do not have permission to {message}")
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert [c["text"] for c in listed["data"]["getComments"]["comments"]] == ["mine"]


async def test_an_edit_and_a_hide_show_in_the_cached_list(app: App) -> None:
    uuid = await app.comment("before")
    assert [(await app.public(COMMENTS, t=app.issue))[1] for _ in range(2)] == ["MISS", "HIT"]
    edited = await app.run(EDIT, app.reader, commentUuid=uuid, text="after <i>edit</i>", targetUuid=app.issue)
    assert edited["data"]["editComment"] == {
        "uuid": uuid,
        "text": "after edit",
        "stats": {"uuid": uuid, "likeCount": 0, "replyCount": 0},
    }
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert [c["text"] for c in listed["data"]["getComments"]["comments"]] == ["after edit"]
    hidden = await app.run(VISIBILITY, app.reader, commentUuid=uuid, isVisible=False)
    assert hidden["data"]["setCommentVisibility"] == {"uuid": uuid, "user": {"id": str(app.reader.id)}}
    assert (await app.public(COMMENTS, t=app.issue))[0]["data"]["getComments"]["comments"] == []
    assert (await app.public(ISSUE_STATS, u=app.issue))[0]["data"]["getStatsForComicIssue"][
        "commentCount"
    ] == 0


async def test_deleting_removes_likes_and_notifications(app: App) -> None:
    uuid = await app.comment("to delete", as_user=app.author)
    await app.run(LIKE, app.reader, commentUuid=uuid, issueUuid=app.issue)
    assert len(await app.notifications(app.author)) == 1
    assert [(await app.public(COMMENTS, t=app.issue))[1] for _ in range(2)] == ["MISS", "HIT"]
    body = await app.run(DELETE, app.author, commentUuid=uuid, targetUuid=app.issue)
    assert body == {"data": {"deleteComment": True}}
    assert await app.count(tables.UserComment) == 0
    assert await app.count(tables.UserLike) == 0
    assert await app.notifications(app.author) == []
    assert await app.notifications(app.creator) == []
    assert (await app.public(COMMENTS, t=app.issue))[0]["data"]["getComments"]["comments"] == []


async def test_deleting_a_comment_with_replies_keeps_a_placeholder_over_them(app: App) -> None:
    top = await app.comment("top", as_user=app.author)
    reply = await app.comment("reply", replyToCommentUuid=top)
    await app.run(DELETE, app.author, commentUuid=top, targetUuid=app.issue)
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert listed["data"]["getComments"]["comments"] == [
        {
            "uuid": top,
            "text": "[deleted]",
            "isCreator": False,
            "user": None,
            "stats": {"uuid": top, "likeCount": 0, "replyCount": 1},
        }
    ]
    replies = await app.run(REPLIES, t=app.issue, c=top)
    assert [c["uuid"] for c in replies["data"]["getRepliesForComment"]["comments"]] == [reply]
    again = await app.run(DELETE, app.author, commentUuid=top, targetUuid=app.issue)
    assert refused(again, "Comment not found or you do not have permission to delete it")


async def test_liking_twice_leaves_one_like_and_one_notification(app: App) -> None:
    uuid = await app.comment("likeable", as_user=app.author)
    assert [(await app.public(COMMENTS, t=app.issue))[1] for _ in range(2)] == ["MISS", "HIT"]
    for _ in range(2):
        body = await app.run(LIKE, app.reader, commentUuid=uuid, issueUuid=app.issue)
        assert body["data"]["likeComment"] == {
            "targetUuid": app.issue,
            "targetType": "COMICISSUE",
            "likedCommentUuids": [uuid],
        }
    assert await app.count(tables.UserLike) == 1
    assert await app.notifications(app.author) == [("COMMENT_LIKED", uuid, None)]
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert listed["data"]["getComments"]["comments"][0]["stats"]["likeCount"] == 1
    mine = await app.run(USER_COMMENTS, app.reader, targetUuid=app.issue)
    assert mine["data"]["getUserComments"] == {"targetUuid": app.issue, "likedCommentUuids": [uuid]}

    body = await app.run(UNLIKE, app.reader, commentUuid=uuid, issueUuid=app.issue)
    assert body["data"]["unlikeComment"]["likedCommentUuids"] == []
    assert await app.notifications(app.author) == []
    listed, _ = await app.public(COMMENTS, t=app.issue)
    assert listed["data"]["getComments"]["comments"][0]["stats"]["likeCount"] == 0


async def test_liking_a_missing_comment(app: App) -> None:
    for query in (LIKE, UNLIKE):
        body = await app.run(query, app.reader, commentUuid=COMMENT_UUID, issueUuid=app.issue)
        assert refused(body, "Comment not found")
    body = await app.run(REPORT_COMMENT, app.reader, commentUuid=COMMENT_UUID, reportType="COMMENT_SPAM")
    assert refused(body, "Comment not found")


async def test_at_most_ten_comments_a_minute(app: App) -> None:
    for index in range(10):
        await app.comment(f"comment {index}")
    body = await app.run(ADD, app.reader, issueUuid=app.issue, seriesUuid=app.series, text="one more")
    assert body["errors"][0]["code"] == "API_RATE_LIMIT_EXCEEDED"
    assert body["errors"][0]["message"].startswith("You are commenting too fast.")
    assert await app.count(tables.UserComment) == 10
    await app.comment("another reader", as_user=app.author)  # the limit is per reader


async def test_reporting_a_comment_keeps_one_report_per_reader(app: App) -> None:
    uuid = await app.comment("rude words", as_user=app.author)
    for report_type, info in (("COMMENT_SPAM", None), ("COMMENT_HARASSMENT", "again")):
        body = await app.run(
            REPORT_COMMENT, app.reader, commentUuid=uuid, reportType=report_type, additionalInfo=info
        )
        assert body == {"data": {"reportComment": True}}
    async with app.sessionmaker() as session:
        reports = (
            await session.execute(select(tables.UserReport.report_type, tables.UserReport.additional_info))
        ).all()
    assert [tuple(row) for row in reports] == [("COMMENT_HARASSMENT", "again")]
    texts = await app.slack_texts()
    assert sum(text.startswith(":warning: COMMENT REPORTED") for text in texts) == 2


async def test_a_series_report_needs_no_sign_in_is_stored_for_readers_and_posted_for_the_anonymous(
    app: App,
) -> None:
    anonymous = await app.run(REPORT_SERIES, uuid=app.series, reportType="COMICSERIES_IS_SPAM")
    assert anonymous == {"data": {"reportComicSeries": True}}
    assert await app.count(tables.UserReport) == 0
    signed_in = await app.run(REPORT_SERIES, app.reader, uuid=app.series, reportType="COMICSERIES_IS_SPAM")
    assert signed_in == {"data": {"reportComicSeries": True}}
    assert await app.count(tables.UserReport, tables.UserReport.target_type == "COMICSERIES") == 1
    texts = await app.slack_texts()
    assert sum(text.startswith(":warning: COMIC SERIES REPORTED") for text in texts) == 1
    missing = await app.run(REPORT_SERIES, uuid=COMMENT_UUID, reportType="COMICSERIES_IS_SPAM")
    assert refused(missing, "inside reportComicSeries() - Comic series not found", "INKVERSE_SERVER_ERROR")
    invalid = await app.run(REPORT_SERIES, uuid="nope", reportType="COMICSERIES_IS_SPAM")
    assert refused(invalid, "nope is not a valid uuid")


async def test_a_slack_failure_never_fails_a_series_report(app: App) -> None:
    for _ in range(5):
        app.slack.respond(500, "down")
    body = await app.run(REPORT_SERIES, uuid=app.series, reportType="COMICSERIES_IS_SPAM")
    assert body == {"data": {"reportComicSeries": True}}
    await app.slack_texts()


async def test_seeded_comments_can_be_liked_under_their_own_issue(app: App) -> None:
    """`likeComment` files the like under the comment's issue, whatever `issueUuid` the client sent."""
    uuid = await add_comment(
        app.sessionmaker,
        user_id=app.author.id,
        issue_uuid=app.issue,
        series_uuid=app.series,
        created_at=now(),
    )
    body = await app.run(LIKE, app.reader, commentUuid=uuid, issueUuid=app.series)
    assert body["data"]["likeComment"]["likedCommentUuids"] == [uuid]
