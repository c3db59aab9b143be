"""Writers of SIRENE stock files, for tests and benchmarks.

The files follow the INSEE stock files: UTF-8, comma separator, one header line with the
official column names (`sirene.ETABLISSEMENT_HEADER_3_11`, `ETABLISSEMENT_HEADER_48`,
`UNITE_LEGALE_HEADER`), `\\n` line ends, empty fields for missing values, and a value
quoted with `"` only when it holds a comma, a quote or a line break (quotes doubled).

- `write_establishments` / `write_legal_units` write small files from dicts keyed by
  column name (missing columns are empty). A `str` item is written as a raw line, to build
  malformed lines on purpose.
- `generate_national` writes a national-shaped pair of files fast (DuckDB generates and
  writes the rows: about 40 s for 5 million establishments and their 3.3 million legal
  units on 2 cores).
"""

from __future__ import annotations

import csv
import os
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from pilote.companies.sirene import (
    ETABLISSEMENT_HEADER_3_11,
    ETABLISSEMENT_HEADER_48,
    UNITE_LEGALE_HEADER,
)

FORMATS = {"3.11": ETABLISSEMENT_HEADER_3_11, "48": ETABLISSEMENT_HEADER_48}

NAF_CODES = [
    "25.62B", "10.71C", "47.11F", "56.10A", "43.21A", "62.01Z", "68.20A", "86.21Z",
    "28.29B", "22.29A", "46.69B", "49.41A", "70.22Z", "45.20A", "24.10Z", "29.32Z",
    "10.51A", "20.14Z", "33.12Z", "16.23Z", "41.20A", "47.30Z", "81.21Z", "96.02A",
]  # fmt: skip
HEADCOUNT_BANDS = ["NN", "00", "01", "02", "03", "11", "12", "21", "22", "31", "32", "41",
                   "42", "51", "52", "53"]  # fmt: skip
STREET_TYPES = ["RUE", "AV", "BD", "PL", "CHE", "RTE", "ALL", "IMP", "QUAI", "SQ"]
STREET_NAMES = ["DE LA GARE", "JEAN JAURES", "DU GENERAL DE GAULLE", "DES FLEURS", "PASTEUR",
                "VICTOR HUGO", "DE PARIS", "D'ARRAS", "DU MOULIN", "DE LA REPUBLIQUE"]  # fmt: skip
SIGNS = ["BOULANGERIE DU CENTRE", "GARAGE DE LA GARE", "CHEZ MARIE", "ATELIER 59",
         "LE ZINC", "PHARMACIE DU MARCHE"]  # fmt: skip
LEGAL_CATEGORIES = ["5710", "5499", "5720", "5710", "6540", "9220", "5599", "5410", "5498"]
COMPANY_WORDS = ["ACIERIES", "METALLURGIE", "PLASTURGIE", "LOGISTIQUE", "MENUISERIE",
                 "CHAUDRONNERIE", "TRANSPORTS", "MECANIQUE", "CONFORT", "HOLDING"]  # fmt: skip
FIRST_NAMES = ["MARIE", "JEAN", "NATHALIE", "PIERRE", "SOPHIE", "MOHAMED", "JULIE", "LUC"]
LAST_NAMES = ["MARTIN", "BERNARD", "DUBOIS", "LEFEBVRE", "DUPONT", "LEROY", "MOREAU"]
SIZE_CATEGORIES = ["PME", "PME", "PME", "PME", "PME", "PME", "ETI", "GE"]


# -- small files from dicts ------------------------------------------------------------


