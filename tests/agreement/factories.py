"""Small agreements for the tests: one per call, in a territory, with a sharing party per
EPCI given, a year and, when asked, a call for funds and its payment."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from pilote.agreement.enums import Basis, Nature, PartyKind, Rule
from pilote.agreement.models import (
    Agreement,
    ForecastExpense,
    FundsCall,
    Party,
    Payment,
    Resource,
    Year,
)

_counter = itertools.count(1)


def agreement_of(territory, *, epcis=(), title=None, cap="8000.00", expenses="20000.00"):
    """An agreement of `territory` started a year ago: year 1 covers today; the CCI brings
    4 000 € fixed, each EPCI an equal share capped at `cap`."""
    n = next(_counter)
    today = timezone.localdate()
    start = today - dt.timedelta(days=200)
    agreement = Agreement.objects.create(
        territory=territory, title=title or f"Convention témoin {n:05d}", signed_on=start,
        starts_on=start, duration_years=1, payee="CCI Témoin", payment_days=30,
        payment_details="IBAN : FR76 0000 0000 0000 0000 0000 000 (fictif)",
    )  # fmt: skip
    year = Year.objects.create(
        agreement=agreement, number=1, start=start, end=start + dt.timedelta(days=364)
    )
    cci = Party.objects.create(agreement=agreement, name="CCI Témoin", kind=PartyKind.CCI)
    Resource.objects.create(year=year, party=cci, rule=Rule.FIXED, amount=Decimal("4000.00"))
    ForecastExpense.objects.create(
        year=year, nature=Nature.SALAIRES_CHARGES, amount=Decimal(expenses)
    )
    for epci in epcis:
        party = Party.objects.create(
            agreement=agreement, name=epci.name, siren=epci.siren, kind=PartyKind.EPCI, epci=epci
        )
        Resource.objects.create(year=year, party=party, rule=Rule.SHARE, amount=Decimal(cap))
    return agreement


def call_of(epci, territory, *, amount="1234.56", overdue=True, number=None) -> FundsCall:
    """A call for funds to `epci` in a new agreement of `territory`: issued 60 days ago, due
    30 days ago (overdue) or in 30 days."""
    agreement = agreement_of(territory, epcis=[epci])
    year = agreement.years.get()
    today = timezone.localdate()
    issued_on = today - dt.timedelta(days=60 if overdue else 5)
    return FundsCall.objects.create(
        year=year, party=agreement.parties.get(epci=epci), basis=Basis.FORECAST,
        number=number or f"AFX{next(_counter):05d}Z", amount=Decimal(amount),
        issued_on=issued_on, due_on=issued_on + dt.timedelta(days=30),
    )  # fmt: skip


def payment_of(call: FundsCall, *, amount="100.00", reference=None) -> Payment:
    return Payment.objects.create(
        call=call, received_on=call.issued_on + dt.timedelta(days=3), amount=Decimal(amount),
        reference=reference or f"VIRX{next(_counter):05d}Z",
    )  # fmt: skip
