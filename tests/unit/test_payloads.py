"""Every payload between plugins has one structure, the ``Protocol`` its owner declares
beside the hookspec (``plugins/*/hookspecs.py``); what each plugin sends or answers has
every attribute of it. Events are fired with ``tx.emit``, questions asked with ``tx.ask``."""

from __future__ import annotations

import attrs
import pytest

from reentry_business_plans import domain as plans
from reentry_business_plans import hookspecs as plans_hooks
from reentry_mentoring import domain as mentoring
from reentry_mentoring import hookspecs as mentoring_hooks
from reentry_microgrants import domain as grants
from reentry_microgrants import hookspecs as grants_hooks


def attributes(protocol) -> set[str]:
    return set(protocol.__annotations__)


@pytest.mark.parametrize("sent, protocol", [
    (plans.PlanSummary, plans_hooks.ShortlistedPlan),      # plan_shortlisted
    (plans.PlanSummary, grants_hooks.PlanForGrant),         # business_plans answers grant_plan
    (grants.Application, grants_hooks.ApprovedGrant),       # grant_approved, tranche_released, …
    (grants.Tranche, grants_hooks.ReleasedTranche),         # tranche_released, tranche_verification
    (mentoring.VisitEvidence, grants_hooks.VisitEvidence),  # mentoring answers tranche_verification
    (mentoring.Visit, mentoring_hooks.LoggedVisit),         # visit_logged
])
def test_what_a_plugin_sends_has_every_attribute_of_the_owners_protocol(sent, protocol):
    assert attributes(protocol) <= set(attrs.fields_dict(sent)), attributes(protocol) - set(attrs.fields_dict(sent))


def test_an_event_is_emitted_and_a_question_asked(programme_with):
    from reentry_core.testing import set_up

    ctx = set_up(programme_with(installed=True))
    with ctx.reading_transaction() as tx:
        with pytest.raises(TypeError, match=r"tranche_verification is a question.*tx.ask"):
            tx.emit("tranche_verification", application=None, tranche=None, since=None)
        assert tx.heard("tranche_verification")  # mentoring answers it
