"""Streaming reader of the SIRENE stock files: `StockEtablissement` and `StockUniteLegale`.

A pure module (no Django): `read_establishments` and `read_legal_units` return scans that
yield lists of immutable records (NamedTuple), then expose a `ScanReport`. DuckDB does the
reading, with a memory limit (512 MB by default), whatever the size of the file (the national
establishment file has about 40 million lines, 9 GB), in about half the time of a bare DuckDB
`count(*)` of the file (bench/bench_sirene_import.py).

What is read
    Plain CSV or a zip holding one CSV (the member is extracted to a temporary file in 4 MB
    chunks: DuckDB cannot read inside a zip). UTF-8, comma, `"` quotes, a header line. Columns
    are found by their header name, so the 54-column file (format 3.11) and the older
    48-column one both work; a file lacking a column that Pilote uses is refused at once with
    `SireneFormatError` listing the missing columns. Values are kept as written, « [ND] »
    (masked by INSEE) included; empty values are ''.

Which lines are examined
    A territory's establishments are 1 % of the national file. By default the reader examines
    every line that may hold one of them: a line holding one of the territory's commune codes
    as a field (quoted or not, or next to a stray quote), wherever it is in the line; for the
    legal units, a line starting with a requested SIREN. Those lines are split and checked
    exactly (columns, quotes, identifiers, then the commune column). The other lines are
    counted, not parsed: broken or not, they cannot hold an establishment of the territory. A
    line broken before its commune column (a truncated line) is therefore not reported in
    this mode. With `whole_file=True`, the structure and identifiers of every line of the file
    are checked as well: a diagnosis of the file, about 3 times longer.

How: one DuckDB scan of the file, parallel (threads = the machine's cores)
    1. The line scan reads the file as raw lines (one VARCHAR per physical line, no CSV
       quoting: DuckDB's fastest read) and keeps the candidate lines in a table, the others
       as NULL: a CREATE TABLE AS keeps the file order (preserve_insertion_order), so a row's
       rowid gives its line number with no single-threaded window (`row_number() OVER ()` or
       `WITH ORDINALITY` would run the whole scan on one core). Candidates are found by a
       regexp searching for ",59" then the list of codes (establishments), by a join on the
       first 9 characters (legal units), and empty lines. Candidates are read back
       `batch_size` at a time, in file order, split into fields (by Python for
       establishments; by SQL for legal units, see Diffusion) and checked exactly.
    2. Only with `whole_file`: DuckDB's own CSV parser, strict, `count(*)` with
       `store_rejects` (the bare DuckDB scan), finds every line of the file with a wrong
       number of columns or a misplaced quote, with its line number, while the candidates'
       records are yielded. It also counts the records whose SIREN/SIRET are not
       well-formed; if some were not among the candidates, a third scan (the line scan with a
       SIREN/NIC/SIRET test) numbers them.

What is reported (`ScanReport.rejected`: (line, reason in French), sorted by line)
    The unusable lines among those examined: wrong number of columns, misplaced or
    unterminated quote, empty line, SIREN not 9 digits, SIRET not 14 digits, SIRET that is
    not SIREN + NIC (no Luhn check: many valid La Poste SIRETs fail it). A well-formed line of
    another commune is skipped whatever its identifiers. They never stop the scan. Line
    numbers are physical lines of the file, header = 1 (with `whole_file`, DuckDB's CSV parser
    counts records, the same number as long as no value holds a line break: never the case in
    INSEE files; such a record is reported as malformed). A file that is not UTF-8 stops the
    scan with `SireneFormatError` (it is not a SIRENE file). At most `max_rejects` lines are
    listed (100,000 by default); `rejected_count` counts them all.

Truncated files
    `ScanReport.ends_inside_line` is the number of the last line when the file ends inside it
    (no line break at the end, and not a whole record): a file cut short, whose missing lines
    nothing else can reveal. A zip cut short (no central directory) or damaged stops the scan
    with `SireneFormatError`.

Memory and progress
    DuckDB reads in fixed-size buffers; the candidate table holds the kept lines only (1 % of
    a national file for a territory) and spills to `tmp_dir` beyond `memory_limit`; Python
    holds one batch. Peak RSS stays around 250 MB for 5 million lines. `communes=None`
    keeps every line: meant for small files. `on_progress(fraction, lines)` is called at most
    twice a second from DuckDB's query_progress (lines estimated from the fraction), and once
    at the end with (1.0, lines scanned).

Diffusion
    An establishment's `diffusion` is statutDiffusionEtablissement ("O", "P" partially
    diffusible: INSEE masks its address with « [ND] »). For a legal unit that is a natural
    person (categorieJuridiqueUniteLegale 1000, or no denomination) whose
    statutDiffusionUniteLegale is not "O", the name is never read out of DuckDB: the SQL
    computes `name` as NULL for it, and neither the first names nor the last names leave the
    database. Such a record's `name` is None.
"""

from __future__ import annotations

import contextlib
import csv
import operator
import os
import re
import shutil
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import NamedTuple

