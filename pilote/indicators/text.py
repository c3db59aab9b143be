"""What the indicator commands share: the territory and reader options, and the readable
French table of `manage.py indicators` (and of a snapshot dry run)."""

from __future__ import annotations

from decimal import Decimal

from django.core.management.base import CommandError
from django.utils import timezone

from pilote.indicators.indicators import (
    ACTIVITY_KEYS,
    APPLICATION_KEYS,
    LABELS,
    TERRITORY_KEYS,
    Figures,
    parse_month,
)
from pilote.territories.models import Territory


def territory_of(slug: str | None) -> Territory:
    if slug:
        territory = Territory.objects.filter(slug=slug).first()
        if territory is None:
            raise CommandError(f"Territoire inconnu : « {slug} ».")
        return territory
    territories = list(Territory.objects.order_by("slug")[:11])
    if not territories:
        raise CommandError("Aucun territoire n'est enregistré.")
    if len(territories) > 1:
        slugs = ", ".join(t.slug for t in territories[:10])
        raise CommandError(f"Plusieurs territoires : précisez --territory ({slugs}…).")
    return territories[0]


def month_of(text: str):
    try:
        return parse_month(text)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc


def _number(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        whole, _, cents = f"{value:,.2f}".partition(".")
        return f"{whole.replace(',', ' ')},{cents} €"
    return f"{value:,}".replace(",", " ")


def _rate(value) -> str:
    return "—" if value is None else f"{value * 100:.2f} %".replace(".", ",")


def _block(title: str, keys, total: dict, by_epci: dict[str, dict] | None, names) -> list[str]:
    columns = ["Total"] + ([names[s] for s in by_epci] if by_epci else [])
    rows = []
    for key in keys:
        value = total[key]
        cells = [_rate(value) if key == "acceptance_rate" else _number(value)]
        if by_epci:
            cells += [_number(values[key]) for values in by_epci.values()]
        rows.append((LABELS[key], cells))
    width = max(len(label) for label, _ in rows)
    widths = [max(len(c), *(len(cells[i]) for _, cells in rows)) for i, c in enumerate(columns)]
    lines = [
        title,
        "  ".join([" " * width, *(c.rjust(w) for c, w in zip(columns, widths, strict=True))]),
    ]
    for label, cells in rows:
        lines.append(
            "  ".join(
                [label.ljust(width), *(c.rjust(w) for c, w in zip(cells, widths, strict=True))]
            )
        )
    return [*lines, ""]


def render(figures: Figures, reader=None) -> str:
    territory = figures.territory
    lines = [f"Indicateurs — {territory.name} — au {figures.as_of:%d/%m/%Y}"]
    if figures.frozen:
        snapshot = figures.snapshot
        line = (
            f"Chiffres figés : version {snapshot.version} du "
            f"{timezone.localtime(snapshot.created_at):%d/%m/%Y à %H:%M}"
        )
        lines.append(line + (f" — motif : {snapshot.reason}" if snapshot.reason else ""))
    else:
        lines.append("Chiffres calculés à l'instant sur les données actuelles.")
    who = reader.email if reader is not None else "l'exploitant (tout le territoire)"
    lines += [f"Vus par : {who}", ""]
    names = figures.epci_names
    lines += _block("Activité d'accompagnement", ACTIVITY_KEYS, figures.activity,
                    figures.activity_by_epci, names)  # fmt: skip
    lines += _block("Dossiers accompagnés par l'équipe", APPLICATION_KEYS, figures.applications,
                    figures.by_epci, names)  # fmt: skip
    lines += _block("Tous les dossiers du territoire (accompagnés ou non)", TERRITORY_KEYS,
                    figures.territory_wide, None, names)  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"
