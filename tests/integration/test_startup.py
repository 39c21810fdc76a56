"""``reentry --help`` stays quick: building the CLI and printing help imports no SQLAlchemy
(nor Alembic, cattrs or rich); those load when a command first needs them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ["sqlalchemy", "alembic", "cattrs", "rich", "psycopg", "openpyxl"]

SCRIPT = textwrap.dedent("""
    import io, json, sys, contextlib
    import reentry_core.cli
    cli = reentry_core.cli.build_cli()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            cli.main(args=ARGS, prog_name="reentry", standalone_mode=True)
        except SystemExit as exc:
            code = exc.code
    print(json.dumps({"code": code, "help": out.getvalue(),
                      "loaded": sorted(m for m in HEAVY if m in sys.modules)}))
""")


def run(args: list[str]) -> dict:
    code = f"ARGS = {args!r}\nHEAVY = {HEAVY!r}\n" + SCRIPT
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_top_level_help_imports_no_sqlalchemy():
    result = run(["--help"])
    assert result["code"] == 0
    assert "participants" in result["help"] and "grants" in result["help"]
    assert "sqlalchemy" not in result["loaded"]
    assert result["loaded"] == []


def test_a_group_help_imports_no_sqlalchemy():
    result = run(["participants", "add", "--help"])
    assert result["code"] == 0 and "--birth-date" in result["help"]
    assert result["loaded"] == []


def test_importing_the_package_is_light():
    code = "import sys, reentry_core, reentry_core.plugins; print(','.join(m for m in %r if m in sys.modules))" % HEAVY
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
