"""Load the official geography shipped in data/geo/ (idempotent: unchanged rows are left alone)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import models, transaction

from pilote.core import audit
from pilote.territories.models import Commune, Department, Epci, Region


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _int_or_none(value: str) -> int | None:
    return int(value) if value else None


def _sync(model: type[models.Model], rows: list[dict], report: LoadReport) -> None:
    """Create missing rows and update changed ones, by primary key; never delete."""
    pk = model._meta.pk.attname
    fields = [f for f in rows[0] if f != pk] if rows else []
    existing = {obj.pk: obj for obj in model.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        obj = existing.get(row[pk])
        if obj is None:
            to_create.append(model(**row))
        elif any(getattr(obj, f) != row[f] for f in fields):
            for f in fields:
                setattr(obj, f, row[f])
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=2000)
    name = str(model._meta.verbose_name_plural)
    report.created[name] = len(to_create)
    report.updated[name] = len(to_update)


@transaction.atomic
def load_geography(*, directory: Path | None = None) -> LoadReport:
    directory = directory or settings.DATA_DIR / "geo"
    report = LoadReport()
    regions = [{"code": r["code"], "name": r["nom"]} for r in _read(directory / "regions.csv")]
    _sync(Region, regions, report)
    departments = [
        {"code": r["code"], "name": r["nom"], "region_id": r["region"]}
        for r in _read(directory / "departements.csv")
    ]
    _sync(Department, departments, report)
    epcis = [
        {
            "siren": r["siren"],
            "name": r["nom"],
            "kind": r["type"],
            "population": _int_or_none(r["population"]),
        }
        for r in _read(directory / "epci.csv")
    ]
    _sync(Epci, epcis, report)
    communes = [
        {
            "code": r["code"],
            "name": r["nom"],
            "department_id": r["departement"],
            "region_id": r["region"],
            "postcodes": r["codes_postaux"],
            "population": _int_or_none(r["population"]),
            "epci_id": r["epci"] or None,
        }
        for r in _read(directory / "communes.csv")
    ]
    _sync(Commune, communes, report)
    if report.changed:
        audit.record(
            actor=None,
            action="geography.load",
            extra={"created": report.created, "updated": report.updated},
        )
    return report