# Headers of the SIRENE stock files, in file order.
#
# Verified (2025) against two independent public sources that parse the real files:
#  * the 54 names of StockEtablissement and the 35 of StockUniteLegale as loaded from the
#    files of data.gouv.fr (`PRAGMA table_info` of a 42,909,379-row load published in a
#    public repository), and the `ETABLISSEMENT_COLUMNS` / `UNITE_LEGALE_COLUMNS` tuples of a
#    public Python parser checked against INSEE's « dessin de fichier »;
#  * the 48-column header of the older StockEtablissement as copied verbatim from a file
#    (fds-developers/siren, src/main/resources/siren.sql) and as selected by
#    MTES-MCT/trackdechets-meltano-workspace (transform/models/trusted_zone/insee/
#    stock_etablissement.sql).
# The 54-column file adds six columns to the 48-column one: the five address columns of
# API Sirene 3.11 (dernierNumeroVoieEtablissement,
# indiceRepetitionDernierNumeroVoieEtablissement, identifiantAdresseEtablissement,
# coordonneeLambertAbscisseEtablissement, coordonneeLambertOrdonneeEtablissement) and
# activitePrincipaleNAF25Etablissement (NAF 2025).
ETABLISSEMENT_HEADER_3_11 = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "dateCreationEtablissement",
    "trancheEffectifsEtablissement",
    "anneeEffectifsEtablissement",
    "activitePrincipaleRegistreMetiersEtablissement",
    "dateDernierTraitementEtablissement",
    "etablissementSiege",
    "nombrePeriodesEtablissement",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
    "dateDebut",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "enseigne2Etablissement",
    "enseigne3Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
    "caractereEmployeurEtablissement",
    "activitePrincipaleNAF25Etablissement",
)
# In file order: the five address columns of 3.11, then the NAF 2025 one.
_ADDED_IN_3_11 = (
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "activitePrincipaleNAF25Etablissement",
)
ETABLISSEMENT_HEADER_48 = tuple(c for c in ETABLISSEMENT_HEADER_3_11 if c not in _ADDED_IN_3_11)
UNITE_LEGALE_HEADER = (
    "siren",
    "statutDiffusionUniteLegale",
    "unitePurgeeUniteLegale",
    "dateCreationUniteLegale",
    "sigleUniteLegale",
    "sexeUniteLegale",
    "prenom1UniteLegale",
    "prenom2UniteLegale",
    "prenom3UniteLegale",
    "prenom4UniteLegale",
    "prenomUsuelUniteLegale",
    "pseudonymeUniteLegale",
    "identifiantAssociationUniteLegale",
    "trancheEffectifsUniteLegale",
    "anneeEffectifsUniteLegale",
    "dateDernierTraitementUniteLegale",
    "nombrePeriodesUniteLegale",
    "categorieEntreprise",
    "anneeCategorieEntreprise",
    "dateDebut",
    "etatAdministratifUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "denominationUniteLegale",
    "denominationUsuelle1UniteLegale",
    "denominationUsuelle2UniteLegale",
    "denominationUsuelle3UniteLegale",
    "categorieJuridiqueUniteLegale",
    "activitePrincipaleUniteLegale",
    "nomenclatureActivitePrincipaleUniteLegale",
    "nicSiegeUniteLegale",
    "economieSocialeSolidaireUniteLegale",
    "societeMissionUniteLegale",
    "caractereEmployeurUniteLegale",
    "activitePrincipaleNAF25UniteLegale",
)


class SireneFormatError(ValueError):
    """The file cannot be read as a SIRENE stock file (the message is in French)."""


class EstablishmentRecord(NamedTuple):
    """One establishment (StockEtablissement line); strings as in the file, '' when empty.

    A NamedTuple (immutable): building 400,000 of them costs a tenth of frozen dataclasses.
    """

    siret: str
    siren: str
    nic: str
    line: int  # line in the file, header = 1
    diffusion: str  # statutDiffusionEtablissement: "O", "P" (partially diffusible), …
    created_on: date | None  # dateCreationEtablissement
    headcount_band: str  # trancheEffectifsEtablissement
    headcount_year: int | None  # anneeEffectifsEtablissement
    is_head_office: bool  # etablissementSiege
    address_complement: str  # complementAdresseEtablissement
    street_number: str  # numeroVoieEtablissement
    street_repetition: str  # indiceRepetitionEtablissement (B, T…)
    street_type: str  # typeVoieEtablissement
    street: str  # libelleVoieEtablissement
    postcode: str  # codePostalEtablissement
    city: str  # libelleCommuneEtablissement
    commune: str  # codeCommuneEtablissement (INSEE code)
    foreign_city: str  # libelleCommuneEtrangerEtablissement
    state: str  # etatAdministratifEtablissement: "A" active, "F" closed
    state_since: date | None  # dateDebut: start of the current period (closing date if F)
    enseigne: str  # enseigne1..3Etablissement, non-empty ones joined by " / "
    usual_name: str  # denominationUsuelleEtablissement
    naf: str  # activitePrincipaleEtablissement
    naf_nomenclature: str  # nomenclatureActivitePrincipaleEtablissement
    employer: str  # caractereEmployeurEtablissement: "O", "N" or ''


class LegalUnitRecord(NamedTuple):
    """One legal unit (StockUniteLegale line)."""

    siren: str
    line: int
    diffusion: str  # statutDiffusionUniteLegale
    name: str | None  # None for a non-diffusible natural person, never their name
    is_person: bool  # categorieJuridiqueUniteLegale 1000, or no denomination
    legal_category: str  # categorieJuridiqueUniteLegale
    size_category: str  # categorieEntreprise: PME, ETI, GE or ''
    headcount_band: str  # trancheEffectifsUniteLegale
    created_on: date | None  # dateCreationUniteLegale
    state: str  # etatAdministratifUniteLegale: "A" active, "C" ceased
    naf: str  # activitePrincipaleUniteLegale


