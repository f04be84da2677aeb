"""Bluesky: the AT Protocol XRPC client that reads profiles and follows (integrations.md §5.8)."""
