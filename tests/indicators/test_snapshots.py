"""Frozen months: the facts at the month's end, corrections as new versions, the reader."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from pilote.applications.enums import Status
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.indicators import indicators, snapshots
from pilote.indicators.models import Snapshot, SnapshotFact
from tests.applications.factories import application_of
from tests.indicators.conftest import backdate

pytestmark = pytest.mark.django_db

APRIL = dt.date(2026, 4, 1)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_frozen_figures_do_not_move(world, dossiers):
    snapshot = snapshots.freeze(world.territory_a, APRIL)
    assert (snapshot.version, snapshot.as_of, snapshot.reason) == (1, dt.date(2026, 4, 30), "")
    before = indicators.to_json(indicators.at_month(world.territory_a, APRIL))
    assert before["frozen"] is True
    assert before["snapshot"]["version"] == 1
    live = indicators.to_json(indicators.compute(world.territory_a, dt.date(2026, 4, 30)))
    assert before["applications"] == live["applications"]
    assert before["territory"] == live["territory"]
    assert before["activity"] == live["activity"]
    # Later: a4 accepted in April after all, a new application filed in April (entered late).
    a4 = dossiers["a4"]
    a4.status, a4.decided_on, a4.amount_granted = Status.ACCEPTED, dt.date(2026, 4, 20), 1000
    a4.save()
    application_of(world, filed_on=dt.date(2026, 4, 10))
    after = indicators.to_json(indicators.at_month(world.territory_a, APRIL))
    assert after == before
    moved = indicators.compute(world.territory_a, dt.date(2026, 4, 30))
    assert moved.applications["accepted"] == 2
    assert moved.applications["filed"] == 5


def test_month_end_state(world, dossiers):
    """Facts hold the state at the end of the month: decided later = still in review, and
    records created after the month are left out of version 1."""
    application_of(world, filed_on=dt.date(2026, 4, 10))  # created now, not backdated
    snapshot = snapshots.freeze(world.territory_a, dt.date(2026, 3, 1))
    facts = SnapshotFact.objects.filter(snapshot=snapshot, kind="application")
    a1 = facts.get(record_id=dossiers["a1"].pk)
    assert (a1.status, a1.decided_on, a1.amount_granted) == (Status.REVIEW, None, None)
    assert not facts.filter(record_id=dossiers["a4"].pk).exists()  # filed in April
    assert facts.count() == 4  # a1, a2, a3 (supported, filed), a5 (accepted 31 March)
    frozen = indicators.at_month(world.territory_a, dt.date(2026, 3, 1))
    live = indicators.compute(world.territory_a, dt.date(2026, 3, 31))
    assert frozen.applications == live.applications
    assert frozen.territory_wide == live.territory_wide


def test_correction_is_a_new_audited_version(world, dossiers):
    first = snapshots.freeze(world.territory_a, APRIL)
    with pytest.raises(snapshots.SnapshotRefused, match="déjà figé"):
        snapshots.freeze(world.territory_a, APRIL)
    application_of(world, filed_on=dt.date(2026, 4, 10), amount_requested=Decimal("5.00"))
    second = snapshots.freeze(
        world.territory_a, APRIL, world.users["manager"], "Dossier saisi en retard"
    )
    assert (second.version, second.reason, second.author) == (
        2, "Dossier saisi en retard", world.users["manager"]
    )  # fmt: skip
    event = AuditEvent.objects.get(action="indicators.snapshot_correction")
    assert event.object_id == str(second.pk)
    assert event.actor == world.users["manager"]
    assert AuditEvent.objects.filter(action="indicators.snapshot", object_id=str(first.pk))
    latest = indicators.at_month(world.territory_a, APRIL)
    assert latest.snapshot == second
    assert latest.applications["filed"] == 5
    assert indicators.frozen(first).applications["filed"] == 4  # still readable


def test_frozen_figures_follow_the_reader(world):
    application_of(world, "e2", "agent_e2", visibility=Visibility.EPCI)
    application_of(world, "e2", "agent_e2", visibility=Visibility.TERRITORY)
    application_of(world, "e1", "agent_e1", visibility=Visibility.PARTNERS)
    application_of(world, "e1", "agent_e1", visibility=Visibility.PRIVATE)
    backdate()
    snapshots.freeze(world.territory_a, dt.date(2026, 3, 1))
    expected = {"manager": 4, "agent_e1": 3, "agent_e2": 3, "partner": 1, "admin": 0}
    for actor, filed in expected.items():
        reader = world.users[actor]
        frozen = indicators.at_month(world.territory_a, dt.date(2026, 3, 1), reader)
        live = indicators.compute(world.territory_a, dt.date(2026, 3, 31), reader)
        assert frozen.frozen
        assert frozen.applications["filed"] == filed, actor
        assert frozen.applications == live.applications, actor
        assert frozen.by_epci == live.by_epci, actor


def test_month_not_ended_is_refused(world):
    today = timezone.localdate()
    with pytest.raises(CommandError, match="n'est pas terminé"):
        run("snapshot_indicators", "--month", f"{today:%Y-%m}", "--territory", "ti-a")
    with pytest.raises(snapshots.SnapshotRefused):
        snapshots.freeze(world.territory_a, APRIL, today=dt.date(2026, 4, 30))
    assert not Snapshot.objects.exists()


def test_dry_run_writes_nothing(world, dossiers):
    out = run("snapshot_indicators", "--month", "2026-04", "--territory", "ti-a")
    assert "Simulation : rien n'est écrit" in out
    assert "Version 1 du mois 04/2026" in out
    assert not Snapshot.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="indicators.").exists()


def test_wet_run_then_correction_by_command(world, dossiers):
    args = ("snapshot_indicators", "--month", "2026-04", "--territory", "ti-a", "--wet-run")
    assert "version 1" in run(*args)
    with pytest.raises(CommandError, match="déjà figé"):
        run(*args)
    with pytest.raises(CommandError, match="motif"):
        run(*args, "--correction", "  ")
    assert "version 2" in run(*args, "--correction", "Montant corrigé")
    assert list(Snapshot.objects.values_list("version", "reason")) == [
        (2, "Montant corrigé"), (1, "")
    ]  # fmt: skip
    with pytest.raises(CommandError, match="pas encore figé"):
        run("snapshot_indicators", "--month", "2026-03", "--territory", "ti-a",
            "--wet-run", "--correction", "x")  # fmt: skip


def test_indicators_command(world, dossiers):
    data = json.loads(run("indicators", "--as-of", "2026-04-30", "--json", "--territory", "ti-a"))
    assert data["as_of"] == "2026-04-30"
    assert data["frozen"] is False
    assert data["applications"]["amount_granted"] == "80000.00"
    assert data["territory"]["laureate_companies"] == 1
    by_month = json.loads(run("indicators", "--month", "2026-04", "--json", "--territory", "ti-a"))
    assert by_month["as_of"] == "2026-04-30"
    assert by_month["applications"] == data["applications"]
    snapshots.freeze(world.territory_a, APRIL)
    frozen = json.loads(run("indicators", "--month", "2026-04", "--json", "--territory", "ti-a"))
    assert frozen["frozen"] is True
    assert frozen["snapshot"]["version"] == 1
    assert frozen["applications"] == data["applications"]
    agent = json.loads(
        run("indicators", "--month", "2026-04", "--json", "--territory", "ti-a",
            "--as", "agent_e1@exemple.fr")
    )  # fmt: skip
    assert agent["reader"] == "agent_e1@exemple.fr"
    assert agent["applications"]["filed"] == 2  # e2's EPCI-visibility applications left out
    text = run("indicators", "--as-of", "2026-04-30", "--territory", "ti-a")
    assert "Dossiers déposés" in text
    assert "80 000,00 €" in text
    assert "66,67 %" in text


def test_indicators_command_errors(world):
    with pytest.raises(CommandError, match="Plusieurs territoires"):
        run("indicators")
    with pytest.raises(CommandError, match="Mois invalide"):
        run("indicators", "--month", "2026-13", "--territory", "ti-a")
    with pytest.raises(CommandError, match="Utilisateur inconnu"):
        run("indicators", "--territory", "ti-a", "--as", "personne@exemple.fr")
    with pytest.raises(CommandError, match="Territoire inconnu"):
        run("indicators", "--territory", "ti-z")
