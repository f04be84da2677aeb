"""Creators: their profiles, the content they worked on, and their links."""