@dataclass
class ScanReport:
    scanned: int = 0  # data lines read (header excluded)
    kept: int = 0  # records yielded
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason), by line
    rejected_count: int = 0  # every rejected line, even beyond the listed ones
    header_format: str = ""  # "3.11", "48 colonnes", or "N colonnes"
    columns: int = 0
    complete: bool = False  # True once the iteration has ended normally
    ends_inside_line: int | None = None  # the last line, when the file ends inside it (cut)


ProgressCallback = Callable[[float, int], None]  # (fraction done 0..1, lines scanned so far)

ESTABLISHMENT_COLUMNS = (
    "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
    "trancheEffectifsEtablissement", "anneeEffectifsEtablissement", "etablissementSiege",
    "complementAdresseEtablissement", "numeroVoieEtablissement",
    "indiceRepetitionEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
    "codePostalEtablissement", "libelleCommuneEtablissement", "codeCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement", "dateDebut", "etatAdministratifEtablissement",
    "enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement",
    "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
)  # fmt: skip
LEGAL_UNIT_COLUMNS = (
    "siren", "statutDiffusionUniteLegale", "dateCreationUniteLegale", "prenom1UniteLegale",
    "prenomUsuelUniteLegale", "trancheEffectifsUniteLegale", "categorieEntreprise",
    "etatAdministratifUniteLegale", "nomUniteLegale", "nomUsageUniteLegale",
    "denominationUniteLegale", "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale",
)  # fmt: skip

MAX_REJECTS = 100_000
_MAX_LINE_SIZE = 2_000_000  # bytes; a longer line is not a SIRENE line
_PROGRESS_EVERY = 0.5  # seconds between two calls of on_progress
# A CSV field (quoted with doubled quotes inside, or without any quote), a whole line of them.
_FIELD = '(?:"(?:[^"]|"")*"|[^,"]*)'
_ROW_RE = f"{_FIELD}(?:,{_FIELD})*"
_FIELD_RE = ',("(?:[^"]|"")*"|[^,"]*)'
_ROW_PATTERN = re.compile(_ROW_RE)
_FIELD_PATTERN = re.compile(_FIELD_RE)
_CODE_RE = re.compile(r"[0-9A-Za-z]{1,10}")
_MAX_CODES_IN_REGEXP = 2_000


def read_establishments(
    path,
    *,
    communes: set[str] | None,
    batch_size: int = 5000,
    on_progress: ProgressCallback | None = None,
    threads: int | None = None,
    memory_limit: str = "512MB",
    tmp_dir=None,
    max_rejects: int = MAX_REJECTS,
    whole_file: bool = False,
) -> EstablishmentScan:
    """Scan a StockEtablissement file (CSV or zip); iterate for batches of records.

    `communes`: INSEE codes of the territory (None keeps every establishment; an empty set
    keeps none). Closed establishments are kept. `whole_file`: also check the structure and
    identifiers of every line of the file, not only of the lines that may be the territory's.
    """
    return EstablishmentScan(
        path, communes=communes, batch_size=batch_size, on_progress=on_progress,
        threads=threads, memory_limit=memory_limit, tmp_dir=tmp_dir, max_rejects=max_rejects,
        whole_file=whole_file,
    )  # fmt: skip


def read_legal_units(
    path,
    *,
    sirens: set[str] | None,
    batch_size: int = 5000,
    on_progress: ProgressCallback | None = None,
    threads: int | None = None,
    memory_limit: str = "512MB",
    tmp_dir=None,
    max_rejects: int = MAX_REJECTS,
    whole_file: bool = False,
) -> LegalUnitScan:
    """Scan a StockUniteLegale file (CSV or zip) for the legal units of `sirens` (None: all)."""
    return LegalUnitScan(
        path, sirens=sirens, batch_size=batch_size, on_progress=on_progress,
        threads=threads, memory_limit=memory_limit, tmp_dir=tmp_dir, max_rejects=max_rejects,
        whole_file=whole_file,
    )  # fmt: skip


# -- the scan ---------------------------------------------------------------------------


