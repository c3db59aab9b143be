"""Import and export in the etalab schemas: the official examples, a realistic catalogue
with broken records, lossless round trips, and the command's JSON line."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from pilote.aids import etalab
from pilote.aids.enums import Schema
from pilote.aids.models import AidScheme
from pilote.aids.services import catalogue_import
from pilote.core.models import AuditEvent

DATA = Path(__file__).parent / "data"
EXAMPLE_BASE = DATA / "schema-dispositif-aide.exemple.csv"
EXAMPLE_PRO = DATA / "schema-dispositif-aide-professionnels.exemple.csv"
CATALOGUE = DATA / "catalogue-hauts-de-france.csv"
# record number → field reported, for the deliberately broken records of CATALOGUE.
BROKEN = {
    2: "id", 4: "titre", 6: "cibles", 8: "eligibilite_geographique", 10: "ciblage_naf",
    12: "date_ouverture", 14: "eligibilite_effectif_minimal", 16: "porteurs", 18: "id",
    20: "url_source", 21: "promesse", 22: "eligibilite_effectif_maximal",
    23: "date_mise_a_jour",
}  # fmt: skip

pytestmark = pytest.mark.django_db


def run(path: Path, *args) -> tuple[dict, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_dispositifs", str(path), *args, stdout=out, stderr=err)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, "the run ends with exactly one JSON line"
    return json.loads(lines[0]), err.getvalue()


def export(tmp_path, schema=Schema.PRO) -> Path:
    path = tmp_path / f"export-{schema}.csv"
    call_command("export_dispositifs", str(path), "--schema", schema, stderr=io.StringIO())
    return path


def state() -> list[dict]:
    return [
        {f.name: getattr(s, f.name) for f in AidScheme._meta.concrete_fields}
        for s in AidScheme.objects.order_by("etalab_id")
    ]


@pytest.mark.parametrize("path", [EXAMPLE_BASE, EXAMPLE_PRO])
def test_the_official_examples_import_with_every_field(path):
    summary, _ = run(path, "--wet-run")
    assert summary == {"read": 1, "kept": 1, "created": 1, "updated": 0, "rejected": 0}
    scheme = AidScheme.objects.get()
    assert scheme.etalab_id == "65d5b6c7-102c-4440-ac3b-768f708edc0a"
    assert scheme.carriers == [
        {"nom": "ADEME", "siren": "385290309", "roles": ["instructeur"]},
        {"nom": "BPIFRANCE (BPIFRANCE)", "siren": "320252489", "roles": ["financeur"]},
    ]
    assert scheme.geo_excluded == ["REG-84", "DEP-01", "COM-83141"]
    assert scheme.opens_at.isoformat() == "2025-10-15T15:00:00+00:00"
    if path == EXAMPLE_PRO:
        assert (scheme.headcount_min, scheme.headcount_max, scheme.min_years) == (10, 249, 2)
        assert scheme.naf_codes == ["A", "B", "C", "55", "56.1", "74.10", "10.11Z"]
        assert scheme.legal_basis[1] == {
            "libelle": "Règlement de minimis",
            "lien": "https://europa.eu/reglement-de-minimis",
        }
        assert scheme.payment_of == "DSP000123"


def test_a_realistic_catalogue_keeps_every_valid_record_and_reports_every_invalid_one():
    summary, err = run(CATALOGUE, "--wet-run")
    assert summary == {"read": 23, "kept": 10, "created": 10, "updated": 0, "rejected": 13}
    reported = {}
    for line in err.splitlines():
        if line.startswith("enregistrement "):
            number = int(line.split()[1])
            reported.setdefault(number, line.split("champ ")[1].split(" :")[0])
    assert reported == BROKEN
    assert "enregistrement 2 (ligne 4), champ id" in err  # records span two lines
    assert AidScheme.objects.count() == 10
    assert not AidScheme.objects.filter(title__in=["Identifiant invalide", "Promesse trop longue"])


def test_without_wet_run_nothing_is_written():
    summary, err = run(CATALOGUE)
    assert summary["created"] == 10
    assert "rien n'a été écrit" in err
    assert not AidScheme.objects.exists()


def test_reimporting_the_same_file_changes_nothing():
    run(CATALOGUE, "--wet-run")
    before, events = state(), AuditEvent.objects.count()
    summary, _ = run(CATALOGUE, "--wet-run")
    assert summary == {"read": 23, "kept": 10, "created": 0, "updated": 0, "rejected": 13}
    assert state() == before
    assert AuditEvent.objects.count() == events + 1  # the run's summary only


@pytest.mark.parametrize("source", [CATALOGUE, EXAMPLE_PRO, EXAMPLE_BASE])
def test_exporting_then_reimporting_is_lossless(tmp_path, source):
    run(source, "--wet-run")
    before = state()
    exported = export(tmp_path)
    summary, err = run(exported, "--wet-run")
    assert summary["rejected"] == 0, err
    assert summary["created"] == summary["updated"] == 0
    assert state() == before
    assert export(tmp_path).read_bytes() == exported.read_bytes()


def test_the_export_is_valid_in_both_schemas(tmp_path):
    run(CATALOGUE, "--wet-run")
    for schema in Schema:
        with export(tmp_path, schema).open(encoding="utf-8", newline="") as f:
            catalogue = etalab.read_catalogue(f)
            records = list(catalogue.records)
        assert catalogue.schema == schema
        assert len(records) == 10
        assert all(r.is_valid for r in records)


def test_a_changed_record_updates_its_scheme_only_and_is_audited(tmp_path):
    run(CATALOGUE, "--wet-run")
    text = CATALOGUE.read_text(encoding="utf-8").replace(
        "Pass Export Hauts-de-France", "Pass Export Hauts-de-France 2027"
    )
    changed = tmp_path / "changed.csv"
    changed.write_text(text, encoding="utf-8")
    summary, _ = run(changed, "--wet-run")
    assert (summary["created"], summary["updated"]) == (0, 1)
    scheme = AidScheme.objects.get(title="Pass Export Hauts-de-France 2027")
    event = AuditEvent.objects.for_object(scheme).first()
    assert event.action == "aid_scheme.import_update"
    assert event.changes == {
        "title": ["Pass Export Hauts-de-France", "Pass Export Hauts-de-France 2027"]
    }


def test_a_base_schema_file_leaves_the_extension_fields_alone():
    run(EXAMPLE_PRO, "--wet-run")
    summary, _ = run(EXAMPLE_BASE, "--wet-run")
    assert summary["updated"] == 0
    assert AidScheme.objects.get().headcount_max == 249


def test_a_semicolon_file_with_a_bom_is_read():
    text = EXAMPLE_PRO.read_text(encoding="utf-8")
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    report = catalogue_import(acting_user=None, stream=io.StringIO("\ufeff" + out.getvalue()))
    assert report.summary()["created"] == 1


def test_the_relaxed_literal_of_the_examples_is_parsed():
    assert etalab.parse_literal("[{ libelle: 'l\\'arrêté', lien: \"https://x\" }]") == [
        {"libelle": "l'arrêté", "lien": "https://x"}
    ]
    with pytest.raises(ValueError, match="clé attendue"):
        etalab.parse_literal("[{ nom: 'ADEME' ")
