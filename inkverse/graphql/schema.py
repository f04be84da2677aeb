"""The schema: the root types merged from the per-domain query and mutation types."""

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeGuard, cast

import strawberry
from graphql import DocumentNode, GraphQLError, execute
from strawberry.exceptions import MissingQueryError
from strawberry.execution import optimized_is_awaitable
from strawberry.extensions.max_aliases import create_validator
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.types.graphql import OperationType
from strawberry.utils.await_maybe import await_maybe
from strawberry.utils.operation import get_first_operation, get_operation_type

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
from inkverse.graphql.execution import PlainFieldExecutionContext, SelectionCache, mark_plain_fields
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
    """Runs a request as Strawberry does, minus its extension machinery (which enters and leaves four
    contexts per request, for extensions this schema does not have): each document text is parsed and
    validated once (`DocumentCache`), the operation type checked, then graphql-core executes."""

    def __init__(self, *args: Any, documents: DocumentCache, **kwargs: Any) -> None:
        if kwargs.get("extensions"):
            raise ValueError("InkverseSchema runs no schema extensions")
        super().__init__(*args, **kwargs)
        self._documents = documents
        self._selections = SelectionCache(DOCUMENT_CACHE_SIZE)

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        if not query:
            raise MissingQueryError
        try:
            document = self._documents.parse(query)
        except Exception as error:  # noqa: BLE001 - a syntax error (or too many tokens) is the answer
            return PreExecutionError(data=None, errors=[_graphql_error(error)])
        _check_operation_type(document, operation_name, allowed_operation_types)
        errors = self._documents.validation_errors(self._schema, query, document)
        if errors:
            return PreExecutionError(data=None, errors=errors)
        try:
            result = await await_maybe(
                execute(
                    self._schema,
                    document,
                    root_value=root_value,
                    context_value=context_value,
                    variable_values=variable_values,
                    operation_name=operation_name,
                    executor_class=self.execution_context_class,
                    is_awaitable=_IS_AWAITABLE,
                    selections=self._selections,
                )
            )
        except Exception as error:  # noqa: BLE001 - as Strawberry: a failure of the request, not a field
            return PreExecutionError(data=None, errors=[_graphql_error(error)])
        return ExecutionResult(data=result.data, errors=result.errors)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """The HTTP layer logs server errors once, with the request id; Strawberry's own logging is off."""


# Strawberry's check (a fast path for plain values), typed as graphql-core's.
_IS_AWAITABLE = cast("Callable[[Any], TypeGuard[Awaitable[Any]]]", optimized_is_awaitable)


def _check_operation_type(
    document: DocumentNode, operation_name: str | None, allowed: Iterable[OperationType] | None
) -> None:
    try:
        operation_type = get_operation_type(document, operation_name)
    except RuntimeError as error:
        if operation_name is None and (first := get_first_operation(document)) and first.name:
            operation_name = first.name.value
        raise CannotGetOperationTypeError(operation_name) from error
    if operation_type not in (allowed or (OperationType.QUERY, OperationType.MUTATION)):
        raise InvalidOperationTypeError(operation_type)


def _graphql_error(error: Exception) -> GraphQLError:
    return error if isinstance(error, GraphQLError) else GraphQLError(str(error), original_error=error)


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
        documents=documents,
    )
    mark_plain_fields(schema._schema)  # noqa: SLF001 - the graphql-core schema Strawberry built
    return schema
