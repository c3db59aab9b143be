"""An application from the establishment page to its payment, in real Chromium at 1280 px:
the TI manager creates it for the company's project, moves it to « accepté » with a reason,
records an instalment and uploads a document; the list shows it without scrolling sideways.
No page may raise a console error or a Content-Security-Policy violation."""

import re

import pytest
from playwright.sync_api import expect

from pilote.applications.enums import Status
from pilote.applications.models import Application
from tests.accompaniment.factories import ProjectFactory, written_by
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_manager_follows_an_application_to_its_payment(
    page, browser_errors, login_as, context, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Fonderie du Hainaut")
    )
    project = ProjectFactory(establishment=site, title="Four à induction",
                             **written_by(world, "agent_e1"))  # fmt: skip
    login_as(context, world.users["manager"])
    page.set_viewport_size({"width": 1280, "height": 800})

    page.goto(site.get_absolute_url())
    page.get_by_role("link", name="Nouveau dossier de candidature").click()
    expect(
        page.get_by_role("heading", level=1, name="Nouveau dossier de candidature")
    ).to_be_visible()
    page.get_by_label("Intitulé").fill("Four à induction — France 2030")
    page.get_by_label("Financeur ou dispositif hors catalogue").fill("Bpifrance — France 2030")
    page.get_by_label("Référence").fill("DS-2026-0042")
    page.get_by_label("Statut").select_option(label="En instruction")
    page.get_by_label("Projet financé").select_option(label=str(project))
    page.get_by_label("Date de dépôt").fill("2026-03-02")
    page.get_by_label("Montant demandé (€)").fill("250 000")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Le dossier est enregistré.")).to_be_visible()
    application = Application.objects.get()
    assert application.amount_requested == 250000
    assert application.project == project

    page.get_by_role("link", name="Changer le statut").click()
    page.get_by_label("Nouveau statut").select_option(label="Accepté")
    page.get_by_label("Date d'effet").fill("2026-06-15")
    page.get_by_label("Motif").fill("Comité d'engagement du 15 juin")
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_text("Le dossier est maintenant « accepté ».")).to_be_visible()
    expect(page.get_by_role("cell", name="Comité d'engagement du 15 juin")).to_be_visible()

    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Montant accordé (€)").fill("180 000")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Ajouter un versement").click()
    page.get_by_label("Date du versement").fill("2026-09-01")
    page.get_by_label("Montant versé (€)").fill("54 000")
    page.get_by_label("Libellé").fill("Avance de 30 %")
    page.get_by_role("button", name="Enregistrer le versement").click()
    expect(page.get_by_text("Le versement est enregistré.")).to_be_visible()
    expect(page.get_by_text("54 000,00 €").first).to_be_visible()

    pdf = tmp_path / "convention.pdf"
    pdf.write_bytes(PDF)
    page.get_by_text("Ajouter une pièce").click()
    page.get_by_label("Nature").select_option(label="Convention d'aide")
    page.get_by_label("Fichier").set_input_files(str(pdf))
    page.get_by_role("button", name="Déposer la pièce").click()
    expect(page.get_by_role("link", name="convention.pdf")).to_be_visible()

    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    assert str(application.amount_paid) == "54000.00"

    page.goto("/dossiers/")
    expect(page.get_by_role("link", name=re.compile("Fonderie du Hainaut", re.I))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    table_fits = page.evaluate(
        "[...document.querySelectorAll('table')].every(t => t.getBoundingClientRect().right"
        " <= document.documentElement.clientWidth)"
    )
    assert table_fits
    browser_errors.assert_none()
