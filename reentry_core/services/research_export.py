"""The research export, written (the rules of who is in it and how coarse it is:
:mod:`reentry_core.research`)."""

from __future__ import annotations

import json
from pathlib import Path

from ..research import COLUMNS, Person, ResearchSummary, anonymise, consenting, has_research_consent
from ..storage import tables as t


def export(ctx, path, kind: str, name_of, centre: str | None = None) -> ResearchSummary:
    """Write the research export (CSV, XLSX or JSON) of the people in ``ctx``'s scope whose
    research consent is in force today, generalised to ``k`` (the report threshold);
    audited with its summary. Returns the summary (how many rows, who was left out).
    ``kind``: csv, xlsx or json; ``name_of(code)``: the person's stable pseudonym."""
    from .. import privacy
    from ..files import written_whole
    from ..sheets import write_table
    from .reports import DEFAULT_THRESHOLD, THRESHOLD_SETTING
    from .settings import read_setting

    ctx.require("participants.export_pseudonymised")
    path = Path(path)
    today = ctx.programme.clock.today()
    P = t.participant
    with ctx.reading() as conn:
        centre_id = ctx.programme.centre_id(conn, centre) if centre else None
        k = int(read_setting(conn, THRESHOLD_SETTING, DEFAULT_THRESHOLD))
        people, without = [], 0
        for r in conn.execute(consenting(conn, today, centre_id).where(privacy.visible(conn, P.c.id, P.c.centre_id))):
            if not has_research_consent(r.scope):
                without += 1
                continue
            people.append(Person(name_of(r.code), r.sex, r.birth_date, r.centre, r.registered_on, r.status,
                                 r.exit_reason, r.exited_on))
    rows, summary = anonymise(people, k, today, without)
    if kind == "json":
        with written_whole(path) as temp:
            with open(temp, "w", encoding="utf-8") as handle:
                json.dump([dict(zip(COLUMNS, row)) for row in rows], handle, ensure_ascii=False, indent=1)
    else:
        write_table(path, COLUMNS, rows, sheet="research", keys=True)  # for statistical software
    with ctx.transaction() as tx:
        tx.audit("participants.export", "export", path.name[:60], after={
            "rows": summary.rows, "pseudonymised": True, "centre": centre.strip().upper() if centre else None,
            "without_research_consent": summary.without_consent, "left_out_small_groups": summary.left_out,
            "k": summary.k, "generalised": summary.generalised})
    return summary
