"""Truncated SIRENE files: `import_sirene` says so in French and exits with an error, keeping
what was read correctly (a cut-short zip cannot be read at all: nothing is imported)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pilote.companies.importer import import_sirene
from pilote.companies.models import Company, Establishment
from pilote.companies.sirene import UNITE_LEGALE_HEADER, read_legal_units
from pilote.companies.sirene_generator import write_establishments, write_legal_units, zip_file
from tests.companies.test_import import etab, place, unit  # noqa: F401 (place: a fixture)

UNITS = [
    unit("552100554", "FORGES DU CAMBRESIS"),
    unit("732829320", "VERRERIE DE L'ESCAUT"),
    unit("800000001", "ATELIERS DU HAINAUT"),
]


@pytest.fixture
def etabs(tmp_path, place):  # noqa: F811
    """Three establishments of territory A (three SIRENs) and one outside."""
    path = tmp_path / "StockEtablissement.csv"
    write_establishments(
        path,
        [
            etab("552100554", "00013", "59122"),
            etab("732829320", "00074", "59606"),
            etab("800000001", "00012", "59122"),
            etab("900000000", "00011", "62041"),  # outside the territory
        ],
    )
    return path


def cut(path, keep: int) -> None:
    """Cut the file after its first `keep` bytes, like an interrupted download."""
    path.write_bytes(path.read_bytes()[:keep])


def command(etabs, units, *options) -> tuple[int, dict | None, str]:
    """Exit code (CommandError is exit code 1), JSON line and stderr of `import_sirene`."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(
            "import_sirene", "--etablissements", str(etabs), "--unites-legales", str(units),
            "--territory", "ti-a", *options, stdout=out, stderr=err,
        )  # fmt: skip
    except CommandError as error:
        code = 1
        err.write(str(error))
    lines = out.getvalue().strip().splitlines()
    return code, json.loads(lines[-1]) if lines else None, err.getvalue()


def test_complete_files_exit_0_without_a_warning(world, etabs, tmp_path):
    units = tmp_path / "StockUniteLegale.csv"
    write_legal_units(units, UNITS)
    code, summary, err = command(etabs, units, "--wet-run")
    assert code == 0
    assert summary["created"] == 3
    assert "tronqué" not in err
    assert "unité légale" not in err


def test_a_legal_units_file_cut_inside_a_line_is_reported_and_exits_with_an_error(
    world, etabs, tmp_path
):
    units = tmp_path / "StockUniteLegale.csv"
    write_legal_units(units, UNITS)
    text = units.read_bytes()
    cut(units, text.index(b"ATELIERS DU HAINAUT") + 4)  # in the middle of line 4
    code, summary, err = command(etabs, units, "--wet-run")
    assert code == 1
    assert "StockUniteLegale.csv se termine au milieu de la ligne 4 : fichier tronqué" in err
    assert "StockUniteLegale.csv ligne 4 : 24 colonnes au lieu de 35" in err
    assert "1 SIREN des établissements lus sans unité légale dans StockUniteLegale.csv" in err
    assert ": 800000001." in err
    # What was read correctly is imported, and the message says so.
    assert summary["created"] == 3
    assert "Ce qui a été lu correctement a été importé" in err
    assert Establishment.objects.count() == 3
    names = dict(Company.objects.values_list("siren", "name"))
    assert names["552100554"] == "FORGES DU CAMBRESIS"
    assert names["800000001"] is None


def test_a_legal_units_file_cut_between_two_lines_names_the_sirens_without_their_unit(
    world, etabs, tmp_path
):
    units = tmp_path / "StockUniteLegale.csv"
    write_legal_units(units, UNITS[:1])  # the file stops after its first legal unit
    code, summary, err = command(etabs, units)
    assert code == 1
    assert (
        "2 SIREN des établissements lus sans unité légale dans StockUniteLegale.csv "
        "(fichier tronqué ou incomplet ?) : 732829320, 800000001." in err
    )
    assert "se termine au milieu" not in err  # it ends with a whole line
    assert "Simulation (sans --wet-run) : rien n'a été écrit." in err
    assert summary["created"] == 3
    assert not Establishment.objects.exists()


def test_a_zip_cut_short_is_refused_and_nothing_is_imported(world, etabs, tmp_path):
    plain, units = tmp_path / "StockUniteLegale.csv", tmp_path / "StockUniteLegale.zip"
    write_legal_units(plain, UNITS * 200)
    zip_file(plain, units)
    cut(units, units.stat().st_size // 2)
    code, summary, err = command(etabs, units, "--wet-run")
    assert code == 1
    assert "StockUniteLegale.zip : archive zip incomplète ou endommagée" in err
    assert "Rien n'a été importé" in err
    assert summary is None
    assert not Establishment.objects.exists()  # the import is one transaction


def test_an_establishments_file_cut_inside_a_line_is_reported_too(world, etabs, tmp_path):
    units = tmp_path / "StockUniteLegale.csv"
    write_legal_units(units, UNITS)
    text = etabs.read_bytes()
    cut(etabs, text.index(b"900000000") + 30)  # in the middle of line 5
    code, summary, err = command(etabs, units, "--wet-run")
    assert code == 1
    assert "StockEtablissement.csv se termine au milieu de la ligne 5 : fichier tronqué" in err
    assert summary["created"] == 3


def test_the_service_returns_the_warnings_for_every_caller(world, etabs, tmp_path):
    units = tmp_path / "StockUniteLegale.csv"
    write_legal_units(units, UNITS[:2])
    summary = import_sirene(
        acting_user=None, etablissements=etabs, unites_legales=units, wet_run=True
    )
    assert summary.missing_legal_units == ["800000001"]
    assert len(summary.warnings) == 1
    assert "800000001" in summary.warnings[0]


@pytest.mark.parametrize("newline", [True, False])
def test_the_reader_tells_a_last_line_cut_short_from_a_whole_one(tmp_path, newline):
    path = tmp_path / "ul.csv"
    write_legal_units(path, UNITS)
    if not newline:  # a whole last line without its line break is not a cut
        path.write_bytes(path.read_bytes().rstrip(b"\n"))
    scan = read_legal_units(path, sirens=None)
    assert sum(len(batch) for batch in scan) == 3
    assert scan.report.ends_inside_line is None
    cut(path, path.stat().st_size - 10)
    scan = read_legal_units(path, sirens=None)
    list(scan)
    assert scan.report.ends_inside_line == 4
    assert len(UNITE_LEGALE_HEADER) == 35
