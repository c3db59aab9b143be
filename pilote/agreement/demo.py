"""The demo's partnership agreement (docs/agreement.md): the CCI Grand Hainaut, the six EPCIs
of Hainaut – Douaisis – Cambrésis (read from the territory's Epci objects) and the State, from
15/09/2022 for two years, both forecast tables, and a statement of actual expenses a little
below the forecast in year 1 and a little above it in year 2. Idempotent.

Assumption (the roadmap gives only the totals): year 1's expenses split by nature as
salaires et charges 85 365 €, locaux et moyens 6 000 €, véhicule 4 500 €, fournitures 2 000 €
(= 97 865 €); year 2's as 63 365 €, 6 000 €, 3 500 €, 2 000 € (= 74 865 €). The CCI's and the
State's SIRENs are left empty (not needed by the rule, which orders the EPCIs only).

The calls for funds of year 1 on the forecast are issued on 15/10/2022 (six calls of
8 000,00 €, due 30 days later); five are paid in full at various dates, one partly (4 000,00 €
received, the rest overdue). The regularisation of year 1 on the actual expenses is left to
issue: that is the TI manager's next step. The payee's IBAN is fictitious.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pilote.agreement import services
from pilote.agreement.enums import Basis, Nature, PartyKind, Rule
from pilote.agreement.models import (
    ActualExpense,
    Agreement,
    ForecastExpense,
    FundsCall,
    Party,
    Payment,
    Resource,
    Year,
)
from pilote.territories.models import Territory

HDC_SLUG = "hainaut-douaisis-cambresis"
TITLE = "Convention de partenariat CCI – EPCI pour le poste de chef de projet TI"
CCI = "CCI Grand Hainaut"
STATE = "État (FNADT)"
SIGNED_ON = dt.date(2022, 9, 15)
YEARS = {
    1: (dt.date(2022, 9, 15), dt.date(2023, 9, 14)),
    2: (dt.date(2023, 9, 15), dt.date(2024, 9, 14)),
}
D = Decimal
FORECAST = {
    1: {Nature.SALAIRES_CHARGES: D("85365.00"), Nature.LOCAUX_MOYENS: D("6000.00"),
        Nature.VEHICULE: D("4500.00"), Nature.FOURNITURES: D("2000.00")},
    2: {Nature.SALAIRES_CHARGES: D("63365.00"), Nature.LOCAUX_MOYENS: D("6000.00"),
        Nature.VEHICULE: D("3500.00"), Nature.FOURNITURES: D("2000.00")},
}  # fmt: skip
FIXED = {1: {STATE: D("40000.00"), CCI: D("9865.00")}, 2: {CCI: D("9865.00")}}
EPCI_CAP = {1: D("8000.00"), 2: D("10833.33")}
# year 1: 96 210,00 € (below the forecast); year 2: 76 140,00 € (above it)
ACTUALS = [
    (dt.date(2023, 9, 14), Nature.SALAIRES_CHARGES, "Salaires et charges, année 1", "84210.00"),
    (dt.date(2023, 9, 14), Nature.LOCAUX_MOYENS, "Locaux et moyens, année 1", "6000.00"),
    (dt.date(2023, 9, 14), Nature.VEHICULE, "Véhicule de service, année 1", "4200.00"),
    (dt.date(2023, 9, 14), Nature.FOURNITURES, "Fournitures, année 1", "1800.00"),
    (dt.date(2024, 9, 14), Nature.SALAIRES_CHARGES, "Salaires et charges, année 2", "64390.00"),
    (dt.date(2024, 9, 14), Nature.LOCAUX_MOYENS, "Locaux et moyens, année 2", "6000.00"),
    (dt.date(2024, 9, 14), Nature.VEHICULE, "Véhicule de service, année 2", "3650.00"),
    (dt.date(2024, 9, 14), Nature.FOURNITURES, "Fournitures, année 2", "2100.00"),
]  # fmt: skip
PAYEE = CCI
# A fictitious IBAN (the demo's): never a real account.
PAYMENT_DETAILS = (
    "Virement à l'ordre de la CCI Grand Hainaut (compte fictif de démonstration)\n"
    "IBAN : FR76 0000 0000 0000 0000 0000 000 — BIC : DEMOFRPPXXX\n"
    "Rappeler le numéro de l'appel de fonds dans le libellé du virement."
)
CALLS_ISSUED_ON = dt.date(2022, 10, 15)
# year 1's forecast calls, by the rank of the EPCI in ascending SIREN order: when and how
# much was received (the fifth paid only half).
PAYMENTS = {
    1: [(dt.date(2022, 11, 4), "8000.00", "Mandat 2022-1187")],
    2: [(dt.date(2022, 11, 10), "8000.00", "Mandat 2022-0954")],
    3: [(dt.date(2022, 11, 14), "8000.00", "Virement TRESO-22-311")],
    4: [(dt.date(2022, 12, 2), "8000.00", "Mandat 2022-2210")],
    5: [(dt.date(2022, 12, 20), "4000.00", "Mandat 2022-1420 (acompte)")],
    6: [(dt.date(2023, 1, 12), "8000.00", "Mandat 2023-0007")],
}
ROADMAP = (
    "Feuille de route du Territoire d'industrie Hainaut – Douaisis – Cambrésis : animation "
    "du réseau des industriels, accompagnement des projets, suivi des dossiers d'aides."
)


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    created = 0

    def count(pair):
        nonlocal created
        created += pair[1]
        return pair[0]

    agreement = count(Agreement.objects.get_or_create(
        territory=territory, title=TITLE,
        defaults={"signed_on": SIGNED_ON, "starts_on": SIGNED_ON, "duration_years": 2,
                  "roadmap": ROADMAP},
    ))  # fmt: skip
    cci = count(Party.objects.get_or_create(agreement=agreement, name=CCI,
                                            defaults={"kind": PartyKind.CCI}))  # fmt: skip
    state = count(Party.objects.get_or_create(agreement=agreement, name=STATE,
                                              defaults={"kind": PartyKind.STATE}))  # fmt: skip
    named = {CCI: cci, STATE: state}
    epcis = [
        count(
            Party.objects.get_or_create(
                agreement=agreement,
                name=epci.name,
                defaults={"kind": PartyKind.EPCI, "siren": epci.siren, "epci": epci},
            )
        )
        for epci in territory.epcis.order_by("siren")
    ]
    for number, (start, end) in YEARS.items():
        year = count(Year.objects.get_or_create(agreement=agreement, number=number,
                                                defaults={"start": start, "end": end}))  # fmt: skip
        for nature, amount in FORECAST[number].items():
            count(ForecastExpense.objects.get_or_create(year=year, nature=nature,
                                                        defaults={"amount": amount}))  # fmt: skip
        for name, amount in FIXED[number].items():
            count(Resource.objects.get_or_create(
                year=year, party=named[name], defaults={"rule": Rule.FIXED, "amount": amount}
            ))  # fmt: skip
        for party in epcis:
            count(Resource.objects.get_or_create(
                year=year, party=party,
                defaults={"rule": Rule.SHARE, "amount": EPCI_CAP[number]},
            ))  # fmt: skip
    years = list(agreement.years.all())
    for day, nature, label, amount in ACTUALS:
        year = next(y for y in years if y.start <= day <= y.end)
        count(ActualExpense.objects.get_or_create(
            agreement=agreement, date=day, nature=nature, label=label,
            defaults={"year": year, "amount": D(amount)},
        ))  # fmt: skip
    if not agreement.payee:
        agreement.payee, agreement.payment_details = PAYEE, PAYMENT_DETAILS
        agreement.save(update_fields=["payee", "payment_details", "updated_at"])
    created += _calls(next(y for y in years if y.number == 1))
    if created:
        out.write(f"Convention de partenariat : {created} objet(s) créé(s).")
    return created


def _calls(year: Year) -> int:
    """Year 1's forecast calls and their payments, through the services (audited)."""
    created = 0
    calls = list(FundsCall.objects.filter(year=year, basis=Basis.FORECAST))
    if not calls:
        calls, _ = services.calls_issue(
            acting_user=None, year=year, basis=Basis.FORECAST, issued_on=CALLS_ISSUED_ON
        )
        created += len(calls)
    for rank, call in enumerate(sorted(calls, key=lambda c: c.party.siren), start=1):
        if Payment.objects.filter(call=call).exists():
            continue
        for day, amount, reference in PAYMENTS.get(rank, []):
            services.payment_record(
                acting_user=None, call=call, received_on=day, amount=D(amount),
                reference=reference,
            )  # fmt: skip
            created += 1
    return created
