"""Redis cache-aside, the GraphQL response cache and CDN purging."""
