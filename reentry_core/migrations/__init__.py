"""The one Alembic environment: the core's branch lives in ``versions/``, each plugin's
in its own folder, answered through ``register_migrations``."""
