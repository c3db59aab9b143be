"""The decisions and actions search: by text, nature, action status, body and year; each row
links to its meeting; bilateral meetings stay with their EPCI and the TI managers; the
global search finds decisions too."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.governance import services
from pilote.governance.enums import BodyKind, MeetingStatus, OutcomeKind

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def records(world):
    ta = world.territory_a
    copil = services.body_create(
        acting_user=None, territory=ta, name="COPIL convention", kind=BodyKind.STEERING
    )
    bilateral = services.body_create(
        acting_user=None, territory=ta, name="Points bilatéraux", kind=BodyKind.BILATERAL
    )
    made = {}

    def outcome(body, day, title, kind, text, epci=None, **fields):
        meeting = services.meeting_create(
            acting_user=None, body=body, title=title, starts_at=at(day),
            status=MeetingStatus.HELD, epci=epci,
        )  # fmt: skip
        item = services.agenda_item_create(
            acting_user=None, meeting=meeting, title=f"Point {title}"
        )
        made[text] = services.outcome_create(
            acting_user=None, item=item, kind=kind, text=text, **fields
        )
        return made[text]

    today = timezone.localdate()
    outcome(copil, dt.date(2025, 3, 10), "COPIL de mars", OutcomeKind.DECISION,
            "Budget du poste validé")  # fmt: skip
    outcome(copil, dt.date(2026, 2, 10), "COPIL de février", OutcomeKind.DECISION,
            "Feuille de route adoptée")  # fmt: skip
    outcome(copil, dt.date(2026, 2, 11), "COPIL informatif", OutcomeKind.INFORMATION,
            "Information sur le calendrier")  # fmt: skip
    outcome(copil, dt.date(2026, 2, 12), "COPIL des actions", OutcomeKind.ACTION,
            "Relancer les industriels", owner=world.users["manager"],
            due_on=today - dt.timedelta(days=3))  # fmt: skip
    done = outcome(copil, dt.date(2026, 2, 13), "COPIL bis", OutcomeKind.ACTION,
                   "Envoyer le compte rendu", owner=world.users["manager"],
                   due_on=today + dt.timedelta(days=3))  # fmt: skip
    services.outcome_mark_done(acting_user=None, outcome=done)
    outcome(bilateral, dt.date(2026, 3, 1), "Point avec le Premier", OutcomeKind.DECISION,
            "Zone activité confidentielle retenue", epci=world.epcis["e1"])  # fmt: skip
    return made


def _texts(client, **params):
    response = client.get(reverse("governance:decisions"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_decisions_are_found_by_text_and_link_to_their_meeting(client, login, world, records):
    login(world.users["partner"])
    text = _texts(client)
    assert "Budget du poste validé" in text
    assert "Feuille de route adoptée" in text
    assert "Information sur le calendrier" not in text  # an information is not a decision
    assert "Relancer les industriels" not in text  # decisions by default
    assert records["Feuille de route adoptée"].item.meeting.get_absolute_url() in text
    text = _texts(client, q="feuille route")
    assert "Feuille de route adoptée" in text
    assert "Budget du poste validé" not in text
    text = _texts(client, q="février")  # the meeting's title
    assert "Feuille de route adoptée" in text
    assert "Budget du poste validé" not in text
    text = _texts(client, q="Point COPIL de mars")  # the agenda item's title
    assert "Budget du poste validé" in text
    assert "Feuille de route adoptée" not in text
    text = _texts(client, annee="2025")
    assert "Budget du poste validé" in text
    assert "Feuille de route adoptée" not in text


def test_actions_filter_by_status(client, login, world, records):
    login(world.users["manager"])
    text = _texts(client, nature="actions")
    assert "Relancer les industriels" in text
    assert "Envoyer le compte rendu" in text
    assert "Feuille de route adoptée" not in text
    text = _texts(client, nature="actions", statut="en_retard")
    assert "Relancer les industriels" in text
    assert "Envoyer le compte rendu" not in text
    text = _texts(client, nature="actions", statut="faites")
    assert "Relancer les industriels" not in text
    assert "Envoyer le compte rendu" in text
    text = _texts(client, nature="tout", statut="ouvertes")
    assert "Relancer les industriels" in text
    assert "Feuille de route adoptée" not in text
    text = _texts(client, nature="tout")
    assert "Relancer les industriels" in text
    assert "Feuille de route adoptée" in text
    body = records["Budget du poste validé"].item.meeting.body
    assert "Zone activité" not in _texts(client, instance=body.pk)


@pytest.mark.parametrize(
    ("actor", "sees"),
    [("manager", True), ("agent_e1", True), ("agent_e2", False), ("partner", False)],
)
def test_bilateral_decisions_stay_with_their_epci(client, login, world, records, actor, sees):
    login(world.users[actor])
    assert ("Zone activité confidentielle retenue" in _texts(client)) is sees
    assert ("Zone activité confidentielle retenue" in _texts(client, q="zone")) is sees
    response = client.get(reverse("search:results"), {"q": "confidentielle"})
    assert response.status_code == 200
    assert ("Zone activité confidentielle retenue" in response.content.decode()) is sees


@pytest.mark.parametrize("actor", ["admin", "manager_b", "agent_e3", "nobody"])
def test_outsiders_find_nothing(client, login, world, records, actor):
    login(world.users[actor])
    text = _texts(client, nature="tout")
    assert "Feuille de route adoptée" not in text
    assert "Relancer les industriels" not in text
    assert "COPIL convention" not in text  # not even the bodies in the filter
    response = client.get(reverse("search:results"), {"q": "Feuille de route"})
    assert "Feuille de route adoptée" not in response.content.decode()


def test_the_global_search_finds_decisions(client, login, world, records):
    login(world.users["agent_e2"])
    response = client.get(reverse("search:results"), {"q": "feuille de route"})
    text = response.content.decode()
    assert "Feuille de route adoptée" in text
    assert records["Feuille de route adoptée"].item.meeting.get_absolute_url() in text
    assert reverse("governance:decisions") + "?q=feuille+de+route&amp;nature=tout" in text


def test_the_list_sorts_and_answers_htmx(client, login, world, records):
    login(world.users["manager"])
    text = _texts(client, tri="instance", nature="tout")
    assert text.index("COPIL") < text.index("Points bilatéraux")
    response = client.get(
        reverse("governance:decisions"), {"q": "budget"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert "Budget du poste validé" in response.content.decode()
