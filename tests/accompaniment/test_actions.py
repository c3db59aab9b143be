"""« Mes actions »: the reader's own actions they may still see, overdue ones highlighted, a
quick status change through the service."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment.enums import ActionStatus
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import ActionFactory, site_of, written_by

pytestmark = pytest.mark.django_db

URL = reverse("accompaniment:my_actions")


def _action(world, author="agent_e1", epci="e1", **fields):
    fields.setdefault("establishment", site_of(world, epci))
    return ActionFactory(**written_by(world, author), **fields)


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", html, re.S)[1:]  # without the header row


def test_it_lists_only_my_visible_actions(client, login, world):
    mine = _action(world, title="Relancer le dirigeant")
    colleague = _action(world, title="Action du collègue")
    colleague.owner = world.users["manager"]
    colleague.save()
    # Owned by agent_e1 but private to the CCI: agent_e1 may not see it any more.
    hidden = _action(
        world, author="manager", title="Note interne CCI", visibility=Visibility.PRIVATE
    )
    hidden.owner = world.users["agent_e1"]
    hidden.save()
    # Owned by agent_e1 on another EPCI, EPCI-only: invisible to agent_e1.
    other_epci = _action(world, author="agent_e2", epci="e2", title="Suivi confidentiel e2")
    other_epci.owner = world.users["agent_e1"]
    other_epci.save()

    html = login(world.users["agent_e1"]).get(URL).content.decode()

    assert mine.title in html
    assert colleague.title not in html
    assert hidden.title not in html
    assert other_epci.title not in html
    assert "1 action" in html


def test_overdue_actions_are_highlighted(client, login, world):
    today = timezone.localdate()
    late = _action(world, title="Envoyer le dossier AAP", due_date=today - dt.timedelta(days=3))
    _action(world, title="Préparer la visite", due_date=today + dt.timedelta(days=3))
    _action(
        world, title="Action faite en retard", due_date=today - dt.timedelta(days=9),
        status=ActionStatus.DONE, done_on=today,
    )  # fmt: skip

    html = login(world.users["agent_e1"]).get(URL).content.decode()

    rows = {re.search(r">([^<]+)</a>", row).group(1): row for row in _rows(html)}
    assert "En retard" in rows[late.title]
    assert "En retard" not in rows["Préparer la visite"]
    assert "Action faite en retard" not in rows  # open ones by default
    assert "dont <strong>1 en retard</strong>" in html
    assert late.due_date.strftime("%d/%m/%Y") in rows[late.title]


def test_filters_by_status(client, login, world):
    today = timezone.localdate()
    _action(world, title="Action ouverte")
    _action(world, title="Action terminée", status=ActionStatus.DONE)
    _action(world, title="Action en retard", due_date=today - dt.timedelta(days=1))
    client = login(world.users["agent_e1"])

    def titles(statut):
        html = client.get(URL, {"statut": statut}).content.decode()
        return {re.search(r">([^<]+)</a>", row).group(1) for row in _rows(html)}

    assert titles("ouvertes") == {"Action ouverte", "Action en retard"}
    assert titles("done") == {"Action terminée"}
    assert titles("en_retard") == {"Action en retard"}
    assert titles("toutes") == {"Action ouverte", "Action terminée", "Action en retard"}
    assert titles("n-importe-quoi") == {"Action ouverte", "Action en retard"}


def test_an_empty_list_says_what_to_do_next(client, login, world):
    html = login(world.users["manager"]).get(URL).content.decode()
    assert "Aucune action ici." in html
    assert reverse("accompaniment:interaction_list") in html


def test_quick_status_change_goes_through_the_service(client, login, world):
    action = _action(world)
    client = login(world.users["agent_e1"])

    response = client.post(
        reverse("accompaniment:action_status", args=[action.pk]),
        {"status": ActionStatus.DONE, "next": URL + "?statut=toutes"},
    )

    assert response.status_code == 302
    assert response["Location"] == URL + "?statut=toutes"
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.done_on == timezone.localdate()
    event = AuditEvent.objects.get(action="action.update", object_id=str(action.pk))
    assert event.actor == world.users["agent_e1"]
    assert event.changes["status"] == [ActionStatus.TODO, ActionStatus.DONE]


def test_status_change_is_404_on_an_action_that_is_not_mine_or_not_visible(client, login, world):
    others = _action(world, author="manager")  # owned by the manager, visible to agent_e1
    hidden = _action(world, author="agent_e2", epci="e2")
    hidden.owner = world.users["agent_e1"]
    hidden.save()
    client = login(world.users["agent_e1"])
    for action in (others, hidden):
        url = reverse("accompaniment:action_status", args=[action.pk])
        assert client.post(url, {"status": ActionStatus.DONE}).status_code == 404
        action.refresh_from_db()
        assert action.status == ActionStatus.TODO


def test_status_change_rejects_unknown_status_and_get(client, login, world):
    action = _action(world)
    client = login(world.users["agent_e1"])
    url = reverse("accompaniment:action_status", args=[action.pk])
    assert client.get(url).status_code == 405
    client.post(url, {"status": "fini"})
    action.refresh_from_db()
    assert action.status == ActionStatus.TODO


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/comptes/connexion/")
