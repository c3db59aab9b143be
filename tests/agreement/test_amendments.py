"""Amendments (avenants) of the agreement as dated versions of the forecast budget: the
service (lines updated, history rows, audit, balance, permissions, dates), the page and the
overview, and the calls for funds on the amended forecast."""

import datetime as dt
import html
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilote.agreement import services
from pilote.agreement.enums import Basis, Nature, Rule
from pilote.agreement.forms import AmendmentForm
from pilote.agreement.models import (
    Agreement,
    AmendedLine,
    Amendment,
    ForecastExpense,
    FundsCall,
    Party,
    Resource,
)
from pilote.core.models import AuditEvent
from tests.agreement.factories import agreement_of
from tests.world import ACTORS

D = Decimal
SALARIES = Nature.SALAIRES_CHARGES
ON = dt.date(2024, 3, 1)


def text_of(response) -> str:
    return html.unescape(response.content.decode()).replace("\xa0", " ")


def epcis_of(agreement):
    return list(Party.objects.filter(agreement=agreement, kind="epci").order_by("siren"))


def raise_year_2(agreement, user, *, date=ON):
    """Year 2's salaries up by 6 000 € and each of the six EPCIs' caps up by 1 000 €."""
    return services.amendment_record(
        acting_user=user, agreement=agreement, date=date, label="Avenant n° 1",
        changes_text="Hausse des salaires de l'année 2.",
        expenses={(2, SALARIES): D("69365.00"), (2, Nature.FOURNITURES): D("2000.00")},
        resources={(2, p.pk): D("11833.33") for p in epcis_of(agreement)},
    )  # fmt: skip


def calls_json(year):
    out = io.StringIO()
    call_command(
        "calls_for_funds", "--year", str(year), "--basis", "forecast", "--json", stdout=out
    )
    return json.loads(out.getvalue())


# --- the service ----------------------------------------------------------------------------


def test_an_amendment_updates_the_lines_and_keeps_their_history(hdc, hdc_manager):
    agreement = Agreement.objects.get()
    amendment = raise_year_2(agreement, hdc_manager)
    salaries = ForecastExpense.objects.get(year__number=2, nature=SALARIES)
    assert salaries.amount == D("69365.00")
    assert salaries.amendment == amendment
    # the unchanged line given (fournitures) is ignored; year 1 is untouched
    assert ForecastExpense.objects.get(year__number=2, nature=Nature.FOURNITURES).amendment is None
    assert not ForecastExpense.objects.filter(year__number=1, amendment__isnull=False).exists()
    caps = Resource.objects.filter(year__number=2, rule=Rule.SHARE)
    assert {(r.amount, r.amendment_id) for r in caps} == {(D("11833.33"), amendment.pk)}
    lines = list(amendment.lines.all())
    assert len(lines) == 7
    expense = next(line for line in lines if line.kind == AmendedLine.Kind.EXPENSE)
    assert (expense.nature, expense.amount_before, expense.amount_after) == (
        SALARIES, D("63365.00"), D("69365.00"),
    )  # fmt: skip
    assert {(line.amount_before, line.amount_after) for line in lines if line.party_id} == {
        (D("10833.33"), D("11833.33"))
    }
    event = AuditEvent.objects.get(action="agreement.amendment_record")
    assert event.actor == hdc_manager
    assert event.changes["année 2 · Salaires et charges"] == ["63365.00", "69365.00"]
    assert len([k for k in event.changes if k.startswith("année")]) == 7


def test_the_calls_for_funds_follow_the_amended_forecast(hdc, hdc_manager):
    before = calls_json(2)
    assert before["expenses"] == "74865.00"
    raise_year_2(Agreement.objects.get(), hdc_manager)
    after = calls_json(2)
    assert after["expenses"] == "80865.00"
    assert after["to_share"] == "71000.00"
    assert after["cap"] == "11833.33"
    assert [p["amount"] for p in after["partners"]] == ["11833.33"] * 6
    assert after["uncovered"] == "0.02"


def test_a_year_that_no_longer_balances_is_refused(hdc, hdc_manager):
    agreement = Agreement.objects.get()
    with pytest.raises(ValidationError) as error:
        services.amendment_record(
            acting_user=hdc_manager, agreement=agreement, date=ON, label="Avenant",
            expenses={(2, SALARIES): D("65000.00")},
        )  # fmt: skip
    message = " ".join(error.value.messages).replace("\xa0", " ")
    assert "Le budget de l'année 2 ne s'équilibre plus : dépenses 76 500,00 €" in message
    assert "ressources 74 864,98 €" in message
    assert not Amendment.objects.exists()
    assert not AmendedLine.objects.exists()
    assert ForecastExpense.objects.get(year__number=2, nature=SALARIES).amount == D("63365.00")


