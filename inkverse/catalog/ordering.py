"""SQL fragments shared by the catalog's lists."""

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import InstrumentedAttribute

from inkverse.catalog_enums import SortOrder


def position_order(
    column: InstrumentedAttribute[int | None], sort_order: SortOrder
) -> ColumnElement[int | None]:
    """OLDEST ascending; LATEST and SEARCH descending; a missing position always last."""
    ordered = column.asc() if sort_order is SortOrder.OLDEST else column.desc()
    return ordered.nulls_last()


def is_live(removed: InstrumentedAttribute[bool | None]) -> ColumnElement[bool]:
    """Not removed: `is_removed` NULL (never removed) or false."""
    return or_(removed.is_(None), removed.is_(False))


def page_offset(page: int, limit: int) -> int:
    """Rows to skip for a 1-based page (a page below 1 reads as the first)."""
    return (max(page, 1) - 1) * limit
