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
def test_500_is_a_french_page_that_needs_no_database(settings):
    settings.ROOT_URLCONF = "tests.core.urls_failing"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Erreur inattendue" in html
    assert "dsfr.min.css" in html
