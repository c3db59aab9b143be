"""Load the NAF nomenclature and a territory's default sectors from data/ (idempotent)."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.db import transaction

from pilote.companies.models import Naf, Sector, TerritoryProfile
from pilote.core import audit

DEFAULT_INDUSTRIAL_SECTIONS = ["B", "C", "D", "E"]


def _defaults() -> dict:
    return json.loads((settings.DATA_DIR / "sectors.json").read_text(encoding="utf-8"))


@transaction.atomic
def load_naf() -> int:
    """Create or update every NAF rév. 2 code; returns how many rows changed."""
    path = settings.DATA_DIR / "naf" / "naf_rev2.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    existing = {n.code: n for n in Naf.objects.all()}
    changed = 0
    # Parents first: sections, then divisions, groups, classes, sub-classes.
    for row in sorted(rows, key=lambda r: len(r["code"])):
        values = {"level": row["level"], "label": row["label"], "parent_id": row["parent"] or None}
        current = existing.get(row["code"])
        if current is None:
            Naf.objects.create(code=row["code"], **values)
            changed += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            Naf.objects.filter(code=row["code"]).update(**values)
            changed += 1
    if changed:
        audit.record(actor=None, action="naf.load", extra={"codes": changed})
    return changed


@transaction.atomic
def install_default_sectors(*, acting_user, territory) -> int:
    """Give a territory the default filières and industrial scope, once; returns created."""
    defaults = _defaults()
    created = 0
    _, made = TerritoryProfile.objects.get_or_create(
        territory=territory,
        defaults={"industrial_sections": defaults.get("industrial_sections")
                  or DEFAULT_INDUSTRIAL_SECTIONS},
    )  # fmt: skip
    created += made
    for spec in defaults["sectors"]:
        sector, made = Sector.objects.get_or_create(
            territory=territory,
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "naf_prefixes": spec["naf"],
                "strategic": spec.get("strategic", False),
            },
        )
        if made:
            created += 1
            audit.record(
                actor=acting_user, action="sector.create", obj=sector, after=audit.snapshot(sector)
            )
    return created
