"""The SIRENE stock reader (pilote.companies.sirene) on small files written by the generator."""

import csv
import zipfile
from datetime import date

import pytest

from pilote.companies import sirene
from pilote.companies.sirene import (
    ETABLISSEMENT_HEADER_3_11,
    ETABLISSEMENT_HEADER_48,
    UNITE_LEGALE_HEADER,
    SireneFormatError,
    read_establishments,
    read_legal_units,
)
from pilote.companies.sirene_generator import (
    generate_national,
    write_establishments,
    write_legal_units,
    zip_file,
)

TERRITORY = {"59178", "59606", "59392"}  # Douai, Valenciennes, Maubeuge


def etab(siren, nic="00012", commune="59178", **columns):
    row = {
        "siren": siren,
        "nic": nic,
        "siret": siren + nic,
        "statutDiffusionEtablissement": "O",
        "dateCreationEtablissement": "2001-02-03",
        "trancheEffectifsEtablissement": "12",
        "anneeEffectifsEtablissement": "2022",
        "etablissementSiege": "true",
        "numeroVoieEtablissement": "12",
        "indiceRepetitionEtablissement": "B",
        "typeVoieEtablissement": "RUE",
        "libelleVoieEtablissement": "DE LA GARE",
        "codePostalEtablissement": "59500",
        "libelleCommuneEtablissement": "DOUAI",
        "codeCommuneEtablissement": commune,
        "dateDebut": "2020-01-01",
        "etatAdministratifEtablissement": "A",
        "activitePrincipaleEtablissement": "25.62B",
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
        "caractereEmployeurEtablissement": "O",
    }
    row.update(columns)
    return row


def line_of(row, header=ETABLISSEMENT_HEADER_3_11):
    return ",".join(row.get(c, "") for c in header)


def scan_all(scan):
    batches = list(scan)
    return [r for batch in batches for r in batch], scan.report


# -- headers --------------------------------------------------------------------------


def test_header_constants_are_the_official_ones():
    assert len(ETABLISSEMENT_HEADER_3_11) == 54
    assert len(ETABLISSEMENT_HEADER_48) == 48
    assert len(UNITE_LEGALE_HEADER) == 35
    added = [c for c in ETABLISSEMENT_HEADER_3_11 if c not in ETABLISSEMENT_HEADER_48]
    assert added == [
        "dernierNumeroVoieEtablissement",
        "indiceRepetitionDernierNumeroVoieEtablissement",
        "identifiantAdresseEtablissement",
        "coordonneeLambertAbscisseEtablissement",
        "coordonneeLambertOrdonneeEtablissement",
        "activitePrincipaleNAF25Etablissement",
    ]
    assert [c for c in ETABLISSEMENT_HEADER_3_11 if c in ETABLISSEMENT_HEADER_48] == list(
        ETABLISSEMENT_HEADER_48
    )


# -- establishments -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "label", "columns"), [("3.11", "3.11", 54), ("48", "48 colonnes", 48)]
)
def test_both_formats_are_read_by_header_name(tmp_path, fmt, label, columns):
    path = tmp_path / "StockEtablissement.csv"
    rows = [
        etab(
            "123456789",
            enseigne1Etablissement="ATELIER",
            enseigne3Etablissement="SITE 2",
            complementAdresseEtablissement="ZI DU MOULIN, BAT 2",
        ),
        etab("987654321", commune="75056"),
        etab(
            "111222333",
            nic="00027",
            commune="59606",
            etablissementSiege="false",
            anneeEffectifsEtablissement="",
            trancheEffectifsEtablissement="",
        ),
    ]
    write_establishments(path, rows, fmt=fmt)

    records, report = scan_all(read_establishments(path, communes=TERRITORY))

    assert (report.header_format, report.columns) == (label, columns)
    assert (report.scanned, report.kept, report.rejected) == (3, 2, [])
    assert report.complete
    first, second = records
    assert first == sirene.EstablishmentRecord(
        siret="12345678900012", siren="123456789", nic="00012", line=2, diffusion="O",
        created_on=date(2001, 2, 3), headcount_band="12", headcount_year=2022,
        is_head_office=True, address_complement="ZI DU MOULIN, BAT 2", street_number="12",
        street_repetition="B", street_type="RUE", street="DE LA GARE", postcode="59500",
        city="DOUAI", commune="59178", foreign_city="", state="A",
        state_since=date(2020, 1, 1), enseigne="ATELIER / SITE 2", usual_name="",
        naf="25.62B", naf_nomenclature="NAFRev2", employer="O",
    )  # fmt: skip
    assert (second.siret, second.line, second.commune) == ("11122233300027", 4, "59606")
    assert (second.is_head_office, second.headcount_band, second.headcount_year) == (
        False,
        "",
        None,
    )


