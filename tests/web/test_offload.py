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


SERVER_DIES = """
import multiprocessing, os, sys
from reentry_core.services import open_programme
from reentry_core.web import offload
from reentry_core.web.core_pages import report_text

if __name__ == "__main__":
    offload.run(open_programme(sys.argv[1]), report_text, "ME1", "en", [])
    print(*[p.pid for p in multiprocessing.active_children()], flush=True)
    os._exit(0)  # the server dies without a word to its worker
"""


def test_the_worker_ends_when_the_server_dies(web_programme, tmp_path):
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "server.py"
    script.write_text(SERVER_DIES, encoding="utf-8")
    url = web_programme.engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, str(script), url], capture_output=True, text=True, timeout=120)
    workers = [int(pid) for pid in done.stdout.split()]
    assert workers, done.stderr

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(alive, workers))
