"""Report indicators of microgrants: unit records the core counts and disaggregates.

Money figures are in TJS. Money paid out (tranches) counts a round in another currency at
the somoni rate recorded on each tranche (``tjs_rate``; a tranche without one is left out
rather than mixed in); amounts approved and budgets, which no tranche converts, sum rounds
held in TJS only. ``grants.amount_disbursed_eur`` sums the euro value of tranches recorded
with an exchange rate (or paid in a EUR round). Only confirmed
tranches count (maker-checker): one waiting for its second person, or reversed, does not.
"""

from __future__ import annotations

import sqlalchemy as sa

from reentry_core.sdk import _

from . import tables as t
from .domain import Outcome, TrancheMethod, TrancheStatus
from .scope import funded

A, R, D, T = t.application, t.grant_round, t.decision, t.tranche
TJS = "TJS"


#: only confirmed money counts: a tranche waiting for its second person, or reversed, does not
CONFIRMED = T.c.status == TrancheStatus.CONFIRMED.value
#: a tranche in somoni: its amount in a TJS round, else at the rate recorded on it
IN_TJS = sa.type_coerce(sa.case((R.c.currency == TJS, T.c.amount), else_=T.c.amount_tjs), T.c.amount.type)
#: tranches whose somoni value is known
TJS_KNOWN = sa.or_(R.c.currency == TJS, T.c.amount_tjs.is_not(None))


def _tranches(period, value, *conditions):
    return (sa.select(A.c.participant_id, value.label("value")).select_from(T.join(A).join(R))
            .where(period.covers(T.c.released_on), CONFIRMED, funded(period), *conditions))


def _first_tranches(period):
    """Each grant's first confirmed tranche (a reversed first one does not count), by its release."""
    first = (sa.select(T.c.application_id, sa.func.min(T.c.released_on).label("released_on"))
             .where(CONFIRMED).group_by(T.c.application_id).subquery("first"))
    return (sa.select(A.c.participant_id).select_from(first.join(A, A.c.id == first.c.application_id).join(R))
            .where(period.covers(first.c.released_on), funded(period)))


def declare(register) -> None:
    register("grants.applications", _("Grant applications"),
             _("Applications submitted in the period (by submission date), whatever became of them."),
             lambda period: sa.select(A.c.participant_id).select_from(A.join(R))
             .where(A.c.submitted_on.is_not(None), period.covers(A.c.submitted_on), funded(period)),
             aggregate="count", unit="applications")
    register("grants.approvals", _("Grants approved"),
             _("Applications the committee approved in the period (by decision date), including grants later "
               "cancelled or reduced."),
             lambda period: sa.select(A.c.participant_id).select_from(A.join(R))
             .where(A.c.approved_on.is_not(None), period.covers(A.c.approved_on), funded(period)),
             aggregate="count", unit="grants", funnel_stage=40)
    register("grants.first_tranche", _("People who received a first tranche"),
             _("Grantees whose first confirmed tranche (money or equipment) was released in the period."),
             _first_tranches,
             aggregate="people", unit="people", funnel_stage=50)
    register("grants.decided", _("Grant applications decided"),
             _("Applications approved or rejected in the period (by decision date); deferrals are not counted."),
             lambda period: sa.select(A.c.participant_id).select_from(D.join(A).join(R))
             .where(D.c.outcome.in_([Outcome.APPROVED.value, Outcome.REJECTED.value]), period.covers(D.c.decided_on),
                    funded(period)),
             aggregate="count", unit="applications")
    register("grants.approval_rate", _("Grant approval rate"),
             _("Grants approved in the period per application approved or rejected in the period."),
             aggregate="rate", numerator="grants.approvals", denominator="grants.decided")
    register("grants.amount_approved", _("Amount approved (TJS)"),
             _("The amounts the committee approved in the period (by decision date), before any later reduction or "
               "cancellation; rounds in TJS."),
             lambda period: sa.select(A.c.participant_id, A.c.amount_approved.label("value")).select_from(A.join(R))
             .where(A.c.approved_on.is_not(None), period.covers(A.c.approved_on), R.c.currency == TJS,
                    funded(period)),
             aggregate="sum", unit="TJS")
    register("grants.amount_disbursed", _("Amount disbursed (TJS)"),
             _("Money and equipment released in confirmed tranches in the period (by release date); a round in "
               "another currency at the somoni rate recorded on each tranche (tranches without one left out)."),
             lambda period: _tranches(period, IN_TJS, TJS_KNOWN), aggregate="sum", unit="TJS")
    register("grants.amount_disbursed_eur", _("Amount disbursed (EUR)"),
             _("The euro value of tranches released in the period that were recorded with an exchange rate "
               "(or paid in a EUR round); tranches without a rate are left out."),
             lambda period: _tranches(period, T.c.amount_eur, T.c.amount_eur.is_not(None)), aggregate="sum",
             unit="EUR")
    register("grants.amount_in_kind", _("Amount disbursed in kind (TJS)"),
             _("Tranches released in the period as equipment or goods rather than money; a round in another "
               "currency at the somoni rate recorded on each tranche."),
             lambda period: _tranches(period, IN_TJS, TJS_KNOWN,
                                      T.c.method == TrancheMethod.IN_KIND.value), aggregate="sum", unit="TJS",
             within="grants.amount_disbursed")
    register("grants.in_kind_share", _("In-kind share of disbursements"),
             _("The part of the amount disbursed in the period that was released in kind."),
             aggregate="rate", numerator="grants.amount_in_kind", denominator="grants.amount_disbursed")
    register("grants.budget", _("Grant budgets (TJS)"),
             _("The budgets of the grant rounds that open in the period; rounds in TJS."),
             lambda period: sa.select(R.c.budget.label("value")).where(period.covers(R.c.opens_on),
                                                                       R.c.currency == TJS, funded(period)),
             aggregate="sum", unit="TJS", per_participant=False)
    register("grants.budget_committed", _("Grant budgets committed (TJS)"),
             _("What the grants of the rounds that open in the period commit now: approved amounts less "
               "reductions, and only what was paid out of cancelled grants; rounds in TJS."),
             lambda period: sa.select(A.c.amount_granted.label("value")).select_from(A.join(R))
             .where(A.c.amount_granted.is_not(None), period.covers(R.c.opens_on), R.c.currency == TJS,
                    funded(period)),
             aggregate="sum", unit="TJS", per_participant=False)
    register("grants.budget_use", _("Grant budget use"),
             _("The part of the budgets of the rounds that open in the period that grants commit."),
             aggregate="rate", numerator="grants.budget_committed", denominator="grants.budget",
             per_participant=False)
