"""The Strawberry GraphQL API and the ASGI application that serves it."""
