"""SIRENE import: upsert the territory's establishments (by SIRET) and their companies (SIREN).

Idempotent: a record is written only when one of its fields changes, so importing the same
files twice reports 0 created and 0 updated. Closed establishments are marked closed, never
deleted. The whole import is one transaction; without `wet_run` it is rolled back at the end,
so a dry run reports exactly what the real run would do.

A truncated file keeps what was read correctly, like a bad line, and is reported in
`ImportSummary.warnings` (French): a file ending inside a line, SIRENs of the establishments
read that have no legal unit in the legal units file. A file that cannot be read at all (a zip
cut short) raises `SireneFormatError` and rolls the whole import back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pilote.accounts import perms
from pilote.companies.enums import EstablishmentState, LegalUnitState
from pilote.companies.models import MASKED, Company, Establishment, normalise
from pilote.companies.sirene import EstablishmentScan, read_legal_units
from pilote.core import audit
from pilote.territories.models import Commune, Territory

MAX_REPORTED_REJECTS = 10_000
MAX_LISTED_SIRENS = 20  # SIRENs without a legal unit named in the warning


@dataclasses.dataclass
class ImportSummary:
    scanned: int = 0
    kept: int = 0
    created: int = 0
    updated: int = 0
    closed: int = 0
    rejected: int = 0
    companies_created: int = 0
    companies_updated: int = 0
    rejects: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    # The legal units file's unusable lines (among those of the SIRENs read), and the SIRENs
    # read that have no legal unit in it.
    unit_rejects: list[tuple[int, str]] = dataclasses.field(default_factory=list)
    missing_legal_units: list[str] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)  # a file looks truncated
    duplicates: list[tuple[int, str]] = dataclasses.field(default_factory=list, repr=False)
    created_sirets: set[str] = dataclasses.field(default_factory=set, repr=False)
    seen_lines: dict[str, int] = dataclasses.field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, int]:
        keys = ("scanned", "kept", "created", "updated", "closed", "rejected")
        return {key: getattr(self, key) for key in keys}


class _DryRun(Exception):
    pass


def territory_communes(territory: Territory | None) -> dict[str, str]:
    """Commune code → EPCI SIREN, for one territory or for every territory of the instance."""
    communes = Commune.objects.filter(epci__territories__isnull=False)
    if territory is not None:
        communes = Commune.objects.filter(epci__territories=territory)
    return dict(communes.values_list("code", "epci_id").distinct())


def _address(record) -> str:
    parts = [record.street_number, record.street_repetition, record.street_type, record.street]
    return " ".join(p for p in parts if p)


def _own_name(record) -> str:
    return " — ".join(p for p in (record.usual_name, record.enseigne) if p)


def _search_text(own_name: str, company: Company, siret: str) -> str:
    names = [own_name, company.name or ""]
    return normalise(" ".join(n for n in names if n and n != MASKED))[:580] + f" {siret}"


def _establishment_values(record, company: Company, epci_id: str | None) -> dict:
    own_name = _own_name(record)
    closed = record.state == EstablishmentState.CLOSED
    return {
        "company_id": company.pk,
        "nic": record.nic,
        "own_name": own_name[:255],
        "search_text": _search_text(own_name, company, record.siret),
        "commune_id": record.commune,
        "epci_id": epci_id,
        "address": _address(record)[:255],
        "address_complement": (record.address_complement or "")[:255],
        "postcode": record.postcode or "",
        "city": (record.city or "")[:100],
        "naf_code": (record.naf or "")[:6],
        "naf_section": "",  # filled from the NAF table below
        "headcount_band": record.headcount_band or "",
        "headcount_year": record.headcount_year,
        "created_on": record.created_on,
        "is_head_office": record.is_head_office,
        "state": EstablishmentState.CLOSED if closed else EstablishmentState.ACTIVE,
        "state_since": record.state_since if closed else None,
        "diffusion": record.diffusion or "O",
        "employer": record.employer or "",
    }


def import_sirene(
    *,
    acting_user,
    etablissements: Path,
    unites_legales: Path | None = None,
    territory: Territory | None = None,
    wet_run: bool = False,
    on_progress: Callable[[float, int], None] | None = None,
    whole_file: bool = False,
) -> ImportSummary:
    """Import the establishments of `territory` (every territory when None).

    Rejected lines are those that may hold one of the territory's establishments; with
    `whole_file`, every unusable line of the files (a diagnosis of the file, about 3 times
    longer on a national file)."""
    if acting_user is not None and not perms.is_platform_admin(acting_user):
        raise PermissionDenied("Seul un administrateur de la plateforme importe SIRENE.")
    communes = territory_communes(territory)
    summary = ImportSummary()
    try:
        with transaction.atomic():
            _run(summary, etablissements, unites_legales, communes, on_progress, whole_file)
            audit.record(
                actor=acting_user,
                action="sirene.import",
                obj=territory,
                extra={"fichier": str(etablissements), **summary.as_json()},
            )
            if not wet_run:
                raise _DryRun
    except _DryRun:
        pass
    return summary


def _run(summary, etablissements, unites_legales, communes, on_progress, whole_file) -> None:
    from pilote.companies.naf import section_of

    scan = EstablishmentScan(
        etablissements, communes=set(communes), on_progress=on_progress, whole_file=whole_file
    )
    sirens: set[str] = set()
    for batch in scan:
        sirens.update(r.siren for r in batch)
        _upsert_batch(summary, batch, communes, section_of)
    report = scan.report
    summary.scanned, summary.kept = report.scanned, report.kept - len(summary.duplicates)
    summary.rejected = report.rejected_count + len(summary.duplicates)
    summary.rejects = sorted([*report.rejected, *summary.duplicates])[:MAX_REPORTED_REJECTS]
    _warn_if_cut(summary, etablissements, report)
    if unites_legales is not None and sirens:
        units = read_legal_units(unites_legales, sirens=sirens, whole_file=whole_file)
        found: set[str] = set()

        def batches():
            for batch in units:
                found.update(r.siren for r in batch)
                yield batch

        _update_companies(summary, batches())
        summary.unit_rejects = units.report.rejected[:MAX_REPORTED_REJECTS]
        _warn_if_cut(summary, unites_legales, units.report)
        summary.missing_legal_units = sorted(sirens - found)
        if summary.missing_legal_units:
            missing = summary.missing_legal_units
            listed = ", ".join(missing[:MAX_LISTED_SIRENS])
            beyond = len(missing) - MAX_LISTED_SIRENS
            more = f" et {beyond} autres" if beyond > 0 else ""
            summary.warnings.append(
                f"{len(missing)} SIREN des établissements lus sans unité légale dans "
                f"{unites_legales.name} (fichier tronqué ou incomplet ?) : {listed}{more}. "
                "Leurs entreprises n'ont pas été mises à jour (nom, catégorie, effectif)."
            )


def _warn_if_cut(summary: ImportSummary, path: Path, report) -> None:
    if report.ends_inside_line is not None:
        summary.warnings.append(
            f"{path.name} se termine au milieu de la ligne {report.ends_inside_line} : "
            "fichier tronqué (téléchargement ou copie interrompus ?) ; les lignes suivantes "
            "manquent."
        )


def _companies_for(batch) -> dict[str, Company]:
    sirens = {r.siren for r in batch}
    companies = Company.objects.in_bulk(sirens, field_name="siren")
    # In SIREN order: ids follow the file, not the hash order of a set (repeatable demo).
    missing = [Company(siren=s) for s in sorted(sirens) if s not in companies]
    for company in Company.objects.bulk_create(missing):
        companies[company.siren] = company
    return companies, len(missing)


def _upsert_batch(summary: ImportSummary, batch, communes, section_of) -> None:
    companies, created_companies = _companies_for(batch)
    summary.companies_created += created_companies
    existing = Establishment.objects.in_bulk([r.siret for r in batch], field_name="siret")
    to_create, to_update = [], []
    for record in batch:
        first_line = summary.seen_lines.setdefault(record.siret, record.line)
        if first_line != record.line:  # the same SIRET twice in a file: keep the first
            summary.duplicates.append(
                (record.line, f"SIRET {record.siret} déjà lu ligne {first_line}")
            )
            continue
        values = _establishment_values(record, companies[record.siren], communes[record.commune])
        values["naf_section"] = section_of(values["naf_code"])
        current = existing.get(record.siret)
        if current is None:
            to_create.append(Establishment(siret=record.siret, **values))
            summary.created += 1
            summary.created_sirets.add(record.siret)
            summary.closed += values["state"] == EstablishmentState.CLOSED
            continue
        changed = [f for f, v in values.items() if getattr(current, f) != v]
        if changed:
            if "state" in changed and values["state"] == EstablishmentState.CLOSED:
                summary.closed += 1
            for field in changed:
                setattr(current, field, values[field])
            to_update.append(current)
            summary.updated += 1
    Establishment.objects.bulk_create(to_create, batch_size=1000)
    if to_update:
        # bulk_update skips auto_now: the time stamp is set here, so that caches keyed on the
        # establishments' last change (the dashboard's calls panel) see the import.
        now = timezone.now()
        for establishment in to_update:
            establishment.updated_at = now
        Establishment.objects.bulk_update(
            to_update, [*Establishment.SIRENE_FIELDS, "updated_at"], batch_size=1000
        )


COMPANY_FIELDS = [
    "name", "is_person", "diffusion", "legal_category", "size_category", "headcount_band",
    "created_on", "state",
]  # fmt: skip


def _update_companies(summary: ImportSummary, batches: Iterable[list]) -> None:
    for batch in batches:
        companies = Company.objects.in_bulk([r.siren for r in batch], field_name="siren")
        changed_companies = []
        for record in batch:
            company = companies.get(record.siren)
            if company is None:
                continue
            values = {
                "name": record.name[:255] if record.name else None,
                "is_person": record.is_person,
                "diffusion": record.diffusion or "O",
                "legal_category": record.legal_category or "",
                "size_category": record.size_category or "",
                "headcount_band": record.headcount_band or "",
                "created_on": record.created_on,
                "state": record.state or LegalUnitState.ACTIVE,
            }
            changed = [f for f, v in values.items() if getattr(company, f) != v]
            if changed:
                for field in changed:
                    setattr(company, field, values[field])
                changed_companies.append(company)
        if not changed_companies:
            continue
        summary.companies_updated += len(changed_companies)
        now = timezone.now()
        for company in changed_companies:
            company.updated_at = now
        Company.objects.bulk_update(
            changed_companies, [*COMPANY_FIELDS, "updated_at"], batch_size=1000
        )
        # A company's headcount, size or category is part of its establishments' facts
        # (matching, detection): they count as changed too.
        Establishment.objects.filter(company_id__in=[c.pk for c in changed_companies]).update(
            updated_at=now
        )
        # The company's name is part of its establishments' search text.
        by_id = {c.pk: c for c in changed_companies}
        establishments = list(Establishment.objects.filter(company_id__in=by_id))
        refreshed = []
        for establishment in establishments:
            text = _search_text(
                establishment.own_name, by_id[establishment.company_id], establishment.siret
            )
            if text != establishment.search_text:
                establishment.search_text = text
                refreshed.append(establishment)
        Establishment.objects.bulk_update(refreshed, ["search_text"], batch_size=1000)
        # A renamed company updates its establishments (those not created by this run).
        summary.updated += sum(e.siret not in summary.created_sirets for e in refreshed)
