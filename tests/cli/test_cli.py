"""The `inkverse` command as a user runs it: help, schema, one-line configuration errors."""

import os
import subprocess
import sys

import pytest


def inkverse(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "INKVERSE_"))}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "inkverse.cli.main", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [[], ["dev"], ["serve"], ["worker"], ["db"], ["db", "upgrade"], ["db", "check"], ["graphql-schema"]],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = inkverse(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_graphql_schema_prints_sdl() -> None:
    result = inkverse("graphql-schema")
    assert result.returncode == 0
    assert "type Query {" in result.stdout
    assert "getComicSeries(uuid: ID, shortUrl: String): ComicSeries" in result.stdout


def test_invalid_setting_is_one_line_without_traceback() -> None:
    result = inkverse("serve", env={"INKVERSE_PORT": "not-a-port"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "inkverse: configuration error: INKVERSE_PORT: Input should be a valid integer, "
        "unable to parse string as an integer"
    ]


def test_missing_database_url_is_named() -> None:
    result = inkverse("db", "current")
    assert result.returncode == 2
    assert result.stderr.strip() == "inkverse: configuration error: DATABASE_URL: not set"


def test_python_dash_m_worker_is_the_worker_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inkverse.worker", "--help"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0
    assert "Consume the queue" in result.stdout
