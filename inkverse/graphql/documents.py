"""Parsing and validation once per distinct document text.

Clients send a few fixed documents, and parsing and validating one costs more than executing most
queries. `DocumentCache` keeps both results per document text in bounded LRUs shared by the process:
the validation rules are fixed per schema, so the text alone decides the result (Strawberry's
`ValidationCache` hashes the whole syntax tree on every request instead).
"""

from collections.abc import Callable
from functools import lru_cache, partial

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse, specified_rules
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
        # graphql-core's specified rules first, as Strawberry runs them (it adds two of its own).
        self._rules = (*specified_rules, *rules)
        self._errors: dict[str, list[GraphQLError]] = {}
        self._maxsize = maxsize

    def validation_errors(
        self, schema: GraphQLSchema, query: str, document: DocumentNode
    ) -> list[GraphQLError]:
        errors = self._errors.get(query)
        if errors is None:
            errors = validate_document(schema, document, self._rules)
            if len(self._errors) >= self._maxsize:
                self._errors.pop(next(iter(self._errors)))  # the oldest entry
            self._errors[query] = errors
        return errors