class _Scan:
    """Iterate for lists of records (at most `batch_size` each); `report` once it has ended.

    Each iteration reads the file again. Leaving the loop early stops DuckDB and removes the
    temporary files.
    """

    file_label = ""
    required: tuple[str, ...] = ()

    def __init__(
        self,
        path,
        *,
        batch_size: int = 5000,
        on_progress: ProgressCallback | None = None,
        threads: int | None = None,
        memory_limit: str = "512MB",
        tmp_dir=None,
        max_rejects: int = MAX_REJECTS,
        whole_file: bool = False,
    ):
        if batch_size < 1:
            raise ValueError("batch_size doit être positif")
        self.path = Path(path)
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.threads = threads or os.cpu_count() or 1
        self.memory_limit = memory_limit
        self.tmp_dir = tmp_dir
        self.max_rejects = max_rejects
        self.whole_file = whole_file
        self.report = ScanReport()

    # what the subclasses provide
    def _header_format(self, names: list[str]) -> str:
        return f"{len(names)} colonnes"

    def _keep_sql(self, index: dict[str, int]) -> str:
        """SQL on a raw `line`: TRUE for every line that may hold a wanted record."""
        raise NotImplementedError

    def _ids_ok_sql(self, index: dict[str, int]) -> str:
        """SQL on a raw `line`: TRUE only if its identifiers are well-formed."""
        raise NotImplementedError

    def _bad_ids_sql(self) -> str:
        """SQL on the parsed columns: TRUE if the identifiers are not well-formed."""
        raise NotImplementedError

    def _prepare(self, con) -> None:
        pass

    def __iter__(self) -> Iterator[list]:
        return self._run()

    def _run(self) -> Iterator[list]:
        import duckdb

        self.report = report = ScanReport()
        rejects = _Rejects(self.max_rejects)
        with _plain_csv(self.path, self.tmp_dir) as csv_path:
            names = _header(csv_path, self.path.name)
            index = _index(names, self.required, self.file_label, self.path.name)
            ncols = len(names)
            report.columns, report.header_format = ncols, self._header_format(names)
            con = duckdb.connect(
                config={
                    "threads": self.threads,
                    "memory_limit": self.memory_limit,
                    "preserve_insertion_order": True,
                    "temp_directory": str(self.tmp_dir or tempfile.gettempdir()),
                }
            )
            progress = _Progress(self.on_progress, csv_path)
            jobs: list[_Job] = []
            try:
                con.execute("SET enable_progress_bar = false")  # never print to the terminal
                self._prepare(con)
                # 1. The candidate lines, numbered.
                lines = _Job(con, _line_scan_sql(csv_path, self._keep_sql(index)))
                jobs.append(lines)
                lines.run(progress, 0.0, 0.25 if self.whole_file else 0.95)
                (count,) = lines.result  # every physical line after the header
                report.ends_inside_line = _cut_last_line(csv_path, ncols, count)
                structure = None
                if self.whole_file:
                    # 2. The structure of every line, by DuckDB's CSV parser, in a thread
                    # while the candidates' records are yielded.
                    sql = _structure_sql(csv_path, names, self._bad_ids_sql(), self.max_rejects)
                    structure = _Job(con, sql)
                    jobs.append(structure)
                    structure.start()
                pending: list = []
                for rows in self._candidate_rows(con, index):
                    pending += self._records(rows, index, rejects)
                    while len(pending) >= self.batch_size:
                        report.kept += self.batch_size
                        yield pending[: self.batch_size]
                        del pending[: self.batch_size]
                    if structure is not None:
                        progress.tick(0.25 + 0.75 * structure.fraction())
                if pending:
                    report.kept += len(pending)
                    yield pending
                if structure is not None:
                    structure.wait(progress, 0.25, 1.0)
                    records, bad_ids = structure.result
                    rejects.merge(_duckdb_rejects(structure.cursor, ncols))
                    count = records + rejects.structural
                    if bad_ids > rejects.bad_ids:
                        # 3. Lines with bad identifiers among the others: number them too
                        # (never needed for INSEE's files, whose identifiers are all sound).
                        where = f"NOT {self._ids_ok_sql(index)}"
                        ids = _Job(con, _line_scan_sql(csv_path, where))
                        jobs.append(ids)
                        ids.run(progress, 0.999, 0.999)
                        for rows in self._candidate_rows(con, index):
                            self._records(rows, index, rejects, keep=False)
            except duckdb.Error as error:
                raise _format_error(error, self.path.name) from error
            finally:
                for job in jobs:
                    job.stop()
                con.close()
        report.scanned = count
        report.rejected, report.rejected_count = rejects.listed(), rejects.count
        report.complete = True
        if self.on_progress is not None:
            self.on_progress(1.0, report.scanned)

    def _candidate_rows(self, con, index: dict[str, int]) -> Iterator[list[tuple]]:
        """Batches of the lines kept by the line scan, in file order."""
        raise NotImplementedError

    def _records(self, rows, index: dict[str, int], rejects: _Rejects, keep=True) -> list:
        """The records of a batch of candidate lines; the unusable ones go to `rejects`."""
        raise NotImplementedError


def _structural_problem(fields: list[str] | None, ncols: int) -> str | None:
    if fields is None:
        return "guillemet mal placé ou non fermé"
    if not fields:
        return "ligne vide"
    return f"{len(fields)} colonnes au lieu de {ncols}"


