"""The agreement's section of the bilan (pilote.indicators.bilan.EXTRA_SECTIONS, registered
by AgreementConfig.ready): the budget follow-up of each agreement year started by the end of
the period, forecast vs actual per nature and per financer — aggregates only, no call for
funds nor payment. For the readers of the agreement (TI managers, EPCI agents) and the
operator (`reader=None`); left out for anyone else."""

from __future__ import annotations

import datetime as dt

from pilote.agreement import followup, perms
from pilote.agreement.models import Agreement
from pilote.core.spreadsheet import AMOUNT, TEXT, Column

TEMPLATE = "agreement/_bilan.html"


def _tables(year, fu: followup.FollowUp):
    from pilote.indicators.bilan import Table

    amounts = [Column("Prévu", AMOUNT), Column("Réalisé", AMOUNT), Column("Écart", AMOUNT)]
    natures = Table(
        f"Convention A{year.number} dépenses",
        f"Année {year.number} — dépenses par nature",
        [Column("Nature", TEXT), *amounts],
        [[r.label, r.forecast, r.actual, r.difference] for r in fu.natures],
        total=["Total", fu.expenses.forecast, fu.expenses.actual, fu.expenses.difference],
    )
    rows = [[r.label, r.rule, r.forecast, r.actual, r.difference] for r in fu.financers]
    if fu.uncovered:
        rows.append(["Non couvert (au-delà des plafonds)", "", None, fu.uncovered, None])
    financers = Table(
        f"Convention A{year.number} ressources",
        f"Année {year.number} — ressources par financeur",
        [Column("Financeur", TEXT), Column("Règle", TEXT), *amounts],
        rows,
        total=["Total", "", fu.resources.forecast, fu.resources.actual,
               fu.resources.difference],
    )  # fmt: skip
    return natures, financers


def section(territory, as_of: dt.date, reader) -> dict | None:
    if reader is not None and not perms.can_read(reader, territory):
        return None
    agreement = (
        Agreement.objects.filter(territory=territory, starts_on__lte=as_of)
        .order_by("-starts_on", "-pk")
        .first()
    )
    if agreement is None:
        return None
    years, tables = [], []
    for year in agreement.years.filter(start__lte=as_of).order_by("number"):
        fu = followup.for_year(year)
        natures, financers = _tables(year, fu)
        years.append({"year": year, "followup": fu, "natures": natures, "financers": financers})
        tables += [natures, financers]
    if not years:
        return None
    return {"template": TEMPLATE, "agreement": agreement, "years": years, "tables": tables}
