"""Our own search index of the catalogue (revision 0004): one row per series, kept by PostgreSQL itself.

`comicseries_search` sits beside the reference tables, so they stay exactly as the original built them.
Triggers on `comicseries`, `creator` and `creatorcontent` rewrite a series' row in the same transaction
as any write to those tables (webhook writers, Taddy imports, `inkverse seed`'s COPY, manual SQL), so
the index can never lag behind the catalogue and no writer has to remember it.

`document` weighs the series name A, its tags B, its creators' names C and its description D, all
folded by `inkverse_search_fold` (lower case, accents stripped: the embedded PostgreSQL has no
`unaccent`). `tags` holds the folded tags for the case-insensitive tag filter.

Alembic's autogenerate does not see functions and triggers: `inkverse db check` compares the names
below with the database as well (`inkverse.database.migrations.check`).
"""

from sqlalchemy import Index, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from inkverse.database.base import Base

FOLD_FUNCTION = "inkverse_search_fold"
SEARCH_FUNCTIONS = frozenset(
    {
        FOLD_FUNCTION,
        "comicseries_search_refresh",
        "comicseries_search_on_series",
        "comicseries_search_on_creator",
        "comicseries_search_on_creatorcontent",
    }
)
# trigger name -> the table it is on
SEARCH_TRIGGERS = {
    "comicseries_search_sync": "comicseries",
    "creator_search_sync": "creator",
    "creatorcontent_search_sync": "creatorcontent",
}
TEXT_SEARCH_CONFIG = "simple"


class ComicSeriesSearch(Base):
    """The search document of one series (`comicseries_search`)."""

    __tablename__ = "comicseries_search"
    __table_args__ = (
        Index("comicseries_search_document_index", "document", postgresql_using="gin"),
        Index("comicseries_search_tags_index", "tags", postgresql_using="gin"),
    )

    series_uuid: Mapped[str] = mapped_column(Uuid(as_uuid=False), primary_key=True)
    document: Mapped[str] = mapped_column(TSVECTOR)
    tags: Mapped[list[str]] = mapped_column(ARRAY(Text))