class EstablishmentScan(_Scan):
    file_label = "StockEtablissement"
    required = ESTABLISHMENT_COLUMNS

    def __init__(self, path, *, communes: set[str] | None, **options):
        super().__init__(path, **options)
        self.communes = None if communes is None else {str(c) for c in communes}
        for code in self.communes or ():
            if not _CODE_RE.fullmatch(code):
                raise ValueError(f"Code commune invalide : {code!r}")

    def _header_format(self, names: list[str]) -> str:
        if all(c in names for c in _ADDED_IN_3_11[:5]):  # the address columns of 3.11
            return "3.11"
        if set(names) == set(ETABLISSEMENT_HEADER_48):
            return "48 colonnes"
        return f"{len(names)} colonnes"

    def _ids_ok_sql(self, index: dict[str, int]) -> str:
        if (index["siren"], index["nic"], index["siret"]) != (0, 1, 2):
            return "FALSE"  # every line is checked in Python: slower, still right
        digits = "[0-9]"
        return (
            f"(line GLOB '{digits * 9},{digits * 5},{digits * 14},*' "
            "AND substr(line, 1, 9) = substr(line, 17, 9) "
            "AND substr(line, 11, 5) = substr(line, 26, 5))"
        )

    def _bad_ids_sql(self) -> str:
        # 14 digits, and SIREN (9 characters) + NIC: then SIREN and NIC are digits too.
        return (
            "NOT coalesce(regexp_full_match(siret, '[0-9]{14}') AND strlen(siren) = 9 "
            "AND siret = siren || nic, false)"
        )

    def _prepare(self, con) -> None:
        if self.communes and len(self.communes) > _MAX_CODES_IN_REGEXP:
            con.execute(
                "CREATE TABLE wanted_communes AS SELECT unnest($1::VARCHAR[]) AS code",
                [sorted(self.communes)],
            )

    def _keep_sql(self, index: dict[str, int]) -> str:
        position = index["codeCommuneEtablissement"]
        if self.communes is None or position == 0:
            return "TRUE"
        if not self.communes:
            return "FALSE"
        if len(self.communes) > _MAX_CODES_IN_REGEXP:
            # The field by position; a line holding a quote is checked in Python.
            field = f"regexp_extract(line, '^(?:[^,]*,){{{position}}}([^,]*)', 1)"
            return f"(contains(line, '\"') OR {field} IN (SELECT code FROM wanted_communes))"
        # One of the codes as a field anywhere in the line, quoted or not, or next to a stray
        # quote (a broken line of the territory is a candidate too); Python checks the
        # column. One cheap regexp per shape of code runs first: RE2 then searches for its
        # literal prefix (",59"), 4x faster than a group of alternatives; the alternation of
        # every code runs only on the lines it keeps. A code after a quote is looked for only
        # in the lines holding '"59' (found by memchr on the rare '"').
        codes = "|".join(sorted(self.communes))
        shapes: dict[tuple[str, int], bool] = {}
        for code in self.communes:
            key = (code[:2], len(code) - 2)
            shapes[key] = shapes.get(key, True) and code[2:].isdigit()
        prefilter = " OR ".join(
            [
                f"regexp_matches(line, ',{prefix}{'[0-9]' if digits else '[0-9A-Za-z]'}"
                f"{{{rest}}}(?:[,\"\\r]|$)')"
                for (prefix, rest), digits in sorted(shapes.items())
            ]
            + [f"contains(line, '\"{prefix}')" for prefix in sorted({c[:2] for c in self.communes})]
        )
        return f"(({prefilter}) AND regexp_matches(line, '[,\"](?:{codes})(?:[,\"\\r]|$)'))"

    def _candidate_rows(self, con, index: dict[str, int]) -> Iterator[list[tuple]]:
        # The raw lines: Python splits them faster than DuckDB lists convert to Python.
        result = con.execute("SELECT rowid + 2, line FROM sirene_lines WHERE line IS NOT NULL")
        while rows := result.fetchmany(self.batch_size):
            yield rows

    def _records(self, rows, index: dict[str, int], rejects: _Rejects, keep=True) -> list:
        # The hot loop of a national import: names bound locally, records built in C.
        ncols, communes, make, day = len(index), self.communes, EstablishmentRecord._make, _date
        pick = operator.itemgetter(*(index[c] for c in ESTABLISHMENT_COLUMNS))
        records = []
        for line, text in rows:
            fields = text.split(",") if text and '"' not in text else _split(text)
            if fields is None or len(fields) != ncols:
                rejects.add(line, _structural_problem(fields, ncols), structural=True)
                continue
            (siren, nic, siret, diffusion, created, band, year, head, complement, number,
             repetition, street_type, street, postcode, city, commune, foreign_city, since,
             state, sign1, sign2, sign3, usual_name, naf, nomenclature, employer,
             ) = pick(fields)  # fmt: skip
            if keep and communes is not None and commune not in communes:
                continue  # another territory's establishment, whatever its identifiers
            if not (
                len(siret) == 14
                and len(siren) == 9
                and siret.isdigit()
                and siret.isascii()
                and siret == siren + nic
            ):
                rejects.add(line, _ids_problem(siren, nic, siret), bad_ids=True)
                continue
            if not keep:
                continue
            records.append(make((
                siret, siren, nic, line, diffusion, day(created), band,
                int(year) if year.isdigit() and year.isascii() else None, head == "true",
                complement, number, repetition, street_type, street, postcode, city, commune,
                foreign_city, state, day(since),
                " / ".join(s for s in (sign1, sign2, sign3) if s) if sign1 or sign2 or sign3
                else "",
                usual_name, naf, nomenclature, employer,
            )))  # fmt: skip
        return records


