"""Public comment reads: order, replies, stats, hidden comments, paging; and the comic stats."""

from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.fixtures.catalog import EventApplier
from tests.graphql.conftest import Query
from tests.graphql.seed import add_comment, add_user, like_comment, like_issue, now, seed_series

COMMENTS = """query C($t: ID!, $type: InkverseType!, $p: Int, $l: Int, $s: CommentSortType) {
  getComments(targetUuid: $t, targetType: $type, page: $p, limitPerPage: $l, sortBy: $s) {
    targetUuid targetType sortBy page limitPerPage
    comments { uuid text createdAt targetUuid targetType replyToUuid isCreator
               user { id username } stats { uuid likeCount replyCount } }
  }
}"""
REPLIES = """query R($t: ID!, $c: ID!, $p: Int, $l: Int) {
  getRepliesForComment(targetUuid: $t, targetType: COMICISSUE, commentUuid: $c, page: $p, limitPerPage: $l) {
    targetUuid targetType sortBy page limitPerPage comments { uuid replyToUuid stats { uuid likeCount replyCount } }
  }
}"""


@pytest.fixture
async def thread(events: EventApplier, sessionmaker: async_sessionmaker[AsyncSession]) -> dict[str, Any]:
    """Three visible comments (oldest first: first, second, third), one hidden; two visible replies to
    `first` and a hidden one; likes: second 2, third 1, the first reply 4."""
    seeded = await seed_series(events, issues=1)
    issue, series = seeded["issues"][0]["uuid"], seeded["series"]["uuid"]
    author = await add_user(sessionmaker, "inkfan")
    start = now() - 1000

    async def comment(offset: int, **extra: Any) -> str:
        return await add_comment(sessionmaker, user_id=author.id, issue_uuid=issue, series_uuid=series,
                                 created_at=start + offset, text=f"comment at {offset}", **extra)  # fmt: skip

    ids = {"first": await comment(0), "second": await comment(10), "third": await comment(20)}
    ids["hidden"] = await comment(30, visible=False)
    ids["reply_one"] = await comment(40, reply_to=ids["first"])
    ids["reply_two"] = await comment(50, reply_to=ids["first"])
    ids["hidden_reply"] = await comment(60, reply_to=ids["first"], visible=False)
    await like_comment(sessionmaker, ids["second"], issue, 2)
    await like_comment(sessionmaker, ids["third"], issue, 1)
    await like_comment(sessionmaker, ids["reply_one"], issue, 4)
    await like_issue(sessionmaker, issue, series, 3, now())
    return {"issue": issue, "series": series, "user_id": str(author.id), **ids}


def uuids(result: dict[str, Any]) -> list[str]:
    return [comment["uuid"] for comment in result["comments"]]


async def test_top_comments_by_likes_then_oldest(gql: Query, thread: dict[str, Any]) -> None:
    result = (await gql(COMMENTS, t=thread["issue"], type="COMICISSUE"))["data"]["getComments"]
    assert uuids(result) == [thread["second"], thread["third"], thread["first"]]
    assert {key: result[key] for key in ("targetUuid", "targetType", "sortBy", "page", "limitPerPage")} == {
        "targetUuid": thread["issue"],
        "targetType": "COMICISSUE",
        "sortBy": "TOP",
        "page": 1,
        "limitPerPage": 25,
    }
    first = result["comments"][2]
    assert first["user"] == {"id": thread["user_id"], "username": "inkfan"}
    assert first["stats"] == {"uuid": thread["first"], "likeCount": 0, "replyCount": 2}
    assert result["comments"][0]["stats"]["likeCount"] == 2
    assert first["replyToUuid"] is None
    assert first["isCreator"] is False
    assert first["targetUuid"] == thread["issue"]


async def test_newest_comments_first(gql: Query, thread: dict[str, Any]) -> None:
    result = (await gql(COMMENTS, t=thread["issue"], type="COMICISSUE", s="NEWEST"))["data"]["getComments"]
    assert uuids(result) == [thread["third"], thread["second"], thread["first"]]
    assert result["sortBy"] == "NEWEST"


