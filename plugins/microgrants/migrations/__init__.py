"""Alembic versions of the microgrants branch."""