class LegalUnitScan(_Scan):
    file_label = "StockUniteLegale"
    required = LEGAL_UNIT_COLUMNS

    def __init__(self, path, *, sirens: set[str] | None, **options):
        super().__init__(path, **options)
        self.sirens = None if sirens is None else {str(s) for s in sirens}

    def _prepare(self, con) -> None:
        if self.sirens:
            con.execute(
                "CREATE TABLE wanted_sirens AS SELECT DISTINCT unnest($1::VARCHAR[]) AS siren",
                [sorted(self.sirens)],
            )

    def _ids_ok_sql(self, index: dict[str, int]) -> str:
        if index["siren"] != 0:
            return "FALSE"
        return f"(line GLOB '{'[0-9]' * 9},*')"

    def _bad_ids_sql(self) -> str:
        return "NOT coalesce(regexp_full_match(siren, '[0-9]{9}'), false)"

    def _keep_sql(self, index: dict[str, int]) -> str:
        if self.sirens is None or index["siren"] != 0:
            return "TRUE"
        if not self.sirens:
            return "FALSE"
        return "(left(line, 9) IN (SELECT siren FROM wanted_sirens))"

    def _candidate_rows(self, con, index: dict[str, int]) -> Iterator[list[tuple]]:
        # Split in SQL, so that the names of a non-diffusible person never leave DuckDB.
        yield from _candidates(con, self._select_sql(index, len(index)), self.batch_size)

    def _select_sql(self, index: dict[str, int], ncols: int) -> list[str]:
        def f(column: str) -> str:
            return f"coalesce(f[{index[column] + 1}], '')"

        person = (
            f"({f('categorieJuridiqueUniteLegale')} = '1000' "
            f"OR {f('denominationUniteLegale')} = '')"
        )
        hidden = f"({person} AND {f('statutDiffusionUniteLegale')} <> 'O')"
        first_name = (
            f"CASE WHEN {f('prenomUsuelUniteLegale')} <> '' THEN {f('prenomUsuelUniteLegale')} "
            f"ELSE {f('prenom1UniteLegale')} END"
        )
        last_name = (
            f"CASE WHEN {f('nomUsageUniteLegale')} <> '' THEN {f('nomUsageUniteLegale')} "
            f"ELSE {f('nomUniteLegale')} END"
        )
        # The name columns are read only inside this CASE, after the diffusion test: the name
        # of a non-diffusible person never leaves DuckDB.
        name = (
            f"CASE WHEN len(f) <> {ncols} OR {hidden} THEN NULL "
            f"WHEN {f('denominationUniteLegale')} <> '' THEN {f('denominationUniteLegale')} "
            f"ELSE nullif(trim({first_name} || ' ' || {last_name}), '') END"
        )
        plain = [
            "siren", "statutDiffusionUniteLegale", "categorieJuridiqueUniteLegale",
            "categorieEntreprise", "trancheEffectifsUniteLegale", "dateCreationUniteLegale",
            "etatAdministratifUniteLegale", "activitePrincipaleUniteLegale",
        ]  # fmt: skip
        return [
            *(_field_sql(index[c], ncols) for c in plain),
            name,
            f"CASE WHEN len(f) = {ncols} THEN {person} END",
        ]

    def _records(self, rows, index: dict[str, int], rejects: _Rejects, keep=True) -> list:
        ncols, sirens, records = len(index), self.sirens, []
        for line, nf, *values in rows:
            if nf != ncols:
                fields = None if nf is None else [""] * nf
                rejects.add(line, _structural_problem(fields, ncols), structural=True)
                continue
            siren, diffusion, category, size, band, created, state, naf, name, person = values
            if keep and sirens is not None and siren not in sirens:
                continue
            if not _digits(siren, 9):
                reason = f"SIREN invalide (9 chiffres attendus) : « {siren[:20]} »"
                rejects.add(line, reason, bad_ids=True)
                continue
            if not keep:
                continue
            records.append(LegalUnitRecord(
                siren, line, diffusion, name, bool(person), category, size, band,
                _date(created), state, naf,
            ))  # fmt: skip
        return records


# -- helpers ----------------------------------------------------------------------------


def _cut_last_line(csv_path: Path, ncols: int, lines: int) -> int | None:
    """The number of the last line if the file ends inside it: no line break at the end and
    not a whole record of `ncols` fields (a file cut short). None otherwise."""
    if lines < 1:  # the header alone
        return None
    size = csv_path.stat().st_size
    with open(csv_path, "rb") as fh:
        fh.seek(max(0, size - _MAX_LINE_SIZE))
        tail = fh.read()
    if tail.endswith(b"\n"):
        return None
    last = tail.rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace").rstrip("\r")
    fields = _split(last)
    if fields is not None and len(fields) == ncols:
        return None  # a whole last line, only without its line break
    return lines + 1


def _split(text: str) -> list[str] | None:
    """The fields of one CSV line ('' is an empty line), None if it is badly quoted: a quoted
    field must be quoted from its first character to its last, with inner quotes doubled; an
    unquoted field holds no quote (RFC 4180, as DuckDB's strict parser and the SQL split)."""
    if not text:
        return []
    if '"' not in text:
        return text.split(",")
    if _ROW_PATTERN.fullmatch(text) is None:
        return None
    return [
        f[1:-1].replace('""', '"') if f.startswith('"') else f
        for f in _FIELD_PATTERN.findall("," + text)
    ]


def _digits(value: str, n: int) -> bool:
    return len(value) == n and value.isascii() and value.isdigit()


def _ids_problem(siren: str, nic: str, siret: str) -> str:
    if not _digits(siren, 9):
        return f"SIREN invalide (9 chiffres attendus) : « {siren[:20]} »"
    if not _digits(siret, 14):
        return f"SIRET invalide (14 chiffres attendus) : « {siret[:20]} »"
    return f"SIRET {siret} différent de SIREN + NIC ({siren} + {nic[:20]})"


def _date(value: str) -> date | None:
    if len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _field_sql(position: int, ncols: int) -> str:
    """The field at `position` (0-based) of a well-formed candidate, else NULL."""
    return f"CASE WHEN len(f) = {ncols} THEN f[{position + 1}] END"


