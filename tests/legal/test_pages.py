"""The legal pages a French public service must have (docs/legal.md): open to anyone,
linked from the DSFR footer of every page."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGES = {
    "legal:legal_notice": [
        "Mentions légales",
        "Éditeur",
        "Directeur de la publication",
        "Hébergement",
    ],
    "legal:personal_data": [
        "Données personnelles",
        "Contacts des entreprises",
        "Intérêt légitime",
        "3 ans après le dernier contact",
        "Lettre d'information",
        "Événements",
        "Journal d'audit",
        "Destinataires",
        "Vos droits",
        "dpo@pilote.example",
    ],
    "legal:accessibility": [
        "Déclaration d'accessibilité",
        "RGAA",
        "non conforme",
        "Dérogations pour charge disproportionnée",
        "Défenseur des droits",
        "contact@pilote.example",
    ],
    "legal:cookies": ["Gestion des cookies", "sessionid", "csrftoken", "aucun consentement"],
}
FOOTER_LABELS = ["Mentions légales", "Données personnelles", "Gestion des cookies"]


@pytest.mark.parametrize("name", PAGES)
def test_each_page_answers_anonymously_with_its_content_in_dsfr(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    for text in PAGES[name]:
        assert text in html, text
    assert "dsfr.min.css" in html
    assert 'class="fr-breadcrumb"' in html
    assert f'href="{reverse(name)}" aria-current="page"' in html


def test_the_legal_notice_shows_the_settings_and_no_demo_warning_once_set(client, settings):
    settings.LEGAL_PUBLISHER = "CCI Exemple-sur-Mer"
    settings.LEGAL_HOST = "Hébergeur SAS, 1 rue du Nuage, 75000 Paris"
    settings.LEGAL_PUBLICATION_DIRECTOR = "Camille Martin, présidente"
    settings.LEGAL_CONTACT_EMAIL = "pilote@cci.example"
    settings.LEGAL_DPO_EMAIL = "dpo@cci.example"
    html = unescape(client.get(reverse("legal:legal_notice")).content.decode())
    for value in ("CCI Exemple-sur-Mer", "1 rue du Nuage", "Camille Martin", "pilote@cci.example"):
        assert value in html
    assert "Valeurs de démonstration" not in html
    assert "dpo@cci.example" in client.get(reverse("legal:personal_data")).content.decode()


def test_the_demo_values_name_the_cci_grand_hainaut_and_ask_for_production_settings(client):
    html = unescape(client.get(reverse("legal:legal_notice")).content.decode())
    assert "CCI Grand Hainaut" in html
    assert "Valeurs de démonstration" in html
    assert "LEGAL_PUBLISHER" in html


def test_the_deploy_check_warns_while_legal_settings_are_empty(settings):
    from pilote.legal.checks import legal_settings_are_set

    assert [w.id for w in legal_settings_are_set(None)] == ["legal.W001"]
    for name in (
        "LEGAL_PUBLISHER",
        "LEGAL_HOST",
        "LEGAL_PUBLICATION_DIRECTOR",
        "LEGAL_CONTACT_EMAIL",
        "LEGAL_DPO_EMAIL",
    ):
        setattr(settings, name, "réglé")
    assert legal_settings_are_set(None) == []


@pytest.mark.parametrize("path", ["/comptes/connexion/", "/", "/notes/", "/mentions-legales/"])
def test_the_footer_links_to_every_legal_page_from_any_page(path, world, login):
    client = login(world.users["agent_e1"]) if path in ("/", "/notes/") else Client()
    response = client.get(path)
    assert response.status_code == 200
    html = unescape(response.content.decode())
    footer = html[html.index('<footer class="fr-footer"') :]
    assert "(audit à venir)" not in footer
    for name in PAGES:
        assert f'class="fr-footer__bottom-link" href="{reverse(name)}"' in footer, name
    for label in FOOTER_LABELS:
        assert label in footer
    assert "Accessibilité : non conforme" in footer


def test_the_404_page_has_the_legal_footer_too(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert reverse("legal:accessibility") in response.content.decode()
