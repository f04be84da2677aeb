"""Through Strawberry: the extension makes a schema run the rules, and the Strawberry directives count."""

import strawberry
from graphql import parse

from inkverse.graphql.validators import TOO_COMPLEX_MESSAGE, Cost, CostFactor, document_cost
from inkverse.graphql.validators.extension import InkverseValidationRules


@strawberry.type
class Section:
    bucket: str
    heavy: str = strawberry.field(directives=[Cost(value=1000)])


@strawberry.type
class Feed:
    user_id: strawberry.ID
    sections: list[Section] = strawberry.field(directives=[CostFactor(value=1)])
    plain_sections: list[Section]


@strawberry.type
class Chain:
    name: str

    @strawberry.field
    def child(self) -> "Chain":
        return Chain(name=f"{self.name}>")


@strawberry.type
class ComicSeries:
    uuid: strawberry.ID
    name: str | None


@strawberry.type
class Query:
    @strawberry.field
    def chain(self) -> Chain:
        return Chain(name="root")

    @strawberry.field
    def feed(self) -> Feed:
        return Feed(user_id=strawberry.ID("1"), sections=[], plain_sections=[])

    @strawberry.field
    def comic_series(self) -> ComicSeries:
        return ComicSeries(uuid=strawberry.ID("x"), name="Series")


SCHEMA = strawberry.Schema(query=Query, extensions=[InkverseValidationRules])
LEVEL_5 = "{ chain { child { child { child { child { name } } } } } }"
LEVEL_6 = "{ chain { child { child { child { child { child { name } } } } } } }"


def error_messages(query: str, operation_name: str | None = None) -> list[str]:
    result = SCHEMA.execute_sync(query, operation_name=operation_name)
    return [error.message for error in result.errors or []]


def test_a_query_at_level_five_runs() -> None:
    result = SCHEMA.execute_sync(LEVEL_5)
    assert result.errors is None
    assert result.data == {"chain": {"child": {"child": {"child": {"child": {"name": "root>>>>"}}}}}}


def test_a_too_deep_query_is_rejected_before_execution() -> None:
    result = SCHEMA.execute_sync(LEVEL_6)
    assert result.data is None
    assert [error.message for error in result.errors or []] == [
        "Query exceeds maximum allowed operation depth of 5."
    ]


def test_the_rules_run_on_every_request() -> None:
    assert error_messages(LEVEL_6) == error_messages(LEVEL_6) != []


def test_an_operation_not_executed_is_validated_too() -> None:
    document = "query Fine { chain { name } }\n" + LEVEL_6.replace("{", "query Deep {", 1)
    assert error_messages(document, operation_name="Fine") == [
        "Deep exceeds maximum allowed operation depth of 5."
    ]


def test_the_rules_run_with_graphql_cores_specified_rules() -> None:
    assert error_messages(LEVEL_6.replace("name", "name zzz")) == [
        "Query exceeds maximum allowed operation depth of 5.",
        "Cannot query field 'zzz' on type 'Chain'.",
    ]


def test_the_strawberry_directives_are_printed_in_the_sdl() -> None:
    sdl = SCHEMA.as_str()
    assert "directive @cost(value: Float!) on FIELD_DEFINITION" in sdl
    assert "directive @costFactor(value: Float!) on FIELD_DEFINITION" in sdl
    assert "sections: [Section!]! @costFactor(value: 1)" in sdl
    assert "heavy: String! @cost(value: 1000)" in sdl


def test_the_cost_rule_reads_the_strawberry_directives() -> None:
    graphql_schema = SCHEMA._schema
    assert document_cost(graphql_schema, parse("{ feed { sections { bucket } } }")) == 18 + 18 + 1
    assert document_cost(graphql_schema, parse("{ feed { plainSections { bucket } } }")) == 18 + 216 + 12
    assert document_cost(graphql_schema, parse("{ feed { sections { heavy } } }")) == 18 + 18 + 1000


def test_cost_factor_keeps_a_list_under_the_limit_where_the_default_factor_does_not() -> None:
    assert error_messages("{ feed { userId sections { heavy } } }") == []
    assert error_messages("{ feed { userId plainSections { heavy } } }") == [TOO_COMPLEX_MESSAGE]


def test_the_cache_key_rule_uses_the_strawberry_schema() -> None:
    assert error_messages("{ comicSeries { name } }") == [
        "The type ComicSeries is required to return the property uuid. "
        "Inside of comicSeries please add the property uuid to the query."
    ]
    assert error_messages("{ comicSeries { uuid name } }") == []