async def test_null_arguments_take_the_defaults(gql: Query, thread: dict[str, Any]) -> None:
    result = (await gql(COMMENTS, t=thread["issue"], type="COMICISSUE", p=None, l=None, s=None))["data"]
    assert result["getComments"]["sortBy"] == "TOP"
    assert (result["getComments"]["page"], result["getComments"]["limitPerPage"]) == (1, 25)


async def test_comment_paging_and_clamping(gql: Query, thread: dict[str, Any]) -> None:
    second_page = (await gql(COMMENTS, t=thread["issue"], type="COMICISSUE", p=2, l=1))["data"]["getComments"]
    assert uuids(second_page) == [thread["third"]]
    clamped = (await gql(COMMENTS, t=thread["issue"], type="COMICISSUE", p=0, l=1000))["data"]["getComments"]
    assert (clamped["page"], clamped["limitPerPage"]) == (1, 100)
    assert len(clamped["comments"]) == 3


async def test_comments_of_another_target_type_are_not_mixed_in(gql: Query, thread: dict[str, Any]) -> None:
    result = (await gql(COMMENTS, t=thread["issue"], type="COMICSERIES"))["data"]["getComments"]
    assert result["comments"] == []


async def test_invalid_target_uuid_is_bad_user_input(gql: Query, engine: object) -> None:
    body = await gql(COMMENTS, t="nope", type="COMICISSUE")
    assert body["errors"] == [{"message": "nope is not a valid targetUuid", "code": "BAD_USER_INPUT"}]


async def test_replies_oldest_first_without_hidden(gql: Query, thread: dict[str, Any]) -> None:
    result = (await gql(REPLIES, t=thread["issue"], c=thread["first"]))["data"]["getRepliesForComment"]
    assert uuids(result) == [thread["reply_one"], thread["reply_two"]]
    assert result["sortBy"] is None
    assert (result["page"], result["limitPerPage"]) == (1, 25)
    assert result["comments"][0] == {
        "uuid": thread["reply_one"],
        "replyToUuid": thread["first"],
        "stats": {"uuid": thread["reply_one"], "likeCount": 4, "replyCount": 0},
    }
    paged = (await gql(REPLIES, t=thread["issue"], c=thread["first"], p=2, l=1))["data"]
    assert uuids(paged["getRepliesForComment"]) == [thread["reply_two"]]


async def test_replies_ignore_the_target_arguments(gql: Query, thread: dict[str, Any]) -> None:
    other_target = "00000000-0000-4000-8000-000000000000"
    result = (await gql(REPLIES, t=other_target, c=thread["first"]))["data"]["getRepliesForComment"]
    assert result["targetUuid"] == other_target
    assert uuids(result) == [thread["reply_one"], thread["reply_two"]]


async def test_stats_count_likes_and_visible_comments_with_replies(
    gql: Query, thread: dict[str, Any]
) -> None:
    query = """query S($i: ID!, $s: ID!) {
      getStatsForComicIssue(issueUuid: $i) { uuid likeCount commentCount }
      getStatsForComicSeries(seriesUuid: $s) { uuid likeCount commentCount }
    }"""
    data = (await gql(query, i=thread["issue"], s=thread["series"]))["data"]
    assert data["getStatsForComicIssue"] == {"uuid": thread["issue"], "likeCount": 3, "commentCount": 5}
    assert data["getStatsForComicSeries"] == {"uuid": thread["series"], "likeCount": 3, "commentCount": 5}


@pytest.mark.parametrize(
    ("field", "argument"), [("getStatsForComicIssue", "issueUuid"), ("getStatsForComicSeries", "seriesUuid")]
)
async def test_stats_validate_their_uuid(gql: Query, engine: object, field: str, argument: str) -> None:
    body = await gql(f'{{ {field}({argument}: "1 OR 1=1") {{ uuid }} }}')
    assert body["errors"] == [{"message": f"1 OR 1=1 is not a valid {argument}", "code": "BAD_USER_INPUT"}]