def test_the_seed_gap_of_year_2_is_tolerated_but_not_more(hdc, hdc_manager):
    """Year 2 keeps its 0,02 € gap; six sharing partners tolerate less than 0,06 €."""
    agreement = Agreement.objects.get()
    services.amendment_record(
        acting_user=hdc_manager, agreement=agreement, date=ON, label="Transfert",
        expenses={(2, Nature.VEHICULE): D("4000.00"), (2, Nature.FOURNITURES): D("1500.00")},
    )  # fmt: skip
    with pytest.raises(ValidationError, match="ne s'équilibre plus"):
        services.amendment_record(
            acting_user=hdc_manager, agreement=agreement, date=ON, label="Trop",
            expenses={(2, Nature.FOURNITURES): D("1500.04")},
        )  # fmt: skip
    assert Amendment.objects.count() == 1


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_ti_manager_records_an_amendment(world, actor):
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]])
    cci = agreement.parties.get(kind="cci")
    record = {
        "agreement": agreement, "date": timezone.localdate(), "label": "Avenant",
        "expenses": {(1, SALARIES): D("21000.00")}, "resources": {(1, cci.pk): D("5000.00")},
    }  # fmt: skip
    if actor == "manager":
        services.amendment_record(acting_user=world.users[actor], **record)
        assert ForecastExpense.objects.get(year__agreement=agreement).amount == D("21000.00")
    else:
        with pytest.raises(PermissionDenied):
            services.amendment_record(acting_user=world.users[actor], **record)
        assert not Amendment.objects.exists()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"date": "before"}, "précéder la signature"),
        ({"date": "future"}, "ne peut pas être future"),
        ({"expenses": {}}, "ne change aucune ligne"),
        ({"expenses": {(1, SALARIES): D("20000.00")}}, "ne change aucune ligne"),
        ({"expenses": {(1, SALARIES): D("-1.00")}}, "négatif"),
        ({"expenses": {(1, SALARIES): D("20000.001")}}, "au centime près"),
        ({"expenses": {(3, SALARIES): D("1.00")}}, "pas d'année 3"),
        ({"expenses": {(1, "repas"): D("1.00")}}, "Nature de dépense inconnue"),
        ({"resources": "other"}, "Financeur inconnu"),
        ({"label": "  "}, "L'intitulé de l'avenant manque"),
    ],
)
def test_what_an_amendment_must_be(world, change, expected):
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]])
    other = agreement_of(world.territory_a)
    record = {
        "date": timezone.localdate(),
        "label": "Avenant",
        "expenses": {(1, SALARIES): D("20500.00")},
        "resources": {(1, agreement.parties.get(kind="cci").pk): D("4500.00")},
    }
    record.update(change)
    if record["date"] == "before":
        record["date"] = agreement.signed_on - dt.timedelta(days=1)
    elif record["date"] == "future":
        record["date"] = timezone.localdate() + dt.timedelta(days=1)
    if record["resources"] == "other":
        record["resources"] = {(1, other.parties.get(kind="cci").pk): D("4500.00")}
    if "expenses" in change and "resources" not in change:
        record["resources"] = {}
    with pytest.raises(ValidationError) as error:
        services.amendment_record(acting_user=world.users["manager"], agreement=agreement,
                                  **record)  # fmt: skip
    assert expected in " ".join(error.value.messages)
    assert not Amendment.objects.exists()


def test_the_valid_control_of_what_an_amendment_must_be(world):
    """The base record of the test above passes: its refusals come from each change."""
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]])
    amendment = services.amendment_record(
        acting_user=world.users["manager"], agreement=agreement, date=agreement.signed_on,
        label="Avenant", expenses={(1, SALARIES): D("20500.00")},
        resources={(1, agreement.parties.get(kind="cci").pk): D("4500.00")},
    )  # fmt: skip
    assert amendment.lines.count() == 2


# --- the pages ------------------------------------------------------------------------------


def form_data(agreement, **changes):
    form = AmendmentForm(agreement=agreement)
    data = {name: form.fields[name].initial for name in form.lines}
    data["forecast"] = form.fingerprint()
    data.update({"date": ON.isoformat(), "label": "Avenant n° 1", "changes": "Salaires."})
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_manager_records_an_amendment_on_the_page(hdc, hdc_manager, login):
    agreement = Agreement.objects.get()
    client = login(hdc_manager)
    url = reverse("agreement:amendment_create")
    page = text_of(client.get(url))
    assert 'value="10 833,33"' in page
    assert 'value="63 365,00"' in page
    changes = {"depense_2_salaires_charges": "69 365,00"}
    for party in epcis_of(agreement):
        changes[f"ressource_2_{party.pk}"] = "11 833,33"
    response = client.post(url, form_data(agreement, **changes))
    assert response.status_code == 302
    amendment = Amendment.objects.get()
    assert amendment.date == ON
    assert amendment.changes == "Salaires."
    assert amendment.lines.count() == 7
    assert ForecastExpense.objects.get(year__number=2, nature=SALARIES).amount == D("69365.00")
    overview = text_of(client.get(reverse("agreement:overview")))
    assert "Salaires et charges, année 2 : 63 365,00 € → 69 365,00 €" in overview
    assert "modifié par l'avenant du 01/03/2024" in overview
    assert "Aucun avenant" not in overview
    assert "Enregistrer un avenant" in overview