def test_columns_are_found_by_name_in_any_order_and_quoting(tmp_path):
    path = tmp_path / "shuffled.csv"
    header = list(reversed(ETABLISSEMENT_HEADER_3_11))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        writer.writerow([etab("123456789").get(c, "") for c in header])
        writer.writerow([etab("222333444", commune="13055").get(c, "") for c in header])

    records, report = scan_all(read_establishments(path, communes=TERRITORY))

    assert [(r.siret, r.line, r.commune, r.street) for r in records] == [
        ("12345678900012", 2, "59178", "DE LA GARE")
    ]
    assert (report.scanned, report.rejected) == (2, [])


def test_zip_is_read_like_the_csv(tmp_path):
    csv_path, zip_path = tmp_path / "StockEtablissement.csv", tmp_path / "stock.zip"
    write_establishments(csv_path, [etab("123456789"), etab("987654321", commune="06088")])
    zip_file(csv_path, zip_path)

    scratch = tmp_path / "scratch"
    scratch.mkdir()

    plain, _ = scan_all(read_establishments(csv_path, communes=TERRITORY))
    zipped, report = scan_all(read_establishments(zip_path, communes=TERRITORY, tmp_dir=scratch))

    assert zipped == plain
    assert [r.siret for r in zipped] == ["12345678900012"]
    assert report.scanned == 2
    assert list(scratch.iterdir()) == []  # the extracted CSV is removed


def test_a_zip_with_several_files_is_refused(tmp_path):
    path = tmp_path / "two.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", "x")
        archive.writestr("b.csv", "y")
    with pytest.raises(SireneFormatError, match="un seul fichier CSV"):
        list(read_establishments(path, communes=TERRITORY))


def test_commune_filter(tmp_path):
    path = tmp_path / "e.csv"
    communes = ["59178", "59606", "62041", "75056", "2A004", "59178"]
    rows = [etab(f"1000000{i:02d}", commune=c) for i, c in enumerate(communes)]
    # a territory code in another column does not put an establishment in the territory
    rows.append(etab("100000099", commune="62041", codePostalEtablissement="59606"))
    write_establishments(path, rows)

    def sirets(selection):
        return [r.siret for r in scan_all(read_establishments(path, communes=selection))[0]]

    assert sirets({"59178"}) == ["10000000000012", "10000000500012"]
    assert sirets({"2A004", "62041"}) == ["10000000200012", "10000000400012", "10000009900012"]
    assert sirets({"59606"}) == ["10000000100012"]
    assert sirets(None) == [f"1000000{i:02d}00012" for i in (0, 1, 2, 3, 4, 5, 99)]
    assert sirets(set()) == []
    with pytest.raises(ValueError, match="Code commune invalide"):
        read_establishments(path, communes={"59'1"})


def test_a_large_commune_set_and_windows_line_ends(tmp_path):
    # Above 2,000 codes the commune is found by position instead of by a regexp of codes.
    path = tmp_path / "e.csv"
    rows = [etab("700000001", commune="01001"), etab("700000002", commune="75056"),
            etab("700000003", commune="59178")]  # fmt: skip
    write_establishments(path, rows)
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    many = {f"{d:02d}{i:03d}" for d in range(1, 4) for i in range(1000)} | TERRITORY

    records, report = scan_all(read_establishments(path, communes=many))

    assert [(r.line, r.siret, r.employer) for r in records] == [
        (2, "70000000100012", "O"),
        (4, "70000000300012", "O"),
    ]
    assert (report.scanned, report.rejected) == (3, [])


