"""`inkverse users delete` as a person runs it: the confirmation, `--yes`, and the unknown user."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database import tables
from inkverse.database.engine import make_sessionmaker
from tests.cli.test_cli import SERVICE_PREFIXES, one_line_error
from tests.fixtures.catalog import fetch
from tests.fixtures.services import Services
from tests.graphql.seed import add_user

Sessionmaker = async_sessionmaker[AsyncSession]


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> Sessionmaker:
    return make_sessionmaker(engine)


async def users_delete(
    services: Services, cwd: Path, *args: str, answer: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(SERVICE_PREFIXES)}
    environment |= {"DATABASE_URL": services.database_url, "REDIS_URL": services.redis_url}
    command = [sys.executable, "-m", "inkverse.cli.main", "users", "delete", *args]
    return await asyncio.to_thread(
        subprocess.run, command, input=answer, capture_output=True, text=True, env=environment,
        cwd=cwd, timeout=60, check=False,
    )  # fmt: skip


async def test_delete_asks_first_and_keeps_the_user_on_no(
    services: Services, sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    user = await add_user(sessionmaker, "dora")
    result = await users_delete(services, tmp_path, "dora@example.com", answer="n\n")
    assert (
        f"Delete user {user.id} <dora@example.com> @dora and everything that is theirs? [y/N]"
        in result.stdout
    )
    assert result.returncode == 1
    assert await fetch(sessionmaker, tables.User, user.id) is not None


async def test_delete_on_yes_removes_the_user_and_reports_what_went(
    services: Services, sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    user = await add_user(sessionmaker, "dora")
    async with sessionmaker() as session, session.begin():
        session.add(tables.UserDevice(user_id=user.id, fcm_token="ExponentPushToken[dora]", platform="ios"))

    result = await users_delete(services, tmp_path, str(user.id), answer="y\n")

    assert result.returncode == 0, result.stderr
    assert f"deleted user {user.id} <dora@example.com>: 1 user_device, 1 users" in result.stdout
    assert await fetch(sessionmaker, tables.User, user.id) is None


async def test_delete_with_yes_does_not_ask(
    services: Services, sessionmaker: Sessionmaker, tmp_path: Path
) -> None:
    user = await add_user(sessionmaker, "dora")
    result = await users_delete(services, tmp_path, "--yes", "DORA@example.com")
    assert result.returncode == 0, result.stderr
    assert "[y/N]" not in result.stdout
    assert await fetch(sessionmaker, tables.User, user.id) is None


async def test_an_unknown_user_is_one_line(services: Services, engine: AsyncEngine, tmp_path: Path) -> None:
    result = await users_delete(services, tmp_path, "--yes", "nobody@example.com")
    assert one_line_error(result) == "inkverse: no user with e-mail 'nobody@example.com'"
    result = await users_delete(services, tmp_path, "--yes", "404")
    assert one_line_error(result) == "inkverse: no user with id 404"
