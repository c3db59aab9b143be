"""Application pages and services: create, status history (reopen included), payments,
documents (limits, content check, download under the rule), time spent, list and export."""

import datetime as dt
import html
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from pilote.applications import services
from pilote.applications.enums import Status
from pilote.applications.models import Application, Document, StatusChange
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import ProjectFactory, site_of, written_by
from tests.applications.factories import accepted_of, application_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class TestCreate:
    def test_the_agent_creates_an_application_for_a_project_of_the_establishment(
        self, client, login, world
    ):
        site = site_of(world, "e1")
        project = ProjectFactory(establishment=site, **written_by(world, "agent_e1"))
        login(world.users["agent_e1"])
        url = reverse("applications:create") + f"?etablissement={site.siret}"
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "etablissement": site.siret,
                "title": "Four électrique",
                "funder": "ADEME — Décarbonation",
                "status": Status.BUILDING,
                "project": project.pk,
                "supported": "on",
                "filed_on": "02/03/2026",
                "amount_requested": "1 250 000,50",
                "visibility": "epci",
            },
        )
        application = Application.objects.get()
        assert response.status_code == 302
        assert response["Location"] == application.get_absolute_url()
        assert application.amount_requested == Decimal("1250000.50")
        assert application.project == project
        assert application.epci == world.epcis["e1"]
        assert application.author_organisation == world.orgs["o1"]
        first = application.status_changes.get()
        assert (first.from_status, first.to_status, first.effective_on) == (
            "",
            Status.BUILDING,
            dt.date(2026, 3, 2),
        )
        assert AuditEvent.objects.filter(action="application.create").count() == 1

    def test_a_decided_status_needs_its_decision_date_and_no_scheme_needs_a_funder(
        self, client, login, world
    ):
        site = site_of(world, "e1")
        login(world.users["manager"])
        response = client.post(
            reverse("applications:create"),
            {
                "etablissement": site.siret,
                "status": Status.ACCEPTED,
                "filed_on": "2026-03-02",
                "visibility": "epci",
            },
        )
        assert response.status_code == 400
        page = text(response)
        assert "Un dossier accepté, refusé ou classé sans suite a une date de décision." in page
        assert "Choisissez un dispositif du catalogue ou nommez le financeur." in page
        assert not Application.objects.exists()

    def test_a_partner_cannot_create(self, client, login, world):
        site = site_of(world, "e1")
        login(world.users["partner"])
        url = reverse("applications:create") + f"?etablissement={site.siret}"
        assert client.get(url).status_code == 404

    def test_without_establishment_the_page_asks_for_it(self, client, login, world):
        login(world.users["manager"])
        response = client.get(reverse("applications:create"))
        assert response.status_code == 200
        assert "SIRET de l'établissement" in text(response)


