"""The meeting page and its forms: who reads it (bilateral meetings: the EPCI and the TI
managers only), linked records shown only to who sees them, the agenda, outcome and attendance
forms for the TI managers (404 to everyone else, but the owner of an action marks it done),
optimistic locking, the freeze once the minutes are locked, and GET pages never write."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.core import locking
from pilote.core.models import AuditEvent
from pilote.governance import services
from pilote.governance.enums import AttendanceStatus, BodyKind, MinutesStatus
from pilote.governance.models import AgendaItem, Attendee, Meeting, Minutes, Outcome
from tests.accompaniment.factories import ProjectFactory, site_of, written_by
from tests.aids.factories import CallWindowFactory

pytestmark = pytest.mark.django_db

READERS = ("manager", "agent_e1", "agent_e2", "partner")
OUTSIDERS = ("admin", "manager_b", "agent_e3", "nobody")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def copil(world):
    body = services.body_create(
        acting_user=None, territory=world.territory_a, name="COPIL convention",
        kind=BodyKind.STEERING, required_per_year=3,
    )  # fmt: skip
    services.member_add(acting_user=None, body=body, name="Jeanne Élue", role="Présidente")
    services.member_add(
        acting_user=None, body=body, user=world.users["agent_e1"], organisation=world.orgs["o1"]
    )
    return body


@pytest.fixture
def meeting(copil):
    return services.meeting_create(
        acting_user=None, body=copil, title="COPIL n°1", starts_at=at(dt.date(2026, 3, 10)),
        place="CCI, Valenciennes",
    )  # fmt: skip


@pytest.fixture
def full(world, meeting):
    """A meeting with an item linked to a project of e1 (visibility EPCI), a call and an
    indicator; a decision and an action owned by agent_e1; an attendee."""
    project = ProjectFactory(
        establishment=site_of(world, "e1"), title="Extension secrète", visibility="epci",
        **written_by(world, "agent_e1"),
    )  # fmt: skip
    item = services.agenda_item_create(
        acting_user=None, meeting=meeting, title="Projets du trimestre", project=project,
        call=CallWindowFactory(label="Vague 2"), indicator="projects", presenter="M. Dupont",
    )  # fmt: skip
    services.outcome_create(acting_user=None, item=item, kind="decision", text="Plan validé")
    action = services.outcome_create(
        acting_user=None, item=item, kind="action", text="Relancer la Région",
        owner=world.users["agent_e1"], due_on=dt.date(2026, 4, 30),
    )  # fmt: skip
    services.attendee_add(acting_user=None, meeting=meeting, name="M. Industriel")
    return {"meeting": meeting, "item": item, "project": project, "action": action}


def page(client, meeting):
    return client.get(reverse("governance:meeting", args=[meeting.pk]))


def test_the_meeting_page_shows_agenda_outcomes_and_attendance(world, full, login):
    response = page(login(world.users["manager"]), full["meeting"])
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "COPIL n°1", "10/03/2026", "10:00", "CCI, Valenciennes", "Projets du trimestre",
        "Extension secrète", "Vague 2", "Projets d&#x27;entreprise", "Plan validé",
        "Relancer la Région", "30/04/2026", "Décision", "Action", "M. Industriel",
        "Ajouter un point", 'id="compte-rendu"', 'id="documents"',
    ):  # fmt: skip
        assert text in html, text
    assert reverse("indicators:dashboard") in html
    assert full["project"].get_absolute_url() in html


def test_readers_read_it_outsiders_get_404(world, full, login):
    for actor in READERS:
        assert page(login(world.users[actor]), full["meeting"]).status_code == 200, actor
    for actor in OUTSIDERS:
        assert page(login(world.users[actor]), full["meeting"]).status_code == 404, actor


def test_a_linked_project_is_shown_only_to_who_sees_it(world, full, login):
    url = full["project"].get_absolute_url()
    html = page(login(world.users["agent_e1"]), full["meeting"]).content.decode()
    assert "Extension secrète" in html
    assert url in html
    for actor in ("agent_e2", "partner"):
        html = page(login(world.users[actor]), full["meeting"]).content.decode()
        assert "Projets du trimestre" in html
        assert "Extension secrète" not in html, actor
        assert url not in html, actor
        assert "élément non visible pour vous" in html


def test_a_bilateral_meeting_is_404_for_the_other_epci_and_the_partners(world, copil, login):
    bilateral = services.meeting_create(
        acting_user=None, body=copil, title="Point bilatéral e1", starts_at=at(dt.date(2026, 2, 1)),
        epci=world.epcis["e1"],
    )  # fmt: skip
    item = services.agenda_item_create(acting_user=None, meeting=bilateral, title="Sujet")
    action = services.outcome_create(
        acting_user=None, item=item, kind="action", text="Relancer",
        owner=world.users["agent_e1"], due_on=dt.date(2026, 3, 1),
    )  # fmt: skip
    html = page(login(world.users["agent_e1"]), bilateral).content.decode()
    assert "Point bilatéral — CA du Premier" in html
    assert page(login(world.users["manager"]), bilateral).status_code == 200
    for actor in ("agent_e2", "partner", *OUTSIDERS):
        client = login(world.users[actor])
        assert page(client, bilateral).status_code == 404, actor
        done = client.post(reverse("governance:outcome_done", args=[action.pk]))
        assert done.status_code == 404, actor
    action.refresh_from_db()
    assert action.done_on is None


def test_write_pages_are_404_to_everyone_but_the_managers(world, full, login):
    meeting, item, action = full["meeting"], full["item"], full["action"]
    attendee = meeting.attendees.get()
    gets = [
        reverse("governance:agenda_add", args=[meeting.pk]),
        reverse("governance:agenda_edit", args=[item.pk]),
        reverse("governance:outcome_add", args=[item.pk]),
        reverse("governance:outcome_edit", args=[action.pk]),
        reverse("governance:attendance", args=[meeting.pk]),
        reverse("governance:attendee_add", args=[meeting.pk]),
    ]
    posts = {
        reverse("governance:agenda_add", args=[meeting.pk]): {"title": "Intrus"},
        reverse("governance:agenda_edit", args=[item.pk]): {"title": "Intrus"},
        reverse("governance:agenda_delete", args=[item.pk]): {},
        reverse("governance:outcome_add", args=[item.pk]): {"kind": "decision", "text": "X"},
        reverse("governance:attendance", args=[meeting.pk]): {"action": "inviter"},
        reverse("governance:attendee_add", args=[meeting.pk]): {"name": "Intrus"},
    }
    for actor in ("agent_e1", "agent_e2", "partner", *OUTSIDERS):
        client = login(world.users[actor])
        for url in gets:
            assert client.get(url).status_code == 404, (actor, url)
        for url, data in posts.items():
            assert client.post(url, data).status_code == 404, (actor, url)
    assert client.get(reverse("governance:agenda_delete", args=[item.pk])).status_code == 405
    assert AgendaItem.objects.get().title == "Projets du trimestre"
    assert Attendee.objects.get() == attendee
    assert Outcome.objects.count() == 2


def test_the_owner_marks_their_action_done_from_the_page(world, full, login):
    action = full["action"]
    url = reverse("governance:outcome_done", args=[action.pk])
    for actor in ("agent_e2", "partner"):  # they read the meeting, the action is not theirs
        html = page(login(world.users[actor]), full["meeting"]).content.decode()
        assert url not in html
        assert login(world.users[actor]).post(url).status_code == 404
    client = login(world.users["agent_e1"])
    assert url in page(client, full["meeting"]).content.decode()
    response = client.post(url, {"next": "https://ailleurs.example/"})
    assert response.status_code == 302
    assert response["Location"].startswith(full["meeting"].get_absolute_url())
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    assert AuditEvent.objects.get(action="governance_outcome.done").actor == world.users["agent_e1"]
    assert "Faite le" in page(client, full["meeting"]).content.decode()


def test_the_manager_builds_the_agenda_outcomes_and_attendance(world, meeting, login):
    client = login(world.users["manager"])
    project = ProjectFactory(
        establishment=site_of(world, "e2"), title="Nouvelle ligne", **written_by(world, "agent_e2")
    )
    form = client.get(reverse("governance:agenda_add", args=[meeting.pk])).content.decode()
    assert "Nouvelle ligne" in form
    assert "Projets d&#x27;entreprise" in form
    response = client.post(
        reverse("governance:agenda_add", args=[meeting.pk]),
        {"title": "Point projets", "project": project.pk, "indicator": "projects",
         "duration_minutes": "20"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    item = AgendaItem.objects.get()
    assert (item.project, item.indicator, item.position) == (project, "projects", 1)
    response = client.post(
        reverse("governance:outcome_add", args=[item.pk]),
        {"kind": "action", "text": "Préparer le dossier", "owner": world.users["agent_e2"].pk},
    )
    assert response.status_code == 200
    assert "Une action a une échéance." in response.content.decode()
    response = client.post(
        reverse("governance:outcome_add", args=[item.pk]),
        {"kind": "action", "text": "Préparer le dossier", "owner": world.users["agent_e2"].pk,
         "due_on": "30/06/2026"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Outcome.objects.get()
    assert (action.owner, action.due_on) == (world.users["agent_e2"], dt.date(2026, 6, 30))
    response = client.post(
        reverse("governance:attendance", args=[meeting.pk]), {"action": "inviter"}
    )
    assert response.status_code == 302
    assert meeting.attendees.count() == 2
    client.post(
        reverse("governance:attendee_add", args=[meeting.pk]),
        {"name": "Mme Invitée", "organisation_name": "Région"},
    )
    attendees = {a.display_name: a for a in meeting.attendees.all()}
    guest, elue = attendees["Mme Invitée"], attendees["Jeanne Élue"]
    html = client.get(reverse("governance:attendance", args=[meeting.pk])).content.decode()
    assert "Mme Invitée" in html
    response = client.post(
        reverse("governance:attendance", args=[meeting.pk]),
        {f"status-{a.pk}": "invited" for a in attendees.values()}
        | {f"status-{guest.pk}": "present", f"status-{elue.pk}": "excused"},
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    elue.refresh_from_db()
    assert (guest.status, elue.status) == (AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED)
    assert AuditEvent.objects.filter(action="governance_attendee.update").count() == 2
    response = client.post(reverse("governance:agenda_delete", args=[item.pk]))
    assert response.status_code == 302
    assert not AgendaItem.objects.exists()


def test_a_stale_agenda_form_is_refused(world, full, login):
    client = login(world.users["manager"])
    item = full["item"]
    url = reverse("governance:agenda_edit", args=[item.pk])
    assert client.get(url).status_code == 200
    version = locking.version_of(item)
    services.agenda_item_update(acting_user=None, item=item, title="Changé ailleurs")
    response = client.post(url, {"title": "Mon titre", "version": version})
    assert response.status_code == 200
    assert "a été modifiée" in response.content.decode()
    item.refresh_from_db()
    assert item.title == "Changé ailleurs"


def test_a_stale_meeting_form_is_refused(world, meeting, login):
    client = login(world.users["manager"])
    url = reverse("governance:meeting_edit", args=[meeting.pk])
    assert 'name="version"' in client.get(url).content.decode()
    version = locking.version_of(meeting)
    services.meeting_update(acting_user=None, meeting=meeting, place="Changé ailleurs")
    data = {"title": "COPIL n°1", "day": "10/03/2026", "start_time": "10:00",
            "place": "Ma salle", "status": "planned", "notes": "", "version": version}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "a été modifiée" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.place == "Changé ailleurs"
    data["version"] = locking.version_of(meeting)
    data["end_time"] = "12:00"
    assert client.post(url, data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "Ma salle"
    assert timezone.localtime(meeting.ends_at).hour == 12


def test_locked_minutes_freeze_the_forms(world, full, login):
    meeting = full["meeting"]
    Minutes.objects.create(meeting=meeting, text="CR", status=MinutesStatus.LOCKED)
    client = login(world.users["manager"])
    html = page(client, meeting).content.decode()
    assert reverse("governance:agenda_add", args=[meeting.pk]) not in html
    assert reverse("governance:outcome_done", args=[full["action"].pk]) in html
    response = client.post(reverse("governance:agenda_add", args=[meeting.pk]), {"title": "Tard"})
    assert response.status_code == 200
    assert "Le compte rendu est verrouillé : ajoutez un addendum." in response.content.decode()
    assert AgendaItem.objects.count() == 1


def test_get_pages_never_write(world, full, login):
    meeting, item, action = full["meeting"], full["item"], full["action"]
    urls = [
        reverse("governance:meeting", args=[meeting.pk]),
        reverse("governance:agenda_add", args=[meeting.pk]),
        reverse("governance:agenda_edit", args=[item.pk]),
        reverse("governance:outcome_add", args=[item.pk]),
        reverse("governance:outcome_edit", args=[action.pk]),
        reverse("governance:attendance", args=[meeting.pk]),
        reverse("governance:attendee_add", args=[meeting.pk]),
        reverse("governance:body", args=[meeting.body_id]),
    ]

    def state():
        return (
            AuditEvent.objects.count(),
            [m.updated_at for m in Meeting.objects.all()],
            [i.updated_at for i in AgendaItem.objects.all()],
            [(o.updated_at, o.done_on) for o in Outcome.objects.all()],
            list(Attendee.objects.values_list("pk", "status")),
        )

    before = state()
    for actor in ("manager", "agent_e1"):
        client = login(world.users[actor])
        for url in urls:
            assert client.get(url).status_code in (200, 404), url
        assert client.get(reverse("governance:outcome_done", args=[action.pk])).status_code == 405
    assert state() == before
