"""The register of processing activities (RGPD art. 30): a French-Excel CSV for TI managers
and platform administrators, 404 to every other member."""

import csv
import io

import pytest
from django.urls import reverse

from pilote.legal.processings import REGISTER_COLUMNS, processings

pytestmark = pytest.mark.django_db

ARTICLE_30 = [
    "Finalité",
    "Base légale",
    "Catégories de personnes",
    "Catégories de données",
    "Destinataires",
    "Durée de conservation",
    "Mesures de sécurité",
]


def read_csv(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


@pytest.mark.parametrize("role", ["manager", "admin", "manager_b"])
def test_ti_managers_and_administrators_download_the_register(role, world, login):
    response = login(world.users[role]).get(reverse("legal:register"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="registre-des-traitements-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == REGISTER_COLUMNS
    assert set(ARTICLE_30) <= set(REGISTER_COLUMNS)
    assert [r["Traitement"] for r in rows] == [p.name for p in processings()]
    contacts = next(r for r in rows if r["Traitement"] == "Contacts des entreprises")
    assert "Intérêt légitime" in contacts["Base légale"]
    assert contacts["Durée de conservation"].startswith("3 ans après le dernier contact")
    assert all(r[c] for r in rows for c in REGISTER_COLUMNS)
    assert {r["État"] for r in rows} == {p.status for p in processings()}
    assert {r["État"] for r in rows} <= {"en service", "prévu"}
    newsletter = next(r for r in rows if r["Traitement"] == "Lettre d'information")
    assert newsletter["État"] == "en service"
    assert rows[0]["Contact du délégué à la protection des données"] == "dpo@pilote.example"


@pytest.mark.parametrize("role", ["agent_e1", "partner", "nobody"])
def test_the_register_is_404_to_other_members(role, world, login):
    assert login(world.users[role]).get(reverse("legal:register")).status_code == 404


def test_the_register_asks_a_visitor_to_log_in(client):
    response = client.get(reverse("legal:register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_personal_data_page_links_the_register_only_for_who_may_download_it(world, login):
    url = reverse("legal:register")
    assert url in login(world.users["manager"]).get(reverse("legal:personal_data")).content.decode()
    assert (
        url
        not in login(world.users["agent_e1"]).get(reverse("legal:personal_data")).content.decode()
    )


def test_the_register_uses_the_controller_settings(world, login, settings):
    settings.LEGAL_PUBLISHER = "CCI Exemple-sur-Mer"
    settings.LEGAL_DPO_EMAIL = "dpo@cci.example"
    rows = read_csv(login(world.users["manager"]).get(reverse("legal:register")))
    assert {r["Responsable de traitement"] for r in rows} == {"CCI Exemple-sur-Mer"}
    assert {r["Contact du délégué à la protection des données"] for r in rows} == {
        "dpo@cci.example"
    }
