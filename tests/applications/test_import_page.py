"""The import page (/dossiers/import/): the TI managers of the current territory only (404
to everyone else), simulation by default, the report with the rejected lines."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilote.applications.models import Application, StatusChange
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import site_of
from tests.applications.test_import import write_csv, write_xlsx

URL = reverse("applications:import")


@pytest.fixture
def rows(world):
    site = site_of(world, "e1")
    return [
        {"reference": "DS-1", "siret": site.siret, "dispositif": "Région — Rev3",
         "statut": "Accepté", "date_depot": "02/03/2026", "date_decision": "15/06/2026",
         "montant_demande": "1\u00a0000,50 €", "montant_accorde": "1000",
         "montant_verse": "500"},
        {"reference": "DS-2", "siret": "123", "dispositif": "x", "statut": "brouillon"},
        {"reference": "DS-3", "siret": site.siret, "dispositif": "x", "statut": "gagné"},
    ]  # fmt: skip


def post(client, content, name="suivi.csv", *, dry_run=True, visibility="epci"):
    data = {"file": SimpleUploadedFile(name, content), "visibility": visibility}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(URL, data)


@pytest.mark.parametrize("actor", ["agent_e1", "agent_e2", "partner", "admin", "agent_e3",
                                   "nobody"])  # fmt: skip
@pytest.mark.django_db
def test_404_to_everyone_but_the_managers(actor, world, login, rows):
    client = login(world.users[actor])
    assert client.get(URL).status_code == 404
    assert post(client, write_csv(rows), dry_run=False).status_code == 404
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_anonymous_goes_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/comptes/" in response["Location"]


@pytest.mark.django_db
def test_the_form(world, login):
    response = login(world.users["manager"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="file"' in html
    assert re.search(r'<input[^>]*name="dry_run"[^>]*checked', html)
    assert "Simulation (rien n&#x27;est enregistré)" in html
    # The app's CSP: no inline script or style.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " style=" not in html
    assert "<style" not in html


@pytest.mark.django_db
def test_another_territory_s_manager_imports_into_it(world, login, rows):
    """manager_b's current territory is B: A's establishments are not in its base."""
    response = post(login(world.users["manager_b"]), write_csv(rows[:1]), dry_run=False)
    assert response.status_code == 200
    [rejection] = response.context["report"].rejections
    assert "n'est pas dans la base du territoire TI B" in rejection.reason
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_simulation_writes_nothing(world, login, rows):
    response = post(login(world.users["manager"]), write_csv(rows))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Simulation : rien n'a été enregistré" in html
    report = response.context["report"]
    assert report.summary() == {"read": 3, "kept": 0, "created": 1, "updated": 0, "rejected": 2}
    assert [r.line for r in report.rejections] == [3, 4]
    assert "le SIRET 123 n&#x27;est pas valide" in html
    assert "le statut « gagné » est inconnu" in html
    assert not Application.objects.exists()
    assert not StatusChange.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="application.").exists()


@pytest.mark.django_db
def test_the_manager_imports(world, login, rows):
    client = login(world.users["manager"])
    response = post(client, write_xlsx(rows), "suivi.xlsx", dry_run=False, visibility="territory")
    assert response.status_code == 200
    report = response.context["report"]
    assert report.summary() == {"read": 3, "kept": 0, "created": 1, "updated": 0, "rejected": 2}
    assert "Bilan de l'import de suivi.xlsx" in response.content.decode()
    app = Application.objects.get(reference="DS-1")
    assert app.author == world.users["manager"]
    assert app.visibility == "territory"
    assert app.amount_requested == 1000.50
    assert app.amount_paid == 500
    response = post(client, write_xlsx(rows), "suivi.xlsx", dry_run=False)
    assert response.context["report"].summary()["kept"] == 1


@pytest.mark.django_db
def test_an_unreadable_file(world, login):
    response = post(login(world.users["manager"]), b"reference;siret\nA;1\n", dry_run=False)
    assert response.status_code == 200
    assert response.context["report"] is None
    assert "colonne(s) obligatoire(s) absente(s)" in response.content.decode()
    response = post(login(world.users["manager"]), b"x", "suivi.pdf")
    assert "Un fichier .csv ou .xlsx est attendu." in response.content.decode()