def _raw_lines(csv_path: Path) -> str:
    """The file as raw lines after the header: one VARCHAR per physical line (NULL if empty)."""
    return (
        f"read_csv({_sql_string(str(csv_path))}, header = false, skip = 1, "
        "columns = {'line': 'VARCHAR'}, delim = '\\x01', quote = '', escape = '', "
        f"auto_detect = false, strict_mode = false, max_line_size = {_MAX_LINE_SIZE})"
    )


def _line_scan_sql(csv_path: Path, where: str) -> str:
    """Keep the raw lines that are empty or match `where`, numbered by their row in the table.

    A CREATE TABLE AS from a parallel scan keeps the file order (preserve_insertion_order),
    so rowid + 2 is the line number, without a single-threaded window over the rows.
    """
    return (
        "CREATE OR REPLACE TABLE sirene_lines AS "
        f"SELECT CASE WHEN line IS NULL THEN '' WHEN {where} THEN line END AS line "
        f"FROM {_raw_lines(csv_path)}"
    )


def _candidates(con, select: list[str], batch_size: int) -> Iterator[list[tuple]]:
    """Batches of (line, number of fields, *selected fields) of the kept lines, in order."""
    unquote = (
        "lambda x: CASE WHEN starts_with(x, '\"') THEN replace(x[2:-2], '\"\"', '\"') ELSE x END"
    )
    split = (
        "CASE WHEN line = '' THEN []::VARCHAR[] "
        "WHEN NOT contains(line, '\"') THEN string_split(line, ',') "
        f"WHEN regexp_full_match(line, {_sql_string(_ROW_RE)}) THEN list_transform("
        f"regexp_extract_all(',' || line, {_sql_string(_FIELD_RE)}, 1), {unquote}) END"
    )
    columns = ",\n  ".join(select)
    result = con.execute(
        f"SELECT n + 2 AS line, len(f) AS nf,\n  {columns}\n"
        f"FROM (SELECT rowid AS n, {split} AS f FROM sirene_lines WHERE line IS NOT NULL)"
    )
    while rows := result.fetchmany(batch_size):
        yield rows


def _structure_sql(csv_path: Path, names: list[str], bad_ids: str, limit: int) -> str:
    """DuckDB's strict CSV parse of the whole file: the number of records and of records with
    bad identifiers; the malformed lines go to reject_errors with their line numbers."""
    columns = ", ".join(f"{_sql_string(n)}: 'VARCHAR'" for n in names)
    return (
        f"SELECT count(*), count(*) FILTER (WHERE {bad_ids}) "
        f"FROM read_csv({_sql_string(str(csv_path))}, header = true, "
        f"columns = {{{columns}}}, delim = ',', quote = '\"', escape = '\"', "
        f"auto_detect = false, store_rejects = true, rejects_limit = {limit}, "
        f"max_line_size = {_MAX_LINE_SIZE})"
    )


def _duckdb_rejects(con, ncols: int) -> list[tuple[int, str]]:
    """(line, reason) of the lines DuckDB's CSV parser rejected. The number of fields of a
    line is counted in SQL (DuckDB's message stops at the first extra one), so that the
    text of a rejected line never leaves DuckDB either."""
    (exists,) = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'reject_errors'"
    ).fetchone()
    if not exists:  # DuckDB creates the table at the first rejected line
        return []
    line = "',' || trim(csv_line, chr(13) || chr(10))"
    fields = f"regexp_extract_all({line}, {_sql_string(_FIELD_RE)}, 1)"
    rows = con.execute(
        f"SELECT line, error_type::VARCHAR, CASE WHEN error_type::VARCHAR IN "
        f"('TOO MANY COLUMNS', 'MISSING COLUMNS') THEN len({fields}) END "
        "FROM reject_errors ORDER BY line"
    ).fetchall()
    return [
        (line, f"{found} colonnes au lieu de {ncols}" if found and found != ncols
         else _DUCKDB_REASONS.get(kind, "ligne illisible"))
        for line, kind, found in rows
    ]  # fmt: skip


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error)


@contextlib.contextmanager
def _plain_csv(path: Path, tmp_dir) -> Iterator[Path]:
    """`path` itself, or the CSV member of a zip extracted to a temporary file."""
    if not path.is_file():
        raise SireneFormatError(f"Fichier introuvable : {path}")
    damaged = (
        f"{path.name} : archive zip incomplète ou endommagée (fichier tronqué ? "
        "téléchargement interrompu ?) : elle ne peut pas être lue"
    )
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as fh:
            if fh.read(4) == b"PK\x03\x04":  # a zip without its end: cut short
                raise SireneFormatError(f"{damaged}.")
        yield path
        return
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as error:
        raise SireneFormatError(f"{damaged} ({error}).") from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        csvs = [m for m in members if m.filename.lower().endswith(".csv")] or members
        if len(csvs) != 1:
            names = ", ".join(m.filename for m in csvs) or "aucun fichier"
            raise SireneFormatError(
                f"L'archive {path.name} doit contenir un seul fichier CSV (trouvé : {names})."
            )
        fd, extracted = tempfile.mkstemp(suffix=".csv", prefix="sirene-", dir=tmp_dir)
        try:
            try:
                with os.fdopen(fd, "wb") as out, archive.open(csvs[0]) as member:
                    shutil.copyfileobj(member, out, 4 * 1024 * 1024)
            except _ZIP_ERRORS as error:
                raise SireneFormatError(f"{damaged} ({error}).") from error
            yield Path(extracted)
        finally:
            Path(extracted).unlink(missing_ok=True)


