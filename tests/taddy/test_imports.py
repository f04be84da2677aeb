"""Imports from the Taddy API (the fake Taddy server) through the webhook processing."""

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from dishka import AsyncContainer
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from inkverse.catalog.events import TaddyType
from inkverse.container import build_container
from inkverse.database import tables
from inkverse.database.base import Base
from inkverse.settings import Settings, TaddySettings
from inkverse.taddy.client import TaddyClient
from inkverse.taddy.imports import TaddyImporter
from inkverse.taddy.processing import WebhookProcessor
from tests.fixtures.fake_taddy import API_KEY, USER_ID, FakeTaddy, serve_fake_taddy
from tests.fixtures.services import Services
from tests.fixtures.taddy_payloads import creator_data, creatorcontent_data, issue_data, new_uuid, series_data


@pytest.fixture
async def fake() -> AsyncIterator[FakeTaddy]:
    async for server in serve_fake_taddy():
        yield server


def publish_series(fake: FakeTaddy, issues: int = 30) -> tuple[str, str]:
    series = series_data()
    creator = creator_data()
    content = creatorcontent_data(creator["uuid"], series["uuid"])
    issue_list = [issue_data(series["uuid"], position=n, stories=2) for n in range(issues)]
    fake.add_series(series, issues=issue_list, creators=[creator["uuid"]])
    fake.add_creator(creator, content=[content])
    return series["uuid"], creator["uuid"]


@pytest.fixture
async def importer(
    settings: Settings, fake: FakeTaddy, engine: AsyncEngine, queues: None
) -> AsyncIterator[TaddyImporter]:
    taddy = TaddySettings(api_url=fake.url, user_id=USER_ID, api_key=SecretStr(API_KEY), image_sizing=False)
    container: AsyncContainer = build_container(settings.model_copy(update={"taddy": taddy}), "test")
    yield TaddyImporter(await container.get(TaddyClient), await container.get(WebhookProcessor))
    await container.close()


async def count(engine: AsyncEngine, model: type[Base]) -> int:
    async with async_sessionmaker(engine)() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_series_brings_issues_stories_and_creators(
    importer: TaddyImporter, fake: FakeTaddy, engine: AsyncEngine
) -> None:
    series_uuid, creator_uuid = publish_series(fake, issues=30)
    report = await importer.import_series(series_uuid)
    assert report.imported[TaddyType.COMICSERIES] == 1
    assert report.imported[TaddyType.COMICISSUE] == 30
    assert report.imported[TaddyType.CREATOR] == 1
    assert report.imported[TaddyType.CREATORCONTENT] == 1
    assert await count(engine, tables.ComicIssue) == 30
    assert await count(engine, tables.ComicStory) == 60
    assert await count(engine, tables.CreatorContent) == 1
    async with async_sessionmaker(engine)() as session:
        assert await session.scalar(select(tables.Creator.uuid)) == creator_uuid


async def test_importing_twice_changes_nothing(
    importer: TaddyImporter, fake: FakeTaddy, engine: AsyncEngine
) -> None:
    series_uuid, _ = publish_series(fake, issues=3)
    await importer.import_series(series_uuid)
    await importer.import_series(series_uuid)
    assert await count(engine, tables.ComicIssue) == 3
    assert await count(engine, tables.ComicStory) == 6


async def test_unknown_series_is_reported(importer: TaddyImporter, engine: AsyncEngine) -> None:
    missing = new_uuid()
    report = await importer.import_series(missing)
    assert report.missing == [missing]
    assert await count(engine, tables.ComicSeries) == 0


def cli_env(fake: FakeTaddy, services: Services) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AWS_", "TADDY_", "REDIS_"))}
    return env | {
        "DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url, "AWS_ENDPOINT_URL": services.aws_url,
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "TADDY_API_URL": fake.url,
        "TADDY_USER_ID": USER_ID, "TADDY_API_KEY": API_KEY, "TADDY_IMAGE_SIZING": "false", "LOG_LEVEL": "WARNING",
    }  # fmt: skip


async def import_all(listing: Path, env: dict[str, str], exit_code: int = 0) -> tuple[str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "inkverse.cli.main", "taddy", "import-all", str(listing),
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == exit_code, err.decode()
    return out.decode(), err.decode()


def write_listing(path: Path, uuids: list[str]) -> Path:
    path.write_text("\n".join(json.dumps({"uuid": uuid, "name": "x"}) for uuid in uuids) + "\n")
    return path


async def test_import_all_is_resumable(
    fake: FakeTaddy, services: Services, engine: AsyncEngine, queues: None, tmp_path: Path
) -> None:
    first, _ = publish_series(fake, issues=2)
    second, _ = publish_series(fake, issues=1)
    listing = write_listing(tmp_path / "comicseries.jsonl", [first, second])
    env = cli_env(fake, services)
    assert "2 series to import" in (await import_all(listing, env))[0]
    assert await count(engine, tables.ComicIssue) == 3
    assert (tmp_path / "comicseries.jsonl.done").read_text().split() == [first, second]
    assert "0 series to import (2 already done" in (await import_all(listing, env))[0]


async def test_import_all_records_a_failing_series_and_goes_on(
    fake: FakeTaddy, services: Services, engine: AsyncEngine, queues: None, tmp_path: Path
) -> None:
    first, _ = publish_series(fake, issues=1)
    poison = series_data(datePublished="yesterday")
    fake.add_series(poison)
    last, _ = publish_series(fake, issues=1)
    listing = write_listing(tmp_path / "comicseries.jsonl", [first, poison["uuid"].upper(), last])
    env = cli_env(fake, services)

    _, err = await import_all(listing, env, exit_code=1)
    assert f"1 series failed; uuids and reasons in {listing}.failed" in err
    assert (tmp_path / "comicseries.jsonl.done").read_text().split() == [first, last]
    failed_uuid, reason = (tmp_path / "comicseries.jsonl.failed").read_text().strip().split("\t")
    assert failed_uuid == poison["uuid"]
    assert "datePublished" in reason
    assert await count(engine, tables.ComicSeries) == 2

    fake.add_series(series_data(uuid=poison["uuid"]))  # fixed upstream: the next run imports it
    out, _ = await import_all(listing, env)
    assert "1 series to import (2 already done, 1 failed before)" in out
    assert await count(engine, tables.ComicSeries) == 3
    assert not (tmp_path / "comicseries.jsonl.failed").exists()
