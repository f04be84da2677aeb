"""Production mode (graphql.md §1.6): internal messages never reach clients; user-input messages do."""

from collections.abc import AsyncIterator

import httpx
import pytest
from dishka import AsyncContainer
from graphql import GraphQLError

from inkverse.api.app import build_app
from inkverse.errors import ConfigurationError, ObjectNotFoundError
from inkverse.graphql.errors import format_error
from inkverse.settings import Environment, ServerSettings, Settings
from tests.fixtures.fake_notion import FakeNotion
from tests.fixtures.fake_taddy import FakeTaddy
from tests.graphql.conftest import URL, Query, client_for, query_runner, with_fakes

DOCUMENTATION = "query D($id: ID!) { getDocumentation(id: $id) { id text } }"
MASKED = {"message": "An error occurred", "code": "INKVERSE_SERVER_ERROR"}


def production(settings: Settings) -> Settings:
    return settings.model_copy(update={"server": ServerSettings(env=Environment.PRODUCTION)})


@pytest.fixture
async def production_client(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion
) -> AsyncIterator[httpx.AsyncClient]:
    assert settings.taddy.webhook_secret is not None  # production refuses to start without one
    async with client_for(production(with_fakes(settings, fake_taddy, fake_notion))) as http:
        yield http


@pytest.fixture
def production_gql(production_client: httpx.AsyncClient) -> Query:
    return query_runner(production_client)


async def test_server_errors_are_masked(production_gql: Query, fake_notion: FakeNotion) -> None:
    not_listed = await production_gql(DOCUMENTATION, id="/internal-page")
    assert not_listed == {"errors": [MASKED], "data": {"getDocumentation": None}}
    fake_notion.fail_with(502)
    notion_down = await production_gql(DOCUMENTATION, id="/about-us")
    assert notion_down == {"errors": [MASKED], "data": {"getDocumentation": None}}


async def test_bad_user_input_messages_pass(production_gql: Query) -> None:
    body = await production_gql('{ getComicSeries(uuid: "123") { uuid } getCreatorContent { uuid } }')
    assert body == {
        "errors": [{"message": "123 is not a valid uuid", "code": "BAD_USER_INPUT"}],
        "data": {"getComicSeries": None, "getCreatorContent": None},
    }
    bounds = await production_gql("{ getRecentlyAddedComicSeries(page: 9) { id } }")
    assert bounds["errors"] == [{"message": "page must be between 1 and 8", "code": "BAD_USER_INPUT"}]


async def test_partial_data_keeps_the_fields_that_worked(production_gql: Query) -> None:
    body = await production_gql('{ getDocumentation(id: "/nope") { id } getList(id: "1") { id name } }')
    assert body["errors"] == [MASKED]
    assert body["data"] == {"getDocumentation": None, "getList": {"id": "1", "name": "Most Recommended"}}


async def test_request_errors_keep_their_codes(production_gql: Query) -> None:
    invalid = await production_gql("{ getComicSeries { nope } }", status=400)
    assert invalid["errors"][0]["code"] == "INVALID_QUERY_OR_SYNTAX"
    coercion = await production_gql(
        "query Q($u: ID) { getComicSeries(uuid: $u) { uuid } }", status=400, u=[1]
    )
    assert coercion["errors"][0]["code"] == "BAD_USER_INPUT"


async def test_graphiql_is_off(production_client: httpx.AsyncClient) -> None:
    response = await production_client.get(URL, headers={"Accept": "text/html"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/json")


def test_production_needs_a_webhook_secret(settings: Settings, container: AsyncContainer) -> None:
    unsecured = production(settings).model_copy(
        update={"taddy": settings.taddy.model_copy(update={"webhook_secret": None})}
    )
    with pytest.raises(ConfigurationError, match="TADDY_WEBHOOK_SECRET"):
        build_app(container, unsecured)


def test_not_found_messages_are_masked() -> None:
    missing = GraphQLError(
        "no object 'private/key' in bucket 'ink0'", original_error=ObjectNotFoundError("ink0", "private/key")
    )
    assert "ink0" in format_error(missing, production=False)["message"]
    assert format_error(missing, production=True) == {
        "message": "An error occurred",
        "code": "BAD_USER_INPUT",
    }