def _header(csv_path: Path, name: str) -> list[str]:
    with open(csv_path, "rb") as fh:
        first = fh.readline(1_000_000)
    try:
        text = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as error:
        raise SireneFormatError(f"{name} : l'en-tête n'est pas en UTF-8.") from error
    if not text:
        raise SireneFormatError(f"{name} est vide : l'en-tête manque.")
    return [n.strip() for n in next(csv.reader([text]))]


def _index(names: list[str], required: tuple[str, ...], label: str, name: str) -> dict:
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SireneFormatError(f"{name} : colonnes en double : {', '.join(duplicates)}.")
    missing = [c for c in required if c not in names]
    if missing:
        raise SireneFormatError(
            f"{name} n'est pas un fichier {label} lisible : colonnes obligatoires absentes : "
            f"{', '.join(missing)}."
        )
    return {n: i for i, n in enumerate(names)}


def _format_error(error: Exception, name: str) -> SireneFormatError:
    message = str(error)
    line = re.search(r"CSV Error on Line: (\d+)", message)
    where = f" (ligne {line.group(1)})" if line else ""
    if "unicode" in message.lower() or "utf-8" in message.lower():
        return SireneFormatError(f"{name} n'est pas encodé en UTF-8{where}.")
    if "Maximum line size" in message:
        return SireneFormatError(f"{name} : ligne trop longue{where}, fichier illisible.")
    return SireneFormatError(f"{name} illisible{where} : {message.splitlines()[0]}")


_DUCKDB_REASONS = {
    "TOO MANY COLUMNS": "trop de colonnes",
    "MISSING COLUMNS": "colonnes manquantes",
    "UNQUOTED VALUE": "guillemet mal placé ou non fermé",
    "INVALID ENCODING": "encodage invalide (UTF-8 attendu)",
    "LINE SIZE OVER MAXIMUM": "ligne trop longue",
}


class _Rejects:
    """Rejected lines: all counted, the first `limit` listed."""

    def __init__(self, limit: int):
        self.limit = limit
        self.items: dict[int, str] = {}
        self.count = 0
        self.structural = 0  # lines that are not a well-formed CSV record
        self.bad_ids = 0  # well-formed lines with bad identifiers

    def add(self, line: int, reason: str, *, structural=False, bad_ids=False) -> None:
        if line in self.items:
            return
        self.count += 1
        self.structural += structural
        self.bad_ids += bad_ids
        if len(self.items) < self.limit:
            self.items[line] = reason

    def merge(self, duckdb_rejects: list[tuple[int, str]]) -> None:
        """Add the lines DuckDB's CSV parser rejected that the line scan did not report."""
        for line, reason in duckdb_rejects:
            self.add(line, reason, structural=True)

    def listed(self) -> list[tuple[int, str]]:
        return sorted(self.items.items())


class _Job:
    """One DuckDB statement run in a thread on its own cursor, so that the calling thread can
    report progress (DuckDB's query_progress) and stop it (interrupt)."""

    def __init__(self, con, sql: str):
        self.cursor = con.cursor()
        self.cursor.execute("SET enable_progress_bar = true")
        self.cursor.execute("SET enable_progress_bar_print = false")
        self.sql = sql
        self.result: tuple | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="sirene-scan", daemon=True)

    def _run(self) -> None:
        try:
            # fetchall, not fetchone: DuckDB writes reject_errors when the result is complete.
            (self.result,) = self.cursor.execute(self.sql).fetchall()
        except BaseException as error:  # re-raised by wait()
            self.error = error

    def start(self) -> None:
        self.thread.start()

    def fraction(self) -> float:
        """How much of the statement DuckDB has done, 0 to 1."""
        try:
            return max(0.0, self.cursor.query_progress()) / 100
        except Exception:
            return 0.0

    def wait(self, progress: _Progress, start: float, end: float) -> None:
        """Wait for the end of the statement, reporting progress between `start` and `end`."""
        while self.thread.is_alive():
            self.thread.join(_PROGRESS_EVERY)
            progress.tick(start + (end - start) * self.fraction())
        if self.error is not None:
            raise self.error

    def run(self, progress: _Progress, start: float, end: float) -> None:
        self.start()
        self.wait(progress, start, end)

    def stop(self) -> None:
        if self.thread.is_alive():
            with contextlib.suppress(Exception):
                self.cursor.interrupt()
            self.thread.join()
        with contextlib.suppress(Exception):
            self.cursor.close()


class _Progress:
    """Calls on_progress(fraction, lines) at most every half second. The lines scanned are
    estimated from the fraction and the mean length of the first lines."""

    def __init__(self, callback: ProgressCallback | None, csv_path: Path):
        self.callback = callback
        self.last = 0.0
        self.total_lines = 0
        if callback is not None:
            with open(csv_path, "rb") as fh:
                sample = fh.read(1 << 20)
            mean = len(sample) / max(1, sample.count(b"\n"))
            self.total_lines = int(csv_path.stat().st_size / mean)

    def tick(self, fraction: float) -> None:
        if self.callback is None or time.monotonic() - self.last < _PROGRESS_EVERY:
            return
        self.last = time.monotonic()
        fraction = min(fraction, 0.999)
        self.callback(fraction, int(fraction * self.total_lines))
