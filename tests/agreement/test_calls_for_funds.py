"""calls_for_funds on the demo's agreement: the acceptance figures, on forecast and actuals."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from pilote.agreement import demo
from pilote.agreement.models import ActualExpense, Agreement, ForecastExpense, Party, Resource
from tests.agreement.conftest import SIRENS


def calls(*args):
    out = io.StringIO()
    call_command("calls_for_funds", *args, stdout=out)
    return out.getvalue()


def calls_json(year, basis):
    return json.loads(calls("--year", str(year), "--basis", basis, "--json"))


def test_the_demo_is_the_seed_agreement(hdc):
    agreement = Agreement.objects.get()
    assert agreement.starts_on.isoformat() == "2022-09-15"
    assert agreement.duration_years == 2
    assert sorted(Party.objects.filter(kind="epci").values_list("siren", flat=True)) == sorted(
        SIRENS
    )
    assert {p.kind for p in Party.objects.all()} == {"cci", "epci", "state"}
    for number, total in ((1, "97865.00"), (2, "74865.00")):
        lines = ForecastExpense.objects.filter(year__number=number)
        assert str(sum(line.amount for line in lines)) == total
        resources = Resource.objects.filter(year__number=number)
        assert str(sum(r.amount for r in resources)) == {1: "97865.00", 2: "74864.98"}[number]


def test_the_demo_is_idempotent(hdc):
    assert demo.load(out=io.StringIO()) == 0


def test_year_1_forecast_six_times_8000(hdc):
    data = calls_json(1, "forecast")
    assert data["year"] == 1
    assert data["period"] == ["2022-09-15", "2023-09-14"]
    assert data["basis"] == "forecast"
    assert data["expenses"] == "97865.00"
    assert data["fixed"] == {"CCI Grand Hainaut": "9865.00", "État (FNADT)": "40000.00"}
    assert data["to_share"] == "48000.00"
    assert data["cap"] == "8000.00"
    assert [p["amount"] for p in data["partners"]] == ["8000.00"] * 6
    assert [p["siren"] for p in data["partners"]] == sorted(SIRENS)
    assert data["uncovered"] == "0.00"


def test_year_2_forecast_six_times_10833_33_and_two_cents_uncovered(hdc):
    data = calls_json(2, "forecast")
    assert data["period"] == ["2023-09-15", "2024-09-14"]
    assert data["expenses"] == "74865.00"
    assert data["fixed"] == {"CCI Grand Hainaut": "9865.00"}
    assert data["to_share"] == "65000.00"
    assert data["cap"] == "10833.33"
    assert [p["amount"] for p in data["partners"]] == ["10833.33"] * 6
    assert data["uncovered"] == "0.02"


def test_actuals_below_the_forecast_everyone_pays_less(hdc):
    data = calls_json(1, "actual")
    # 96 210,00 − 49 865,00 = 46 345,00 = 4 × 7 724,17 + 2 × 7 724,16 (lowest SIRENs first)
    assert data["expenses"] == "96210.00"
    assert data["to_share"] == "46345.00"
    assert [p["amount"] for p in data["partners"]] == ["7724.17"] * 4 + ["7724.16"] * 2
    assert data["uncovered"] == "0.00"


def test_actuals_above_the_forecast_caps_bite_and_uncovered_is_shown(hdc):
    data = calls_json(2, "actual")
    # 76 140,00 − 9 865,00 = 66 275,00; six caps of 10 833,33 leave 1 275,02
    assert data["expenses"] == "76140.00"
    assert data["to_share"] == "66275.00"
    assert [p["amount"] for p in data["partners"]] == ["10833.33"] * 6
    assert data["uncovered"] == "1275.02"
    assert "Non couvert : 1 275,02 €" in calls("--year", "2", "--basis", "actual")


def test_actuals_follow_the_statement(hdc):
    ActualExpense.objects.filter(year__number=1).delete()
    data = calls_json(1, "actual")
    assert data["expenses"] == "0.00"
    assert data["to_share"] == "0.00"
    assert [p["amount"] for p in data["partners"]] == ["0.00"] * 6


def test_the_text_output_names_every_partner(hdc):
    text = calls("--year", "1")
    assert "À partager : 48 000,00 €" in text
    assert text.count("8 000,00 €") >= 6


def test_unknown_year_and_no_agreement_are_errors(hdc, db):
    with pytest.raises(CommandError, match="pas d'année 3"):
        calls("--year", "3")
    with pytest.raises(CommandError, match="Aucune convention"):
        calls("--year", "1", "--territory", "ailleurs")
