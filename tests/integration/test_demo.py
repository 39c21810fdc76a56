"""reentry demo: a realistic programme built through the services, the same for the same seed."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from reentry_core.demo import SCALES, run
from reentry_core.errors import Conflict
from reentry_core.storage import metadata


def fingerprint(programme) -> str:
    """Every row of every table but the audit trail's times, in a stable order."""
    digest = hashlib.sha256()
    with programme.engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in {"audit_event", "audit_head", "audit_event_key", "setting"}:
                continue
            for row in conn.execute(sa.select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


@pytest.fixture
def demo_programme(programme):
    demo = run(programme, "small", seed=3)
    return programme, demo


def test_the_demo_builds_a_programme_through_the_services(demo_programme):
    programme, demo = demo_programme
    me = demo.act_as("ME1")
    people = demo.act_as("ADM").participants.list()
    scale = SCALES["small"]
    assert abs(len(people) - scale.participants) <= 0.1 * scale.participants
    women = sum(p.sex.value == "female" for p in people) / len(people)
    assert 0.22 <= women <= 0.38
    assert {p.centre for p in people} == set(demo.centres)
    assert len(demo.act_as("ADM").staff.list()) > 60
    assert demo.act_as("ADM").referrals.list(), "some people were referred"
    assert me.audit.verify().ok
    assert [e.action for e in me.audit.log(action="participant.import", limit=None)], "intake files were imported"
    report = me.reports.programme(by="sex")
    registered = report.sections[0].rows[0]
    assert registered.key == "participants.registered" and registered.cells[(None,)].value == len(people)


def test_the_same_seed_gives_the_same_programme(tmp_path, plugin_manager):
    from reentry_core.services import open_programme

    prints = []
    for n in range(2):
        url = f"sqlite:///{tmp_path / f'demo{n}.db'}"
        with open_programme(url, plugins=plugin_manager) as prog:
            run(prog, "small", seed=11)
            prints.append(fingerprint(prog))
    with open_programme(f"sqlite:///{tmp_path / 'other.db'}", plugins=plugin_manager) as prog:
        run(prog, "small", seed=12)
        prints.append(fingerprint(prog))
    assert prints[0] == prints[1] != prints[2]


def test_the_demo_never_writes_into_a_programme_that_exists(admin, programme):
    with pytest.raises(Conflict, match="already holds a programme"):
        run(programme, "small")


def test_cli_demo_prints_the_report_and_fresh_rebuilds_only_a_demo(run_cli, tmp_path):
    from click.testing import CliRunner

    from reentry_core.cli import build_cli

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    cli = build_cli()
    first = CliRunner().invoke(cli, ["demo", "--db", url, "--seed", "5"])
    assert first.exit_code == 0, first.output
    assert "Built the small demo programme" in first.output and "Participants registered" in first.output
    again = CliRunner().invoke(build_cli(), ["demo", "--db", url])
    assert again.exit_code == 8 and "already holds a demo programme; add --fresh to rebuild it" in again.output
    fresh = CliRunner().invoke(build_cli(), ["demo", "--db", url, "--fresh", "--seed", "6"])
    assert fresh.exit_code == 0, fresh.output
    # a programme the demo did not build is never deleted
    assert run_cli("staff", "add", "ADM", "--name", "Нигина Каримова", "--role", "admin").exit_code == 0
    refused = run_cli("demo", "--fresh")
    assert refused.exit_code == 8 and "holds a programme the demo did not build" in refused.output
    assert "add --fresh" not in refused.output
    plain = run_cli("demo")
    assert plain.exit_code == 8 and "already holds a programme; build the demo in an empty database" in plain.output
    assert "--fresh" not in plain.output


def test_the_demo_walks_the_whole_journey_through_every_plugin(demo_programme):
    """Trained, shortlisted, funded, paid, visited: each stage of the funnel is reached."""
    _programme, demo = demo_programme
    report = demo.act_as("ME1").reports.programme()
    stages = {row.key: row.cells[(None,)].value for row in report.funnel["sex"]}
    assert stages["participants.registered"] > stages["plans.training_completed"] > stages["plans.shortlisted"] > 0
    assert stages["plans.shortlisted"] >= stages["grants.approvals"] >= stages["grants.first_tranche"] > 0
    assert stages["mentoring.survival_6m.operating"] > 0
    mentoring = next(s for s in report.sections if s.plugin == "mentoring")
    visits = next(r for r in mentoring.rows if r.key == "mentoring.visits")
    assert visits.cells[()].value > 0
