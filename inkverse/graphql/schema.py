"""The schema: one root type merged from the per-domain query types."""

import strawberry
from strawberry.tools import merge_types

from inkverse.graphql.comics import ComicsQuery


def build_schema() -> strawberry.Schema:
    query = merge_types("Query", (ComicsQuery,))
    return strawberry.Schema(query=query)
