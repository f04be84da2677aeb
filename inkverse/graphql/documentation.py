"""`getDocumentation`: a website page (by its path) read live from Notion."""

import json

import strawberry

from inkverse.graphql.context import Context
from inkverse.graphql.errors import ExpectedServerError
from inkverse.notion.client import NotionClient
from inkverse.notion.pages import DocumentationPages

Info = strawberry.Info[Context, None]


class DocumentationNotFoundError(ExpectedServerError):
    """The path is not a documentation page (a server error, as in the original, logged as a warning)."""

    def __init__(self, page_id: str) -> None:
        super().__init__(f"Notion page not found for id: {page_id}")


@strawberry.type
class Documentation:
    id: strawberry.ID | None
    text: str | None


@strawberry.type
class DocumentationQuery:
    @strawberry.field
    async def get_documentation(self, info: Info, id: strawberry.ID) -> Documentation | None:  # noqa: A002 - contract
        pages = await info.context.container.get(DocumentationPages)
        notion_page_id = pages.notion_page_id(str(id))
        if notion_page_id is None:
            raise DocumentationNotFoundError(str(id))
        notion = await info.context.container.get(NotionClient)
        record_map = await notion.load_page(notion_page_id)
        return Documentation(id=id, text=json.dumps(record_map, separators=(",", ":"), ensure_ascii=False))
