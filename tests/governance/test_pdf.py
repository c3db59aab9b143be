"""The PDFs of a meeting: the minutes (header, attendance, agenda with outcomes, text,
addenda, « Projet » until locked) and the meeting pack (convocation, agenda with presenter
and duration, the linked records' summaries only for a reader who sees them, the previous
meeting's decisions and open actions, attendees); readers of the meeting only."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from pilote.core.enums import Visibility
from pilote.governance import minutes as svc
from pilote.governance import pdf, services
from pilote.governance.enums import AttendanceStatus, BodyKind, MeetingStatus, OutcomeKind
from pilote.governance.models import AgendaItem, Attendee, Outcome
from tests.accompaniment.factories import ProjectFactory, site_of, written_by
from tests.accompaniment.leak_cases_followup import pdf_text
from tests.governance.test_minutes import body_of, meeting_of

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _squash(text: str) -> str:
    return "".join(text.split())


def _meeting(world, day=dt.date(2026, 10, 6), **fields):
    start = dt.datetime.combine(day, dt.time(9, 30), tzinfo=PARIS)
    return services.meeting_create(
        acting_user=None, body=body_of(world), title=fields.pop("title", "COPIL d'automne"),
        starts_at=start, status=MeetingStatus.HELD, place="Hôtel d'agglomération", **fields,
    )  # fmt: skip


def _held(world):
    """A held meeting with its attendance, two agenda items and their outcomes."""
    meeting = _meeting(world)
    for name, status in (
        ("Alice Présente", AttendanceStatus.PRESENT),
        ("Bruno Excusé", AttendanceStatus.EXCUSED),
        ("Chloé Absente", AttendanceStatus.ABSENT),
    ):
        Attendee.objects.create(
            meeting=meeting, name=name, status=status, organisation_name="Agglo 1"
        )
    budget = AgendaItem.objects.create(
        meeting=meeting, position=1, title="Budget prévisionnel", presenter="Directrice CCI",
        duration_minutes=20,
    )  # fmt: skip
    Outcome.objects.create(item=budget, kind=OutcomeKind.DECISION, text="Budget adopté")
    Outcome.objects.create(
        item=budget, kind=OutcomeKind.ACTION, text="Envoyer les appels de fonds",
        owner=world.users["manager"], due_on=dt.date(2026, 11, 30),
    )  # fmt: skip
    AgendaItem.objects.create(meeting=meeting, position=2, title="Questions diverses")
    return meeting


def _get_pdf(client, name, meeting):
    response = client.get(reverse(f"governance:{name}", args=[meeting.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    return response, _squash(pdf_text(response.content))


def test_the_minutes_pdf_says_everything_and_projet_until_locked(world, login):
    meeting = _held(world)
    manager = world.users["manager"]
    minutes = svc.minutes_save(
        acting_user=None, meeting=meeting, text="Le comité **approuve** le budget."
    )
    client = login(world.users["partner"])
    response, text = _get_pdf(client, "minutes_pdf", meeting)
    assert response["Content-Disposition"] == (
        f'inline; filename="compte-rendu-2026-10-06-{meeting.pk}.pdf"'
    )
    for expected in (
        "Compterendu—COPILconvention",
        "COPILd'automne",
        "06/10/2026à09:30",
        "Hôteld'agglomération",
        "AlicePrésente",
        "BrunoExcusé",
        "ChloéAbsente",
        "1.Budgetprévisionnel",
        "PrésentéparDirectriceCCI",
        "Budgetadopté",
        "Envoyerlesappelsdefonds",
        _squash(manager.get_full_name()),
        "30/11/2026",
        "2.Questionsdiverses",
        "Lecomitéapprouvelebudget.",
        "Projet",
    ):
        assert expected in text, expected
    html = pdf.minutes_html(meeting)
    assert "<strong>approuve</strong>" in html
    assert '<div class="watermark">Projet</div>' in html
    # The attendance is in its rows: present, excused, absent.
    present, excused, absent = (html.index(n) for n in ("Alice", "Bruno", "Chloé"))
    assert html.index("Présents") < present < html.index("Excusés") < excused
    assert html.index("Absents") < absent

    for step in (svc.minutes_circulate, svc.minutes_approve):
        minutes = step(acting_user=None, minutes=minutes)
        assert '<div class="watermark">Projet</div>' in pdf.minutes_html(meeting)
    minutes = svc.minutes_lock(acting_user=None, minutes=minutes)
    svc.addendum_add(acting_user=None, minutes=minutes, text="Lire : budget **modifié**.")
    _, text = _get_pdf(client, "minutes_pdf", meeting)
    assert "Projet" not in text
    assert "Verrouillé" in text
    assert "Addenda" in text
    assert "Lire:budgetmodifié." in text
    assert "watermark" not in pdf.minutes_html(meeting)


def test_the_meeting_pack_shows_linked_records_only_to_who_sees_them(world, login):
    previous = _meeting(world, day=dt.date(2026, 6, 2), title="COPIL de printemps")
    item = AgendaItem.objects.create(meeting=previous, title="Plan d'action")
    Outcome.objects.create(item=item, kind=OutcomeKind.DECISION, text="Plan adopté")
    Outcome.objects.create(item=item, kind=OutcomeKind.INFORMATION, text="Simple information")
    Outcome.objects.create(
        item=item, kind=OutcomeKind.ACTION, text="Relancer les industriels",
        owner=world.users["agent_e1"], due_on=dt.date(2026, 9, 1),
    )  # fmt: skip
    Outcome.objects.create(
        item=item, kind=OutcomeKind.ACTION, text="Action soldée", done_on=dt.date(2026, 7, 1)
    )
    meeting = _held(world)
    project = ProjectFactory(
        establishment=site_of(world, "e1", own_name="Forges Secrètes"), title="Four électrique",
        visibility=Visibility.EPCI, **written_by(world, "agent_e1"),
    )  # fmt: skip
    AgendaItem.objects.create(
        meeting=meeting, position=3, title="Projet industriel", project=project,
        indicator="establishments_met",
    )  # fmt: skip

    _, text = _get_pdf(login(world.users["manager"]), "meeting_pack", meeting)
    for expected in (
        "Dossierdeséance—COPILconvention",
        "Convocation",
        "06/10/2026à09:30",
        "Hôteld'agglomération",
        "Budgetprévisionnel",
        "DirectriceCCI",
        "20min",
        "Projet:Fourélectrique—ForgesSecrètes",
        "Indicateur:",
        "COPILdeprintempsdu02/06/2026",
        "Planadopté",
        "Relancerlesindustriels",
        "01/09/2026",
        "AlicePrésente",
        "ChloéAbsente",
    ):
        assert expected in text, expected
    assert "Actionsoldée" not in text
    assert "Simpleinformation" not in text

    for actor in ("partner", "agent_e2"):  # they read the meeting, not the EPCI's project
        _, text = _get_pdf(login(world.users[actor]), "meeting_pack", meeting)
        assert "Projetindustriel" in text
        assert "Fourélectrique" not in text
        assert "ForgesSecrètes" not in text


def test_the_pack_of_a_first_meeting_and_the_previous_one_the_reader_reads(world):
    bilateral_body = body_of(world, "Points bilatéraux", BodyKind.BILATERAL)
    first = meeting_of(world, bilateral_body, days=-30, epci=world.epcis["e1"], title="Avec e1")
    item = AgendaItem.objects.create(meeting=first, title="Point e1")
    Outcome.objects.create(item=item, kind=OutcomeKind.DECISION, text="Décision pour e1")
    second = meeting_of(world, bilateral_body, days=-2, title="Ouvert")
    assert "Décision pour e1" in pdf.pack_html(second, world.users["manager"])
    html = pdf.pack_html(second, world.users["agent_e2"])
    assert "Décision pour e1" not in html
    assert "Première réunion de cette instance." in html


def test_the_pdfs_are_for_the_readers_of_the_meeting(world, login):
    meeting = _held(world)
    svc.minutes_save(acting_user=None, meeting=meeting, text="…")
    bilateral = meeting_of(
        world, body_of(world, "Points bilatéraux", BodyKind.BILATERAL), epci=world.epcis["e1"]
    )
    svc.minutes_save(acting_user=None, meeting=bilateral, text="…")
    for name in ("minutes_pdf", "meeting_pack"):
        for actor in ("admin", "manager_b", "agent_e3", "nobody"):
            url = reverse(f"governance:{name}", args=[meeting.pk])
            assert login(world.users[actor]).get(url).status_code == 404, (name, actor)
        url = reverse(f"governance:{name}", args=[bilateral.pk])
        for actor in ("agent_e2", "partner"):
            assert login(world.users[actor]).get(url).status_code == 404, (name, actor)
        assert login(world.users["agent_e1"]).get(url).status_code == 200