@pytest.mark.parametrize("whole_file", [False, True])
def test_every_bad_line_is_reported_with_its_line_number_and_every_good_line_kept(
    tmp_path, whole_file
):
    path = tmp_path / "bad.csv"
    good = [etab(f"1000000{i}{i}", commune=c)
            for i, c in enumerate(["59178", "59606", "59392", "59178", "59606"])]  # fmt: skip
    rows = [
        good[0],  # 2
        line_of(etab("200000001")) + ",EN TROP",  # 3: one column too many (territory)
        line_of(etab("200000002", commune="75056")) + ",X,Y",  # 4: two too many, elsewhere
        good[1],  # 5
        line_of(etab("200000003")).rsplit(",", 1)[0],  # 6: one column missing
        etab("20000000A"),  # 7: SIREN with a letter (territory)
        etab("20000004", nic="000012", commune="13055"),  # 8: SIREN of 8 digits, elsewhere
        etab("200000005", siret="2000000050001"),  # 9: SIRET of 13 digits
        etab("200000006", siret="20000000699999"),  # 10: SIRET not SIREN + NIC
        etab("200000007", commune="69123", siret="20000000800012"),  # 11: idem, elsewhere
        good[2],  # 12
        "",  # 13: empty line
        line_of(etab("200000009")).replace("DE LA GARE", '"DE LA" GARE'),  # 14: bad quote
        good[3],  # 15
        good[4],  # 16
    ]
    write_establishments(path, rows)

    records, report = scan_all(read_establishments(path, communes=TERRITORY, whole_file=whole_file))

    assert [(r.line, r.siret) for r in records] == [
        (2, good[0]["siret"]),
        (5, good[1]["siret"]),
        (12, good[2]["siret"]),
        (15, good[3]["siret"]),
        (16, good[4]["siret"]),
    ]
    elsewhere = [
        (4, "56 colonnes au lieu de 54"),
        (8, "SIREN invalide (9 chiffres attendus) : « 20000004 »"),
        (11, "SIRET 20000000800012 différent de SIREN + NIC (200000007 + 00012)"),
    ]
    territory = [
        (3, "55 colonnes au lieu de 54"),
        (6, "53 colonnes au lieu de 54"),
        (7, "SIREN invalide (9 chiffres attendus) : « 20000000A »"),
        (9, "SIRET invalide (14 chiffres attendus) : « 2000000050001 »"),
        (10, "SIRET 20000000699999 différent de SIREN + NIC (200000006 + 00012)"),
        (13, "ligne vide"),
        (14, "guillemet mal placé ou non fermé"),
    ]
    # By default, the lines that may hold an establishment of the territory; with the
    # whole-file check, the other communes' broken lines too.
    expected = sorted(territory + elsewhere) if whole_file else territory
    assert report.rejected == expected
    assert (report.rejected_count, report.kept, report.scanned) == (len(expected), 5, 15)


def test_a_bad_line_outside_the_territory_is_reported_by_the_whole_file_check_alone(tmp_path):
    # Only the structure scan sees it (no candidate line around): its number must be right.
    path = tmp_path / "e.csv"
    rows = [etab("300000001", commune="75056")] * 3 + [
        line_of(etab("300000002", commune="75056")) + ",EN TROP",
        etab("300000003", commune="75056", siret="30000000399999"),
        etab("300000004"),
        # cut before its commune column: nothing ties it to a territory
        ",".join(line_of(etab("300000005")).split(",")[:10]),
    ]
    write_establishments(path, rows)

    records, report = scan_all(read_establishments(path, communes=TERRITORY, whole_file=True))

    assert [(r.line, r.siren) for r in records] == [(7, "300000004")]
    assert report.rejected == [
        (5, "55 colonnes au lieu de 54"),
        (6, "SIRET 30000000399999 différent de SIREN + NIC (300000003 + 00012)"),
        (8, "10 colonnes au lieu de 54"),
    ]
    assert report.scanned == 7

    records, report = scan_all(read_establishments(path, communes=TERRITORY))

    assert [(r.line, r.siren) for r in records] == [(7, "300000004")]
    assert (report.rejected, report.scanned) == ([], 7)


