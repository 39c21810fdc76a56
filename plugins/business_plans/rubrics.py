"""Rubrics: the shipped default, rubrics added from TOML files, their versions.

A key already in use gets its next version; a cohort scores with one rubric version.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

from reentry_core.sdk import _, InvalidInput, NotFound

from . import store
from .domain import DEFAULT_RUBRIC, Rubric, parse_rubric_ref, rubric_from_toml


def default_rubric_text() -> str:
    return resources.files("reentry_business_plans").joinpath("rubrics/default.toml").read_text(encoding="utf-8")


def parse_rubric_text(text: str, where: str) -> Rubric:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(_("{file} is not valid TOML: {reason}").format(file=where, reason=str(exc))) from None
    return rubric_from_toml(data, where)


def _store_rubric(tx, rubric: Rubric) -> tuple[int, Rubric]:
    rid, rubric = store.insert_rubric(tx.conn, rubric, tx.today)
    tx.audit("rubric.add", "rubric", rubric.ref, after=rubric)
    return rid, rubric


def ensure_default_rubric(tx) -> int:
    """The newest version of the default rubric; the shipped one is stored on first use."""
    rid = store.rubric_id(tx.conn, DEFAULT_RUBRIC, None)
    if rid is None:
        rid, _rubric = _store_rubric(tx, parse_rubric_text(default_rubric_text(), "default.toml"))
    return rid


class RubricService:
    """Rubrics and their versions (part of ``ctx.plans``)."""

    ctx = None

    def add_rubric(self, path) -> Rubric:
        """Add a rubric from a TOML file; a key already in use gets its next version."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InvalidInput(_("{file} does not exist").format(file=str(path))) from None
        except UnicodeDecodeError:
            raise InvalidInput(_("{file} is not UTF-8 text").format(file=str(path))) from None
        rubric = parse_rubric_text(text, path.name)
        with self.ctx.transaction() as tx:
            tx.require("plans.rubrics")
            if rubric.key != DEFAULT_RUBRIC:
                ensure_default_rubric(tx)
            _rid, rubric = _store_rubric(tx, rubric)
        return rubric

    def rubrics(self) -> list[Rubric]:
        """Every version of every rubric (the shipped default included)."""
        self._ensure_default()
        with self.ctx.reading() as conn:
            return store.all_rubrics(conn)

    def rubric(self, ref: str = DEFAULT_RUBRIC) -> Rubric:
        """``KEY`` (its newest version) or ``KEY@VERSION``."""
        self._ensure_default()
        key, version = parse_rubric_ref(ref)
        with self.ctx.reading() as conn:
            rid = store.rubric_id(conn, key, version)
            if rid is None:
                raise NotFound(_("rubric {ref!r} does not exist; see: reentry plans rubric list").format(ref=ref))
            return store.rubric_by_id(conn, rid)

    def _ensure_default(self) -> None:
        self.ctx.require("plans.view")
        with self.ctx.reading() as conn:
            if store.rubric_id(conn, DEFAULT_RUBRIC, None) is not None:
                return
        with self.ctx.transaction() as tx:
            ensure_default_rubric(tx)
