"""The editorial data file: curated lists and the most-popular series.

The project ships `data/curated-lists.json` (the original's lists); an operator points
`INKVERSE_EDITORIAL_FILE` at their own copy to change them without a release. The file is read once at
startup and validated, so a broken file stops the process with the reason instead of failing requests.
"""

import json
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from inkverse.errors import ConfigurationError

BUNDLED = "data/curated-lists.json"


class CuratedList(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    id: str
    name: str
    description: str | None = None
    banner_image_url: str | None = Field(default=None, alias="bannerImageUrl")
    type: Literal["COMICSERIES", "COMICISSUES", "CREATORS"] = "COMICSERIES"
    privacy_type: Literal["PUBLIC", "PRIVATE"] = Field(default="PUBLIC", alias="privacyType")
    user_id: int = Field(alias="userId")
    comic_series_uuids: list[str] = Field(default_factory=list, alias="comicSeriesUuids")


class EditorialData(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    most_popular_comic_series_uuids: list[str] = Field(alias="mostPopularComicSeriesUuids")
    curated_lists: list[CuratedList] = Field(alias="curatedLists")
    home_screen_list_ids: list[str] = Field(default=["4", "2", "3", "8", "10", "5", "6", "9", "7"],
                                            alias="homeScreenListIds")  # fmt: skip

    def list_by_id(self, list_id: str) -> CuratedList | None:
        return next((item for item in self.curated_lists if item.id == list_id), None)

    def home_screen_lists(self) -> list[CuratedList]:
        return [
            item for list_id in self.home_screen_list_ids if (item := self.list_by_id(list_id)) is not None
        ]

    def featured_series_uuids(self) -> list[str]:
        """Every series of every curated list, once, in list order."""
        return list(dict.fromkeys(uuid for item in self.curated_lists for uuid in item.comic_series_uuids))


def load_editorial(path: Path | None = None) -> EditorialData:
    try:
        text = path.read_text() if path else files("inkverse.lists").joinpath(BUNDLED).read_text()
        return EditorialData.model_validate(json.loads(text))
    except (OSError, json.JSONDecodeError, PydanticValidationError) as exc:
        where = str(path) if path else BUNDLED
        raise ConfigurationError(
            f"INKVERSE_EDITORIAL_FILE: {where} is not a valid editorial file ({exc})"
        ) from None
