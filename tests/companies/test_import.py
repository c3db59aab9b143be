"""The SIRENE import, end to end through the real reader, on small files."""

import io
import json

import pytest
from django.core.management import call_command

from pilote.companies.importer import import_sirene
from pilote.companies.models import Company, Establishment
from pilote.companies.sirene_generator import write_establishments, write_legal_units
from pilote.core.enums import Visibility
from pilote.notes.models import Note
from tests.factories import CommuneFactory, NoteFactory


@pytest.fixture
def place(world):
    """Two communes of territory A and one outside any territory."""
    return {
        "inside": CommuneFactory(code="59122", name="Cambrai", epci=world.epcis["e1"]),
        "inside2": CommuneFactory(code="59606", name="Valenciennes", epci=world.epcis["e2"]),
        "outside": CommuneFactory(code="62041", name="Arras", epci=None),
    }


def etab(siren, nic, commune, **extra):
    row = {
        "siren": siren,
        "nic": nic,
        "siret": siren + nic,
        "statutDiffusionEtablissement": "O",
        "dateCreationEtablissement": "2015-03-01",
        "trancheEffectifsEtablissement": "21",
        "anneeEffectifsEtablissement": "2023",
        "etablissementSiege": "true",
        "numeroVoieEtablissement": "12",
        "typeVoieEtablissement": "RUE",
        "libelleVoieEtablissement": "DES FORGES",
        "codePostalEtablissement": "59400",
        "libelleCommuneEtablissement": "CAMBRAI",
        "codeCommuneEtablissement": commune,
        "dateDebut": "2015-03-01",
        "etatAdministratifEtablissement": "A",
        "activitePrincipaleEtablissement": "29.32Z",
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
        "caractereEmployeurEtablissement": "O",
    }
    row.update(extra)
    return row


def unit(siren, name="", **extra):
    row = {
        "siren": siren,
        "statutDiffusionUniteLegale": "O",
        "dateCreationUniteLegale": "2015-03-01",
        "categorieEntreprise": "PME",
        "trancheEffectifsUniteLegale": "21",
        "etatAdministratifUniteLegale": "A",
        "categorieJuridiqueUniteLegale": "5710",
        "denominationUniteLegale": name,
    }
    row.update(extra)
    return row


@pytest.fixture
def files(tmp_path, place):
    etabs = tmp_path / "StockEtablissement.csv"
    units = tmp_path / "StockUniteLegale.csv"
    write_establishments(
        etabs,
        [
            etab("552100554", "00013", "59122"),
            etab(
                "552100554",
                "00021",
                "59606",
                etablissementSiege="false",
                enseigne1Etablissement="SITE DE VALENCIENNES",
            ),
            etab(
                "732829320",
                "00074",
                "59122",
                etatAdministratifEtablissement="F",
                dateDebut="2024-06-30",
            ),
            etab("800000001", "00012", "59122", statutDiffusionEtablissement="P"),
            etab("900000000", "00011", "62041"),  # outside the territory
        ],
    )
    write_legal_units(
        units,
        [
            unit("552100554", "FORGES DU CAMBRESIS"),
            unit("732829320", "VERRERIE DE L'ESCAUT"),
            unit(
                "800000001",
                statutDiffusionUniteLegale="P",
                categorieJuridiqueUniteLegale="1000",
                prenom1UniteLegale="Jeanne",
                prenomUsuelUniteLegale="Jeanne",
                nomUniteLegale="SECRETE",
            ),
            unit("900000000", "HORS TERRITOIRE"),
        ],
    )
    return etabs, units


def run(files, *, wet_run=True, territory=None):
    etabs, units = files
    return import_sirene(
        acting_user=None,
        etablissements=etabs,
        unites_legales=units,
        territory=territory,
        wet_run=wet_run,
    )


def test_it_keeps_the_territorys_establishments_with_their_company(world, files):
    summary = run(files)
    assert summary.as_json() == {
        "scanned": 5, "kept": 4, "created": 4, "updated": 0, "closed": 1, "rejected": 0
    }  # fmt: skip
    forge = Establishment.objects.get(siret="55210055400013")
    assert forge.display_name == "FORGES DU CAMBRESIS"
    assert forge.epci == world.epcis["e1"]
    assert forge.naf_section == "C"
    assert forge.address == "12 RUE DES FORGES"
    site = Establishment.objects.get(siret="55210055400021")
    assert site.display_name == "SITE DE VALENCIENNES"
    assert site.epci == world.epcis["e2"]
    assert not Establishment.objects.filter(siret="90000000000011").exists()


def test_importing_the_same_files_twice_changes_nothing(world, files):
    run(files)
    second = run(files)
    assert (second.created, second.updated, second.closed) == (0, 0, 0)
    assert Establishment.objects.count() == 4


def test_a_change_in_the_file_updates_only_that_establishment(world, files, tmp_path):
    run(files)
    etabs, units = files
    text = etabs.read_text(encoding="utf-8").replace("29.32Z", "25.62A", 1)
    etabs.write_text(text, encoding="utf-8")
    stamps = dict(Establishment.objects.values_list("siret", "updated_at"))
    summary = run((etabs, units))
    assert (summary.created, summary.updated) == (0, 1)
    # The changed row's time stamp moves (caches keyed on the last change see the import).
    after = dict(Establishment.objects.values_list("siret", "updated_at"))
    assert len([siret for siret in after if after[siret] != stamps[siret]]) == 1


