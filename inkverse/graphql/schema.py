"""The schema: one root type merged from the per-domain query types."""

import strawberry
from graphql import GraphQLError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from inkverse.graphql.comics import ComicsQuery
from inkverse.graphql.comments import CommentsQuery
from inkverse.graphql.creators import CreatorsQuery
from inkverse.graphql.documentation import DocumentationQuery
from inkverse.graphql.home import HomeQuery
from inkverse.graphql.search import SearchQuery
from inkverse.graphql.stats import StatsQuery
from inkverse.graphql.users import UsersQuery
from inkverse.graphql.validators.extension import InkverseValidationRules


class InkverseSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """The HTTP layer logs server errors once, with the request id; Strawberry's own logging is off."""


def build_schema() -> strawberry.Schema:
    query = merge_types(
        "Query",
        (
            ComicsQuery,
            CreatorsQuery,
            DocumentationQuery,
            HomeQuery,
            SearchQuery,
            UsersQuery,
            StatsQuery,
            CommentsQuery,
        ),
    )
    return InkverseSchema(query=query, extensions=[InkverseValidationRules])
