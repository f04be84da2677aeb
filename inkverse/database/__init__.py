"""Persistence: engine and sessions, the unit of work, and the ORM tables."""
