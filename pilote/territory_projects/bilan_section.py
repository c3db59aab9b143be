"""The territory projects' section of the bilan (pilote.indicators.bilan.EXTRA_SECTIONS,
registered by TerritoryProjectsConfig.ready): « Projets de territoire » — the projects the
reader sees (`visible_to(reader)`; `reader=None` the operator, every project of the territory)
that existed at the end of the period, counted by phase and status, their budget and each
EPCI's share of it (to the cent: the shares of a project make its budget), the council votes
adopted and the milestones reached during the period, and the list of the projects.

The bilan gives a section the end of its period (`as_of`); its start comes as `date_from`
when the bilan passes it, else the period is the semester `as_of` ends (as the bilan's
default, `last_semester`). Left out when the reader sees no project.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from pilote.core.money import to_cents
from pilote.core.spreadsheet import AMOUNT, DATE, INTEGER, TEXT, Column
from pilote.territory_projects.enums import Phase, Status, VoteOutcome
from pilote.territory_projects.indicators import projects as visible_projects
from pilote.territory_projects.models import Carrier, CouncilVote, Milestone

TEMPLATE = "territory_projects/bilan_section.html"
PROJECTS_SHOWN = 50  # projects listed in the PDF (all of them in the XLSX)
ZERO = Decimal("0.00")


def semester_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 1 if day.month <= 6 else 7, 1)


def _by_phase_and_status(rows):
    from pilote.indicators.bilan import Table

    counts = defaultdict(int)
    for project in rows:
        counts[project.phase, project.status] += 1
    body = []
    for phase, label in Phase.choices:
        cells = [counts[phase, status] for status in Status.values]
        body.append([label, *cells, sum(cells)])
    totals = [sum(counts[p, s] for p in Phase.values) for s in Status.values]
    return Table(
        "Projets terr. phases",
        "Projets par phase et par statut",
        [Column("Phase", TEXT), *(Column(label, INTEGER) for label in Status.labels),
         Column("Total", INTEGER)],
        body,
        total=["Total", *totals, sum(totals)],
    )  # fmt: skip


def _shares(rows, territory):
    """Each EPCI's share of the budgets, as lead and as partner: their total is the budget."""
    from pilote.indicators.bilan import Table

    carriers = Carrier.objects.filter(project__in=[p.pk for p in rows]).select_related("epci")
    per_epci: dict[str, dict] = {}
    for c in carriers:
        line = per_epci.setdefault(c.epci_id, {"name": c.epci.name, "lead": 0, "partner": 0,
                                               "share": ZERO})  # fmt: skip
        line["lead" if c.role == "lead" else "partner"] += 1
        line["share"] += c.share
    body = [
        [line["name"], line["lead"], line["partner"], to_cents(line["share"])]
        for line in sorted(per_epci.values(), key=lambda line: line["name"])
    ]
    budget = to_cents(sum((p.budget for p in rows), ZERO))
    return Table(
        "Projets terr. parts EPCI",
        "Budget des projets et part de chaque EPCI",
        [Column("EPCI", TEXT), Column("Chef de file", INTEGER), Column("Partenaire", INTEGER),
         Column("Part du budget", AMOUNT)],
        body,
        total=["Budget total", sum(r[1] for r in body), sum(r[2] for r in body), budget],
    )  # fmt: skip


def _votes(rows, date_from, as_of):
    from pilote.indicators.bilan import Table

    votes = (
        CouncilVote.objects.filter(
            project__in=[p.pk for p in rows],
            outcome=VoteOutcome.ADOPTED,
            voted_on__gte=date_from,
            voted_on__lte=as_of,
        )
        .select_related("epci", "project")
        .order_by("voted_on", "pk")
    )
    return Table(
        "Projets terr. délibérations",
        "Délibérations adoptées pendant la période",
        [Column("Conseil du", DATE), Column("EPCI", TEXT), Column("N° de délibération", TEXT),
         Column("Projet", TEXT)],
        [[v.voted_on, v.epci.name, v.deliberation_number, v.project.title] for v in votes],
    )  # fmt: skip


def _milestones(rows, date_from, as_of):
    from pilote.indicators.bilan import Table

    reached = (
        Milestone.objects.filter(
            project__in=[p.pk for p in rows], done_on__gte=date_from, done_on__lte=as_of
        )
        .select_related("project")
        .order_by("done_on", "pk")
    )
    return Table(
        "Projets terr. jalons",
        "Jalons atteints pendant la période",
        [Column("Atteint le", DATE), Column("Échéance", DATE), Column("Jalon", TEXT),
         Column("Projet", TEXT)],
        [[m.done_on, m.due_on, m.title, m.project.title] for m in reached],
    )  # fmt: skip


def _list(rows):
    from pilote.indicators.bilan import Table

    return Table(
        "Projets de territoire",
        "Les projets",
        [Column("Projet", TEXT), Column("Chef de file", TEXT), Column("Phase", TEXT),
         Column("Statut", TEXT), Column("Budget", AMOUNT)],
        [[p.title, p.epci.name, p.get_phase_display(), p.get_status_display(), p.budget]
         for p in rows],
        shown=PROJECTS_SHOWN,
    )  # fmt: skip


def section(territory, as_of: dt.date, reader, date_from: dt.date | None = None) -> dict | None:
    from pilote.indicators.bilan import fr_amount, fr_int

    rows = list(
        visible_projects(territory, as_of, reader).select_related("epci").order_by("title", "pk")
    )
    if not rows:
        return None
    date_from = date_from or semester_start(as_of)
    by_phase = _by_phase_and_status(rows)
    shares = _shares(rows, territory)
    votes = _votes(rows, date_from, as_of)
    milestones = _milestones(rows, date_from, as_of)
    listing = _list(rows)
    return {
        "template": TEMPLATE,
        "date_from": date_from,
        "as_of": as_of,
        "count": len(rows),
        "count_text": fr_int(len(rows)),
        "budget_text": fr_amount(shares.total[-1]),
        "by_phase": by_phase,
        "shares": shares,
        "votes": votes,
        "milestones": milestones,
        "projects": listing,
        "tables": [by_phase, shares, votes, milestones, listing],
    }


# The bilan may pass the start of its period to the sections that take it.
section.takes_period = True
