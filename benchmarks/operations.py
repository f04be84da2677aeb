"""The operation mix of the load harness, written as the real clients send them.

The documents are the clients' own (`tests/graphql/validators/client_operations.py`, transcribed from
graphql.md §4, with Apollo's `__typename` everywhere and the fragments appended), with the variables
the clients send: the series page asks for `limitPerPageForIssues: 1000` in OLDEST order, the home
screen sends no arguments. The variables name real rows of the seeded database (`pick_targets`).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from inkverse.lists.editorial import load_editorial
from tests.graphql.validators.client_operations import CLIENT_OPERATIONS, FRAGMENTS

Data = dict[str, Any]

# Server CPU per request of the original Node/Apollo server on this machine type, on the bench
# dataset with the same request bodies (issue 15).
NODE_CPU_MS = {
    "typename": 0.26,
    "mini_series": 0.50,
    "creator": 0.97,
    "list": 0.91,
    "series_page": 1.84,
    "issue_page": 2.27,
    "home_screen": 8.80,
}

RECENTLY_ADDED = """
query GetRecentlyAddedComicSeries($page: Int, $limitPerPage: Int) {
  getRecentlyAddedComicSeries(page: $page, limitPerPage: $limitPerPage) {
    id
    comicSeries {
      ...miniComicSeriesDetails
      __typename
    }
    __typename
  }
}
""" + FRAGMENTS["miniComicSeriesDetails"]


@dataclass(frozen=True)
class Targets:
    """Rows of the seeded database the operations ask for."""

    series_uuid: str
    issue_count: int
    issue_uuid: str
    creator_uuid: str
    list_id: str


@dataclass(frozen=True)
class Operation:
    key: str
    title: str
    operation_name: str | None
    document: str
    variables: Data = field(default_factory=dict)
    check: Callable[[Data], str | None] = lambda _: None

    def body(self) -> bytes:
        payload: Data = {"query": self.document, "variables": self.variables}
        if self.operation_name:
            payload["operationName"] = self.operation_name
        return json.dumps(payload, separators=(",", ":")).encode()


def client_document(name: str) -> str:
    return next(operation.document for operation in CLIENT_OPERATIONS if operation.name == name)


async def pick_targets(engine: AsyncEngine) -> Targets:
    """The series with the most issues (ties by uuid, so runs agree), its middle issue, and the creator
    with the most series."""
    async with engine.connect() as connection:
        series = (
            await connection.execute(
                text(
                    "SELECT i.series_uuid::text, count(*) FROM comicissue i "
                    "JOIN comicseries s ON s.uuid = i.series_uuid AND s.is_blocked IS NOT TRUE "
                    "GROUP BY i.series_uuid ORDER BY count(*) DESC, i.series_uuid LIMIT 1"
                )
            )
        ).one()
        issue_uuid = await connection.scalar(
            text(
                "SELECT uuid::text FROM comicissue WHERE series_uuid = :series "
                "ORDER BY position LIMIT 1 OFFSET :middle"
            ),
            {"series": series[0], "middle": series[1] // 2},
        )
        creator_uuid = await connection.scalar(
            text(
                "SELECT creator_uuid::text FROM creatorcontent "
                "GROUP BY creator_uuid ORDER BY count(*) DESC, creator_uuid LIMIT 1"
            )
        )
    return Targets(series[0], series[1], str(issue_uuid), str(creator_uuid), longest_curated_list())


def longest_curated_list() -> str:
    """The bundled editorial list with the most series (the API serves the bundled file)."""
    lists = load_editorial().curated_lists
    return max(lists, key=lambda item: (len(item.comic_series_uuids), item.id)).id


def operation_mix(targets: Targets) -> list[Operation]:
    return [
        Operation("typename", "typename floor", None, "{ __typename }", check=_has("__typename")),
        Operation(
            "mini_series",
            "mini series",
            "GetMiniComicSeries",
            client_document("GetMiniComicSeries"),
            {"uuid": targets.series_uuid},
            check=_has("getComicSeries"),
        ),
        Operation(
            "recently_added",
            "list: recently added",
            "GetRecentlyAddedComicSeries",
            RECENTLY_ADDED,
            {"page": 1, "limitPerPage": 25},
            check=_list_filled("getRecentlyAddedComicSeries"),
        ),
        Operation(
            "list",
            "list (GetList)",
            "GetList",
            client_document("GetList"),
            {"id": targets.list_id},
            check=_list_filled("getList"),
        ),
        Operation(
            "creator",
            "creator page",
            "GetCreator",
            client_document("GetCreator"),
            {"uuid": targets.creator_uuid},
            check=_creator_has_comics,
        ),
        Operation(
            "series_page",
            "series page (1,000/page)",
            "GetComicSeries",
            client_document("GetComicSeries"),
            {
                "uuid": targets.series_uuid,
                "sortOrderForIssues": "OLDEST",
                "limitPerPageForIssues": 1000,
                "pageForIssues": 1,
            },
            check=_series_has_issues(targets.issue_count),
        ),
        Operation(
            "issue_page",
            "issue page",
            "GetComicIssue",
            client_document("GetComicIssue"),
            {"issueUuid": targets.issue_uuid, "seriesUuid": targets.series_uuid},
            check=_issue_has_stories,
        ),
        Operation(
            "home_screen",
            "home screen",
            "HomeScreen",
            client_document("HomeScreen"),
            check=_home_lists_filled,
        ),
    ]


# --- response checks: None when the data looks right, else what is wrong ---------------------------


def _has(field_name: str) -> Callable[[Data], str | None]:
    def check(data: Data) -> str | None:
        return None if data.get(field_name) else f"{field_name} is empty"

    return check


def _list_filled(field_name: str) -> Callable[[Data], str | None]:
    def check(data: Data) -> str | None:
        series = (data.get(field_name) or {}).get("comicSeries")
        return None if series else f"{field_name}.comicSeries is empty"

    return check


def _creator_has_comics(data: Data) -> str | None:
    creator = data.get("getCreator") or {}
    return None if creator.get("comics") else "getCreator has no comics"


def _series_has_issues(expected: int) -> Callable[[Data], str | None]:
    def check(data: Data) -> str | None:
        issues = (data.get("getIssuesForComicSeries") or {}).get("issues") or []
        return None if len(issues) == expected else f"{len(issues)} issues, expected {expected}"

    return check


def _issue_has_stories(data: Data) -> str | None:
    issue = data.get("getComicIssue") or {}
    if not issue.get("stories"):
        return "getComicIssue has no stories"
    return None if issue.get("previousIssue") and issue.get("nextIssue") else "no previous/next issue"


def _home_lists_filled(data: Data) -> str | None:
    empty = [name for name, value in data.items() if not _home_list_items(value)]
    return f"empty home lists: {', '.join(empty)}" if empty else None


def _home_list_items(value: Data | None) -> list[Any]:
    if not value:
        return []
    return list(value.get("comicSeries") or value.get("lists") or [])
