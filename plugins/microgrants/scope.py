"""The programme report for one donor's or one grant round's grants (``--donor``,
``--round``): which participants and which money it keeps (microgrants answers the
core's ``report_scope``; the indicators and analyses read ``period.donor`` /
``period.round`` through :func:`funded`)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from reentry_core.sdk import _, NotFound, ReportScope

from . import tables as t

R, A = t.grant_round, t.application
TJS = "TJS"


def funded(period):
    """The rounds a report keeps: every round, or only the donor's / the round named."""
    terms = []
    if getattr(period, "round", None):
        terms.append(R.c.code == period.round)
    if getattr(period, "donor", None):  # donors are a JSON list of names: look for the quoted name
        terms.append(R.c.donors.contains(json.dumps(period.donor, ensure_ascii=False), autoescape=True))
    return sa.and_(sa.true(), *terms)


def report_scope(conn: sa.Connection, donor: str | None, round: str | None) -> ReportScope:
    rows = conn.execute(sa.select(R.c.id, R.c.code, R.c.donors, R.c.currency).order_by(R.c.opens_on, R.c.code)).all()
    chosen = rows
    if round:
        chosen = [r for r in chosen if r.code.upper() == round.upper()]
        if not chosen:
            raise NotFound(_("no grant round {code}").format(code=round))
    named = None
    if donor:
        known = {name.casefold(): name for r in rows for name in json.loads(r.donors)}
        named = known.get(donor.casefold())
        if named is None:
            raise NotFound(_("no grant round is funded by {donor}; donors: {known}").format(
                donor=donor, known=", ".join(sorted(known.values())) or "—"))
        chosen = [r for r in chosen if named in json.loads(r.donors)]
        if not chosen:
            raise NotFound(_("the round {code} is not funded by {donor}").format(code=round, donor=named))
    codes = [r.code for r in chosen]
    participants = sa.select(A.c.participant_id).where(A.c.round_id.in_([r.id for r in chosen]),
                                                        A.c.approved_on.is_not(None))
    if round:
        note = _("Only the people granted in round {code}{funded} and that round's money; every figure about people "
                 "counts these people only.").format(code=codes[0], funded=_(" (funded by {donor})").format(
                     donor=named) if named else "")
    else:
        note = _("Only the people granted in the rounds funded by {donor} ({codes}) and those rounds' money; every "
                 "figure about people counts these people only.").format(donor=named, codes=", ".join(codes))
    others = sorted({r.currency for r in chosen if r.currency != TJS})
    if others:
        note += " " + _("Money paid out in TJS counts the rounds in {currencies} at the somoni rate recorded on each "
                        "tranche (tranches without one are left out), and the EUR figures at the euro rate recorded "
                        "on it; amounts approved and budgets are of the TJS rounds only.").format(
                            currencies=", ".join(others))
    else:
        note += " " + _("All these rounds are in TJS; the EUR figures convert each tranche at the exchange rate "
                        "recorded on it.")
    return ReportScope(participants, named, codes[0] if round else None, note)
