"""The project's own tests use the fixtures every plugin author gets from
``reentry_core.testing`` (a fresh migrated database per test on SQLite, and on
PostgreSQL when REENTRY_TEST_DATABASE_URL is set; staff to act as; the CLI), and the
shared Gherkin steps (also in ``reentry_core.testing``)."""

pytest_plugins = ["reentry_core.testing"]
