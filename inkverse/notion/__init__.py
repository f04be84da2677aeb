"""Notion: reading published pages through Notion's public v3 API (the one notion-client uses)."""