class TestStatus:
    def test_history_is_dated_reasoned_and_a_closed_application_reopens(self, client, login, world):
        application = application_of(world, status=Status.REVIEW, filed_on=dt.date(2026, 3, 2))
        login(world.users["agent_e1"])
        url = reverse("applications:status", args=[application.pk])
        response = client.post(
            url,
            {
                "status": Status.REFUSED,
                "effective_on": "15/06/2026",
                "reason": "Projet hors cible",
                "version": version_of(application),
            },
        )
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == Status.REFUSED
        assert application.decided_on == dt.date(2026, 6, 15)

        response = client.post(
            url,
            {
                "status": Status.REVIEW,
                "effective_on": "01/07/2026",
                "reason": "Recours gracieux",
                "version": version_of(application),
            },
        )
        assert response.status_code == 302
        application.refresh_from_db()
        assert application.status == Status.REVIEW
        assert application.decided_on is None
        changes = list(
            application.status_changes.values_list("to_status", "effective_on", "reason")
        )
        assert changes[1:] == [
            (Status.REFUSED, dt.date(2026, 6, 15), "Projet hors cible"),
            (Status.REVIEW, dt.date(2026, 7, 1), "Recours gracieux"),
        ]
        assert AuditEvent.objects.filter(action="application.status").count() == 2

    def test_a_change_without_reason_or_before_filing_is_refused(self, client, login, world):
        application = application_of(world, status=Status.REVIEW, filed_on=dt.date(2026, 3, 2))
        login(world.users["agent_e1"])
        url = reverse("applications:status", args=[application.pk])
        response = client.post(
            url,
            {
                "status": Status.ACCEPTED,
                "effective_on": "01/02/2026",
                "reason": "",
                "version": version_of(application),
            },
        )
        assert response.status_code == 400
        assert "Dites pourquoi le statut change." in text(response)
        response = client.post(
            url,
            {
                "status": Status.ACCEPTED,
                "effective_on": "01/02/2026",
                "reason": "Comité",
                "version": version_of(application),
            },
        )
        assert response.status_code == 400
        assert "La date de décision ne peut pas précéder la date de dépôt." in text(response)
        assert StatusChange.objects.filter(application=application).count() == 1

    def test_a_stale_status_form_is_refused(self, world):
        application = application_of(world, status=Status.REVIEW)
        read_at = version_of(application)
        manager = world.users["manager"]
        services.application_update(
            acting_user=manager, application=application, version=read_at, comment="Relance faite"
        )
        from pilote.core.locking import StaleEdit

        with pytest.raises(StaleEdit):
            services.application_set_status(
                acting_user=manager,
                application=Application.objects.get(pk=application.pk),
                status=Status.ACCEPTED,
                effective_on=dt.date(2026, 6, 1),
                reason="Comité",
                version=read_at,
            )


class TestRule:
    def test_another_epci_agent_gets_404_and_a_partner_reads_only_what_is_shared(
        self, client, login, world
    ):
        private = application_of(world, "e1", "agent_e1")
        shared = application_of(world, "e1", "agent_e1", visibility="partners")
        login(world.users["agent_e2"])
        assert client.get(private.get_absolute_url()).status_code == 404
        login(world.users["partner"])
        assert client.get(private.get_absolute_url()).status_code == 404
        assert client.get(shared.get_absolute_url()).status_code == 200
        assert client.get(reverse("applications:edit", args=[shared.pk])).status_code == 403
        listing = text(client.get(reverse("applications:list")))
        assert shared.reference in listing
        assert private.reference not in listing


