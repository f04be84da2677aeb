"""Benchmark: apply `comicissue.created` with 30 stories through `ComicIssueWriter`.

Starts its own embedded PostgreSQL in a temporary folder, migrates it, then times N writes of a new
issue (each in its own transaction, commit included) and counts the SQL statements each write sends
(a `before_cursor_execute` listener; BEGIN/COMMIT are not cursor executions). It also times the same
event delivered again (the update path) and an update that reorders, replaces and removes stories.
Prints the figures and stops PostgreSQL.

    .venv/bin/python benchmarks/bench_issue_write.py [--iterations 200] [--stories 30]
"""

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from inkverse.catalog.events import WebhookAction
from inkverse.catalog.payloads import ComicIssuePayload
from inkverse.comics.writers import ComicIssueWriter
from inkverse.database import migrations
from inkverse.database.engine import make_engine, make_sessionmaker
from inkverse.dev.stack import EmbeddedPostgres
from inkverse.settings import DatabaseSettings

SERIES_UUID = str(uuid.uuid4())
WARM_UP = 10


def image_json(**variants: str) -> str:
    return json.dumps(variants, separators=(",", ":"))


def issue_data(stories: list[str]) -> dict[str, Any]:
    issue_uuid = str(uuid.uuid4())
    base = f"https://ay1.taddy.org/{SERIES_UUID}/{issue_uuid}"
    return {
        "uuid": issue_uuid,
        "seriesUuid": SERIES_UUID,
        "name": "Episode 3: The Lighthouse",
        "creatorNote": None,
        "pushNotificationMessage": "Episode 3 is out!",
        "hash": uuid.uuid4().hex,
        "storiesHash": uuid.uuid4().hex,
        "datePublished": 1767225000,
        "bannerImageAsString": image_json(
            base_url=f"{base}/", banner_sm="banner-sm.webp", banner_md="b-md.webp"
        ),
        "thumbnailImageAsString": image_json(base_url=f"{base}/", thumbnail="thumbnail.webp"),
        "stories": [
            {
                "uuid": story_uuid,
                "issueUuid": issue_uuid,
                "seriesUuid": SERIES_UUID,
                "hash": uuid.uuid4().hex,
                "storyImageAsString": image_json(base_url=f"{base}/{story_uuid}/", story="story.webp"),
            }
            for story_uuid in stories
        ],
        "position": 2,
        "scopesForExclusiveContent": None,
        "dateExclusiveContentIsAvailable": None,
        "isRemoved": None,
        "isBlocked": None,
    }


def new_issue(story_count: int) -> dict[str, Any]:
    return issue_data([str(uuid.uuid4()) for _ in range(story_count)])


def reshuffled(data: dict[str, Any]) -> dict[str, Any]:
    """Reverse the stories, drop the first two and add two new ones."""
    stories = list(reversed(data["stories"][2:]))
    stories += [{"uuid": str(uuid.uuid4()), "hash": uuid.uuid4().hex} for _ in range(2)]
    return {**data, "stories": stories}


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *_: object) -> None:
        self.count += 1


async def timed_write(
    sessionmaker: async_sessionmaker[AsyncSession],
    counter: StatementCounter,
    write: Callable[[AsyncSession], Awaitable[object]],
) -> tuple[float, int]:
    counter.count = 0
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        await write(session)
    return (time.perf_counter() - started) * 1000, counter.count


def apply(payload: ComicIssuePayload, timestamp: int) -> Callable[[AsyncSession], Awaitable[object]]:
    async def write(session: AsyncSession) -> object:
        return await ComicIssueWriter(session).apply(WebhookAction.CREATED, payload, timestamp)

    return write


def report(label: str, samples: list[tuple[float, int]]) -> None:
    millis = sorted(ms for ms, _ in samples)
    statements = sorted({count for _, count in samples})
    p95 = millis[min(len(millis) - 1, int(len(millis) * 0.95))]
    print(
        f"{label:<34} n={len(samples):<4} mean {statistics.fmean(millis):6.2f} ms  "
        f"median {statistics.median(millis):6.2f} ms  p95 {p95:6.2f} ms  statements {statements}"
    )


async def run(iterations: int, story_count: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="inkverse-bench-"))
    postgres = EmbeddedPostgres(root)
    try:
        url = await postgres.start()
        await migrations.upgrade(url)
        engine = make_engine(DatabaseSettings(url=url, pool_size=2))
        counter = StatementCounter()
        event.listen(engine.sync_engine, "before_cursor_execute", counter)
        sessionmaker = make_sessionmaker(engine)
        try:
            await measure(sessionmaker, counter, iterations, story_count)
        finally:
            await engine.dispose()
    finally:
        await postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


async def measure(
    sessionmaker: async_sessionmaker[AsyncSession],
    counter: StatementCounter,
    iterations: int,
    story_count: int,
) -> None:
    raw = [new_issue(story_count) for _ in range(iterations + WARM_UP)]
    started = time.perf_counter()
    payloads = [ComicIssuePayload.parse(data) for data in raw]
    parse_ms = (time.perf_counter() - started) * 1000 / len(payloads)

    for payload in payloads[:WARM_UP]:
        await timed_write(sessionmaker, counter, apply(payload, 1))
    created = [await timed_write(sessionmaker, counter, apply(p, 1)) for p in payloads[WARM_UP:]]
    redelivered = [await timed_write(sessionmaker, counter, apply(p, 1)) for p in payloads[WARM_UP:]]
    changed = [ComicIssuePayload.parse(reshuffled(data)) for data in raw[WARM_UP:]]
    updated = [await timed_write(sessionmaker, counter, apply(p, 2)) for p in changed]
    stale = [await timed_write(sessionmaker, counter, apply(p, 1)) for p in payloads[WARM_UP:]]

    print(f"comicissue write benchmark: {story_count} stories per issue, {iterations} issues")
    print(f"{'payload parse + sanitation':<34} mean {parse_ms:6.2f} ms")
    report("created (new issue, commit incl.)", created)
    report("same event again (update path)", redelivered)
    report("update: reorder/replace/remove", updated)
    report("stale event (skipped)", stale)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--stories", type=int, default=30)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.iterations, arguments.stories))


if __name__ == "__main__":
    main()