def test_the_page_shows_the_refusals_in_french(hdc, hdc_manager, login):
    agreement = Agreement.objects.get()
    client = login(hdc_manager)
    url = reverse("agreement:amendment_create")
    unbalanced = text_of(
        client.post(url, form_data(agreement, depense_2_salaires_charges="65 000,00"))
    )
    assert "Le budget de l'année 2 ne s'équilibre plus : dépenses 76 500,00 €" in unbalanced
    unreadable = text_of(client.post(url, form_data(agreement, depense_2_vehicule="trois")))
    assert "Le montant est illisible." in unreadable
    unchanged = text_of(client.post(url, form_data(agreement)))
    assert "ne change aucune ligne" in unchanged
    assert not Amendment.objects.exists()
    # a page opened before another amendment does not undo it
    stale = form_data(agreement, depense_2_vehicule="4 000,00", depense_2_fournitures="1 500,00")
    services.amendment_record(
        acting_user=hdc_manager, agreement=agreement, date=ON, label="Entre-temps",
        expenses={(2, Nature.VEHICULE): D("3000.00"), (2, Nature.FOURNITURES): D("2500.00")},
    )  # fmt: skip
    assert "a changé depuis l'ouverture de cette page" in text_of(client.post(url, stale))
    assert Amendment.objects.count() == 1
    assert ForecastExpense.objects.get(year__number=2, nature=Nature.VEHICULE).amount == D(
        "3000.00"
    )


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_ti_manager_reaches_the_page(world, login, actor):
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]])
    client = login(world.users[actor])
    url = f"{reverse('agreement:amendment_create')}?convention={agreement.pk}"
    expected = 200 if actor == "manager" else 404
    assert client.get(url).status_code == expected
    data = form_data(agreement, depense_1_salaires_charges="20 500,00", date="")
    data["date"] = timezone.localdate().isoformat()
    data[f"ressource_1_{agreement.parties.get(kind='cci').pk}"] = "4 500,00"
    response = client.post(url, data)
    assert response.status_code == (302 if actor == "manager" else 404)
    assert Amendment.objects.exists() == (actor == "manager")
    overview = text_of(client.get(f"{reverse('agreement:overview')}?convention={agreement.pk}"))
    if actor in {"manager", "agent_e1", "agent_e2"}:
        assert ("Enregistrer un avenant" in overview) == (actor == "manager")


def test_the_overview_warns_when_issued_calls_differ_from_the_rule(hdc, hdc_manager, login):
    agreement = Agreement.objects.get()
    assert FundsCall.objects.filter(year__number=1, basis=Basis.FORECAST).count() == 6
    client = login(hdc_manager)
    assert "diffèrent de ce que donne la règle" not in text_of(
        client.get(reverse("agreement:overview"))
    )
    services.amendment_record(
        acting_user=hdc_manager, agreement=agreement, date=ON, label="Avenant année 1",
        expenses={(1, SALARIES): D("91365.00")},
        resources={(1, p.pk): D("9000.00") for p in epcis_of(agreement)},
    )  # fmt: skip
    page = text_of(client.get(reverse("agreement:overview")))
    assert "Les appels de fonds déjà émis de l'année 1" in page
    assert "(48 000,00 €) diffèrent de ce que donne la règle aujourd'hui (54 000,00 €)" in page
    # the issued calls are not changed
    assert set(FundsCall.objects.filter(year__number=1).values_list("amount", flat=True)) == {
        D("8000.00")
    }


def test_the_forecast_as_it_stood_at_a_date(hdc, hdc_manager, login):
    agreement = Agreement.objects.get()
    raise_year_2(agreement, hdc_manager)
    services.amendment_record(
        acting_user=hdc_manager, agreement=agreement, date=dt.date(2024, 6, 1),
        label="Avenant n° 2",
        expenses={(2, Nature.VEHICULE): D("4000.00"), (2, Nature.FOURNITURES): D("1500.00")},
    )  # fmt: skip
    client = login(hdc_manager)
    signed = text_of(client.get(reverse("agreement:overview") + "?au=2022-09-15"))
    assert "Budget prévisionnel de l'année 2 au 15/09/2022" in signed
    assert "Salaires et charges 63 365,00 €" in signed
    assert "Véhicule de service partagé 3 500,00 €" in signed
    assert "total 74 864,98 €" in signed
    first = text_of(client.get(reverse("agreement:overview") + "?au=2024-03-01"))
    assert "Salaires et charges 69 365,00 €" in first
    assert "Véhicule de service partagé 3 500,00 €" in first
    now = text_of(client.get(reverse("agreement:overview") + "?au=2024-06-01"))
    assert "Véhicule de service partagé 4 000,00 €" in now
