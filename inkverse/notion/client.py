"""Reads one Notion page's record map through Notion's public v3 API, as notion-client's `getPage`.

`POST {NOTION_API_URL}/loadPageChunk` returns the page and its first blocks; blocks of the page that
chunk left out are then fetched with `syncRecordValues`, round after round, until the page's block tree
is complete (the content of linked sub-pages is not followed). Any failure (unreachable, timeout,
non-2xx, a body without a record map) raises `NotionUnavailableError`, logged with the page id.
"""

import json
from http import HTTPStatus
from typing import Any

import aiohttp
import structlog

from inkverse.errors import DependencyUnavailableError
from inkverse.settings import NotionSettings

log = structlog.get_logger(__name__)

# The original's notion-client was given a browser User-Agent; Notion refuses some bare clients.
USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
CHUNK_LIMIT = 100
MAX_MISSING_BLOCK_ROUNDS = 10
SUB_PAGE_TYPES = frozenset({"page", "collection_view_page"})

RecordMap = dict[str, Any]


class NotionUnavailableError(DependencyUnavailableError):
    """Notion did not give us the page."""


class NotionClient:
    def __init__(self, http: aiohttp.ClientSession, settings: NotionSettings) -> None:
        self._http = http
        self._settings = settings

    async def load_page(self, page_id: str) -> RecordMap:
        """The `recordMap` of the page (`page_id` as a dashed UUID) with all of its blocks."""
        try:
            record_map = _record_map(await self._post("loadPageChunk", _page_chunk_request(page_id)))
            await self._add_missing_blocks(page_id, record_map)
        except NotionUnavailableError as exc:
            log.warning("notion.page_failed", page_id=page_id, reason=str(exc))
            raise
        return record_map

    async def _add_missing_blocks(self, page_id: str, record_map: RecordMap) -> None:
        blocks: dict[str, Any] = record_map.setdefault("block", {})
        for round_number in range(MAX_MISSING_BLOCK_ROUNDS + 1):
            missing = [block_id for block_id in content_block_ids(blocks, page_id) if block_id not in blocks]
            if not missing:
                return
            if round_number == MAX_MISSING_BLOCK_ROUNDS:
                break
            answer = _record_map(await self._post("syncRecordValues", _blocks_request(missing)))
            fetched = answer.get("block") or {}
            if not fetched:
                break
            blocks.update({block_id: _unnested(record) for block_id, record in fetched.items()})
        log.warning("notion.page_incomplete", page_id=page_id)

    async def _post(self, endpoint: str, payload: dict[str, Any]) -> dict[str, Any]:
        url = f"{self._settings.api_url.rstrip('/')}/{endpoint}"
        timeout = aiohttp.ClientTimeout(total=self._settings.timeout_seconds)
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        try:
            async with self._http.post(url, json=payload, headers=headers, timeout=timeout) as response:
                if response.status != HTTPStatus.OK:
                    raise NotionUnavailableError(f"Notion answered HTTP {response.status}")
                body = await response.json(content_type=None)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise NotionUnavailableError(f"Notion unreachable: {type(exc).__name__}") from exc
        except json.JSONDecodeError as exc:
            raise NotionUnavailableError("Notion answered with a body that is not JSON") from exc
        if not isinstance(body, dict):
            raise NotionUnavailableError("Notion answered with a body that is not a JSON object")
        return body


def content_block_ids(blocks: dict[str, Any], page_id: str) -> list[str]:
    """Every block id of the page's tree (known or not), without descending into sub-pages."""
    seen: dict[str, None] = {}
    pending = [page_id]
    while pending:
        block_id = pending.pop()
        if block_id in seen:
            continue
        seen[block_id] = None
        block = _block_value(blocks.get(block_id))
        if block is None or (block_id != page_id and block.get("type") in SUB_PAGE_TYPES):
            continue
        reference = (block.get("format") or {}).get("transclusion_reference_pointer") or {}
        children = [*(block.get("content") or []), reference.get("id")]
        pending.extend(child for child in reversed(children) if isinstance(child, str))
    return list(seen)


def _block_value(record: Any) -> dict[str, Any] | None:
    value = record.get("value") if isinstance(record, dict) else None
    return value if isinstance(value, dict) else None


def _unnested(record: Any) -> Any:
    """`syncRecordValues` may nest a record one level deeper (`{value: {value, role}}`) than
    `loadPageChunk` (`{value, role}`); the website's renderer reads the latter."""
    inner = record.get("value") if isinstance(record, dict) else None
    if isinstance(inner, dict) and "role" in inner and isinstance(inner.get("value"), dict):
        return inner
    return record


def _record_map(body: dict[str, Any]) -> RecordMap:
    record_map = body.get("recordMap")
    if not isinstance(record_map, dict):
        raise NotionUnavailableError("Notion answered without a record map")
    return record_map


def _page_chunk_request(page_id: str) -> dict[str, Any]:
    return {
        "pageId": page_id,
        "limit": CHUNK_LIMIT,
        "chunkNumber": 0,
        "cursor": {"stack": []},
        "verticalColumns": False,
    }


def _blocks_request(block_ids: list[str]) -> dict[str, Any]:
    return {"requests": [{"table": "block", "id": block_id, "version": -1} for block_id in block_ids]}
