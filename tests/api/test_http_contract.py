"""GraphQL over HTTP as the original server answered it (graphql.md §1.1, §1.2, §1.6)."""

import httpx
import pytest
from structlog.testing import capture_logs

URL = "/api/graphql"


async def test_success_shape_and_headers(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert response.text == '{"data":{"__typename":"Query"}}\n'


async def test_prefix_paths_reach_graphql(client: httpx.AsyncClient) -> None:
    response = await client.post(f"{URL}/anything", json={"query": "{ __typename }"})
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("{ __typename ", "Syntax Error: Expected Name, found <EOF>."),
        ("{ noSuchField }", "Cannot query field 'noSuchField' on type 'Query'."),
    ],
)
async def test_invalid_documents_are_400_invalid_query(
    client: httpx.AsyncClient, query: str, message: str
) -> None:
    response = await client.post(URL, json={"query": query})
    assert response.status_code == 400
    assert response.json() == {"errors": [{"message": message, "code": "INVALID_QUERY_OR_SYNTAX"}]}


async def test_variable_coercion_is_400_bad_user_input(client: httpx.AsyncClient) -> None:
    query = "query Q($u: ID) { getComicSeries(uuid: $u) { uuid } }"
    response = await client.post(URL, json={"query": query, "variables": {"u": [1]}})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "BAD_USER_INPUT"
    assert set(error) == {"message", "code"}


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"content": b"{bad", "headers": {"content-type": "application/json"}}, "Malformed JSON body"),
        ({"json": {}}, "POST body missing"),
        ({"json": [{"query": "{ __typename }"}]}, "batching disabled"),
        ({"json": {"variables": {}}}, "non-empty `query`"),
        (
            {"content": b"query={__typename}", "headers": {"content-type": "text/plain"}},
            "invalid Content-Type",
        ),
    ],
)
async def test_bad_requests_are_400_bad_request(
    client: httpx.AsyncClient, kwargs: dict[str, object], fragment: str
) -> None:
    response = await client.post(URL, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "BAD_REQUEST"
    assert fragment in error["message"]


async def test_unknown_operation_name(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"query": "query A { __typename }", "operationName": "B"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "OPERATION_RESOLUTION_FAILURE"


async def test_other_methods_are_405(client: httpx.AsyncClient) -> None:
    response = await client.put(URL, json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["code"] == "BAD_REQUEST"


async def test_resolver_errors_keep_partial_data(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"query": '{ getComicSeries(uuid: "not-a-uuid") { uuid } }'})
    assert response.status_code == 200
    assert response.json() == {
        "errors": [{"message": "not-a-uuid is not a valid uuid", "code": "BAD_USER_INPUT"}],
        "data": {"getComicSeries": None},
    }
    assert response.text.index('"errors"') < response.text.index('"data"')


async def test_cors_preflight_and_simple_requests(client: httpx.AsyncClient) -> None:
    preflight = await client.options(
        URL,
        headers={
            "Origin": "https://inkverse.co",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert preflight.headers["access-control-allow-methods"] == "GET,HEAD,POST,OPTIONS"
    assert preflight.headers["access-control-allow-headers"] == "content-type,authorization"
    assert preflight.headers["access-control-max-age"] == "3600"
    simple = await client.post(
        URL, json={"query": "{ __typename }"}, headers={"Origin": "https://inkverse.co"}
    )
    assert simple.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("path", ["/api/auth/exchange-otp", "/api/claim-creator/initiate"])
async def test_the_site_routes_allow_only_the_website(client: httpx.AsyncClient, path: str) -> None:
    preflight = await client.options(
        path,
        headers={
            "Origin": "https://elsewhere.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://inkverse.co"
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert preflight.headers["access-control-allow-headers"] == "content-type"
    assert "Origin" in preflight.headers["vary"]
    answer = await client.post(path, json={}, headers={"Origin": "https://inkverse.co"})
    assert answer.status_code in {400, 401}
    assert answer.headers["access-control-allow-origin"] == "https://inkverse.co"
    assert "Origin" in answer.headers["vary"]


async def test_other_routes_send_no_cors_headers(client: httpx.AsyncClient) -> None:
    response = await client.get("/api", headers={"Origin": "https://inkverse.co"})
    assert "access-control-allow-origin" not in response.headers


async def test_body_over_the_limit_is_413_before_parsing(client: httpx.AsyncClient) -> None:
    query = "{ " + "__typename " * 12_000 + "}"
    response = await client.post(URL, json={"query": query})
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "BAD_REQUEST"


async def test_too_many_tokens_are_refused(client: httpx.AsyncClient) -> None:
    query = "{ " + "__typename " * 9_000 + "}"
    response = await client.post(URL, json={"query": query})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "INVALID_QUERY_OR_SYNTAX"


async def test_too_many_aliases_are_refused(client: httpx.AsyncClient) -> None:
    aliases = " ".join(f"a{n}: __typename" for n in range(31))
    response = await client.post(URL, json={"query": f"{{ {aliases} }}"})
    assert response.status_code == 400
    assert "aliases" in response.json()["errors"][0]["message"]
    allowed = " ".join(f"a{n}: __typename" for n in range(30))
    assert (await client.post(URL, json={"query": f"{{ {allowed} }}"})).status_code == 200


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [100, 300, 1_500])
async def test_deeply_nested_variables_are_400(client: httpx.AsyncClient, depth: int) -> None:
    body = '{"query": "query Q($u: ID) { getComicSeries(uuid: $u) { uuid } }", "variables": {"u": %s}}'
    response = await client.post(
        URL, content=(body % nested_list(depth)).encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error == {"message": "JSON nested deeper than 64 levels.", "code": "BAD_REQUEST"}


async def test_deeply_nested_variables_over_get_are_400(client: httpx.AsyncClient) -> None:
    query = "query Q($u: ID) { getComicSeries(uuid: $u) { uuid } }"
    response = await client.get(
        URL, params={"query": query, "variables": '{"u": ' + nested_list(1_500) + "}"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "JSON nested deeper than 64 levels."


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query Q($name: String!) { getUserByUsername(username: $name) { id } }", {"name": "ab\u0000c"}),
        ('{ getUserByUsername(username: "ab\\u0000c") { id } }', {}),
        ('{ getComicSeries(shortUrl: "x\\u0000") { uuid } }', {}),
        ("query Q($s: String) { getCreator(shortUrl: $s) { uuid } }", {"s": "\u0000"}),
    ],
)
async def test_nul_in_a_string_argument_is_bad_user_input(
    client: httpx.AsyncClient, query: str, variables: dict[str, str]
) -> None:
    with capture_logs() as logs:
        response = await client.post(URL, json={"query": query, "variables": variables})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == "BAD_USER_INPUT"
    assert "U+0000" in error["message"]
    assert [entry for entry in logs if entry["log_level"] == "error"] == []


async def test_an_escaped_backslash_before_u0000_is_an_ordinary_string(client: httpx.AsyncClient) -> None:
    query = '{ getComicSeries(shortUrl: "x\\\\u0000") { uuid } }'
    response = await client.post(URL, json={"query": query})
    assert response.status_code == 200
    assert response.json() == {"data": {"getComicSeries": None}}
