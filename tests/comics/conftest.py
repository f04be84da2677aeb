"""Fixtures of the comics tests: sessions on the test database and an applier of Taddy events."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database.engine import make_sessionmaker
from tests.fixtures.catalog import EventApplier


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test database; every table is emptied after the test (the `engine` fixture)."""
    return make_sessionmaker(engine)


@pytest.fixture
def events(sessionmaker: async_sessionmaker[AsyncSession]) -> EventApplier:
    return EventApplier(sessionmaker)