def test_a_broken_line_of_the_territory_is_found_wherever_its_commune_code_lies(tmp_path):
    path = tmp_path / "e.csv"
    line = line_of(etab("310000001", commune="59606", codePostalEtablissement="59300"))
    rows = [
        line.replace(",59606,", ',59606",'),  # 2: stray quote after the code
        line.replace(",59606,", ',"59606,'),  # 3: unterminated quote before it
        line.replace("DE LA GARE", 'DE "LA" GARE'),  # 4: quote inside an unquoted field
        line.replace(",59606,", ",59606,X,"),  # 5: a column too many, the code still a field
        line.replace(",59606,", ",59606X,"),  # 6: no territory code any more: not examined
        line.replace("310000001", "310000009"),  # 7: good
    ]
    write_establishments(path, rows)

    records, report = scan_all(read_establishments(path, communes=TERRITORY))

    assert [(r.line, r.siren) for r in records] == [(7, "310000009")]
    assert report.rejected == [
        (2, "guillemet mal placé ou non fermé"),
        (3, "guillemet mal placé ou non fermé"),
        (4, "guillemet mal placé ou non fermé"),
        (5, "55 colonnes au lieu de 54"),
    ]
    assert report.scanned == 6


def test_python_and_duckdb_agree_on_what_a_well_quoted_line_is():
    assert sirene._split('a,"b,c",d') == ["a", "b,c", "d"]
    assert sirene._split('"a ""b""",,"c"') == ['a "b"', "", "c"]
    assert sirene._split('"",x') == ["", "x"]
    assert sirene._split('a,b"c,d') is None  # a quote in an unquoted field
    assert sirene._split('a,"b"c,d') is None  # text after the closing quote
    assert sirene._split('a,"b,d') is None  # unterminated
    assert sirene._split("") == []


def test_closed_and_masked_establishments_are_kept_as_such(tmp_path):
    path = tmp_path / "e.csv"
    masked = dict.fromkeys(
        ["complementAdresseEtablissement", "numeroVoieEtablissement", "typeVoieEtablissement",
         "libelleVoieEtablissement", "indiceRepetitionEtablissement"],
        "[ND]",
    )  # fmt: skip
    write_establishments(
        path,
        [
            etab("400000001", etatAdministratifEtablissement="F", dateDebut="2023-06-30"),
            etab("400000002", statutDiffusionEtablissement="P", **masked),
        ],
    )

    closed, hidden = scan_all(read_establishments(path, communes=TERRITORY))[0]

    assert (closed.state, closed.state_since) == ("F", date(2023, 6, 30))
    assert hidden.diffusion == "P"
    assert (hidden.address_complement, hidden.street_number, hidden.street_type) == (
        "[ND]",
        "[ND]",
        "[ND]",
    )
    assert (hidden.street, hidden.street_repetition, hidden.city) == ("[ND]", "[ND]", "DOUAI")


def test_a_missing_required_column_fails_at_once_in_french(tmp_path):
    path = tmp_path / "e.csv"
    header = [
        c for c in ETABLISSEMENT_HEADER_3_11 if c not in ("siret", "codeCommuneEtablissement")
    ]
    path.write_text(",".join(header) + "\n", encoding="utf-8")

    with pytest.raises(SireneFormatError) as error:
        list(read_establishments(path, communes=TERRITORY))

    message = str(error.value)
    assert "colonnes obligatoires absentes" in message
    assert "siret, codeCommuneEtablissement" in message


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    write_establishments(path, [etab("500000001", libelleCommuneEtablissement="DOUAI")])
    path.write_bytes(path.read_bytes().replace(b"DOUAI", "DÉNAIN".encode("latin-1")))
    with pytest.raises(SireneFormatError, match="UTF-8"):
        list(read_establishments(path, communes=TERRITORY))


def test_batches_are_bounded_and_the_report_comes_at_the_end(tmp_path):
    path = tmp_path / "e.csv"
    write_establishments(path, [etab(f"6000000{i:02d}") for i in range(23)])
    calls = []
    scan = read_establishments(
        path, communes=TERRITORY, batch_size=5, on_progress=lambda f, n: calls.append((f, n))
    )

    sizes = []
    for batch in scan:
        sizes.append(len(batch))
        assert not scan.report.complete
    assert sizes == [5, 5, 5, 5, 3]
    assert (scan.report.complete, scan.report.kept) == (True, 23)
    assert calls[-1] == (1.0, 23)


