"""The Taddy GraphQL API client (aiohttp).

Sends the exact operations of the original server (integrations.md §2.2) with `X-USER-ID` and
`X-API-KEY`; retries 429, 5xx, timeouts and connection errors with exponential backoff; keeps under
Taddy's 240 requests a minute on the client side; raises GraphQL errors as `TaddyApiError` with
Taddy's `code`. A `null` root field (Taddy's "not found") comes back as `None`.
"""

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, TypeVar

import aiohttp
import structlog
from aiolimiter import AsyncLimiter
from pydantic import BaseModel, ConfigDict, Field
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from inkverse.errors import ConfigurationError, DependencyUnavailableError, InkverseError
from inkverse.settings import TaddySettings
from inkverse.taddy import queries

log = structlog.get_logger(__name__)

USER_AGENT = "Inkverse shared/1.0"
REQUESTS_PER_MINUTE = 240
MAX_UUIDS_PER_CALL = 25
PAGE_SIZE = 25
ATTEMPTS = 4


class TaddyApiError(InkverseError):
    """Taddy answered with GraphQL errors; `code` is Taddy's (e.g. `BAD_USER_INPUT`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"Taddy {code}: {message}")
        self.code = code
        self.message = message


class TaddyTransientError(DependencyUnavailableError):
    """A retryable failure: HTTP 429 or 5xx, a timeout, or a dropped connection."""


class TaddyItem(BaseModel):
    """A Taddy object as its GraphQL query returns it. Unknown fields are kept, so `data()` gives
    exactly what a webhook delivery would carry in `data`."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    uuid: str

    def data(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_unset=True)


class TaddyComicSeries(TaddyItem):
    name: str | None = None
    total_issues_count: int | None = Field(default=None, alias="totalIssuesCount")


class TaddyComicIssue(TaddyItem):
    series_uuid: str | None = Field(default=None, alias="seriesUuid")


class TaddyCreator(TaddyItem):
    name: str | None = None
    total_content_count: int | None = Field(default=None, alias="totalContentCount")


class TaddyCreatorContent(TaddyItem):
    creator_uuid: str | None = Field(default=None, alias="creatorUuid")
    content_uuid: str | None = Field(default=None, alias="contentUuid")


class TaddyRef(BaseModel):
    uuid: str


class SearchResult(BaseModel):
    search_id: str | None = Field(default=None, alias="searchId")
    comic_series: list[TaddyRef] = Field(default_factory=list, alias="comicSeries")


ItemT = TypeVar("ItemT", bound=BaseModel)


