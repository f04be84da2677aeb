"""Automatic persisted queries and GraphQL over GET with ETags, through HTTP."""

import hashlib
import json
from typing import Any

import httpx

from inkverse.api.app import build_app
from inkverse.container import build_container
from inkverse.settings import Settings

URL = "/api/graphql"
QUERY = "query Typename { __typename }"
QUERY_HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def persisted(sha256_hash: str, version: int = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256_hash}}


def get_params(sha256_hash: str, query: str | None = None) -> dict[str, str]:
    params = {"extensions": json.dumps(persisted(sha256_hash))}
    return params | ({"query": query} if query is not None else {})


async def test_a_registered_hash_answers_over_get_and_post(client: httpx.AsyncClient) -> None:
    registered = await client.post(URL, json={"query": QUERY, "extensions": persisted(QUERY_HASH)})
    assert registered.json() == {"data": {"__typename": "Query"}}

    by_get = await client.get(URL, params=get_params(QUERY_HASH))
    by_post = await client.post(URL, json={"extensions": persisted(QUERY_HASH)})

    assert by_get.status_code == by_post.status_code == 200
    assert by_get.json() == by_post.json() == {"data": {"__typename": "Query"}}


async def test_an_unknown_hash_asks_for_the_query(client: httpx.AsyncClient) -> None:
    unknown = hashlib.sha256(b"{ never sent }").hexdigest()
    by_post = await client.post(URL, json={"extensions": persisted(unknown)})
    by_get = await client.get(URL, params=get_params(unknown))
    for response in (by_post, by_get):
        assert response.status_code == 200
        assert response.json() == {
            "errors": [{"message": "PersistedQueryNotFound", "code": "PERSISTED_QUERY_NOT_FOUND"}]
        }


async def test_a_hash_that_is_not_the_querys_is_refused(client: httpx.AsyncClient) -> None:
    wrong = hashlib.sha256(b"{ something else }").hexdigest()
    response = await client.post(URL, json={"query": QUERY, "extensions": persisted(wrong)})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "message": "provided sha does not match query",
        "code": "BAD_REQUEST",
    }
    # and nothing was registered under it
    retry = await client.post(URL, json={"extensions": persisted(wrong)})
    assert retry.json()["errors"][0]["code"] == "PERSISTED_QUERY_NOT_FOUND"


async def test_an_unsupported_version_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post(URL, json={"query": QUERY, "extensions": persisted(QUERY_HASH, version=2)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "BAD_REQUEST"


async def test_a_persisted_mutation_over_get_is_refused(client: httpx.AsyncClient) -> None:
    mutation = "mutation M { __typename }"
    mutation_hash = hashlib.sha256(mutation.encode()).hexdigest()
    registering = await client.get(URL, params=get_params(mutation_hash, mutation))
    by_hash = await client.get(URL, params=get_params(mutation_hash))
    for response in (registering, by_hash):
        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert "ETag" not in response.headers


async def test_get_answers_carry_an_etag_and_revalidate_with_304(client: httpx.AsyncClient) -> None:
    first = await client.get(URL, params={"query": QUERY})
    etag = first.headers["etag"]

    again = await client.get(URL, params={"query": QUERY}, headers={"If-None-Match": etag})
    changed = await client.get(URL, params={"query": "{ kind: __typename }"}, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag


async def test_answers_to_a_token_bearing_get_are_private(client: httpx.AsyncClient) -> None:
    anonymous = await client.get(URL, params={"query": QUERY})
    signed_in = await client.get(URL, params={"query": QUERY}, headers={"Authorization": "Bearer nonsense"})
    assert anonymous.headers["cache-control"] != "private, no-store"
    assert signed_in.headers["cache-control"] == "private, no-store"


async def test_a_hash_registered_with_one_api_process_is_known_to_another(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Another process: its own container and app, the same Redis (as replicas behind a load balancer)."""
    registered = await client.post(URL, json={"query": QUERY, "extensions": persisted(QUERY_HASH)})
    assert registered.json() == {"data": {"__typename": "Query"}}

    other = build_container(settings, "test")
    transport = httpx.ASGITransport(app=build_app(other, settings))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://replica.test") as replica:
            by_get = await replica.get(URL, params=get_params(QUERY_HASH))
    finally:
        await other.close()
    assert by_get.json() == {"data": {"__typename": "Query"}}