def _write(path, header: tuple[str, ...], rows: Iterable[dict | str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        for row in rows:
            if isinstance(row, str):
                fh.write(row.rstrip("\n") + "\n")
                continue
            unknown = set(row) - set(header)
            if unknown:
                raise ValueError(f"Colonnes inconnues : {', '.join(sorted(unknown))}")
            writer.writerow(["" if row.get(c) is None else str(row[c]) for c in header])


def write_establishments(path, rows: Iterable[dict | str], *, fmt: str = "3.11") -> None:
    """A `StockEtablissement` file (format "3.11": 54 columns, or "48") from `rows`."""
    _write(path, FORMATS[fmt], rows)


def write_legal_units(path, rows: Iterable[dict | str]) -> None:
    """A `StockUniteLegale` file (35 columns) from `rows`."""
    _write(path, UNITE_LEGALE_HEADER, rows)


def zip_file(csv_path, zip_path, *, compresslevel: int = 1) -> None:
    """Zip `csv_path` alone into `zip_path` (deflate), like INSEE's downloads."""
    with zipfile.ZipFile(
        zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel
    ) as zf:
        zf.write(csv_path, arcname=Path(csv_path).name)


# -- national-shaped files --------------------------------------------------------------


def _sql_list(values: Iterable[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def _pick(values: list[str], h: str) -> str:
    """SQL: one of `values`, chosen by the unsigned hash expression `h`."""
    return f"{_sql_list(values)}[(1 + ({h}) % {len(values)})::BIGINT]"


def _csv_field(expr: str, *, may_need_quotes: bool) -> str:
    """SQL: `expr` as a CSV field (empty if NULL, quoted if it holds a comma or a quote)."""
    if expr == "NULL":
        return "''"
    if not may_need_quotes:
        return f"coalesce({expr}, '')"
    return (
        f"CASE WHEN ({expr}) IS NULL THEN '' "
        f"WHEN regexp_matches({expr}, '[,\"\\n]') "
        f"THEN '\"' || replace({expr}, '\"', '\"\"') || '\"' ELSE {expr} END"
    )


# Generated columns whose values may hold a comma or a quote.
_FREE_TEXT = {"complementAdresseEtablissement", "libelleVoieEtablissement",
              "enseigne1Etablissement", "denominationUniteLegale"}  # fmt: skip


def _siren(unit: str) -> str:
    # A bijection of [0, 9e8) onto 9-digit numbers: distinct units get distinct SIRENs.
    return f"((({unit}) * 7919 + 123456789) % 900000000 + 100000000)"


def _establishment_source(n_rows: int, seed: int, territory, others, fraction: float) -> str:
    """SQL relation: one row per establishment, with the draws its columns are made of."""
    in_territory = f"(h2 % 1000000 < {round(fraction * 1_000_000)})"
    commune = (
        f"CASE WHEN {in_territory} THEN {_pick(territory, 'h2 >> 20')} "
        f"ELSE {_pick(others, 'h2 >> 20')} || lpad((1 + (h2 >> 40) % 700)::VARCHAR, 3, '0') END"
    )
    band = f"CASE WHEN (h >> 16) % 2 = 0 THEN NULL ELSE {_pick(HEADCOUNT_BANDS, 'h >> 17')} END"
    unit = "(i * 2 // 3)"
    return (
        f"(SELECT *, {_siren(unit)}::VARCHAR AS siren, "
        "lpad((10 + (i % 3) * 17)::VARCHAR, 5, '0') AS nic, "
        f"{commune} AS commune, {band} AS band, (h >> 24) % 100 < 35 AS closed, "
        "(h >> 40) % 100 < 4 AS masked, "  # partially diffusible: street address masked
        "DATE '1960-01-01' + ((h >> 8) % 23000)::INTEGER AS created "
        f"FROM (SELECT i, hash(i, {seed}, 1) AS h, hash(i, {seed}, 2) AS h2 "
        f"FROM range({n_rows}) t(i)))"
    )


def _establishment_exprs():
    h, commune, created, band = "h", "commune", "created", "band"
    closed, masked = "closed", "masked"

    def nd(expr: str) -> str:
        return f"CASE WHEN {masked} THEN '[ND]' ELSE {expr} END"

    return {
        "siren": "siren",
        "nic": "nic",
        "siret": "siren || nic",
        "statutDiffusionEtablissement": f"CASE WHEN {masked} THEN 'P' ELSE 'O' END",
        "dateCreationEtablissement": f"strftime({created}, '%Y-%m-%d')",
        "trancheEffectifsEtablissement": band,
        "anneeEffectifsEtablissement": f"CASE WHEN ({band}) IS NULL THEN NULL ELSE '2022' END",
        "activitePrincipaleRegistreMetiersEtablissement": f"CASE WHEN ({h} >> 50) % 20 = 0 "
        "THEN '4520AA' ELSE NULL END",
        "dateDernierTraitementEtablissement": "'2024-03-22T14:26:06'",
        "etablissementSiege": "CASE WHEN i % 3 = 1 THEN 'false' ELSE 'true' END",
        "nombrePeriodesEtablissement": f"(1 + ({h} >> 4) % 4)::VARCHAR",
        "complementAdresseEtablissement": nd(
            f"CASE WHEN ({h} >> 30) % 10 = 0 THEN 'ZI DU MOULIN, BAT ' || (({h} >> 33) % 9 + 1)"
            " ELSE NULL END"
        ),
        "numeroVoieEtablissement": nd(f"(1 + ({h} >> 20) % 200)::VARCHAR"),
        "indiceRepetitionEtablissement": nd(f"CASE WHEN ({h} >> 28) % 20 = 0 THEN 'B' END"),
        "dernierNumeroVoieEtablissement": "NULL",
        "indiceRepetitionDernierNumeroVoieEtablissement": "NULL",
        "typeVoieEtablissement": nd(_pick(STREET_TYPES, f"{h} >> 34")),
        "libelleVoieEtablissement": nd(_pick(STREET_NAMES, f"{h} >> 44")),
        "codePostalEtablissement": f"left({commune}, 2) || '000'",
        "libelleCommuneEtablissement": f"'COMMUNE ' || {commune}",
        "libelleCommuneEtrangerEtablissement": "NULL",
        "distributionSpecialeEtablissement": "NULL",
        "codeCommuneEtablissement": commune,
        "codeCedexEtablissement": "NULL",
        "libelleCedexEtablissement": "NULL",
        "codePaysEtrangerEtablissement": "NULL",
        "libellePaysEtrangerEtablissement": "NULL",
        "identifiantAdresseEtablissement": nd(
            f"{commune} || '_' || lpad((({h} >> 12) % 9999)::VARCHAR, 4, '0') || '_' "
            f"|| lpad((1 + ({h} >> 20) % 200)::VARCHAR, 5, '0')"
        ),
        "coordonneeLambertAbscisseEtablissement": nd(f"(600000 + ({h} >> 10) % 400000)::VARCHAR"),
        "coordonneeLambertOrdonneeEtablissement": nd(
            f"(6200000 + ({h} >> 22) % 900000)::VARCHAR || '.5'"
        ),
        "dateDebut": f"strftime({created} + (({h} >> 36) % 3000)::INTEGER, '%Y-%m-%d')",
        "etatAdministratifEtablissement": f"CASE WHEN {closed} THEN 'F' ELSE 'A' END",
        "enseigne1Etablissement": f"CASE WHEN ({h} >> 52) % 7 = 0 THEN {_pick(SIGNS, f'{h} >> 53')}"
        " END",
        "denominationUsuelleEtablissement": "NULL",
        "activitePrincipaleEtablissement": _pick(NAF_CODES, f"{h} >> 56"),
        "nomenclatureActivitePrincipaleEtablissement": "'NAFRev2'",
        "caractereEmployeurEtablissement": f"CASE WHEN {closed} OR ({band}) IS NULL THEN 'N' "
        "ELSE 'O' END",
        "activitePrincipaleNAF25Etablissement": f"CASE WHEN {closed} THEN NULL ELSE "
        f"{_pick(NAF_CODES, f'{h} >> 56')} END",
    }


def _legal_unit_exprs():
    h = "h"
    person = f"(({h}) % 100 < 35)"
    hidden = f"({person} AND ({h} >> 8) % 100 < 10)"  # non-diffusible natural person

    def name(expr: str) -> str:
        return f"CASE WHEN NOT {person} THEN NULL WHEN {hidden} THEN '[ND]' ELSE {expr} END"

    created = f"(DATE '1960-01-01' + (({h} >> 12) % 23000)::INTEGER)"
    return {
        "siren": f"{_siren('u')}::VARCHAR",
        "statutDiffusionUniteLegale": f"CASE WHEN {hidden} THEN 'P' ELSE 'O' END",
        "unitePurgeeUniteLegale": "NULL",
        "dateCreationUniteLegale": f"strftime({created}, '%Y-%m-%d')",
        "sigleUniteLegale": "NULL",
        "sexeUniteLegale": f"CASE WHEN NOT {person} THEN NULL WHEN {hidden} THEN '[ND]' "
        f"WHEN ({h} >> 20) % 2 = 0 THEN 'F' ELSE 'M' END",
        "prenom1UniteLegale": name(_pick(FIRST_NAMES, f"{h} >> 21")),
        "prenom2UniteLegale": "NULL",
        "prenom3UniteLegale": "NULL",
        "prenom4UniteLegale": "NULL",
        "prenomUsuelUniteLegale": name(_pick(FIRST_NAMES, f"{h} >> 21")),
        "pseudonymeUniteLegale": "NULL",
        "identifiantAssociationUniteLegale": "NULL",
        "trancheEffectifsUniteLegale": _pick(HEADCOUNT_BANDS, f"{h} >> 26"),
        "anneeEffectifsUniteLegale": "'2022'",
        "dateDernierTraitementUniteLegale": "'2024-03-22T14:26:06'",
        "nombrePeriodesUniteLegale": f"(1 + ({h} >> 30) % 5)::VARCHAR",
        "categorieEntreprise": f"CASE WHEN ({h} >> 33) % 5 = 0 THEN NULL ELSE "
        f"{_pick(SIZE_CATEGORIES, f'{h} >> 35')} END",
        "anneeCategorieEntreprise": "'2022'",
        "dateDebut": f"strftime({created}, '%Y-%m-%d')",
        "etatAdministratifUniteLegale": f"CASE WHEN ({h} >> 38) % 100 < 30 THEN 'C' ELSE 'A' END",
        "nomUniteLegale": name(_pick(LAST_NAMES, f"{h} >> 40")),
        "nomUsageUniteLegale": "NULL",
        "denominationUniteLegale": f"CASE WHEN {person} THEN NULL ELSE "
        f"{_pick(COMPANY_WORDS, f'{h} >> 44')} || ' ' || {_pick(LAST_NAMES, f'{h} >> 48')} "
        f"|| ' ' || ((u % 97) + 1)::VARCHAR END",
        "denominationUsuelle1UniteLegale": "NULL",
        "denominationUsuelle2UniteLegale": "NULL",
        "denominationUsuelle3UniteLegale": "NULL",
        "categorieJuridiqueUniteLegale": f"CASE WHEN {person} THEN '1000' ELSE "
        f"{_pick(LEGAL_CATEGORIES, f'{h} >> 52')} END",
        "activitePrincipaleUniteLegale": _pick(NAF_CODES, f"{h} >> 56"),
        "nomenclatureActivitePrincipaleUniteLegale": "'NAFRev2'",
        "nicSiegeUniteLegale": "'00010'",
        "economieSocialeSolidaireUniteLegale": "'N'",
        "societeMissionUniteLegale": "NULL",
        "caractereEmployeurUniteLegale": "'N'",
        "activitePrincipaleNAF25UniteLegale": _pick(NAF_CODES, f"{h} >> 56"),
    }


def _copy_lines(con, header: tuple[str, ...], line_sql: str, source: str, path) -> None:
    """COPY one pre-formatted CSV line per row of `source` to `path`, header first."""
    alias = ",".join(header).replace('"', '""')
    con.execute(
        f"COPY (SELECT {line_sql} AS \"{alias}\" FROM {source}) TO '{_sql_path(path)}' "
        "(FORMAT csv, HEADER true, QUOTE '', ESCAPE '', DELIMITER '\t')"
    )


def _sql_path(path) -> str:
    return str(path).replace("'", "''")


def generate_national(
    path_etab,
    path_ul,
    *,
    n_rows: int,
    territory_communes: list[str],
    fraction: float = 0.01,
    seed: int = 0,
    zip: bool = False,
    malformed: bool = False,
    fmt: str = "3.11",
) -> None:
    """Write a national-shaped `StockEtablissement` of `n_rows` rows and its `StockUniteLegale`.

    `fraction` of the establishments lie in `territory_communes` (drawn uniformly), the others
    in plausible codes of the other départements; about 1.5 establishments per legal unit;
    35 % closed; 4 % partially diffusible (street address « [ND] »); 35 % of legal units are
    natural persons, a tenth of them non-diffusible (names « [ND] »). `malformed` turns about
    0.01 % of the establishment lines bad, in turn: one column too many, one column too few,
    an invalid SIREN, a SIRET that is not SIREN + NIC. With `zip`, `path_etab` and `path_ul`
    are zip archives each holding one CSV. Same arguments, same bytes.
    """
    import duckdb

    if not territory_communes:
        raise ValueError("territory_communes est vide")
    header = FORMATS[fmt]
    territory_deps = {c[:2] for c in territory_communes}
    others = [f"{d:02d}" for d in range(1, 96) if d != 20 and f"{d:02d}" not in territory_deps]
    exprs = _establishment_exprs()
    fields = [_csv_field(exprs.get(c, "NULL"), may_need_quotes=c in _FREE_TEXT) for c in header]
    source = _establishment_source(n_rows, seed, sorted(territory_communes), others, fraction)
    line = " || ',' || ".join(fields)
    if malformed:
        source = f"(SELECT i, {line} AS line FROM {source})"
        bad = f"(hash(i, {seed}, 3) % 10000)"
        kind = f"(hash(i, {seed}, 3) // 10000 % 4)"
        line = (
            f"CASE WHEN {bad} <> 0 THEN line "
            f"WHEN {kind} = 0 THEN line || ',EN TROP' "
            f"WHEN {kind} = 1 THEN regexp_replace(line, ',[^,]*$', '') "
            f"WHEN {kind} = 2 THEN 'X' || substr(line, 2) "
            "ELSE regexp_replace(line, '^([0-9]{9}),([0-9]{5}),([0-9]{9})[0-9]{5}', "
            "'\\1,\\2,\\399999') END"
        )
    n_units = (2 * (n_rows - 1)) // 3 + 1 if n_rows else 0
    ul_exprs = _legal_unit_exprs()
    ul_line = " || ',' || ".join(
        _csv_field(ul_exprs[c], may_need_quotes=c in _FREE_TEXT) for c in UNITE_LEGALE_HEADER
    )
    ul_source = f"(SELECT u, hash(u, {seed}, 4) AS h FROM range({n_units}) t(u))"

    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET memory_limit = '1GB'")
        jobs = [
            (path_etab, header, line, source),
            (path_ul, UNITE_LEGALE_HEADER, ul_line, ul_source),
        ]
        for path, hdr, sql, source in jobs:
            if not zip:
                _copy_lines(con, hdr, sql, source, path)
                continue
            with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(path))) as tmp:
                inner = Path(tmp) / (Path(path).stem + ".csv")
                _copy_lines(con, hdr, sql, source, inner)
                zip_file(inner, path)
    finally:
        con.close()
