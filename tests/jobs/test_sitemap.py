"""`inkverse jobs run sitemap` as an operator runs it: the sitemaps land in the bucket (moto), split at
`SITEMAP_MAX_URLS`, and the files are purged from the CDN (a fake Cloudflare API)."""

import asyncio
import sys
import uuid
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dishka import AsyncContainer
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.cloudflare.storage import ObjectStore
from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from tests.cache.support import CLOUDFLARE_OK, FakeCdn, serve_fake_cdn
from tests.fixtures.services import Services
from tests.graphql.seed import bulk_issues
from tests.jobs.test_cli import environment, finish

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
ZONE = "zone-sitemap"
PUBLIC = "https://ink0.inkverse.co/sitemap"


@pytest.fixture
async def fake_cloudflare() -> AsyncIterator[FakeCdn]:
    async with serve_fake_cdn(CLOUDFLARE_OK) as server:
        yield server


async def run_sitemap(services: Services, cwd: Path, cloudflare: FakeCdn, max_urls: int) -> None:
    env = environment(services) | {
        "CLOUDFLARE_API_URL": cloudflare.url,
        "CLOUDFLARE_API_TOKEN": "cf-token",
        "CLOUDFLARE_ZONE_ID": ZONE,
        "SITEMAP_MAX_URLS": str(max_urls),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inkverse.cli.main", "jobs", "run", "sitemap", env=env, cwd=cwd,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    code, out, err = await finish(process)
    assert code == 0, err
    assert "sitemap succeeded" in out


async def seed(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    series = [
        {"uuid": str(uuid.uuid4()), "short_url": short_url, "name": short_url, "is_blocked": blocked}
        for short_url, blocked in [
            ("ink-tales", False), ("tom&jerry", False), ("quiet", False), ("fourth", False),
            ("fifth", False), ("hidden", True),
        ]
    ]  # fmt: skip
    creators = [
        {"uuid": str(uuid.uuid4()), "short_url": "ana", "is_blocked": False,
         "updated_at": datetime(2025, 3, 1, 12, tzinfo=UTC)},
        {"uuid": str(uuid.uuid4()), "short_url": "bo", "is_blocked": False},
        {"uuid": str(uuid.uuid4()), "short_url": "blocked", "is_blocked": True},
    ]  # fmt: skip
    async with sessionmaker() as session, session.begin():
        await session.execute(insert(tables.ComicSeries), series)
        await session.execute(insert(tables.Creator), creators)
    await bulk_issues(sessionmaker, series[0]["uuid"], 3)  # newest published 1_700_000_000 + 2 days


async def read(store: ObjectStore, name: str) -> ET.Element:
    stored = await store.get("ink0", f"sitemap/{name}")
    assert stored.content_type == "application/xml"
    assert stored.body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(stored.body)


def locs(root: ET.Element) -> list[str]:
    return [element.text or "" for element in root.findall(".//s:loc", NS)]


async def keys(store: ObjectStore) -> list[str]:
    return [item.key async for item in store.list_objects("ink0", "sitemap/")]


async def test_jobs_run_sitemap_writes_split_sitemaps_and_an_index_then_purges_them(
    services: Services, engine: AsyncEngine, container: AsyncContainer, queues: None,
    fake_cloudflare: FakeCdn, tmp_path: Path,
) -> None:  # fmt: skip
    await seed(make_sessionmaker(engine))
    store = await container.get(ObjectStore)

    await run_sitemap(services, tmp_path, fake_cloudflare, max_urls=2)

    assert await keys(store) == [
        "sitemap/comicseries-1-dev.xml", "sitemap/comicseries-2-dev.xml", "sitemap/comicseries-3-dev.xml",
        "sitemap/creator-1-dev.xml", "sitemap/index-dev.xml",
    ]  # fmt: skip
    first = await read(store, "comicseries-1-dev.xml")
    assert first.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    [ink_tales, tom] = first.findall("s:url", NS)
    assert locs(ink_tales) == ["https://inkverse.co/comics/ink-tales"]
    assert ink_tales.findtext("s:lastmod", namespaces=NS) == "2023-11-16T22:13:20.000Z"
    assert ink_tales.findtext("s:priority", namespaces=NS) == "0.8"
    assert locs(tom) == ["https://inkverse.co/comics/tom%26jerry"]
    assert tom.find("s:lastmod", NS) is None  # no episode yet: no lastmod (the original wrote 1970)
    assert locs(await read(store, "comicseries-2-dev.xml")) == [
        "https://inkverse.co/comics/quiet", "https://inkverse.co/comics/fourth",
    ]  # fmt: skip
    assert locs(await read(store, "comicseries-3-dev.xml")) == ["https://inkverse.co/comics/fifth"]
    creators = await read(store, "creator-1-dev.xml")
    assert locs(creators) == ["https://inkverse.co/creators/ana", "https://inkverse.co/creators/bo"]
    assert creators.findall("s:url/s:lastmod", NS)[0].text == "2025-03-01T12:00:00.000Z"
    index = await read(store, "index-dev.xml")
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    assert locs(index) == [
        f"https://inkverse.co/sitemap/{name}-dev.xml"
        for name in ("comicseries-1", "comicseries-2", "comicseries-3", "creator-1")
    ]
    [purge] = fake_cloudflare.requests
    assert purge.path == f"/zones/{ZONE}/purge_cache"
    assert sorted(purge.body["files"]) == sorted(
        f"{PUBLIC}/{name}-dev.xml"
        for name in ("comicseries-1", "comicseries-2", "comicseries-3", "creator-1", "index")
    )

    # A rerun rewrites every file (nothing appended) and deletes the parts it no longer needs.
    await run_sitemap(services, tmp_path, fake_cloudflare, max_urls=50_000)

    assert await keys(store) == [
        "sitemap/comicseries-1-dev.xml",
        "sitemap/creator-1-dev.xml",
        "sitemap/index-dev.xml",
    ]
    assert len(locs(await read(store, "comicseries-1-dev.xml"))) == 5
    assert len(locs(await read(store, "creator-1-dev.xml"))) == 2
    purged = set(fake_cloudflare.requests[1].body["files"])
    assert {f"{PUBLIC}/comicseries-2-dev.xml", f"{PUBLIC}/comicseries-3-dev.xml"} <= purged
