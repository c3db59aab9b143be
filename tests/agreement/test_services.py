"""The agreement's services: issuing the calls for funds (the amounts of calls_for_funds,
once per year and basis), recording payments (never beyond the balance), balance and status,
and who may do it."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from pilote.agreement import ledger, services
from pilote.agreement.enums import Basis, CallStatus
from pilote.agreement.models import FundsCall, Payment, Resource, Year
from pilote.core.models import AuditEvent
from tests.agreement.conftest import SIRENS
from tests.agreement.factories import agreement_of, call_of

D = Decimal


def calls_json(year, basis):
    out = io.StringIO()
    call_command("calls_for_funds", "--year", str(year), "--basis", basis, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_calls_issued_are_those_of_calls_for_funds_numbered_by_siren(hdc):
    year = Year.objects.get(number=2)
    expected = calls_json(2, Basis.FORECAST)
    before = AuditEvent.objects.count()
    issued_on = dt.date(2023, 10, 2)
    created, skipped = services.calls_issue(
        acting_user=None, year=year, basis=Basis.FORECAST, issued_on=issued_on
    )
    assert skipped == []
    assert [(c.party.siren, f"{c.amount:.2f}") for c in created] == [
        (p["siren"], p["amount"]) for p in expected["partners"]
    ]
    assert [c.number for c in created] == [f"AF-2-P-0{i}" for i in range(1, 7)]
    assert [c.party.siren for c in created] == sorted(SIRENS)
    assert {c.due_on for c in created} == {issued_on + dt.timedelta(days=30)}
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == "agreement.calls_issue"
    assert event.changes["calls"][1] == [c.number for c in created]


def test_issuing_again_is_refused_and_says_how_many_exist(hdc):
    year = Year.objects.get(number=1)  # the demo issued year 1 on the forecast
    assert FundsCall.objects.filter(year=year, basis=Basis.FORECAST).count() == 6
    with pytest.raises(ValidationError) as error:
        services.calls_issue(acting_user=None, year=year, basis=Basis.FORECAST)
    assert "déjà émis (6 appels)" in error.value.messages[0]
    assert FundsCall.objects.count() == 6


def test_the_regularisation_on_actuals_is_the_rule_to_the_cent(hdc):
    year = Year.objects.get(number=1)
    created, _ = services.calls_issue(acting_user=None, year=year, basis=Basis.ACTUAL)
    expected = {p["siren"]: D(p["amount"]) for p in calls_json(1, Basis.ACTUAL)["partners"]}
    assert {c.party.siren: c.amount for c in created} == expected
    assert sorted(expected.values()) == [D("7724.16")] * 2 + [D("7724.17")] * 4
    assert next(c.number for c in created) == "AF-1-R-01"


def test_a_partner_at_zero_is_not_called_and_named(world):
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]])
    Resource.objects.filter(party__epci=world.epcis["e2"]).update(amount=D("0.00"))
    created, skipped = services.calls_issue(
        acting_user=world.users["manager"], year=agreement.years.get(), basis=Basis.FORECAST
    )
    assert [c.party.epci for c in created] == [world.epcis["e1"]]
    assert created[0].amount == D("8000.00")
    assert skipped == [world.epcis["e2"].name]


def test_nothing_to_call_is_refused(world):
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"]], expenses="3000.00")
    with pytest.raises(ValidationError, match="Rien à appeler"):
        services.calls_issue(acting_user=None, year=agreement.years.get(), basis=Basis.FORECAST)
    assert not FundsCall.objects.exists()


@pytest.mark.parametrize("actor", ["agent_e1", "partner", "admin", "manager_b", "nobody"])
def test_only_the_territory_s_ti_managers_write(world, actor):
    agreement = agreement_of(world.territory_a, epcis=[world.epcis["e1"]])
    call = call_of(world.epcis["e1"], world.territory_a)
    user = world.users[actor]
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.calls_issue(acting_user=user, year=agreement.years.get(), basis="forecast")
    with pytest.raises(PermissionDenied):
        services.payment_record(
            acting_user=user, call=call, received_on=timezone.localdate(), amount="10"
        )
    with pytest.raises(PermissionDenied):
        services.call_remind(acting_user=user, call=call)
    assert AuditEvent.objects.count() == before
    assert FundsCall.objects.count() == 1
    assert not Payment.objects.exists()


def _status(call):
    return ledger.decorate(FundsCall.objects.get(pk=call.pk))


def test_payments_balance_and_status(world):
    manager = world.users["manager"]
    call = call_of(world.epcis["e1"], world.territory_a, amount="8000.00", overdue=False)
    assert (_status(call).status, _status(call).balance) == (CallStatus.PENDING, D("8000.00"))
    before = AuditEvent.objects.count()
    services.payment_record(
        acting_user=manager, call=call, received_on=call.issued_on, amount=D("3000.005")
    )
    assert AuditEvent.objects.count() == before + 1
    decorated = _status(call)
    assert (decorated.status, decorated.status_label) == (CallStatus.PARTIAL, "Partiellement payé")
    assert decorated.balance == D("4999.99")  # 3 000,005 € is 3 000,01 € to the cent
    with pytest.raises(ValidationError) as error:
        services.payment_record(
            acting_user=manager, call=call, received_on=call.issued_on, amount=D("5000")
        )
    assert "dépasse le reste à payer" in error.value.message_dict["amount"][0]
    assert "(4 999,99 €)" in error.value.message_dict["amount"][0]
    services.payment_record(
        acting_user=manager, call=call, received_on=call.issued_on, amount=D("4999.99"),
        reference="Mandat 12",
    )  # fmt: skip
    assert (_status(call).status, _status(call).balance) == (CallStatus.PAID, D("0.00"))
    assert Payment.objects.filter(call=call).count() == 2


@pytest.mark.parametrize(
    ("amount", "days", "field"),
    [("0", 0, "amount"), ("-5", 0, "amount"), ("10", 1, "received_on"),
     ("10", -100, "received_on")],
)  # fmt: skip
def test_a_payment_is_positive_not_future_not_before_the_call(world, amount, days, field):
    call = call_of(world.epcis["e1"], world.territory_a, overdue=False)
    received_on = timezone.localdate() + dt.timedelta(days=days)
    with pytest.raises(ValidationError) as error:
        services.payment_record(acting_user=None, call=call, received_on=received_on, amount=amount)
    assert field in error.value.message_dict
    assert not Payment.objects.exists()


def test_an_overdue_call_is_late_until_paid():
    today = dt.date(2026, 12, 6)
    due = dt.date(2026, 12, 1)
    assert ledger.status_of(D("10"), D("0"), due, today) == CallStatus.LATE
    assert ledger.status_of(D("10"), D("4"), due, today) == CallStatus.LATE
    assert ledger.status_of(D("10"), D("10"), due, today) == CallStatus.PAID
    assert ledger.status_of(D("10"), D("0"), today, today) == CallStatus.PENDING


def test_the_demo_calls_five_paid_one_partly(hdc):
    calls = [ledger.decorate(c) for c in FundsCall.objects.select_related("party")]
    statuses = sorted(c.status for c in calls)
    assert statuses == [CallStatus.LATE] + [CallStatus.PAID] * 5
    [late] = [c for c in calls if c.status == CallStatus.LATE]
    assert (late.paid, late.balance) == (D("4000.00"), D("4000.00"))
    assert {c.issued_on for c in calls} == {dt.date(2022, 10, 15)}
    assert not FundsCall.objects.filter(basis=Basis.ACTUAL).exists()
