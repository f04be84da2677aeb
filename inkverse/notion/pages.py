"""The documentation pages: which website paths `getDocumentation` serves, and their Notion pages.

The project ships `data/documentation-pages.json` (the website's pages); an operator points
`INKVERSE_DOCUMENTATION_FILE` at their own copy to add, move or re-point pages without a release. A page
may be listed without a Notion page id (known path, page not published yet). The file is read once at
startup and validated, so a broken file stops the process with the reason.
"""

import json
import re
import uuid
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from inkverse.errors import ConfigurationError

BUNDLED = "data/documentation-pages.json"
_NOTION_ID = re.compile(r"^[0-9a-f]{32}$")


class DocumentationPage(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    path: str = Field(pattern=r"^/")
    notion_page_id: str | None = Field(default=None, alias="notionPageId")

    @field_validator("notion_page_id")
    @classmethod
    def _notion_id(cls, value: str | None) -> str | None:
        """Notion shows ids with or without dashes; both are stored as the 32 hex digits."""
        if value is None:
            return None
        compact = value.replace("-", "").lower()
        if not _NOTION_ID.match(compact):
            raise ValueError("must be a Notion page id (32 hex digits, dashes allowed)")
        return compact


class DocumentationPages(BaseModel):
    model_config = ConfigDict(frozen=True)

    pages: list[DocumentationPage]

    def notion_page_id(self, path: str) -> str | None:
        """The Notion page (as a dashed UUID, the form Notion's API takes) of a listed path, else None."""
        page = next((page for page in self.pages if page.path == path), None)
        if page is None or page.notion_page_id is None:
            return None
        return str(uuid.UUID(page.notion_page_id))


def load_documentation_pages(path: Path | None = None) -> DocumentationPages:
    try:
        text = path.read_text() if path else files("inkverse.notion").joinpath(BUNDLED).read_text()
        return DocumentationPages.model_validate(json.loads(text))
    except (OSError, json.JSONDecodeError, PydanticValidationError) as exc:
        where = str(path) if path else BUNDLED
        raise ConfigurationError(
            f"INKVERSE_DOCUMENTATION_FILE: {where} is not a valid documentation file ({exc})"
        ) from None
