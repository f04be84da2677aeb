"""The migrations against a real PostgreSQL: the reference schema exactly, no drift, clean downgrade.

These tests own a scratch database of their own, since they tear the schema down.
"""

import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from inkverse.database import migrations
from tests.fixtures.services import Services, asyncpg_dsn, recreate_database

REFERENCE = json.loads((Path(__file__).parent / "reference_schema.json").read_text())
SCRATCH = "inkverse_migrations_test"


@pytest.fixture
async def scratch_url(services: Services) -> str:
    await recreate_database(services.admin_database_url, SCRATCH)
    return make_url(services.admin_database_url).set(database=SCRATCH).render_as_string(hide_password=False)


async def fetch(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    dsn, extra = asyncpg_dsn(url)
    connection = await asyncpg.connect(dsn, **extra)
    try:
        return list(await connection.fetch(query, *args))
    finally:
        await connection.close()


async def columns_of(url: str, table: str) -> list[dict[str, Any]]:
    rows = await fetch(
        url,
        """SELECT column_name AS name, data_type, character_maximum_length, udt_name, is_nullable,
                  column_default
           FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1
           ORDER BY ordinal_position""",
        table,
    )
    return [dict(row) for row in rows]


async def index_names(url: str, table: str) -> set[str]:
    rows = await fetch(
        url, "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1", table
    )
    return {row["indexname"] for row in rows}


async def user_tables(url: str) -> set[str]:
    rows = await fetch(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row["tablename"] for row in rows}


async def test_upgrade_builds_the_reference_schema_exactly(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url)
    tables = REFERENCE["tables"]
    assert set(tables) <= await user_tables(scratch_url)
    total_columns = total_indexes = 0
    for table, expected in tables.items():
        assert await columns_of(scratch_url, table) == expected["columns"], table
        assert await index_names(scratch_url, table) == set(expected["indexes"]), table
        total_columns += len(expected["columns"])
        total_indexes += len(expected["indexes"])
    assert (len(tables), total_columns, total_indexes) == (19, 201, 83)
    labels = await fetch(
        scratch_url,
        """SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
           WHERE t.typname = 'content_type' ORDER BY e.enumsortorder""",
    )
    assert [row["enumlabel"] for row in labels] == REFERENCE["enums"]["content_type"]
    extensions = await fetch(scratch_url, "SELECT extname FROM pg_extension")
    assert {row["extname"] for row in extensions} == {"plpgsql"}


async def test_models_and_migrations_agree(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url)
    await migrations.check(scratch_url)


async def test_check_reports_drift(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url)
    dsn, extra = asyncpg_dsn(scratch_url)
    connection = await asyncpg.connect(dsn, **extra)
    await connection.execute("ALTER TABLE comicseries DROP COLUMN copyright")
    await connection.close()
    with pytest.raises(migrations.SchemaDriftError, match="copyright"):
        await migrations.check(scratch_url)


async def test_check_reports_a_missing_search_trigger(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url)
    dsn, extra = asyncpg_dsn(scratch_url)
    connection = await asyncpg.connect(dsn, **extra)
    await connection.execute("DROP TRIGGER creator_search_sync ON creator")
    await connection.close()
    with pytest.raises(migrations.SchemaDriftError, match="trigger creator_search_sync ON creator"):
        await migrations.check(scratch_url)


async def test_adopting_fills_the_search_index_from_the_existing_series(scratch_url: str) -> None:
    await make_original_database(scratch_url)
    dsn, extra = asyncpg_dsn(scratch_url)
    connection = await asyncpg.connect(dsn, **extra)
    await connection.execute(
        "INSERT INTO comicseries (uuid, name, tags, short_url)"
        " VALUES ('6b0f3c1e-1d2a-4f5b-8c9d-0e1f2a3b4c5d', 'Café Ángel', '{Dark Fantasy}', 'cafe')"
    )
    await connection.close()
    await migrations.adopt(scratch_url)
    rows = await fetch(scratch_url, "SELECT document::text AS document, tags FROM comicseries_search")
    assert [(row["document"], row["tags"]) for row in rows] == [
        ("'angel':2A 'cafe':1A 'dark':3B 'fantasy':4B", ["dark fantasy"])
    ]


async def test_downgrade_base_leaves_nothing(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url)
    await migrations.downgrade(scratch_url, "base")
    assert await user_tables(scratch_url) <= {"alembic_version"}
    types = await fetch(scratch_url, "SELECT typname FROM pg_type WHERE typname = 'content_type'")
    assert types == []
    sequences = await fetch(scratch_url, "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
    assert sequences == []


async def test_stairway_every_revision_goes_up_down_and_up(scratch_url: str) -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config(scratch_url))
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in revisions:
        await migrations.upgrade(scratch_url, revision.revision)
        await migrations.downgrade(scratch_url, revision.down_revision or "base")
        await migrations.upgrade(scratch_url, revision.revision)
    assert len(await user_tables(scratch_url)) >= 19


async def test_revision_0002_adds_our_side_table_on_top_and_removes_it_again(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url, "0002_taddy_entity_state")
    assert await user_tables(scratch_url) == {*REFERENCE["tables"], "taddy_entity_state", "alembic_version"}
    columns = await columns_of(scratch_url, "taddy_entity_state")
    assert [(column["name"], column["udt_name"], column["is_nullable"]) for column in columns] == [
        ("taddy_type", "varchar", "NO"),
        ("uuid", "uuid", "NO"),
        ("last_timestamp", "int8", "NO"),
        ("deleted", "bool", "NO"),
        ("updated_at", "timestamptz", "NO"),
    ]
    assert await index_names(scratch_url, "taddy_entity_state") == {"taddy_entity_state_pkey"}

    await migrations.downgrade(scratch_url, "0001_baseline")
    assert "taddy_entity_state" not in await user_tables(scratch_url)
    version = await fetch(scratch_url, "SELECT version_num FROM alembic_version")
    assert [row["version_num"] for row in version] == ["0001_baseline"]


async def make_original_database(url: str) -> None:
    """The schema as the original's knex migrations leave it: our baseline, no Alembic, knex's tables."""
    await migrations.upgrade(url, migrations.BASELINE)
    dsn, extra = asyncpg_dsn(url)
    connection = await asyncpg.connect(dsn, **extra)
    try:
        await connection.execute("DROP TABLE alembic_version")
        await connection.execute(
            "CREATE TABLE migrations (id serial PRIMARY KEY, name varchar(255), batch int, migration_time timestamptz)"
        )
        await connection.execute("CREATE TABLE migrations_lock (index serial PRIMARY KEY, is_locked int)")
    finally:
        await connection.close()


async def test_adopt_stamps_an_original_database_and_upgrades_it(scratch_url: str) -> None:
    await make_original_database(scratch_url)
    applied = await migrations.adopt(scratch_url)
    assert applied == [
        "0002_taddy_entity_state",
        "0003_queue_outbox",
        "0004_comicseries_search",
        "0005_outbox_retries",
        "0006_job_runs",
        "0007_deliveries",
    ]
    tables = await user_tables(scratch_url)
    assert {
        "taddy_entity_state",
        "queue_outbox",
        "comicseries_search",
        "job_runs",
        "notification_deliveries",
        "push_tickets",
        "migrations",
        "migrations_lock",
    } <= tables
    version = await fetch(scratch_url, "SELECT version_num FROM alembic_version")
    assert [row["version_num"] for row in version] == ["0007_deliveries"]
    await migrations.check(scratch_url)


async def test_adopt_refuses_a_different_schema_with_the_differences(scratch_url: str) -> None:
    await make_original_database(scratch_url)
    dsn, extra = asyncpg_dsn(scratch_url)
    connection = await asyncpg.connect(dsn, **extra)
    await connection.execute("ALTER TABLE creator DROP COLUMN bio")
    await connection.execute("ALTER TABLE users ADD COLUMN is_profile_setup boolean DEFAULT false")
    await connection.close()
    with pytest.raises(migrations.AdoptionRefusedError) as refused:
        await migrations.adopt(scratch_url)
    assert "bio" in str(refused.value)
    assert "is_profile_setup" in str(refused.value)
    assert "alembic_version" not in await user_tables(scratch_url)


async def test_adopt_refuses_a_managed_database(scratch_url: str) -> None:
    await migrations.upgrade(scratch_url)
    with pytest.raises(migrations.AdoptionRefusedError, match="already managed"):
        await migrations.adopt(scratch_url)


async def test_adopt_refuses_an_unrelated_database(scratch_url: str) -> None:
    with pytest.raises(migrations.AdoptionRefusedError, match="missing tables"):
        await migrations.adopt(scratch_url)
