"""The home dashboard's « Mes actions de suivi » panel."""

import datetime as dt

from django.utils import timezone

from pilote.core.enums import Visibility
from tests.accompaniment.factories import ActionFactory, site_of, written_by

TODAY = timezone.localdate()


def test_the_panel_counts_the_users_visible_open_actions_and_flags_the_overdue(world, login):
    agent = world.users["agent_e1"]
    ActionFactory(
        establishment=site_of(world), owner=agent, title="Relancer le dossier VTE",
        due_date=TODAY - dt.timedelta(days=3), **written_by(world, "agent_e1"),
    )  # fmt: skip
    ActionFactory(
        establishment=site_of(world), owner=agent, title="Envoyer la fiche ZIBAC",
        due_date=TODAY + dt.timedelta(days=3), **written_by(world, "agent_e1"),
    )  # fmt: skip
    # Owned by the agent but private to another organisation: never shown to them.
    ActionFactory(
        establishment=site_of(world, "e2"), owner=agent, title="Action confidentielle",
        due_date=TODAY, visibility=Visibility.PRIVATE, **written_by(world, "manager"),
    )  # fmt: skip

    html = login(agent).get("/").content.decode()

    assert "Mes actions de suivi" in html
    assert "2 actions ouvertes, dont <strong>1 en retard</strong>" in html
    assert html.index("Relancer le dossier VTE") < html.index("Envoyer la fiche ZIBAC")
    assert "Action confidentielle" not in html


def test_the_panel_says_what_to_do_when_there_is_nothing(world, login):
    html = login(world.users["agent_e2"]).get("/").content.decode()
    assert "Aucune action ouverte à votre nom" in html
