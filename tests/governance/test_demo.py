"""The governance demo (pilote/governance/demo.py) on the demo territory and its accounts:
idempotent, the roadmap's five bodies and their cadence, minutes in every state, actions for
the TI manager and an EPCI agent (some done, some overdue), bilateral meetings kept to their
EPCI. Loads only the geography, the accounts and the governance (not the whole demo)."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilote.accounts import demo as accounts_demo
from pilote.accounts.models import User
from pilote.governance import demo
from pilote.governance.enums import MeetingStatus, MinutesStatus, OutcomeKind
from pilote.governance.models import Addendum, Body, Meeting, Minutes, MinutesComment, Outcome
from pilote.territories import demo as territories_demo

pytestmark = pytest.mark.django_db

REQUIRED = {
    "Comité local de projet": 1,
    "Comité de pilotage de la convention": 3,
    "COTECH": 2,
    "Réunions techniques": 4,
    "Points bilatéraux": None,
}


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        out = io.StringIO()
        territories_demo.load(out=out)
        accounts_demo.load(out=out)
        first = demo.load(out=out)
        second = demo.load(out=out)
        yield first, second
        # The module fixture lives outside the per-test transactions: empty the database
        # after it (flush re-creates content types and permissions).
        call_command("flush", interactive=False, verbosity=0)


def _check(year: int) -> dict:
    out = io.StringIO()
    call_command("governance_check", "--year", str(year), "--json", stdout=out)
    return {row["name"]: row for row in json.loads(out.getvalue())["bodies"]}


def test_idempotent(loaded):
    first, second = loaded
    assert first > 0
    assert second == 0


def test_the_five_bodies_and_their_cadence(loaded):
    today = timezone.localdate()
    rows = _check(2025)
    assert {name: row["required"] for name, row in rows.items()} == REQUIRED
    assert all(row["missing"] == 0 for row in rows.values()), rows
    assert all(row["held"] >= 1 for row in rows.values()), rows
    rows = _check(2026)
    assert {name: row["missing"] for name, row in rows.items()} == {
        name: 1 if name == "COTECH" else 0 for name in REQUIRED
    }
    for name, row in rows.items():
        meetings = Meeting.objects.filter(body__name=name, starts_at__year=2026)
        held = meetings.filter(status=MeetingStatus.HELD)
        assert row["held"] == held.count()
        assert all(timezone.localdate(m.starts_at) < today for m in held)
        assert (
            row["planned"]
            == meetings.filter(status=MeetingStatus.PLANNED, starts_at__date__gte=today).count()
        )
    assert sum(row["planned"] for row in _check(2027).values()) >= 3  # the next ones


def test_members_minutes_and_outcomes(loaded):
    manager = User.objects.get(email=demo.MANAGER)
    agent = User.objects.get(email=demo.AGENT)
    copil = Body.objects.get(name="Comité local de projet")
    assert copil.members.filter(role__startswith="Binôme industriel").count() == 6
    assert copil.members.filter(user=manager).exists()
    assert Body.objects.get(name="COTECH").members.filter(role__startswith="Sous-pr").count() >= 3
    held = Meeting.objects.filter(status=MeetingStatus.HELD)
    assert Minutes.objects.count() == held.count()
    statuses = list(Minutes.objects.values_list("status", flat=True))
    assert statuses.count(MinutesStatus.CIRCULATED) == 1
    assert statuses.count(MinutesStatus.DRAFT) == 1
    assert statuses.count(MinutesStatus.LOCKED) == held.count() - 2
    latest = held.order_by("-starts_at").first()
    assert latest.minutes.status == MinutesStatus.CIRCULATED
    assert MinutesComment.objects.filter(minutes=latest.minutes).exists()
    assert Addendum.objects.filter(minutes__status=MinutesStatus.LOCKED).count() == 1
    assert Meeting.objects.filter(status=MeetingStatus.CANCELLED).count() == 1
    actions = Outcome.objects.filter(kind=OutcomeKind.ACTION)
    today = timezone.localdate()
    assert {manager, agent} <= {a.owner for a in actions}
    assert actions.filter(done_on__isnull=False).exists()
    assert actions.filter(done_on__isnull=True, due_on__lt=today).exists()
    assert Outcome.objects.filter(kind=OutcomeKind.DECISION).count() >= 20
    # Nothing planned has outcomes; nothing held is in the future.
    assert not Outcome.objects.filter(item__meeting__status=MeetingStatus.PLANNED).exists()
    assert not held.filter(starts_at__gt=timezone.now() + dt.timedelta(hours=1)).exists()


def test_bilateral_meetings_stay_with_their_epci(loaded, client):
    bilateral = Meeting.objects.filter(body__name="Points bilatéraux")
    assert bilateral.exists()
    assert not bilateral.filter(epci__isnull=True).exists()
    cavm = bilateral.filter(epci__siren="245901160").first()
    assert cavm is not None
    for email, reads in ((demo.AGENT, True), ("agent.douaisis@pilote.demo", False)):
        client.force_login(User.objects.get(email=email))
        status = client.get(cavm.get_absolute_url()).status_code
        assert status == (200 if reads else 404), email


def test_the_agent_finds_their_actions_in_mes_actions(loaded, client):
    agent = User.objects.get(email=demo.AGENT)
    client.force_login(agent)
    text = client.get(reverse("accompaniment:my_actions")).content.decode()
    open_ = Outcome.objects.filter(kind=OutcomeKind.ACTION, owner=agent, done_on__isnull=True)
    assert open_.exists()
    assert "Actions des instances de gouvernance" in text
    for action in open_:
        assert reverse("governance:outcome_done", args=[action.pk]) in text
