"""The module structure the README promises: dependency directions and one source per enum."""

import ast
from enum import Enum
from pathlib import Path

import pytest

from inkverse import catalog_enums
from inkverse.catalog.events import TaddyType
from inkverse.catalog.writes import CatalogWriter
from inkverse.graphql import enums as graphql_enums
from inkverse.taddy.processing import WRITERS

PACKAGE = Path(__file__).resolve().parents[2] / "inkverse"
# Taddy's API client is infrastructure (layout.md), unlike the webhook pipeline around it.
TADDY_API_CLIENT = frozenset({"inkverse.taddy.client", "inkverse.taddy.queries"})


def imported_modules(source: Path) -> set[str]:
    tree = ast.parse(source.read_text())
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


@pytest.mark.parametrize("package", ["catalog", "comics", "creators"])
def test_the_catalog_never_imports_the_webhook_pipeline(package: str) -> None:
    offending = {
        f"{source.relative_to(PACKAGE)}: {module}"
        for source in (PACKAGE / package).rglob("*.py")
        for module in imported_modules(source)
        if (module == "inkverse.taddy" or module.startswith("inkverse.taddy."))
        and module not in TADDY_API_CLIENT
    }
    assert offending == set()


CATALOG_ENUMS: list[type[Enum]] = [
    catalog_enums.SortOrder,
    catalog_enums.Country,
    catalog_enums.Language,
    catalog_enums.Genre,
    catalog_enums.ContentRating,
    catalog_enums.ContentRole,
    TaddyType,
    catalog_enums.InkverseType,
    catalog_enums.SeriesStatus,
    catalog_enums.ComicSeriesType,
    catalog_enums.ComicSeriesLayoutType,
    catalog_enums.LinkType,
    catalog_enums.TrendingMetric,
    catalog_enums.TrendingPeriod,
]


@pytest.mark.parametrize("domain_enum", CATALOG_ENUMS, ids=lambda enum_class: enum_class.__name__)
def test_each_graphql_catalog_enum_is_the_domain_enum(domain_enum: type[Enum]) -> None:
    assert getattr(graphql_enums, domain_enum.__name__) is domain_enum


def test_every_webhook_writer_shares_the_one_dispatch() -> None:
    for writer in WRITERS.values():
        assert isinstance(writer, type)
        assert issubclass(writer, CatalogWriter)
        assert "apply" not in vars(writer)