def test_a_company_change_moves_its_establishments_time_stamp(world, files):
    run(files)
    etabs, units = files
    stamp = Establishment.objects.get(siret="55210055400013").updated_at
    text = units.read_text(encoding="utf-8").replace("FORGES DU CAMBRESIS", "FORGES DU NORD", 1)
    units.write_text(text, encoding="utf-8")
    run((etabs, units))
    forge = Establishment.objects.get(siret="55210055400013")
    assert forge.display_name == "FORGES DU NORD"
    assert forge.updated_at > stamp


def test_no_name_of_a_non_diffusible_person_reaches_the_database(world, files):
    run(files)
    company = Company.objects.get(siren="800000001")
    assert company.name is None
    assert company.display_name == "Entrepreneur individuel (non diffusible)"
    for model in (Company, Establishment):
        for row in model.objects.values():
            assert "SECRETE" not in json.dumps(row, default=str).upper()
            assert "JEANNE" not in json.dumps(row, default=str).upper()


def test_a_closed_establishment_is_marked_closed_and_keeps_its_follow_up(world, files, tmp_path):
    run(files)
    forge = Establishment.objects.get(siret="55210055400013")
    NoteFactory(epci=world.epcis["e1"], establishment=forge, visibility=Visibility.EPCI)
    etabs, units = files
    write_establishments(
        etabs,
        [
            etab(
                "552100554",
                "00013",
                "59122",
                etatAdministratifEtablissement="F",
                dateDebut="2026-10-01",
            ),
        ],
    )
    summary = run((etabs, units))
    assert summary.closed == 1
    forge.refresh_from_db()
    assert forge.is_closed
    assert str(forge.state_since) == "2026-10-01"
    assert Note.objects.filter(establishment=forge).count() == 1


@pytest.mark.parametrize("whole_file", [False, True])
def test_bad_lines_are_reported_with_their_line_number_and_the_good_ones_kept(
    world, tmp_path, place, whole_file
):
    etabs = tmp_path / "StockEtablissement.csv"
    write_establishments(etabs, [etab("552100554", "00013", "59122")])
    good = etabs.read_text(encoding="utf-8").splitlines()
    header, line2 = good[0], good[1]
    bad_siret = line2.replace("55210055400013", "5521005540001X")
    mismatch = line2.replace(",55210055400013,", ",55210055500013,")
    too_short = ",".join(line2.split(",")[:10])
    another = line2.replace("00013", "00039")
    etabs.write_text(
        "\n".join([header, line2, bad_siret, too_short, mismatch, another, line2]) + "\n",
        encoding="utf-8",
    )
    summary = import_sirene(
        acting_user=None, etablissements=etabs, wet_run=True, whole_file=whole_file
    )
    assert summary.kept == 2
    assert summary.created == 2
    # Line 4 is cut before its commune column: only the whole-file check reports it.
    expected = [3, 4, 5, 7] if whole_file else [3, 5, 7]
    assert [line for line, _ in summary.rejects] == expected
    assert summary.rejected == len(expected)
    reasons = dict(summary.rejects)
    assert "SIRET" in reasons[3]
    if whole_file:
        assert "colonne" in reasons[4]
    assert "SIREN" in reasons[5]
    assert "déjà lu ligne 2" in reasons[7]


def test_without_wet_run_it_reports_and_writes_nothing(world, files):
    summary = run(files, wet_run=False)
    assert summary.created == 4
    assert Establishment.objects.count() == 0
    assert Company.objects.count() == 0


def test_the_command_prints_one_json_line_and_the_rejects(world, files, capsys):
    etabs, units = files
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_sirene", "--etablissements", str(etabs), "--unites-legales", str(units),
        "--territory", "ti-a", "--wet-run", stdout=out, stderr=err,
    )  # fmt: skip
    assert json.loads(out.getvalue().strip().splitlines()[-1]) == {
        "scanned": 5, "kept": 4, "created": 4, "updated": 0, "closed": 1, "rejected": 0
    }  # fmt: skip
    assert Establishment.objects.count() == 4


def test_the_command_checks_the_whole_file_on_demand(world, place, tmp_path):
    etabs = tmp_path / "StockEtablissement.csv"
    write_establishments(
        etabs, [etab("552100554", "00013", "59122"), etab("900000000", "0001", "62041")]
    )

    def command(*options):
        out, err = io.StringIO(), io.StringIO()
        call_command("import_sirene", "--etablissements", str(etabs), *options,
                     stdout=out, stderr=err)  # fmt: skip
        return json.loads(out.getvalue().strip().splitlines()[-1]), err.getvalue()

    summary, err = command()
    assert (summary["kept"], summary["rejected"]) == (1, 0)
    summary, err = command("--check-whole-file")
    assert (summary["kept"], summary["rejected"]) == (1, 1)
    assert "ligne 3 : SIRET invalide (14 chiffres attendus) : « 9000000000001 »" in err
    assert Establishment.objects.count() == 0  # dry runs


def test_the_command_refuses_a_missing_file_or_territory_in_french(world, files, tmp_path):
    from django.core.management.base import CommandError

    etabs, _ = files
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("import_sirene", "--etablissements", str(tmp_path / "absent.csv"))
    with pytest.raises(CommandError, match="Territoire inconnu"):
        call_command("import_sirene", "--etablissements", str(etabs), "--territory", "nulle-part")


def test_a_file_that_is_not_sirene_is_refused_with_the_missing_columns(world, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "autre.csv"
    path.write_text("nom,ville\nA,B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="siret"):
        call_command("import_sirene", "--etablissements", str(path))
