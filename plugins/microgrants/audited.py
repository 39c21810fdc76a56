"""The grant tables ``audit verify`` compares with the trail: where the money is.

A round's budget and limits, what each application was approved and granted, each
committee decision and each tranche paid: an amount or a date changed directly in the
database (no event written) is named, with the event that last stated it. The rest of an
application (its lines, its status as tranches complete it) is not compared: no event
states all of it.
"""

from __future__ import annotations

from reentry_core.sdk import _, AuditedTable, Replay, TrailEvent

from .store import (DECISION_COLUMNS, GRANT_FIELDS, ROUND_FIELDS, TRANCHE_FIELDS, audited_decisions,
                    audited_grants, audited_rounds, audited_tranches)


def audited_tables() -> list[AuditedTable]:
    return [
        AuditedTable(_("grant round {key}"), ("grants.round.add", "grants.round.payment_rules", "grants.round.change",
                                              "grants.round.open", "grants.round.close"), _replay_round,
                     audited_rounds),
        AuditedTable(_("grant application {key}"), ("grants.apply", "grants.update", "grants.decide",
                                                    "grants.cancel", "grants.reduce"), _replay_grant, audited_grants),
        AuditedTable(_("decision {key}"), ("grants.decide",), _replay_decision, audited_decisions),
        AuditedTable(_("tranche {key}"), ("grants.tranche", "grants.tranche.confirm", "grants.tranche.reverse"),
                     _replay_tranche, audited_tranches),
    ]


def _replay_round(state: Replay, event: TrailEvent) -> None:
    for code, record in event.records():
        if event.action in ("grants.round.open", "grants.round.close"):
            state.merge(code, event.seq, {"status": record["status"]})
        else:
            state.put(code, event.seq, {field: record.get(field) for field in ROUND_FIELDS})


def _replay_grant(state: Replay, event: TrailEvent) -> None:
    for code, record in event.records():
        if event.action == "grants.decide":
            decision = record.get("decision", record)
            if decision.get("outcome") == "approved":
                state.merge(code, event.seq, {"amount_approved": decision["amount"],
                                              "amount_granted": decision["amount"]})
        else:
            state.put(code, event.seq, {field: record.get(field) for field in GRANT_FIELDS})


def _replay_decision(state: Replay, event: TrailEvent) -> None:
    for code, record in event.records():
        decision = record.get("decision", record)  # a batch of decisions holds each with its status before
        state.put(f"{code}/{decision['number']}", event.seq, {field: decision.get(field) for field in DECISION_COLUMNS})


def _replay_tranche(state: Replay, event: TrailEvent) -> None:
    for _code, tranche in event.records():
        state.put(f"{tranche['application']}/{tranche['number']}", event.seq,
                  {field: tranche.get(field) for field in TRANCHE_FIELDS})
