"""Write each package's message catalogue template (``.pot``).

The core and each built-in plugin own a catalogue (a gettext domain):

* ``reentry_core/locale/reentry.pot`` — the core;
* ``plugins/<name>/locale/reentry_<name>.pot`` — each plugin, its domain the package name.

Each holds every string its package passes to ``_()`` / ``ngettext()``, plus the help
text (click docstring) of every command its package defines. Run after changing messages:

    python tools/extract_messages.py            # the templates
    python tools/extract_messages.py --compile  # also each <lang>.po into its .mo

Translators then update ``<locale>/<lang>/LC_MESSAGES/<domain>.po`` (docs/translating.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
#: package → its folder (pyproject.toml's package-dir)
PACKAGES = {"reentry_core": ROOT / "reentry_core", "reentry_business_plans": ROOT / "plugins" / "business_plans",
            "reentry_microgrants": ROOT / "plugins" / "microgrants", "reentry_mentoring": ROOT / "plugins" / "mentoring"}
POT = ROOT / "reentry_core" / "locale" / "reentry.pot"


def domain_of(package: str) -> str:
    return "reentry" if package == "reentry_core" else package


def template_path(package: str) -> Path:
    return PACKAGES[package] / "locale" / f"{domain_of(package)}.pot"


def build_catalogs() -> dict[str, Catalog]:
    """package → its catalogue template."""
    catalogs = {}
    for package, folder in PACKAGES.items():
        catalog = Catalog(project=domain_of(package), fuzzy=False)
        for _filename, _lineno, message, _comments, context in extract_from_dir(
            # the web workspace's Jinja2 templates too (their _() calls)
            folder, [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")],
            keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            flags = ("python-brace-format",) if "{" in (message if isinstance(message, str) else message[0]) else ()
            catalog.add(message, None, flags=flags, context=context)
        for context, words in words_of(package).items():
            for word in sorted(words):
                catalog.add(word, None, context=context)
        catalogs[package] = catalog
    from reentry_core.cli import build_cli, inspect_clean, walk_commands
    from reentry_core.plugins import _entry_points, load_plugins

    # only this project's plugins: another installed plugin has its own catalogue
    others = {ep.name for ep in _entry_points()} - set(built_in_plugins())
    for command in walk_commands(build_cli(load_plugins(disabled=others))):
        english = getattr(command, "source_help", (command.help, None))[0]  # never a translation
        if english:
            module = getattr(command.callback, "__module__", "") or "reentry_core"
            catalogs.get(module.split(".")[0], catalogs["reentry_core"]).add(inspect_clean(english), None)
    return catalogs


def words_of(package: str) -> dict[str, set[str]]:
    """The words a package shows people that no ``_()`` names (:mod:`reentry_core.words`):
    each value of each ``Choice`` it defines (context ``choice``), and each column it prints
    (context ``column``): the names of its presenters' columns, of its ``*COLUMNS`` lists and
    of the fields of the records (attrs classes) it defines."""
    import importlib
    import pkgutil

    import attrs

    from reentry_core.cli.present import Presenter
    from reentry_core.domain import Choice

    root = importlib.import_module(package)
    modules = [root] + [importlib.import_module(info.name)
                        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}.")
                        if "migrations" not in info.name and not info.name.endswith("__main__")]
    choices, columns = set(), set()
    for module in modules:
        for name, value in vars(module).items():
            if getattr(value, "__module__", None) != module.__name__ and not isinstance(value, (Presenter, list, tuple)):
                continue
            if isinstance(value, type) and issubclass(value, Choice) and value is not Choice:
                choices.update(v.replace("_", " ") for v in value.values())
            elif isinstance(value, type) and attrs.has(value):
                columns.update(f.name for f in attrs.fields(value))
            elif isinstance(value, Presenter):
                columns.update(value.names)
            elif "COLUMNS" in name and isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                columns.update(value)
    columns |= printed_columns(PACKAGES[package])
    found = {"choice": choices, "column": {c.replace("_", " ") for c in columns if not c.startswith("_")},
             "unit": indicator_units(PACKAGES[package])}
    if package == "reentry_core":
        found["currency"] = {"TJS"}
    else:  # the heading of the plugin's part of the programme report (services.reports.section_title)
        found["section"] = {package.removeprefix("reentry_").replace("_", " ").capitalize()}
    return found


def indicator_units(folder: Path) -> set[str]:
    """The units a package's indicators are counted in (``unit="people"`` where it
    registers them): codes, said in words where a person reads them (``words.unit_label``)."""
    import ast

    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "unit" and isinstance(node.value, ast.Constant) \
                    and isinstance(node.value.value, str) and node.value.value:
                found.add(node.value.value)
    return found


def printed_columns(folder: Path) -> set[str]:
    """Columns a package's commands print that no declaration names: the literal lists given
    to ``emit_rows``, and the keys a command sets on a record (``record["consent"] = …``)."""
    import ast

    found: set[str] = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "emit_rows" and len(node.args) > 1:
                listed = node.args[1]
                if isinstance(listed, (ast.List, ast.Tuple)):
                    found.update(e.value for e in listed.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
            elif isinstance(node, ast.Assign) and path.name == "cli.py" or path.parent.name == "cli":
                for target in getattr(node, "targets", ()):
                    if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant) \
                            and isinstance(target.slice.value, str) and target.slice.value.isidentifier():
                        found.add(target.slice.value)
            if isinstance(node, ast.Dict) and (path.name == "cli.py" or path.parent.name == "cli"):
                found.update(k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)
                             and k.value.isidentifier())
    return found


def build_catalog() -> Catalog:
    """The core's template (kept for callers of the one-catalogue days)."""
    return build_catalogs()["reentry_core"]


def built_in_plugins() -> list[str]:
    """The plugins this project's pyproject.toml registers in the reentry.plugins group."""
    import tomllib

    with open(ROOT / "pyproject.toml", "rb") as f:
        return list(tomllib.load(f)["project"]["entry-points"]["reentry.plugins"])


def render(catalog: Catalog) -> bytes:
    from io import BytesIO

    out = BytesIO()
    write_po(out, catalog, omit_header=True, sort_output=True, no_location=True, width=100)
    return out.getvalue()


def compile_all() -> list[Path]:
    """Each ``<lang>/LC_MESSAGES/<domain>.po`` of every package into its ``.mo``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for package in PACKAGES:
        domain = domain_of(package)
        for po in sorted((PACKAGES[package] / "locale").glob(f"*/LC_MESSAGES/{domain}.po")):
            with open(po, "rb") as f:
                catalog = read_po(f, locale=po.parent.parent.name)
            with open(po.with_suffix(".mo"), "wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            written.append(po.with_suffix(".mo"))
    return written


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for package, catalog in build_catalogs().items():
        path = template_path(package)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(catalog))
        print(f"wrote {path.relative_to(ROOT)} ({len(catalog)} messages)")
    if "--compile" in argv:
        for path in compile_all():
            print(f"compiled {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