class TaddyClient:
    def __init__(
        self, http: aiohttp.ClientSession, settings: TaddySettings, backoff_seconds: float = 0.5
    ) -> None:
        self._http = http
        self._settings = settings
        self._backoff = backoff_seconds
        self._limiter = AsyncLimiter(REQUESTS_PER_MINUTE, 60)

    def _headers(self) -> dict[str, str]:
        if not self._settings.user_id or self._settings.api_key is None:
            raise ConfigurationError("TADDY_USER_ID and TADDY_API_KEY: both must be set to call Taddy")
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-USER-ID": self._settings.user_id,
            "X-API-KEY": self._settings.api_key.get_secret_value(),
        }

    async def execute(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """POST one operation; returns `data`, or raises TaddyApiError / TaddyTransientError."""
        headers = self._headers()
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=self._backoff, max=8),
            retry=retry_if_exception_type(TaddyTransientError),
            reraise=True,
        ):
            with attempt:
                return await self._post(query, variables, headers)
        raise AssertionError("unreachable: tenacity reraises")

    async def _post(self, query: str, variables: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        async with self._limiter:
            try:
                async with self._http.post(
                    self._settings.api_url, json={"query": query, "variables": variables}, headers=headers
                ) as response:
                    if response.status == HTTPStatus.TOO_MANY_REQUESTS or response.status >= 500:  # noqa: PLR2004
                        raise TaddyTransientError(f"Taddy answered HTTP {response.status}")
                    body = await response.json(content_type=None)
            except (TimeoutError, aiohttp.ClientConnectionError, aiohttp.ServerTimeoutError) as exc:
                raise TaddyTransientError(f"Taddy unreachable: {type(exc).__name__}") from exc
            except ValueError as exc:
                raise TaddyTransientError("Taddy answered with a body that is not JSON") from exc
        return _data_or_raise(body)

    async def _one(self, query: str, root: str, model: type[ItemT], **variables: Any) -> ItemT | None:
        value = (await self.execute(query, variables)).get(root)
        return None if value is None else model.model_validate(value)

    async def get_comic_series(self, uuid: str) -> TaddyComicSeries | None:
        return await self._one(queries.GET_COMICSERIES, "getComicSeries", TaddyComicSeries, uuid=uuid)

    async def get_comic_issue(self, uuid: str) -> TaddyComicIssue | None:
        return await self._one(queries.GET_COMICISSUE, "getComicIssue", TaddyComicIssue, uuid=uuid)

    async def get_creator(self, uuid: str) -> TaddyCreator | None:
        return await self._one(queries.GET_CREATOR, "getCreator", TaddyCreator, uuid=uuid)

    async def get_creator_content(self, uuid: str) -> TaddyCreatorContent | None:
        return await self._one(
            queries.GET_CREATORCONTENT, "getCreatorContent", TaddyCreatorContent, uuid=uuid
        )

    async def get_creators_of_series(self, uuid: str) -> list[TaddyCreator]:
        series = (await self.execute(queries.GET_COMICSERIES_WITH_CREATOR, {"uuid": uuid})).get(
            "getComicSeries"
        )
        return [TaddyCreator.model_validate(item) for item in (series or {}).get("creators") or []]

    async def get_issue_uuids(self, series_uuid: str, page: int) -> list[str]:
        variables = {"uuid": series_uuid, "page": page, "limitPerPage": PAGE_SIZE}
        series = (await self.execute(queries.GET_COMICSERIES_WITH_ISSUES, variables)).get("getComicSeries")
        return [item["uuid"] for item in (series or {}).get("issues") or []]

    async def get_content_uuids(self, creator_uuid: str, page: int) -> list[str]:
        variables = {"uuid": creator_uuid, "page": page, "limitPerPage": PAGE_SIZE}
        creator = (await self.execute(queries.GET_CREATOR_WITH_CONTENT, variables)).get("getCreator")
        return [item["uuid"] for item in (creator or {}).get("content") or []]

    async def get_multiple_comic_series(self, uuids: Sequence[str]) -> list[TaddyComicSeries]:
        found: list[TaddyComicSeries] = []
        for start in range(0, len(uuids), MAX_UUIDS_PER_CALL):
            chunk = list(uuids[start : start + MAX_UUIDS_PER_CALL])
            items = (await self.execute(queries.GET_MULTIPLE_COMICSERIES, {"uuids": chunk})).get(
                "getMultipleComicSeries"
            )
            found.extend(TaddyComicSeries.model_validate(item) for item in items or [] if item)
        return found

    async def search(
        self,
        term: str = "",
        *,
        page: int = 1,
        limit_per_page: int = 25,
        filter_for_types: Sequence[str] = ("COMICSERIES",),
        filter_for_tags: Sequence[str] | None = None,
        filter_for_genres: Sequence[str] | None = None,
    ) -> SearchResult:
        variables: dict[str, Any] = {
            "term": term,
            "page": page,
            "limitPerPage": limit_per_page,
            "filterForTypes": list(filter_for_types),
            "filterForTags": list(filter_for_tags) if filter_for_tags is not None else None,
            "filterForGenres": list(filter_for_genres) if filter_for_genres is not None else None,
        }
        result = (await self.execute(queries.SEARCH, variables)).get("search")
        return SearchResult.model_validate(result or {})


def _data_or_raise(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise TaddyTransientError("Taddy answered with a body that is not a JSON object")
    errors = body.get("errors") or []
    if errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        code = first.get("code") or (first.get("extensions") or {}).get("code") or "TADDY_SERVER_ERROR"
        if code == "TADDY_SERVER_ERROR":
            raise TaddyTransientError(f"Taddy server error: {first.get('message', '')}")
        raise TaddyApiError(str(code), str(first.get("message", "")))
    data = body.get("data")
    return data if isinstance(data, dict) else {}
