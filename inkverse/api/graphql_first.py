"""`/api/graphql` straight to its own stack, past Starlette's router and exception middleware.

GraphQL carries nearly all the traffic, and its stack (CORS, persisted queries, conditional GET, the
response cache, the endpoint) answers every request and error itself: the router's matching against
every route and the exception middleware add only work there. Other paths go on to the application.
"""

from starlette.types import ASGIApp, Receive, Scope, Send

GRAPHQL_PATH = "/api/graphql"


def is_graphql_path(path: str) -> bool:
    """The original matched the prefix, so `/api/graphql/anything` reaches GraphQL too."""
    return path == GRAPHQL_PATH or path.startswith(GRAPHQL_PATH + "/")


class GraphQLFirst:
    def __init__(self, app: ASGIApp, graphql: ASGIApp) -> None:
        self._app = app
        self._graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Behind a root path, the application's router decides (it strips the root path first).
        if scope["type"] == "http" and not scope.get("root_path") and is_graphql_path(scope["path"]):
            await self._graphql(scope, receive, send)
            return
        await self._app(scope, receive, send)
