"""The HTTP application: the ASGI app and its routes (GraphQL over HTTP, webhook intake, health)."""