# -- legal units ----------------------------------------------------------------------


def unit(siren, **columns):
    row = {
        "siren": siren,
        "statutDiffusionUniteLegale": "O",
        "dateCreationUniteLegale": "1999-09-09",
        "trancheEffectifsUniteLegale": "21",
        "categorieEntreprise": "PME",
        "etatAdministratifUniteLegale": "A",
        "categorieJuridiqueUniteLegale": "5710",
        "activitePrincipaleUniteLegale": "25.62B",
        "denominationUniteLegale": "ACIERIES DU HAINAUT",
    }
    row.update(columns)
    return row


def person(siren, diffusion, **columns):
    names = {
        "prenom1UniteLegale": "Marie-Josée",
        "prenomUsuelUniteLegale": "Josée",
        "nomUniteLegale": "Lefebvre",
        "nomUsageUniteLegale": "Dupont",
        "sexeUniteLegale": "F",
    }
    return unit(
        siren,
        statutDiffusionUniteLegale=diffusion,
        categorieJuridiqueUniteLegale="1000",
        denominationUniteLegale="",
        categorieEntreprise="",
        **{**names, **columns},
    )


def test_legal_units_name_category_and_size(tmp_path):
    path = tmp_path / "StockUniteLegale.csv"
    write_legal_units(
        path,
        [
            unit("100000001"),
            person("100000002", "O"),
            person("100000003", "O", prenomUsuelUniteLegale="", nomUsageUniteLegale=""),
            unit("100000004", categorieEntreprise="ETI", etatAdministratifUniteLegale="C"),
            unit("100000005"),
        ],
    )

    records, report = scan_all(
        read_legal_units(path, sirens={"100000001", "100000002", "100000003", "100000004"})
    )

    assert records[0] == sirene.LegalUnitRecord(
        siren="100000001", line=2, diffusion="O", name="ACIERIES DU HAINAUT", is_person=False,
        legal_category="5710", size_category="PME", headcount_band="21",
        created_on=date(1999, 9, 9), state="A", naf="25.62B",
    )  # fmt: skip
    assert [(r.siren, r.name, r.is_person) for r in records[1:]] == [
        ("100000002", "Josée Dupont", True),
        ("100000003", "Marie-Josée Lefebvre", True),
        ("100000004", "ACIERIES DU HAINAUT", False),
    ]
    assert (records[3].size_category, records[3].state) == ("ETI", "C")
    assert (report.scanned, report.kept, report.columns) == (5, 4, 35)


def test_a_non_diffusible_persons_name_never_leaves_duckdb(tmp_path, monkeypatch):
    path = tmp_path / "StockUniteLegale.csv"
    write_legal_units(
        path,
        [
            person(
                "200000001",
                "P",
                prenom1UniteLegale="Secret",
                prenomUsuelUniteLegale="Secret",
                nomUniteLegale="Cache",
                nomUsageUniteLegale="Masque",
            ),
            person(
                "200000002",
                "N",
                prenom1UniteLegale="Autre",
                nomUniteLegale="Cache",
                nomUsageUniteLegale="",
            ),
            # no denomination and not diffusible: treated as a person
            unit(
                "200000003",
                statutDiffusionUniteLegale="P",
                denominationUniteLegale="",
                categorieJuridiqueUniteLegale="5499",
                nomUniteLegale="Cache",
            ),
            person("200000004", "O"),
        ],
    )
    fetched = []
    candidates = sirene._candidates

    def spy(*args, **kwargs):
        for rows in candidates(*args, **kwargs):
            fetched.extend(rows)
            yield rows

    monkeypatch.setattr(sirene, "_candidates", spy)

    records, _ = scan_all(read_legal_units(path, sirens=None))

    assert [(r.siren, r.name, r.is_person, r.diffusion) for r in records] == [
        ("200000001", None, True, "P"),
        ("200000002", None, True, "N"),
        ("200000003", None, True, "P"),
        ("200000004", "Josée Dupont", True, "O"),
    ]
    leaked = repr(fetched) + repr(records)
    for secret in ("Secret", "Cache", "Masque", "Autre"):
        assert secret not in leaked
    assert len(fetched) == 4


