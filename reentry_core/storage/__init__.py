"""Storage: SQLAlchemy Core tables, the engine, repositories and the Alembic schema.

Every table — the core's and each plugin's — is declared on :data:`metadata`, so one
Alembic environment can compare the whole schema with what the migrations build.
"""

from .tables import metadata

__all__ = ["metadata"]
