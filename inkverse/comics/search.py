"""`search`: our own catalogue search (`comicseries_search`), and the choice between it and Taddy's.

The local search matches every word of the term (the last one as a prefix, so a search box can call it
while a person types) against the series name, tags, creators' names and description, case- and
accent-insensitively. Series whose name matches come first, then by `ts_rank`. Tag filters match any
of the tags case-insensitively, genre filters any of `genre0`-`genre2`. Blocked series never appear.
"""

import asyncio
import re
import unicodedata
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from sqlalchemy import ColumnElement, Select, Text, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession

from inkverse.catalog.ordering import page_offset
from inkverse.database import tables
from inkverse.database.tables.search import TEXT_SEARCH_CONFIG
from inkverse.errors import InkverseError
from inkverse.settings import SearchBackend, SearchSettings, TaddySettings
from inkverse.taddy.client import TaddyClient

log = structlog.get_logger(__name__)

SessionFactory = Callable[[], AbstractAsyncContextManager[AsyncSession]]

# Taddy's own bounds for search (taddy-api.md §1.4); both backends enforce them.
MAX_PAGE = 20
MAX_LIMIT_PER_PAGE = 25
COMICSERIES = "COMICSERIES"
MAX_TERM_WORDS = 16
_WORD = re.compile(r"[^\W_]+")
_SEARCH_ID_NAMESPACE = uuid.UUID("0b6f2a52-6c1e-4d0a-9a53-5b8c3f0e9d17")
# ts_filter keeps the lexemes of the series name (weight A) only.
_NAME_WEIGHT: ColumnElement[Any] = literal_column("'{a}'::\"char\"[]")
_CONFIG: ColumnElement[Any] = literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig")


@dataclass(frozen=True, slots=True)
class SearchCriteria:
    term: str = ""
    page: int = 1
    limit: int = 25
    types: tuple[str, ...] = (COMICSERIES,)
    tags: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()

    @property
    def search_id(self) -> str:
        """The same arguments always give the same id."""
        canonical = orjson.dumps(
            [
                fold(self.term),
                self.page,
                self.limit,
                sorted(self.types),
                sorted(self.tags),
                sorted(self.genres),
            ]
        )
        return str(uuid.uuid5(_SEARCH_ID_NAMESPACE, canonical.decode()))


@dataclass(frozen=True, slots=True)
class SearchAnswer:
    search_id: str
    series_uuids: list[str]


def fold(text: str) -> str:
    """Lower case without accents: what `inkverse_search_fold` does in SQL (NFKD, marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def term_query(term: str) -> str | None:
    """A `to_tsquery` text matching every word, the last as a prefix; None when the term has no word.

    Words are runs of letters and digits only, so they never carry tsquery syntax."""
    words = _WORD.findall(fold(term))[:MAX_TERM_WORDS]
    if not words:
        return None
    return " & ".join([*(f"'{word}'" for word in words[:-1]), f"'{words[-1]}':*"])


class SearchIndex:
    """Queries over `comicseries_search` joined to `comicseries`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def series_uuids(self, criteria: SearchCriteria) -> list[str]:
        statement = _search_statement(criteria)
        if statement is None:
            return []
        return list((await self._session.scalars(statement)).all())


def _search_statement(criteria: SearchCriteria) -> Select[str] | None:
    query_text = term_query(criteria.term)
    if COMICSERIES not in criteria.types or (
        query_text is None and not criteria.tags and not criteria.genres
    ):
        return None
    series, index = tables.ComicSeries, tables.ComicSeriesSearch
    statement = (
        select(series.uuid)
        .join(index, index.series_uuid == series.uuid)
        .where(series.is_blocked.is_not(True))
        .limit(criteria.limit)
        .offset(page_offset(criteria.page, criteria.limit))
    )
    if criteria.tags:
        folded: list[ColumnElement[str]] = [
            func.inkverse_search_fold(tag, type_=Text) for tag in criteria.tags
        ]
        wanted = array[Any](folded, type_=Text)
        statement = statement.where(index.tags.overlap(wanted))
    if criteria.genres:
        genres = list(criteria.genres)
        statement = statement.where(
            or_(series.genre0.in_(genres), series.genre1.in_(genres), series.genre2.in_(genres))
        )
    if query_text is None:
        return statement.order_by(series.date_published.desc().nulls_last(), series.uuid)
    query = func.to_tsquery(_CONFIG, func.inkverse_search_fold(query_text))
    name_matches: ColumnElement[bool] = func.ts_filter(index.document, _NAME_WEIGHT).bool_op("@@")(query)
    return statement.where(index.document.bool_op("@@")(query)).order_by(
        name_matches.desc(), func.ts_rank(index.document, query).desc(), series.name, series.uuid
    )


class CatalogSearch:
    """Chooses the backend per `SEARCH_BACKEND`. Returns None only in `taddy` mode when Taddy fails,
    which is what the original answered."""

    def __init__(self, taddy: TaddyClient, settings: SearchSettings, taddy_settings: TaddySettings) -> None:
        self._taddy = taddy
        self._settings = settings
        self._taddy_configured = bool(taddy_settings.user_id) and taddy_settings.api_key is not None

    async def search(self, criteria: SearchCriteria, open_session: SessionFactory) -> SearchAnswer | None:
        backend = self._settings.backend
        if backend is SearchBackend.LOCAL or (backend is SearchBackend.AUTO and not self._taddy_configured):
            return await self._local(criteria, open_session)
        if backend is SearchBackend.TADDY:
            try:
                return await self._from_taddy(criteria)
            except InkverseError as exc:
                log.warning("search.taddy_failed", error=str(exc))
                return None
        try:
            async with asyncio.timeout(self._settings.taddy_timeout_seconds):
                return await self._from_taddy(criteria)
        except (InkverseError, TimeoutError) as exc:
            log.warning("search.taddy_fallback", error=str(exc) or type(exc).__name__)
            return await self._local(criteria, open_session)

    async def _from_taddy(self, criteria: SearchCriteria) -> SearchAnswer:
        result = await self._taddy.search(
            criteria.term,
            page=criteria.page,
            limit_per_page=criteria.limit,
            filter_for_types=criteria.types,
            filter_for_tags=criteria.tags or None,
            filter_for_genres=criteria.genres or None,
        )
        return SearchAnswer(result.search_id or "", [ref.uuid for ref in result.comic_series])

    @staticmethod
    async def _local(criteria: SearchCriteria, open_session: SessionFactory) -> SearchAnswer:
        async with open_session() as session:
            uuids = await SearchIndex(session).series_uuids(criteria)
        return SearchAnswer(criteria.search_id, uuids)
