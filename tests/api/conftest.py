"""The HTTP app's tests share the GraphQL tests' fixtures (a seeded catalog, fake Taddy and Notion)."""

from tests.graphql.conftest import (  # noqa: F401 - fixtures are found by name
    events,
    fake_bluesky,
    fake_notion,
    fake_taddy,
    gql,
    sessionmaker,
    wired_client,
    wired_gql,
)
