"""Seed the catalog through the same writers the worker uses, then query it over HTTP."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from inkverse.database.engine import make_sessionmaker
from tests.fixtures.catalog import EventApplier

Query = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_sessionmaker(engine)


@pytest.fixture
def events(sessionmaker: async_sessionmaker[AsyncSession]) -> EventApplier:
    return EventApplier(sessionmaker)


@pytest.fixture
def gql(client: httpx.AsyncClient, engine: AsyncEngine) -> Query:
    """POST a query; returns the JSON body (asserting HTTP 200)."""

    async def run(query: str, status: int = 200, **variables: Any) -> dict[str, Any]:
        response = await client.post("/api/graphql", json={"query": query, "variables": variables})
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        return body

    return run
