"""The schema: one root type merged from the per-domain query types."""

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, ParserCache, ValidationCache
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
from inkverse.settings import GraphQLSettings

DOCUMENT_CACHE_SIZE = 256


class InkverseSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """The HTTP layer logs server errors once, with the request id; Strawberry's own logging is off."""


def build_schema(limits: GraphQLSettings | None = None) -> strawberry.Schema:
    limits = limits or GraphQLSettings()
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
    max_tokens, max_aliases = limits.max_tokens, limits.max_aliases
    return InkverseSchema(
        query=query,
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
            # Parsing and validating cost more than executing most queries; clients send a few fixed
            # documents, so both results are kept (Strawberry's LRU caches, shared by the process).
            lambda: ParserCache(maxsize=DOCUMENT_CACHE_SIZE),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            InkverseValidationRules,
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE_SIZE),
        ],
    )
