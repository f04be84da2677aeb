"""The schema: the root types merged from the per-domain query and mutation types."""

import strawberry
from graphql import GraphQLError
from strawberry.extensions.max_aliases import create_validator
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from inkverse.graphql.account import AccountMutation
from inkverse.graphql.claims import ClaimsQuery
from inkverse.graphql.comics import ComicsQuery
from inkverse.graphql.comments import (
    CommentsMutation,
    CommentsQuery,
    SeriesReportMutation,
    UserCommentsQuery,
)
from inkverse.graphql.connections import ConnectionsMutation, ConnectionsQuery
from inkverse.graphql.creators import CreatorsQuery
from inkverse.graphql.documentation import DocumentationQuery
from inkverse.graphql.documents import DocumentCache
from inkverse.graphql.execution import PlainFieldExecutionContext, mark_plain_fields
from inkverse.graphql.home import HomeQuery
from inkverse.graphql.notifications import (
    UNREACHABLE_TYPES,
    NotificationSettingsMutation,
    NotificationsQuery,
    PushTokenMutation,
)
from inkverse.graphql.reading import (
    ReaderSeriesMutation,
    ReaderSeriesQuery,
    SubscribedComicsQuery,
    SubscribeManyMutation,
)
from inkverse.graphql.search import SearchQuery
from inkverse.graphql.stats import StatsQuery
from inkverse.graphql.users import CannyQuery, UsersQuery
from inkverse.graphql.validators import VALIDATION_RULES
from inkverse.settings import GraphQLSettings

DOCUMENT_CACHE_SIZE = 256

# Per-domain mutation types, merged into `Mutation` in this order (graphql.md §2.7).
MUTATION_TYPES: tuple[type, ...] = (
    SeriesReportMutation,
    AccountMutation,
    ConnectionsMutation,
    SubscribeManyMutation,
    PushTokenMutation,
    ReaderSeriesMutation,
    CommentsMutation,
    NotificationSettingsMutation,
)


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
            ConnectionsQuery,
            SubscribedComicsQuery,
            CannyQuery,
            ClaimsQuery,
            ReaderSeriesQuery,
            StatsQuery,
            CommentsQuery,
            UserCommentsQuery,
            NotificationsQuery,
        ),
    )
    documents = DocumentCache(
        max_tokens=limits.max_tokens,
        # The alias limit's rule class is built once: a class per request (as Strawberry's
        # `MaxAliasesLimiter` builds it) would also defeat any cache keyed by the rules.
        rules=(create_validator(limits.max_aliases), *VALIDATION_RULES),
        maxsize=DOCUMENT_CACHE_SIZE,
    )
    mutation = merge_types("Mutation", MUTATION_TYPES) if MUTATION_TYPES else None
    schema = InkverseSchema(
        query=query,
        mutation=mutation,
        types=UNREACHABLE_TYPES,
        execution_context_class=PlainFieldExecutionContext,
        extensions=[documents.extension],
    )
    mark_plain_fields(schema._schema)  # noqa: SLF001 - the graphql-core schema Strawberry built
    return schema
