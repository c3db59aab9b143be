"""The « Imports SIRENE » page: a platform administrator starts an import of the files of
SIRENE_IMPORT_DIR as a background task, and follows its progress and its summary."""

import html

import pytest
from django.urls import reverse

from pilote.companies.models import Establishment, ImportJob
from pilote.companies.sirene_generator import write_establishments
from pilote.core.models import AuditEvent
from tests.companies.test_import import etab, place  # noqa: F401 (place: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def import_dir(tmp_path, settings, place):  # noqa: F811
    settings.SIRENE_IMPORT_DIR = tmp_path
    path = tmp_path / "StockEtablissement.csv"
    write_establishments(
        path,
        [
            etab("552100554", "00013", "59122"),
            etab("900000000", "0001", "62041"),  # outside the territory, bad SIRET
        ],
    )
    (tmp_path / "notes.txt").write_text("pas un fichier SIRENE", encoding="utf-8")
    return tmp_path


def start(client, import_dir, django_capture_on_commit_callbacks, **options):
    data = {"etablissements": str(import_dir / "StockEtablissement.csv"), **options}
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (immediate backend)
        response = client.post(reverse("companies:imports"), data)
    assert response.status_code == 302
    return ImportJob.objects.latest("pk")


def test_an_administrator_runs_an_import_and_reads_its_summary(
    world, login, import_dir, django_capture_on_commit_callbacks
):
    client = login(world.users["admin"])
    page = html.unescape(client.get(reverse("companies:imports")).content.decode())
    assert "StockEtablissement.csv" in page
    assert "notes.txt" not in page  # only CSV and zip files are offered

    job = start(client, import_dir, django_capture_on_commit_callbacks, wet_run="on")

    assert job.status == ImportJob.Status.DONE
    assert job.summary == {
        "scanned": 2, "kept": 1, "created": 1, "updated": 0, "closed": 0, "rejected": 0
    }  # fmt: skip
    assert Establishment.objects.filter(siret="55210055400013").exists()
    assert AuditEvent.objects.filter(action="sirene_job.create").exists()
    card = html.unescape(
        client.get(reverse("companies:import_progress", args=[job.pk])).content.decode()
    )
    assert "Terminé" in card
    assert "Lues : 2 · gardées : 1 · créées : 1" in card


def test_the_whole_file_diagnosis_reports_the_other_territories_broken_lines(
    world, login, import_dir, django_capture_on_commit_callbacks
):
    client = login(world.users["admin"])
    job = start(client, import_dir, django_capture_on_commit_callbacks, whole_file="on")

    assert (job.whole_file, job.wet_run, job.summary["rejected"]) == (True, False, 1)
    assert job.rejects == [[3, "SIRET invalide (14 chiffres attendus) : « 9000000000001 »"]]
    assert not Establishment.objects.exists()  # a simulation
    card = html.unescape(
        client.get(reverse("companies:import_progress", args=[job.pk])).content.decode()
    )
    assert "diagnostic de tout le fichier" in card
    assert "ligne 3 : SIRET invalide" in card


def test_a_file_outside_the_import_folder_is_refused(world, login, import_dir, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("ailleurs") / "StockEtablissement.csv"
    write_establishments(elsewhere, [etab("552100554", "00013", "59122")])
    client = login(world.users["admin"])
    response = client.post(reverse("companies:imports"), {"etablissements": str(elsewhere)})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in html.unescape(response.content.decode())
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("user", ["manager", "agent_e1", "partner"])
def test_only_platform_administrators_see_the_page(world, login, import_dir, user):
    client = login(world.users[user])
    assert client.get(reverse("companies:imports")).status_code == 404
