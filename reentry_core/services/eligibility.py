"""Eligibility: may this participant take part in something (a grant, say)?

The asking plugin names a ``purpose`` and the ``requirements`` it sets (a grant round
may require a shortlisted plan and completed training). The core always checks that
the participant is active and has consent in force for the programme; every loaded
plugin answers the requirements it declared through ``register_eligibility_rules``.
A requirement no loaded plugin can check is itself a problem, never silently passed.
"""

from __future__ import annotations

from typing import Any, Mapping


from ..domain import ConsentScope, Participant, ParticipantStatus
from ..i18n import _
from .participant_store import current_consent, load_participant, participant_id
from ..words import date_text


def collect_rules(pm) -> dict[str, str]:
    """Requirement key → description, from every loaded plugin."""
    return pm.relay.register_eligibility_rules()


def eligibility_rules(programme) -> dict[str, str]:
    """The requirement keys the plugins of ``programme`` can check, with what each means
    (for plugins, through the SDK: e.g. whether a round may require a shortlisted plan)."""
    return collect_rules(programme.pm)


def core_problems(tx, participant: Participant) -> list[str]:
    """The checks every purpose shares: still in the programme, consent in force."""
    problems = []
    if participant.status is not ParticipantStatus.ACTIVE:
        problems.append(_("{code} left the programme on {on}").format(
            code=participant.code, on=date_text(participant.exited_on) if participant.exited_on else "?"))
    consent = current_consent(tx.conn, participant_id(tx.conn, participant.code), tx.today)
    if consent is None or ConsentScope.PROGRAMME not in consent.scope:
        problems.append(_("{code} has no consent in force for the programme").format(code=participant.code))
    return problems


def eligibility_problems(tx, participant_code: str, purpose: str,
                         requirements: Mapping[str, Any] | None = None) -> list[str]:
    """Every reason ``participant_code`` is not eligible; an empty list means eligible."""
    requirements = {k: v for k, v in (requirements or {}).items() if v not in (None, False)}
    participant = load_participant(tx.conn, participant_code)
    known = collect_rules(tx.programme.pm)
    problems = [
        _("the requirement {key!r} cannot be checked: no loaded plugin checks it").format(key=key)
        for key in sorted(requirements) if key not in known
    ]
    for answer in tx.ask("eligibility_problems", participant=participant, purpose=purpose,
                         requirements=requirements):
        problems.extend(answer or ())
    return problems
