"""The heavy pages, worked out in a process of their own so the server keeps answering.

The programme report computes every indicator and protects every table: seconds of Python
on a national database, holding the interpreter's lock all along, so every other page of
every other person signed in waits behind it (a mentor's visit form took a second while
the M&E officer's report was made). It is made in one worker process instead, started
the first time it is needed (spawned: nothing of the server's threads is copied), which
opens the same database with the same plugins, audit key and day as the server, acts as
the same person in their language, and sends back only what the page shows. The
services' rules are the same: it is the same service called in another process.

A programme whose plugins cannot be loaded again by name (inline plugins, in tests and
notebooks) makes its report in the server's process, as before.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable, NamedTuple

_pool = None
_pool_lock = threading.Lock()
#: in the worker: the programmes opened, by what opened them (a few at most)
_opened: dict[tuple, Any] = {}


class Opening(NamedTuple):
    """What the worker needs to open the server's programme (picklable; not a record anybody
    reads, so no columns for the catalogues)."""

    url: str
    disabled: frozenset[str]
    audit_key: bytes | None
    today: Any


def opening(programme) -> Opening | None:
    """How to open ``programme`` again in another process, or ``None`` when its plugins are
    not all installed ones (an inline plugin cannot be loaded by name)."""
    from ..plugins import CORE, _entry_points

    installed = {ep.name for ep in _entry_points()}
    loaded = {name for name, info in programme.pm.infos.items() if info.state == "loaded" and name != CORE}
    if not loaded <= installed:
        return None
    key = programme.audit_key
    return Opening(programme.engine.url.render_as_string(hide_password=False), frozenset(installed - loaded),
                   key.secret if key is not None else None, programme.clock.today())


def run(programme, work: Callable, *args) -> Any:
    """``work(programme, *args)`` in the worker process (``work`` a module-level function
    whose answer can be pickled), or here when the programme cannot be opened there."""
    how = opening(programme)
    if how is None:
        return work(programme, *args)
    return _worker().submit(_in_worker, how, work, args).result()


def _worker():
    global _pool
    with _pool_lock:
        if _pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_follow, initargs=(os.getpid(),))
        return _pool


def _follow(server: int) -> None:
    """In the worker: end when the server does, however it ends (a worker keeps its own
    end of the pipe it reads, so it would not notice on its own)."""
    def watch() -> None:
        while os.getppid() == server:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="follow-the-server").start()


def _in_worker(how: Opening, work: Callable, args: tuple) -> Any:
    from ..plugins import load_plugins
    from ..services import open_programme
    from ..services.context import FixedClock

    key = (how.url, how.disabled, how.audit_key)
    programme = _opened.get(key)
    if programme is None:
        while len(_opened) >= 4:  # a server has one database; tests open many
            _opened.pop(next(iter(_opened))).close()
        programme = _opened[key] = open_programme(how.url, plugins=load_plugins(disabled=set(how.disabled)),
                                                  audit_key=how.audit_key)
    programme.clock = FixedClock(how.today)
    return work(programme, *args)
