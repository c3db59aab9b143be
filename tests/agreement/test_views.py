"""The agreement's pages per actor (200 or 404), the writes through them (issue, payment,
reminder, import), the PDF letter and the dashboard panel."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pilote.agreement.models import ActualExpense, FundsCall, Payment
from pilote.core.models import AuditEvent
from tests.accompaniment.leak_cases_followup import pdf_text
from tests.agreement.factories import agreement_of, call_of
from tests.world import ACTORS

READERS = {"manager", "agent_e1", "agent_e2"}


@pytest.fixture
def agreement(world):
    return agreement_of(
        world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]], title="Convention A"
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_who_reads_the_agreement_and_who_writes(world, agreement, login, actor):
    client = login(world.users[actor])
    call = call_of(world.epcis["e1"], world.territory_a)
    reads = {
        # territory B has no agreement: its members read the empty page, which says so
        reverse("agreement:overview"): actor in READERS | {"manager_b", "agent_e3"},
        f"{reverse('agreement:overview')}?convention={agreement.pk}": actor in READERS,
        reverse("agreement:year", args=[1]): actor in READERS,
        reverse("agreement:call", args=[call.pk]): actor in {"manager", "agent_e1"},
        reverse("agreement:call_letter", args=[call.pk]): actor in {"manager", "agent_e1"},
        reverse("agreement:expenses_import"): actor == "manager",
        reverse("agreement:calls_issue"): actor == "manager",
        reverse("agreement:payment_add", args=[call.pk]): actor == "manager",
    }
    for url, allowed in reads.items():
        assert client.get(url).status_code == (200 if allowed else 404), url
    # Lists answer everyone, with what they may see.
    for name in ("agreement:calls", "agreement:calls_export"):
        assert client.get(reverse(name)).status_code == 200


def test_the_overview_shows_the_roadmap_tables_and_the_parties(hdc_manager, login):
    page = login(hdc_manager).get(reverse("agreement:overview")).content.decode()
    text = page.replace("\xa0", " ")
    assert "97 865,00 €" in text
    assert "74 865,00 €" in text
    assert "74 864,98 €" in text  # year 2's resources: six capped shares and the CCI
    assert "40 000,00 €" in text
    assert "9 865,00 €" in text
    assert "Part égale du reste, plafonnée à 10 833,33 €" in text
    assert "200030633" in text  # an EPCI's SIREN
    assert "Aucun avenant" in text


def test_the_year_page_shows_the_computed_calls_and_the_uncovered_alert(hdc_manager, login):
    text = login(hdc_manager).get(reverse("agreement:year", args=[2])).content.decode()
    text = text.replace("\xa0", " ")
    assert "76 140,00 €" in text  # the actual expenses of year 2
    assert "1 275,02 € non couverts" in text  # on actuals, the caps bite
    assert "0,02 € non couverts" in text  # on the forecast
    assert "fr-alert--warning" in text


def test_an_empty_territory_says_what_to_do(world, login):
    page = login(world.users["manager"]).get(reverse("agreement:overview"))
    assert page.status_code == 200
    assert "Aucune convention de partenariat" in page.content.decode()


def test_issue_form_creates_the_calls_then_refuses_again(world, agreement, login):
    client = login(world.users["manager"])
    data = {"year": "1", "basis": "forecast", "issued_on": timezone.localdate().isoformat()}
    response = client.post(reverse("agreement:calls_issue"), data)
    assert response.status_code == 302
    assert FundsCall.objects.filter(year__agreement=agreement).count() == 2
    again = client.post(reverse("agreement:calls_issue"), data)
    assert again.status_code == 200
    assert "déjà émis (2 appels)" in again.content.decode()
    assert FundsCall.objects.filter(year__agreement=agreement).count() == 2


def test_an_agent_posting_a_write_gets_404_and_nothing_changes(world, login):
    call = call_of(world.epcis["e1"], world.territory_a)
    client = login(world.users["agent_e1"])
    before = AuditEvent.objects.count()
    data = {"received_on": timezone.localdate().isoformat(), "amount": "10", "reference": "x"}
    assert client.post(reverse("agreement:payment_add", args=[call.pk]), data).status_code == 404
    assert client.post(reverse("agreement:call_remind", args=[call.pk])).status_code == 404
    assert not Payment.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_payment_through_the_page_and_an_overpayment_refused(world, login):
    call = call_of(world.epcis["e1"], world.territory_a, amount="8000.00")
    client = login(world.users["manager"])
    url = reverse("agreement:payment_add", args=[call.pk])
    day = timezone.localdate().isoformat()
    response = client.post(url, {"received_on": day, "amount": "8 000,01", "reference": ""})
    assert response.status_code == 200
    assert "dépasse le reste à payer" in response.content.decode()
    response = client.post(url, {"received_on": day, "amount": "7 999,50", "reference": "M1"})
    assert response.status_code == 302
    assert Payment.objects.get().amount == Decimal("7999.50")
    page = client.get(reverse("agreement:call", args=[call.pk])).content.decode()
    assert "0,50\xa0€" in page
    assert "M1" in page


def test_the_reminder_button_reminds(world, login, django_capture_on_commit_callbacks):
    call = call_of(world.epcis["e1"], world.territory_a)
    client = login(world.users["manager"])
    assert (
        "Relancer les agents"
        in client.get(reverse("agreement:call", args=[call.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(reverse("agreement:call_remind", args=[call.pk]))
    assert response.status_code == 302
    assert len(callbacks) == 1
    assert FundsCall.objects.get(pk=call.pk).reminders_sent == 1


def test_the_calls_list_filters_and_marks_the_overdue(world, login):
    late = call_of(world.epcis["e1"], world.territory_a)
    pending = call_of(world.epcis["e2"], world.territory_a, overdue=False)
    client = login(world.users["manager"])
    page = client.get(reverse("agreement:calls") + "?statut=late").content.decode()
    assert late.number in page
    assert pending.number not in page
    assert "fr-text-default--error" in page
    page = client.get(reverse("agreement:calls") + "?statut=pending").content.decode()
    assert pending.number in page
    assert late.number not in page


def test_the_letter_pdf(hdc_manager, login):
    call = FundsCall.objects.select_related("party").order_by("party__siren").first()
    response = login(hdc_manager).get(reverse("agreement:call_letter", args=[call.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content).replace("\xa0", " ").replace("\u202f", " ")
    assert "8 000,00 €" in text
    assert "CCI Grand Hainaut" in text  # the letterhead: the payee
    assert call.party.name in text
    assert call.number in text
    assert "48 000,00 €" in text  # to share: 97 865 − 49 865
    assert call.due_on.strftime("%d/%m/%Y") in text
    assert "FR76" in text  # the payment details


CSV = (
    "date;nature;libelle;montant\n"
    "15/10/2022;salaires_charges;Salaires octobre;7 113,75\n"
    "32/10/2022;salaires_charges;Date fausse;100\n"
    "16/10/2022;inconnue;Nature fausse;100\n"
    "17/10/2022;fournitures;Montant faux;douze\n"
    "01/01/2030;fournitures;Hors convention;10\n"
)


def _upload(content=CSV, name="depenses.csv"):
    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")


def test_the_import_page_simulates_then_imports(hdc_manager, login):
    client = login(hdc_manager)
    url = reverse("agreement:expenses_import")
    before = ActualExpense.objects.count()
    response = client.post(url, {"file": _upload(), "dry_run": "on"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "Bilan de la simulation de depenses.csv" in text
    for line in (3, 4, 5, 6):
        assert f"<td>{line}</td>" in text
    assert "<td>2</td>" not in text.split("Lignes refusées")[1]
    assert ActualExpense.objects.count() == before  # the dry run wrote nothing
    response = client.post(url, {"file": _upload()})
    assert response.status_code == 200
    assert ActualExpense.objects.count() == before + 1
    assert ActualExpense.objects.filter(label="Salaires octobre", amount=Decimal("7113.75"))
    assert AuditEvent.objects.filter(action="agreement.expenses_import").count() == 1


def test_the_import_page_refuses_an_unreadable_file(hdc_manager, login):
    response = login(hdc_manager).post(
        reverse("agreement:expenses_import"), {"file": _upload("a;b\n1;2\n")}
    )
    assert "colonne(s) obligatoire(s) absente(s)" in response.content.decode()


def test_the_dashboard_panel_for_the_ti_manager_only(world, agreement, login):
    call_of(world.epcis["e1"], world.territory_a)
    page = login(world.users["manager"]).get(reverse("core:home")).content.decode()
    assert "Convention de partenariat — année 1" in page
    page = login(world.users["agent_e1"]).get(reverse("core:home")).content.decode()
    assert "Convention de partenariat — année" not in page


def test_the_menu_links_the_agreement_for_its_readers(world, login):
    url = reverse("agreement:overview")
    for actor in ("manager", "agent_e1", "partner"):
        page = login(world.users[actor]).get(reverse("core:home")).content.decode()
        assert (f'href="{url}"' in page) == (actor != "partner"), actor
