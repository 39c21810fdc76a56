"""The programme report's page is made in a worker process (reentry_core.web.offload) so
the server keeps answering everybody else: the worker opens the same programme (plugins,
audit key, day) and shows exactly what the server would have shown, refusals included."""

from __future__ import annotations

import multiprocessing

import pytest

from reentry_core.errors import NotFound
from reentry_core.web import offload
from reentry_core.web.core_pages import report_text, workbook_bytes


def _refuse(programme, code):
    return programme.act_as(code)


def test_the_worker_shows_what_the_server_would_have(web_programme):
    how = offload.opening(web_programme)
    assert how is not None and how.today == web_programme.clock.today()
    for lang, by in (("en", []), ("tg", ["sex", "centre"])):
        here = report_text(web_programme, "ME1", lang, by)
        assert offload.run(web_programme, report_text, "ME1", lang, by) == here
    assert any(p.name.startswith("SpawnProcess") for p in multiprocessing.active_children())
    content, made_on = offload.run(web_programme, workbook_bytes, "ME1", "ru", ["sex"])
    assert content[:2] == b"PK" and made_on == web_programme.clock.today().isoformat()


def test_a_refusal_in_the_worker_reaches_the_page_as_itself(web_programme):
    with pytest.raises(NotFound, match="NOBODY"):
        offload.run(web_programme, _refuse, "NOBODY")


def test_a_programme_with_inline_plugins_makes_its_report_here(web_programme, monkeypatch):
    from reentry_core.plugins import PluginInfo

    monkeypatch.setitem(web_programme.pm.infos, "inline_thing", PluginInfo("inline_thing", "0", "loaded"))
    assert offload.opening(web_programme) is None
    assert offload.run(web_programme, report_text, "ME1", "en", []) == report_text(web_programme, "ME1", "en", [])
