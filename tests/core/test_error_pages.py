import pytest
from django.test import Client


@pytest.mark.django_db
def test_404_is_a_french_dsfr_page(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page non trouvée" in html
    assert "dsfr.min.css" in html


@pytest.mark.django_db
def test_403_is_a_french_dsfr_page(world, login):
    client = login(world.users["agent_e1"])
    response = client.get("/comptes/membres/inviter/")
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()


@pytest.mark.django_db
def test_a_record_seen_read_only_says_why_its_edit_page_is_refused(world, login):
    from pilote.core.enums import Visibility
    from tests.factories import NoteFactory

    note = NoteFactory(
        epci=world.epcis["e1"],
        visibility=Visibility.TERRITORY,
        author_organisation=world.orgs["o1"],
    )
    response = login(world.users["agent_e2"]).get(f"/notes/{note.pk}/modifier/")
    assert response.status_code == 403
    assert "Vous pouvez consulter cet élément, mais pas le modifier." in response.content.decode()


@pytest.mark.django_db
def test_500_is_a_french_page_that_needs_no_database(settings):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur inattendue" in html
    assert "dsfr.min.css" in html
