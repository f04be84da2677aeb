"""Imports from the Taddy API: fetch a series or a creator with everything hanging off it and feed each
object through the same processing as a webhook (no HTTP round trip through our own API).

Each object becomes a `created` event stamped with the time it was fetched, so a webhook emitted before
the fetch is recognised as older and skipped, and one emitted after still applies.
"""

import math
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import structlog

from inkverse.catalog.events import TaddyType, WebhookAction
from inkverse.catalog.text import normalise_uuid
from inkverse.taddy.client import PAGE_SIZE, TaddyClient, TaddyItem
from inkverse.taddy.processing import WebhookProcessor
from inkverse.taddy.webhooks import TaddyWebhook

log = structlog.get_logger(__name__)

Progress = Callable[[str], None]
Finished = Callable[[str, str | None], None]


@dataclass
class ImportReport:
    imported: dict[TaddyType, int] = field(default_factory=lambda: dict.fromkeys(TaddyType, 0))
    missing: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.imported.values())


class TaddyImporter:
    def __init__(
        self, client: TaddyClient, processor: WebhookProcessor, progress: Progress | None = None
    ) -> None:
        self._client = client
        self._processor = processor
        self._progress = progress or (lambda _: None)

    async def import_each(
        self, uuids: Iterable[str], report: ImportReport, finished: Finished = lambda _uuid, _error: None
    ) -> ImportReport:
        """Import every series in turn. One that fails is recorded in `report.failed` with the reason and
        the others go on; `finished(uuid, reason or None)` is called after each."""
        for uuid in uuids:
            try:
                await self.import_series(uuid, report)
            except Exception as exc:  # noqa: BLE001 - one bad series must not stop a bulk import
                reason = f"{type(exc).__name__}: {exc}"[:1000]
                log.warning("taddy.import_failed", uuid=uuid, error=reason)
                report.failed[uuid] = reason
                finished(uuid, reason)
            else:
                finished(uuid, None)
        return report

    async def import_series(self, uuid: str, report: ImportReport | None = None) -> ImportReport:
        """The series, every issue (with stories), its creators and their content links."""
        report = report or ImportReport()
        uuid = normalise_uuid(uuid)
        series = await self._client.get_comic_series(uuid)
        if series is None:
            report.missing.append(uuid)
            return report
        await self._apply(TaddyType.COMICSERIES, series, report)
        pages = math.ceil((series.total_issues_count or 0) / PAGE_SIZE)
        for page in range(1, pages + 1):
            for issue_uuid in await self._client.get_issue_uuids(uuid, page):
                await self._import_one(TaddyType.COMICISSUE, self._client.get_comic_issue, issue_uuid, report)
        for creator in await self._client.get_creators_of_series(uuid):
            await self.import_creator(creator.uuid, report, content_of=uuid)
        return report

    async def import_creator(
        self, uuid: str, report: ImportReport | None = None, content_of: str | None = None
    ) -> ImportReport:
        """The creator and its content links (only the link to `content_of` when given)."""
        report = report or ImportReport()
        uuid = normalise_uuid(uuid)
        creator = await self._client.get_creator(uuid)
        if creator is None:
            report.missing.append(uuid)
            return report
        await self._apply(TaddyType.CREATOR, creator, report)
        pages = math.ceil((creator.total_content_count or 0) / PAGE_SIZE)
        for page in range(1, pages + 1):
            for content_uuid in await self._client.get_content_uuids(uuid, page):
                content = await self._client.get_creator_content(content_uuid)
                if content is None:
                    report.missing.append(content_uuid)
                elif content_of is None or content.content_uuid == content_of:
                    await self._apply(TaddyType.CREATORCONTENT, content, report)
        return report

    async def _import_one(
        self,
        taddy_type: TaddyType,
        fetch: Callable[[str], Awaitable[TaddyItem | None]],
        uuid: str,
        report: ImportReport,
    ) -> None:
        item = await fetch(uuid)
        if item is None:
            report.missing.append(uuid)
            return
        await self._apply(taddy_type, item, report)

    async def _apply(self, taddy_type: TaddyType, item: TaddyItem, report: ImportReport) -> None:
        webhook = TaddyWebhook(
            uuid=item.uuid,
            timestamp=int(time.time()),
            taddy_type=taddy_type,
            action=WebhookAction.CREATED,
            data=item.data(),
        )
        # The catalogue is filled in, not released: an import never pushes new episodes.
        await self._processor.process(webhook, notify=False)
        report.imported[taddy_type] += 1
        self._progress(f"{taddy_type.value} {item.uuid}")
