"""Redis cache-aside, the GraphQL response cache and CDN purging.

`aside` is the cache-aside; `response_middleware` (ASGI) and `response_store` (its Redis side) are the
GraphQL response cache; `purge` says what a purge is (cache types, requests, the purger interfaces) and
`invalidator` is the one purge entry point (`CacheInvalidator`), which calls the CDN purgers (`stellate`,
`inkverse.cloudflare.purge`). `store`, `keys`, `tags` and `redis` are the Redis plumbing they share.
"""
