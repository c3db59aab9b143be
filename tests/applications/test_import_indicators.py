"""The import seen through the indicators: a spreadsheet of a few hundred rows with a few dozen
bad ones moves the figures at several dates by exactly its good rows' figures, in total and
per EPCI; re-importing it changes nothing; a later file's statuses move the live figures but
not a month frozen before it."""

import datetime as dt
from decimal import Decimal

import pytest

from pilote.applications.enums import DECIDED, Status
from pilote.indicators import indicators, snapshots
from tests.applications.factories import accepted_of
from tests.applications.test_import import (  # noqa: F401 (fixtures)
    base,
    check_rejections,
    run,
    sheet,
    write_csv,
)

pytestmark = pytest.mark.django_db

DATES = [dt.date(2025, 10, 15), dt.date(2026, 3, 31), dt.date(2026, 7, 1), dt.date(2026, 11, 30)]
STATUS = {
    "brouillon": Status.DRAFT, "en instruction": Status.REVIEW,
    "en_construction": Status.BUILDING, "accepté": Status.ACCEPTED, "refuse": Status.REFUSED,
    "sans suite": Status.WITHDRAWN, "classé sans suite": Status.WITHDRAWN,
}  # fmt: skip


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    if "/" in text:
        day, month, year = text.split("/")
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(text)


def _amount(text: str) -> Decimal:
    if not text:
        return Decimal("0.00")
    for mark in (" ", "\u00a0", "\u202f", "€"):
        text = text.replace(mark, "")
    return Decimal(text.replace(",", "."))


def expected(rows, epci_of, as_of: dt.date) -> dict:
    """The supported applications' figures at `as_of`, from the spreadsheet's own text: in
    total and per EPCI SIREN."""
    keys = ("filed", "in_review", "accepted", "refused", "amount_requested", "amount_granted")
    totals = {None: dict.fromkeys(keys, 0)}
    for row in rows:
        if row["accompagne_ti"] == "non":
            continue
        status = STATUS[row["statut"].lower()]
        filed, decided = _date(row["date_depot"]), _date(row["date_decision"])
        figures = totals.setdefault(epci_of[row["siret"]], dict.fromkeys(keys, 0))
        for target in (totals[None], figures):
            if filed is None or filed > as_of:
                continue
            target["filed"] += 1
            target["amount_requested"] += _amount(row["montant_demande"])
            is_decided = status in DECIDED and decided <= as_of
            if not is_decided:
                target["in_review"] += 1
            elif status == Status.ACCEPTED:
                target["accepted"] += 1
                target["amount_granted"] += _amount(row["montant_accorde"])
            elif status == Status.REFUSED:
                target["refused"] += 1
    return totals


def figures_of(territory, as_of, keys) -> dict:
    figures = indicators.compute(territory, as_of)
    found = {None: {k: figures.applications[k] for k in keys}}
    for siren, values in figures.by_epci.items():
        found[siren] = {k: values[k] for k in keys}
    return found


def test_the_import_moves_the_indicators_by_exactly_its_rows(tmp_path, base, sheet):  # noqa: F811
    world = base["world"]
    territory = world.territory_a
    accepted_of(world, filed_on=dt.date(2025, 9, 1), decided_on=dt.date(2026, 1, 10))
    epci_of = {s.siret: s.epci.siren for s in base["sites"]}
    good = [row for line, row in enumerate(sheet.rows, start=2) if line not in sheet.expected]
    assert len(good) == 300
    assert len(sheet.expected) >= 30
    keys = ("filed", "in_review", "accepted", "refused", "amount_requested", "amount_granted")
    before = {d: figures_of(territory, d, keys) for d in DATES}

    summary, err = run(tmp_path, write_csv(sheet.rows), "suivi.csv", "--wet-run")
    assert summary["created"] == 300
    assert summary["rejected"] == len(sheet.expected)
    check_rejections(sheet, err)
    for day in DATES:
        after, moved = figures_of(territory, day, keys), expected(good, epci_of, day)
        for epci, values in moved.items():
            for key in keys:
                delta = after[epci][key] - before[day].get(epci, dict.fromkeys(keys, 0))[key]
                assert delta == values[key], (day, epci, key)

    # The same file again: nothing moves.
    snapshot_before = {d: figures_of(territory, d, keys) for d in DATES}
    summary, _ = run(tmp_path, write_csv(sheet.rows), "suivi.csv", "--wet-run")
    assert summary["created"] == summary["updated"] == 0
    assert {d: figures_of(territory, d, keys) for d in DATES} == snapshot_before

    # March 2026 is frozen; a later file accepts twenty applications in review in April.
    march = snapshots.freeze(territory, dt.date(2026, 3, 1))
    frozen_march = indicators.at_month(territory, dt.date(2026, 3, 1)).applications
    later = [dict(row) for row in sheet.rows]
    moved = 0
    for line, row in enumerate(later, start=2):
        if line in sheet.expected or row["statut"] != "EN INSTRUCTION" or moved == 20:
            continue
        row.update(statut="Accepté", date_decision="20/04/2026", montant_accorde="100 000")
        moved += 1
    summary, _ = run(tmp_path, write_csv(later), "suivi-avril.csv", "--wet-run")
    assert summary["updated"] == 20
    live_april = indicators.compute(territory, dt.date(2026, 4, 30)).applications
    was_april = snapshot_before[dt.date(2026, 7, 1)]  # no decision between April and July
    assert live_april["accepted"] >= 20
    assert indicators.compute(territory, dt.date(2026, 7, 1)).applications["accepted"] == (
        was_april[None]["accepted"] + 20
    )
    frozen = indicators.at_month(territory, dt.date(2026, 3, 1))
    assert frozen.frozen
    assert frozen.snapshot.pk == march.pk
    assert frozen.applications == frozen_march
