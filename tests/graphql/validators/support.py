"""Running a document through graphql-core's validation, as the server does."""

from collections.abc import Sequence

from graphql import ASTValidationRule, GraphQLSchema, parse, specified_rules, validate

from inkverse.graphql.validators import VALIDATION_RULES

ALL_RULES: tuple[type[ASTValidationRule], ...] = (*specified_rules, *VALIDATION_RULES)


def validation_messages(
    schema: GraphQLSchema, source: str, rules: Sequence[type[ASTValidationRule]] = ALL_RULES
) -> list[str]:
    return [error.message for error in validate(schema, parse(source), rules)]
