"""Taddy: webhook intake and processing, and the client of the Taddy GraphQL API."""
