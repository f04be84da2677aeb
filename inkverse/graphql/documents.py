"""Parsing and validation once per distinct document text, as one Strawberry schema extension.

Clients send a few fixed documents, and parsing and validating one costs more than executing most
queries. `DocumentCache` keeps both results per document text in bounded LRUs shared by the process:
the validation rules are fixed per schema, so the text alone decides the result (Strawberry's
`ValidationCache` hashes the whole syntax tree on every request instead). One extension rather than one
per concern, since Strawberry's per-request cost grows with each extension's hooks.
"""

from collections.abc import Callable, Iterator
from functools import lru_cache, partial

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document


class DocumentCache:
    def __init__(
        self,
        *,
        max_tokens: int,
        rules: tuple[type[ASTValidationRule], ...],
        maxsize: int,
    ) -> None:
        self.parse: Callable[[str], DocumentNode] = lru_cache(maxsize=maxsize)(
            partial(parse, max_tokens=max_tokens)
        )
        self._rules = rules
        self._errors: dict[str, list[GraphQLError]] = {}
        self._maxsize = maxsize

    def validation_errors(
        self,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        default_rules: tuple[type[ASTValidationRule], ...],
    ) -> list[GraphQLError]:
        errors = self._errors.get(query)
        if errors is None:
            errors = validate_document(schema, document, (*default_rules, *self._rules))
            if len(self._errors) >= self._maxsize:
                self._errors.pop(next(iter(self._errors)))  # the oldest entry
            self._errors[query] = errors
        return errors

    def extension(self) -> "CachedDocuments":
        return CachedDocuments(self)


class CachedDocuments(SchemaExtension):
    def __init__(self, cache: DocumentCache) -> None:
        self._cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            context.graphql_document = self._cache.parse(context.query)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is not None:
            context.pre_execution_errors = self._cache.validation_errors(
                context.schema._schema,  # noqa: SLF001 - the graphql-core schema Strawberry built
                context.query,
                context.graphql_document,
                context.validation_rules,
            )
        yield
