"""Alembic environment. Run through ``reentry db upgrade`` (see ``storage/schema.py``),
which hands over the open connection and the full metadata, plugins' tables included."""

from alembic import context

config = context.config
connection = config.attributes["connection"]
target_metadata = config.attributes["metadata"]

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)

with context.begin_transaction():
    context.run_migrations()
