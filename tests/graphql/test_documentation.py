"""`getDocumentation`: website paths served from Notion through the whitelist of documentation pages."""

import json
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from inkverse.errors import ConfigurationError
from inkverse.notion.client import content_block_ids
from inkverse.notion.pages import load_documentation_pages
from inkverse.settings import ServerSettings, Settings
from tests.fixtures.fake_notion import FakeNotion
from tests.fixtures.fake_taddy import FakeTaddy
from tests.graphql.conftest import Query, client_for, query_runner, with_fakes

QUERY = "query Doc($id: ID!) { getDocumentation(id: $id) { id text } }"
TERMS_PAGE = "ce1fc05e-5ae3-4772-84eb-da8cbe8f506e"


async def test_a_listed_path_returns_the_notion_record_map(wired_gql: Query, fake_notion: FakeNotion) -> None:
    record_map = fake_notion.add_page(TERMS_PAGE, "Terms of Service")
    body = await wired_gql(QUERY, id="/terms-of-service")
    assert "errors" not in body
    page = body["data"]["getDocumentation"]
    assert page["id"] == "/terms-of-service"
    assert json.loads(page["text"]) == {**record_map, "collection": {}}
    [(endpoint, request)] = fake_notion.requests
    assert endpoint == "loadPageChunk"
    assert request == {
        "pageId": TERMS_PAGE,
        "limit": 100,
        "chunkNumber": 0,
        "cursor": {"stack": []},
        "verticalColumns": False,
    }
    assert fake_notion.user_agents[0].startswith("Mozilla/5.0")


async def test_blocks_left_out_of_the_first_chunk_are_fetched(
    wired_gql: Query, fake_notion: FakeNotion
) -> None:
    record_map = fake_notion.add_page(TERMS_PAGE, "Terms of Service", paragraphs=250)
    fake_notion.chunk_limit = 100
    body = await wired_gql(QUERY, id="/terms-of-service")
    blocks = json.loads(body["data"]["getDocumentation"]["text"])["block"]
    assert blocks == record_map["block"]
    assert [endpoint for endpoint, _ in fake_notion.requests] == ["loadPageChunk", "syncRecordValues"]
    assert len(fake_notion.requests[1][1]["requests"]) == 151


@pytest.mark.parametrize("path", ["/nope", "/terms-of-service/", "terms-of-service", ""])
async def test_an_unknown_path_is_the_reference_server_error(
    wired_gql: Query, fake_notion: FakeNotion, path: str
) -> None:
    with capture_logs() as logs:
        body = await wired_gql(QUERY, id=path)
    assert body == {
        "errors": [{"message": f"Notion page not found for id: {path}", "code": "INKVERSE_SERVER_ERROR"}],
        "data": {"getDocumentation": None},
    }
    assert fake_notion.requests == []
    assert [entry for entry in logs if entry["log_level"] in {"error", "critical"}] == []
    [refused] = [entry for entry in logs if entry["event"] == "graphql.resolver_refused"]
    assert refused["log_level"] == "warning"
    assert refused["error"] == f"Notion page not found for id: {path}"
    assert "exc_info" not in refused


async def test_notion_down_is_a_clear_logged_server_error(wired_gql: Query, fake_notion: FakeNotion) -> None:
    fake_notion.fail_with(502)
    with capture_logs() as logs:
        body = await wired_gql(QUERY, id="/terms-of-service")
    assert body["errors"] == [{"message": "Notion answered HTTP 502", "code": "INKVERSE_SERVER_ERROR"}]
    assert body["data"] == {"getDocumentation": None}
    failed = [entry for entry in logs if entry["event"] == "notion.page_failed"]
    assert failed == [
        {"event": "notion.page_failed", "page_id": TERMS_PAGE, "reason": "Notion answered HTTP 502",
         "log_level": "warning"}
    ]  # fmt: skip
    assert any(entry["event"] == "graphql.resolver_failed" for entry in logs)


async def test_notion_unreachable(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion
) -> None:
    wired = with_fakes(settings, fake_taddy, fake_notion)
    unreachable = wired.model_copy(
        update={"notion": wired.notion.model_copy(update={"api_url": "http://127.0.0.1:9/api/v3"})}
    )
    async with client_for(unreachable) as http:
        body = await query_runner(http)(QUERY, id="/about-us")
    assert body["errors"] == [
        {"message": "Notion unreachable: ClientConnectorError", "code": "INKVERSE_SERVER_ERROR"}
    ]


async def test_the_operator_file_replaces_the_bundled_pages(
    settings: Settings, engine: object, fake_taddy: FakeTaddy, fake_notion: FakeNotion, tmp_path: Path
) -> None:
    pages = tmp_path / "pages.json"
    pages.write_text(
        json.dumps(
            {
                "pages": [
                    {"path": "/press", "notionPageId": "0123456789abcdef0123456789ABCDEF"},
                    {"path": "/coming-soon", "notionPageId": None},
                ]
            }
        )
    )
    record_map = fake_notion.add_page("01234567-89ab-cdef-0123-456789abcdef", "Press")
    wired = with_fakes(settings, fake_taddy, fake_notion)
    custom = wired.model_copy(
        update={"server": ServerSettings(env=wired.server.env, documentation_file=pages)}
    )
    async with client_for(custom) as http:
        run = query_runner(http)
        press = await run(QUERY, id="/press")
        coming = await run(QUERY, id="/coming-soon")
        bundled = await run(QUERY, id="/terms-of-service")
    assert json.loads(press["data"]["getDocumentation"]["text"])["block"] == record_map["block"]
    assert coming["errors"][0]["message"] == "Notion page not found for id: /coming-soon"
    assert bundled["errors"][0]["message"] == "Notion page not found for id: /terms-of-service"


def test_the_bundled_pages_are_the_website_paths() -> None:
    pages = load_documentation_pages()
    paths = [page.path for page in pages.pages]
    assert len(paths) == len(set(paths)) == 25
    assert {"/", "/support", "/blog", "/updates", "/brand-kit", "/about-us", "/open-source"} <= set(paths)
    assert sum(path.startswith("/blog/") for path in paths) == 9
    assert sum(path.startswith("/updates/") for path in paths) == 3
    assert pages.notion_page_id("/terms-of-service") == TERMS_PAGE
    assert all(page.notion_page_id for page in pages.pages)


@pytest.mark.parametrize(
    "content",
    ["not json", '{"pages": [{"path": "no-slash"}]}', '{"pages": [{"path": "/x", "notionPageId": "zz"}]}'],
)
def test_a_broken_operator_file_names_the_setting(tmp_path: Path, content: str) -> None:
    broken = tmp_path / "pages.json"
    broken.write_text(content)
    with pytest.raises(ConfigurationError, match=r"^INKVERSE_DOCUMENTATION_FILE: "):
        load_documentation_pages(broken)


def test_the_page_tree_stops_at_sub_pages() -> None:
    def record(block_type: str, content: list[str] | None = None, **format_: Any) -> dict[str, Any]:
        return {"role": "reader", "value": {"type": block_type, "content": content or [], "format": format_}}

    blocks = {
        "page": record("page", ["toggle", "sub-page", "synced"]),
        "toggle": record("toggle", ["nested"]),
        "sub-page": record("page", ["not-followed"]),
        "synced": record("transclusion_reference", transclusion_reference_pointer={"id": "original"}),
    }
    assert content_block_ids(blocks, "page") == ["page", "toggle", "nested", "sub-page", "synced", "original"]
