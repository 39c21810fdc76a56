"""``reentry serve`` itself: the command starts the workspace on the CLI's database URL."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reentry_serve_starts_the_workspace_on_the_database_given(web_demo, tmp_path):
    import shutil

    import httpx

    path = tmp_path / "demo.db"
    shutil.copy(web_demo, path)
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "reentry_core", "--db", f"sqlite:///{path}", "serve",
                                "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/signin", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(f"reentry serve did not start: {process.stderr.read() if process.poll() else ''}")
                time.sleep(0.2)
        assert r.status_code == 200 and "Staff code" in r.text
        assert "server" not in r.headers  # no server banner
        assert r.headers["x-frame-options"] == "DENY"
        assert "secure" not in r.headers["set-cookie"].lower()  # loopback: plain HTTP works
    finally:
        process.terminate()
        out, _err = process.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in out


def test_cookies_are_secure_by_default_beyond_loopback():
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    result = CliRunner().invoke(build_cli(), ["serve", "--help"])
    assert "--secure-cookies / --insecure-cookies" in result.output
    assert "0.0.0.0" in result.output