@pytest.mark.parametrize("whole_file", [False, True])
def test_legal_units_bad_lines_and_zip(tmp_path, whole_file):
    csv_path, zip_path = tmp_path / "ul.csv", tmp_path / "ul.zip"
    write_legal_units(
        csv_path,
        [
            unit("300000001"),
            unit("30000002"),  # 3: SIREN of 8 digits, not requested
            ",".join(unit("300000003").get(c, "") for c in UNITE_LEGALE_HEADER) + ",X",  # 4
            unit("300000004"),
            ",".join(unit("300000005").get(c, "") for c in UNITE_LEGALE_HEADER) + ",X",  # 6
        ],
    )
    zip_file(csv_path, zip_path)

    scan = read_legal_units(
        zip_path, sirens={"300000001", "300000004", "300000005"}, whole_file=whole_file
    )
    records, report = scan_all(scan)

    assert [(r.siren, r.line) for r in records] == [("300000001", 2), ("300000004", 5)]
    requested = [(6, "36 colonnes au lieu de 35")]
    others = [
        (3, "SIREN invalide (9 chiffres attendus) : « 30000002 »"),
        (4, "36 colonnes au lieu de 35"),
    ]
    assert report.rejected == (sorted(others + requested) if whole_file else requested)
    assert report.scanned == 5


def test_legal_units_missing_column(tmp_path):
    path = tmp_path / "ul.csv"
    path.write_text("siren,denominationUniteLegale\n123456789,X\n", encoding="utf-8")
    with pytest.raises(SireneFormatError, match="statutDiffusionUniteLegale"):
        list(read_legal_units(path, sirens=None))


# -- generator ------------------------------------------------------------------------


def test_generated_national_file_has_the_territory_share_and_reports_its_bad_lines(tmp_path):
    etab_path, ul_path = tmp_path / "StockEtablissement.zip", tmp_path / "StockUniteLegale.zip"
    territory = sorted(TERRITORY)
    generate_national(etab_path, ul_path, n_rows=40_000, territory_communes=territory,
                      fraction=0.05, zip=True, malformed=True, seed=3)  # fmt: skip

    with zipfile.ZipFile(etab_path) as archive:
        (member,) = archive.namelist()
        header = archive.open(member).readline().decode().strip().split(",")
    assert tuple(header) == ETABLISSEMENT_HEADER_3_11

    records, report = scan_all(
        read_establishments(etab_path, communes=set(territory), whole_file=True)
    )

    assert 1700 < report.kept < 2300  # 5 % of 40,000
    assert {r.commune for r in records} == TERRITORY
    assert {r.state for r in records} == {"A", "F"}
    assert {r.diffusion for r in records} == {"O", "P"}
    assert 0 < len(report.rejected) < 20  # about 0.01 %, every kind of bad line
    assert report.scanned == 40_000
    assert all(
        "colonnes au lieu de 54" in reason or "SIREN" in reason or "SIRET" in reason
        for _, reason in report.rejected
    )
    # By default: the same records, and only the bad lines holding a territory code.
    default_records, default = scan_all(read_establishments(etab_path, communes=set(territory)))
    assert default_records == records
    with zipfile.ZipFile(etab_path) as archive:
        lines = archive.open(member).read().decode().splitlines()
    holds_code = {
        number
        for number, _ in report.rejected
        if any(f",{c}," in lines[number - 1] for c in territory)
    }
    assert [number for number, _ in default.rejected] == sorted(holds_code)
    assert default.scanned == report.scanned

    units, ul_report = scan_all(read_legal_units(ul_path, sirens={r.siren for r in records}))
    assert {u.siren for u in units} == {r.siren for r in records}
    assert ul_report.rejected == []
    hidden = [u for u in units if u.diffusion != "O"]
    assert hidden
    assert all(u.name is None and u.is_person for u in hidden)
