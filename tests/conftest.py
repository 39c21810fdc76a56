"""The project's own tests use the fixtures every plugin author gets from
``reentry_core.testing`` (a fresh migrated database per test on SQLite, and on
PostgreSQL when REENTRY_TEST_DATABASE_URL is set; staff to act as; the CLI), and the
shared Gherkin steps (also in ``reentry_core.testing``)."""

pytest_plugins = ["reentry_core.testing"]


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A command run with --lang (or REENTRY_LANG) chooses the language for the process;
    the next test starts in English again."""
    yield
    from reentry_core import i18n

    i18n.set_language("en")
