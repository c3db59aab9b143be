"""Actions decided in governance meetings on their owner's « Mes actions » (a section of their
own, with the meeting link, the due date, the overdue badge and « Marquer faite ») and in the
dashboard count; never for anyone else, nor once done, nor once the meeting is out of reach."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment.dashboard import my_actions as dashboard_panel
from pilote.governance import services
from pilote.governance.enums import BodyKind, MeetingStatus, OutcomeKind

pytestmark = pytest.mark.django_db

SECTION = "Actions des instances de gouvernance"


@pytest.fixture
def actions(world):
    body = services.body_create(
        acting_user=None, territory=world.territory_a, name="COTECH", kind=BodyKind.TECHNICAL
    )
    today = timezone.localdate()

    def action(text, owner, due_in, epci=None):
        meeting = services.meeting_create(
            acting_user=None, body=body, title=f"Réunion {text}",
            starts_at=timezone.now() - dt.timedelta(days=10), status=MeetingStatus.HELD,
            epci=epci,
        )  # fmt: skip
        item = services.agenda_item_create(acting_user=None, meeting=meeting, title="Point")
        return services.outcome_create(
            acting_user=None, item=item, kind=OutcomeKind.ACTION, text=text,
            owner=world.users[owner], due_on=today + dt.timedelta(days=due_in),
        )  # fmt: skip

    return {
        "late": action("Relancer la sous-préfecture", "agent_e1", -2),
        "soon": action("Préparer la fiche foncier", "agent_e1", 5),
        "other": action("Consolider les indicateurs", "manager", 5),
        "bilateral": action("Point zone du Premier", "agent_e1", 3, world.epcis["e1"]),
    }


def _page(client):
    response = client.get(reverse("accompaniment:my_actions"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_owner_sees_their_governance_actions(client, login, world, actions):
    login(world.users["agent_e1"])
    text = _page(client)
    assert SECTION in text
    for key in ("late", "soon", "bilateral"):
        assert actions[key].text in text
        assert actions[key].item.meeting.get_absolute_url() in text
        assert reverse("governance:outcome_done", args=[actions[key].pk]) in text
    assert actions["other"].text not in text
    assert "En retard" in text
    assert actions["late"].due_on.strftime("%d/%m/%Y") in text


def test_others_do_not_see_them(client, login, world, actions):
    login(world.users["agent_e2"])
    text = _page(client)
    assert SECTION not in text
    assert actions["late"].text not in text
    login(world.users["manager"])
    text = _page(client)
    assert actions["other"].text in text
    assert actions["late"].text not in text


def test_a_done_action_leaves_the_list(client, login, world, actions):
    services.outcome_mark_done(acting_user=world.users["agent_e1"], outcome=actions["late"])
    login(world.users["agent_e1"])
    text = _page(client)
    assert actions["late"].text not in text
    assert actions["soon"].text in text


def test_an_unreadable_meeting_hides_its_action(client, login, world, actions):
    """The owner no longer reads the bilateral meeting once it is another EPCI's."""
    services.meeting_update(
        acting_user=None, meeting=actions["bilateral"].item.meeting, epci=world.epcis["e2"]
    )
    login(world.users["agent_e1"])
    assert actions["bilateral"].text not in _page(client)


def test_the_dashboard_counts_them(rf, world, actions):
    request = rf.get("/")
    request.user = world.users["agent_e1"]
    ctx = dashboard_panel(request)
    assert ctx["open"] == 3
    assert ctx["overdue"] == 1
    services.outcome_mark_done(acting_user=None, outcome=actions["late"])
    ctx = dashboard_panel(request)
    assert (ctx["open"], ctx["overdue"]) == (2, 0)
    request.user = world.users["agent_e2"]
    assert dashboard_panel(request)["open"] == 0


def test_marquer_faite_from_the_list(client, login, world, actions):
    login(world.users["agent_e1"])
    url = reverse("governance:outcome_done", args=[actions["soon"].pk])
    response = client.post(url, {"next": reverse("accompaniment:my_actions")})
    assert response.status_code == 302
    actions["soon"].refresh_from_db()
    assert actions["soon"].done_on == timezone.localdate()
    assert actions["soon"].text not in _page(client)
