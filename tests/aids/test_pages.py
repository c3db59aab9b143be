"""Every page of the app renders for the TI manager, in French, without inline style."""

import pytest
from django.urls import reverse

from pilote.aids import services
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_every_page_renders(world, login):
    scheme = AidSchemeFactory(themes=["export"], level="europeen")
    window = CallWindowFactory(scheme=scheme)
    establishment = EstablishmentFactory(epci=world.epcis["e1"])
    manager = world.users["manager"]
    note = services.note_create(
        acting_user=manager, scheme=scheme, epci=world.epcis["e1"], body="Note", visibility="epci"
    )
    search = services.search_create(acting_user=manager, name="Export", themes=["export"])
    client = login(manager)
    urls = [
        reverse("aids:list"),
        reverse("aids:list") + "?status=all&theme=export",
        reverse("aids:create"),
        reverse("aids:import"),
        reverse("aids:detail", args=[scheme.pk]),
        reverse("aids:edit", args=[scheme.pk]),
        reverse("aids:window_create", args=[scheme.pk]),
        reverse("aids:window_edit", args=[scheme.pk, window.pk]),
        reverse("aids:note_create", args=[scheme.pk]),
        reverse("aids:note_edit", args=[note.pk]),
        reverse("aids:detection", args=[scheme.pk]),
        reverse("aids:dispatches"),
        reverse("aids:calendar"),
        reverse("aids:feed"),
        reverse("aids:match", args=[establishment.siret]),
        reverse("aids:searches"),
        reverse("aids:search", args=[search.pk]),
        reverse("aids:unsubscribe", args=[search.subscriptions.get().key]),
        reverse("aids:confirm", args=["jeton"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'style="' not in html, url
        assert '<html lang="fr"' in html, url
