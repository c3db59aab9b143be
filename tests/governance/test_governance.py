"""Governance: the cadence (held, planned, missing, « selon les besoins »), the command's
JSON, the dashboard panel, the pages' permissions and the bilateral meetings' confidentiality."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilote.governance import services
from pilote.governance.cadence import cadence
from pilote.governance.enums import BodyKind, MeetingStatus
from pilote.governance.models import Body, Meeting

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 15)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def meet(body, day, status=MeetingStatus.HELD, **fields):
    return services.meeting_create(
        acting_user=None, body=body, title=body.name, starts_at=at(day), status=status, **fields
    )


@pytest.fixture
def bodies(world):
    ta = world.territory_a
    copil = services.body_create(
        acting_user=None, territory=ta, name="COPIL convention", kind=BodyKind.STEERING,
        required_per_year=3, position=1, organisations=[world.orgs["cci"], world.orgs["state"]],
    )  # fmt: skip
    bilateral = services.body_create(
        acting_user=None, territory=ta, name="Points bilatéraux", kind=BodyKind.BILATERAL,
        required_per_year=None, position=2,
    )  # fmt: skip
    services.member_add(acting_user=None, body=copil, name="Jeanne Élue", role="Présidente")
    return copil, bilateral


def test_cadence_counts_held_planned_and_missing(world, bodies):
    copil, bilateral = bodies
    meet(copil, dt.date(2026, 2, 10))
    meet(copil, dt.date(2026, 4, 1), MeetingStatus.PLANNED)  # past, not marked held: nothing
    meet(copil, dt.date(2026, 3, 1), MeetingStatus.CANCELLED)
    meet(copil, dt.date(2025, 10, 1))  # another year
    meet(copil, dt.date(2026, 9, 20), MeetingStatus.PLANNED)
    meet(bilateral, dt.date(2026, 1, 5))
    rows = cadence(world.territory_a, 2026, TODAY)
    assert [r.as_dict() for r in rows] == [
        {"name": "COPIL convention", "required": 3, "held": 1, "planned": 1, "missing": 1},
        {"name": "Points bilatéraux", "required": None, "held": 1, "planned": 0, "missing": 0},
    ]
    meet(copil, dt.date(2026, 11, 20), MeetingStatus.PLANNED)
    meet(copil, dt.date(2026, 12, 1), MeetingStatus.PLANNED)
    assert cadence(world.territory_a, 2026, TODAY)[0].missing == 0
    assert cadence(world.territory_b, 2026, TODAY) == []


def test_the_command_prints_the_exact_json(world, bodies):
    copil, _ = bodies
    meet(copil, dt.date(2026, 1, 10))
    out = StringIO()
    call_command("governance_check", "--year", "2026", "--territory", "ti-a", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data == {
        "bodies": [
            {"name": "COPIL convention", "required": 3, "held": 1, "planned": 0, "missing": 2},
            {"name": "Points bilatéraux", "required": None, "held": 0, "planned": 0, "missing": 0},
        ]
    }
    out = StringIO()
    call_command("governance_check", "--year", "2026", stdout=out)
    assert "COPIL convention" in out.getvalue()
    assert "besoins" in out.getvalue()


def test_a_bilateral_meeting_is_read_by_its_epci_and_the_managers_only(world, bodies, login):
    _, bilateral = bodies
    meet(bilateral, dt.date(2026, 1, 5), epci=world.epcis["e1"], notes="Dossier sensible")
    rows = {u: cadence(world.territory_a, 2026, TODAY, user=world.users[u])[1].held for u in (
        "manager", "agent_e1", "agent_e2", "partner")}  # fmt: skip
    assert rows == {"manager": 1, "agent_e1": 1, "agent_e2": 0, "partner": 0}
    url = reverse("governance:body", args=[bilateral.pk])
    assert "Dossier sensible" in login(world.users["agent_e1"]).get(url).content.decode()
    assert "Dossier sensible" not in login(world.users["agent_e2"]).get(url).content.decode()
    assert "Dossier sensible" not in login(world.users["partner"]).get(url).content.decode()


def test_pages_read_by_members_404_to_others(world, bodies, login):
    copil, _ = bodies
    meeting = meet(copil, dt.date(2026, 1, 10), MeetingStatus.PLANNED)
    reads = [reverse("governance:list"), reverse("governance:body", args=[copil.pk])]
    for actor in ("manager", "agent_e1", "partner"):
        client = login(world.users[actor])
        for url in reads:
            assert client.get(url).status_code == 200, (actor, url)
    writes = [
        reverse("governance:meeting_create", args=[copil.pk]),
        reverse("governance:meeting_edit", args=[meeting.pk]),
    ]
    posts = [
        reverse("governance:meeting_held", args=[meeting.pk]),
        reverse("governance:meeting_cancel", args=[meeting.pk]),
    ]
    for actor in ("admin", "manager_b", "agent_e3", "nobody"):
        client = login(world.users[actor])
        response = client.get(reads[0])
        if actor in ("manager_b", "agent_e3"):  # their own territory's list: nothing of A
            assert response.status_code == 200
            assert "COPIL convention" not in response.content.decode()
        else:
            assert response.status_code == 404, actor
        for url in reads[1:] + writes:
            assert client.get(url).status_code == 404, (actor, url)
    for actor in ("agent_e1", "partner", "admin", "manager_b"):
        client = login(world.users[actor])
        for url in writes:
            assert client.get(url).status_code == 404, (actor, url)
        for url in posts:
            assert client.post(url).status_code == 404, (actor, url)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    with pytest.raises(PermissionDenied):
        services.meeting_cancel(acting_user=world.users["agent_e1"], meeting=meeting)


def test_the_manager_creates_edits_marks_held_and_cancels(world, bodies, login):
    copil, _ = bodies
    client = login(world.users["manager"])
    response = client.post(
        reverse("governance:meeting_create", args=[copil.pk]),
        {"title": "COPIL n°1", "day": "10/01/2026", "start_time": "14:00", "place": "CCI",
         "status": "planned", "notes": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    meeting = Meeting.objects.get(title="COPIL n°1")
    assert timezone.localtime(meeting.starts_at).hour == 14
    assert client.get(reverse("governance:meeting_edit", args=[meeting.pk])).status_code == 200
    assert client.post(reverse("governance:meeting_held", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert client.post(reverse("governance:meeting_cancel", args=[meeting.pk])).status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED
    page = client.get(reverse("governance:body", args=[copil.pk])).content.decode()
    assert "Jeanne Élue" in page
    assert "CCI A" in page


def test_the_dashboard_panel_warns_of_missing_meetings(world, bodies, login):
    year = timezone.localdate().year
    page = login(world.users["manager"]).get("/").content.decode()
    assert f"Instances de gouvernance — {year}" in page
    assert "3 manquantes" in page
    page = login(world.users["agent_e1"]).get("/").content.decode()
    assert "Instances de gouvernance" not in page
    assert Body.objects.count() == 2
