import pytest
from graphql import GraphQLSchema

from tests.graphql.validators.reference_schema import build_reference_schema


@pytest.fixture(scope="session")
def schema() -> GraphQLSchema:
    return build_reference_schema()
