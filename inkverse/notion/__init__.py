"""Notion: reading published pages through Notion's public v3 API (the one notion-client uses), and
the map of website paths to the Notion pages that `getDocumentation` serves (`pages`)."""