class TestPaymentsDocumentsTime:
    def test_payments_only_when_accepted_and_never_above_the_grant(self, client, login, world):
        pending = application_of(world)
        with pytest.raises(ValidationError):
            services.payment_add(
                acting_user=world.users["agent_e1"],
                application=pending,
                paid_on=dt.date(2026, 9, 1),
                amount="10",
            )
        accepted = accepted_of(world, amount_granted=Decimal("100000.00"))
        login(world.users["agent_e1"])
        url = reverse("applications:payment_add", args=[accepted.pk])
        assert (
            client.post(
                url, {"paid_on": "01/09/2026", "amount": "30 000", "label": "Avance"}
            ).status_code
            == 302
        )
        response = client.post(url, {"paid_on": "01/10/2026", "amount": "80 000"})
        assert response.status_code == 400
        assert "Les versements dépasseraient le montant accordé." in text(response)
        assert accepted.amount_paid == Decimal("30000.00")
        assert "30\xa0000,00\xa0€" in client.get(accepted.get_absolute_url()).content.decode()

    def test_a_pdf_is_stored_outside_static_and_downloaded_under_the_rule(
        self, client, login, world, media
    ):
        application = application_of(world)
        login(world.users["agent_e1"])
        upload = SimpleUploadedFile("../../Dossier final.pdf", PDF, content_type="text/html")
        response = client.post(
            reverse("applications:document_add", args=[application.pk]),
            {"kind": "dossier", "upload": upload},
        )
        assert response.status_code == 302
        document = Document.objects.get()
        assert document.name == "Dossier final.pdf"
        assert document.content_type == "application/pdf"  # ours, not the browser's
        assert document.file.name.startswith("dossiers/")
        assert ".." not in document.file.name
        assert (media / document.file.name).read_bytes() == PDF
        download = client.get(reverse("applications:document", args=[document.pk]))
        assert download.status_code == 200
        assert download.content == PDF
        assert "attachment" in download["Content-Disposition"]
        login(world.users["agent_e2"])
        assert client.get(reverse("applications:document", args=[document.pk])).status_code == 404

    def test_documents_are_kept_outside_the_static_files_and_never_served_from_there(
        self, client, login, world, media
    ):
        from config import settings as project  # the project's own, not this test's MEDIA_ROOT

        for static in (project.STATIC_ROOT, *project.STATICFILES_DIRS):
            assert not project.MEDIA_ROOT.resolve().is_relative_to(static.resolve())
            assert not static.resolve().is_relative_to(project.MEDIA_ROOT.resolve())
        application = application_of(world)
        login(world.users["agent_e1"])
        upload = SimpleUploadedFile("dossier.pdf", PDF)
        url = reverse("applications:document_add", args=[application.pk])
        assert client.post(url, {"kind": "dossier", "upload": upload}).status_code == 302
        name = Document.objects.get().file.name
        for address in (f"/static/{name}", f"/media/{name}", f"/{name}"):
            response = client.get(address)
            assert response.status_code == 404, address
            assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))

    @override_settings(PILOTE_DOCUMENT_MAX_BYTES=1024)
    def test_bad_files_are_refused_with_a_french_message(self, client, login, world):
        application = application_of(world)
        login(world.users["agent_e1"])
        url = reverse("applications:document_add", args=[application.pk])
        cases = [
            (
                SimpleUploadedFile("a.exe", b"MZ" + b"\0" * 100),
                "Ce type de fichier n'est pas accepté",
            ),
            (
                SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\0" * 100),
                "Le contenu du fichier ne correspond pas à son extension « .pdf ».",
            ),
            (SimpleUploadedFile("a.pdf", PDF + b"0" * 2000), "la limite est de 1,0"),
        ]
        for upload, message in cases:
            response = client.post(url, {"kind": "autre", "upload": upload})
            assert response.status_code == 400
            assert message in text(response)
        assert not Document.objects.exists()

    def test_time_spent_adds_up(self, client, login, world):
        application = application_of(world)
        login(world.users["agent_e1"])
        url = reverse("applications:time_add", args=[application.pk])
        for minutes in ("60", "30"):
            assert (
                client.post(
                    url, {"spent_on": "01/12/2026", "minutes": minutes, "description": "Relecture"}
                ).status_code
                == 302
            )
        assert services.total_minutes(application) == 90
        assert "1\xa0h\xa030" in client.get(application.get_absolute_url()).content.decode()


class TestListAndExport:
    def test_filters_sort_and_xlsx_with_real_numbers_and_dates(self, client, login, world):
        accepted = accepted_of(world, amount_granted=Decimal("120000.00"))
        application_of(world, status=Status.DRAFT, filed_on=None)
        login(world.users["manager"])
        page = text(client.get(reverse("applications:list") + "?status=accepte&tri=-accorde"))
        assert "1 dossier" in page
        assert accepted.reference in page
        response = client.get(reverse("applications:export") + "?status=accepte")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2
        line = dict(zip(rows[0], rows[1], strict=True))
        assert line["Référence"] == accepted.reference
        assert line["Montant accordé (€)"] == 120000
        assert line["Décision"].date() == dt.date(2026, 6, 15)

    def test_empty_list_explains_what_to_do(self, client, login, world):
        login(world.users["agent_e1"])
        assert "Un dossier se crée depuis la fiche d'un établissement" in text(
            client.get(reverse("applications:list"))
        )
