"""Import of the page-analytics exports of a LinkedIn page (« import_linkedin », the
`/linkedin/` page; formats: docs/linkedin.md).

LinkedIn gives the page's administrator three exports — followers, visitors, content — as
workbooks (.xls, lately .xlsx), sometimes re-saved as CSV. Their sheets carry a description
row or two above the header, their labels are English or French depending on the admin's
interface language, and the daily dates are `MM/DD/YYYY` (English) or `JJ/MM/AAAA` (French).
So nothing here depends on a fixed row or a fixed label:

- every sheet is read (.xlsx with openpyxl, .xls with xlrd, .csv with `;` or `,`, UTF-8 with
  or without BOM); its header row is the first of its first `HEADER_SCAN` rows whose cells
  name known columns (`VOCABULARY`: French and English labels, accents, case and
  punctuation ignored); a sheet without one (the demographics: location, job function…) is
  skipped;
- the sheet's kind follows from its columns: « posts » (a title or a link and a creation
  date), « followers », « visitors » or « content » (a date and daily figures);
- each data row is checked (a date that is not one, a negative count, a date given twice…)
  and rejected with its line — the spreadsheet's row number — and the reason in French;
- the daily rows are upserted by (territory, date), the posts by their URN or link, else by
  (creation date, title): a second import of the same file creates and changes nothing
  (every row « kept »); a later export overlapping earlier days updates them (the newer
  export wins) and says how many.

Everything happens in one transaction; without `wet_run` it is rolled back: the counts are
the real ones, nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, BinaryIO
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction

from pilote.core import audit
from pilote.linkedin.models import ContentDay, FollowerDay, Post, VisitorDay

MAX_BYTES = 20 * 1024 * 1024
HEADER_SCAN = 15
KINDS = ("followers", "visitors", "content", "posts")
KIND_LABELS = {
    "followers": "abonnés",
    "visitors": "visiteurs",
    "content": "contenus (statistiques quotidiennes)",
    "posts": "publications",
}
MODELS = {"followers": FollowerDay, "visitors": VisitorDay, "content": ContentDay}
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
MAX_COUNT = 10**9


class ImportFileError(ValueError):
    """The file cannot be read at all (the message is in French): nothing is imported."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"feuille « {self.sheet} », " if self.sheet else ""
        return f"{where}ligne {self.line} : {self.reason}"


@dataclass
class SheetReport:
    sheet: str
    kind: str
    header_line: int
    read: int = 0
    created: int = 0
    updated: int = 0
    kept: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    first: dt.date | None = None
    last: dt.date | None = None

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def counts(self) -> dict[str, Any]:
        return {"read": self.read, "created": self.created, "updated": self.updated,
                "kept": self.kept, "rejected": self.rejected}  # fmt: skip


@dataclass
class ImportReport:
    filename: str
    wet_run: bool
    sheets: list[SheetReport] = field(default_factory=list)
    skipped_sheets: list[str] = field(default_factory=list)

    def _sum(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sheets)

    @property
    def file_kind(self) -> str:
        """The file's kind: its first recognised sheet's, in the order of `KINDS` (a content
        export has a daily sheet, « content », and a posts sheet)."""
        kinds = {s.kind for s in self.sheets}
        return next((k for k in KINDS if k in kinds), "")

    read = property(lambda self: self._sum("read"))
    created = property(lambda self: self._sum("created"))
    updated = property(lambda self: self._sum("updated"))
    kept = property(lambda self: self._sum("kept"))
    rejected = property(lambda self: self._sum("rejected"))

    @property
    def rejections(self) -> list[Rejection]:
        return [r for s in self.sheets for r in s.rejections]

    def summary(self) -> dict[str, Any]:
        """The command's JSON line."""
        summary: dict[str, Any] = {
            "file_kind": self.file_kind, "read": self.read, "created": self.created,
            "updated": self.updated, "kept": self.kept, "rejected": self.rejected,
        }  # fmt: skip
        if len(self.sheets) > 1:
            summary["sheets"] = [
                {"sheet": s.sheet, "kind": s.kind, **s.counts()} for s in self.sheets
            ]
        return summary


# --- The vocabulary -----------------------------------------------------------------------


def normalise(label: Any) -> str:
    """« Taux d’engagement (total) » → « taux d engagement total »: no accents, lower case,
    every run of punctuation or spaces one space."""
    text = unicodedata.normalize("NFKD", str(label or "").replace("\ufeff", ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[^a-z0-9%]+", " ", text).strip()


_ORGANIC = ("organic", "organique", "organiques", "naturel", "naturels", "naturelle",
            "naturelles")  # fmt: skip
_SPONSORED = ("sponsored", "sponsorise", "sponsorises", "sponsorisee", "sponsorisees", "paid",
              "payant", "payants")  # fmt: skip
_TOTAL = ("total", "totale", "totaux", "totales", "all", "tous")


def _variants(names: Iterable[str], qualifiers: Iterable[str] = ("",)) -> list[str]:
    out = []
    for name in names:
        for qualifier in qualifiers:
            out.append(f"{name} {qualifier}".strip())
    return out


# canonical name → its labels, normalised, best first (a column named by an earlier label
# wins over one named by a later label: « Impressions (total) » before « Impressions »,
# before « Impressions (organic) »).
VOCABULARY: dict[str, list[str]] = {
    "date": ["date", "jour", "day", "date jour"],
    # Followers (« New followers » / « Nouveaux abonnés »).
    "organic": [
        *_variants(
            (
                "organic followers",
                "new organic followers",
                "abonnes organiques",
                "nouveaux abonnes organiques",
                "abonnes naturels",
            )
        ),
        *_variants(("followers", "new followers", "nouveaux abonnes", "abonnes"), _ORGANIC),
    ],
    "sponsored": [
        *_variants(
            (
                "sponsored followers",
                "new sponsored followers",
                "paid followers",
                "abonnes sponsorises",
                "nouveaux abonnes sponsorises",
            )
        ),
        *_variants(("followers", "new followers", "nouveaux abonnes", "abonnes"), _SPONSORED),
    ],
    "auto_invited": [
        "auto invited followers",
        "abonnes invites automatiquement",
        "abonnes auto invites",
        "auto invites",
    ],
    "new_total": [
        "total new followers",
        "new followers total",
        "new followers",
        "nouveaux abonnes",
        "nouveaux abonnes total",
        "total des nouveaux abonnes",
        "total nouveaux abonnes",
    ],
    # « Total followers » of the new-followers sheet: the day's new followers of every kind
    # (organic + sponsored + auto-invited) in the exports seen, the page's size otherwise;
    # decided per file (`_followers_total_meaning`).
    "total_ambiguous": [
        "total followers",
        "total des abonnes",
        "abonnes total",
        "total abonnes",
        "followers total",
    ],
    "total_followers": [
        "follower count",
        "followers count",
        "cumulative followers",
        "nombre d abonnes",
        "nombre total d abonnes",
        "abonnes cumules",
        "total des abonnes cumule",
    ],
    # Visitors (« Visitor metrics » / « Statistiques des visiteurs »).
    "page_views": [
        "total page views total",
        "total page views",
        "page views total",
        "page views",
        "all page views",
        "overview page views total",
        "overview page views",
        "pages vues total",
        "pages vues",
        "vues de page total",
        "vues de page",
        "total des vues de page total",
        "total des vues de page",
        "nombre total de vues de page",
        "vues de la page total",
        "vues de la page",
        "vues de la page presentation total",
        "vues de la page d accueil total",
    ],
    "unique_visitors": [
        "total unique visitors total",
        "total unique visitors",
        "unique visitors total",
        "unique visitors",
        "overview unique visitors total",
        "overview unique visitors",
        "visiteurs uniques total",
        "visiteurs uniques",
        "total des visiteurs uniques total",
        "total des visiteurs uniques",
        "visiteurs uniques totaux",
        "visiteurs uniques de la page presentation total",
    ],
    # Content, daily (« Metrics » / « Statistiques ») and per post (« All posts »).
    "impressions": [
        *_variants(("impressions",), _TOTAL),
        "impressions",
        *_variants(("impressions",), _ORGANIC),
    ],
    "unique_impressions": [
        *_variants(("unique impressions", "impressions uniques"), _TOTAL),
        "unique impressions",
        "impressions uniques",
        *_variants(("unique impressions", "impressions uniques"), _ORGANIC),
    ],
    "clicks": [
        *_variants(("clicks", "clics"), _TOTAL),
        "clicks",
        "clics",
        *_variants(("clicks", "clics"), _ORGANIC),
    ],
    "reactions": [
        *_variants(("reactions",), _TOTAL),
        "reactions",
        "likes",
        "j aime",
        *_variants(("reactions", "likes"), _ORGANIC),
    ],
    "comments": [
        *_variants(("comments", "commentaires"), _TOTAL),
        "comments",
        "commentaires",
        *_variants(("comments", "commentaires"), _ORGANIC),
    ],
    "reposts": [
        *_variants(("reposts", "republications", "shares", "partages"), _TOTAL),
        "reposts",
        "republications",
        "shares",
        "partages",
        "repartages",
        *_variants(("reposts", "republications", "shares", "partages"), _ORGANIC),
    ],
    "engagement_rate": [
        *_variants(("engagement rate", "taux d engagement"), _TOTAL),
        "engagement rate",
        "taux d engagement",
        *_variants(("engagement rate", "taux d engagement"), _ORGANIC),
    ],
    "ctr": [
        "click through rate ctr",
        "click through rate",
        "ctr",
        "taux de clics ctr",
        "taux de clics",
        "taux de clic",
    ],
    # Posts only.
    "title": [
        "post title",
        "update title",
        "titre du post",
        "titre de la publication",
        "titre de la mise a jour",
        "titre du contenu",
        "titre",
        "title",
    ],
    "link": [
        "post link",
        "update link",
        "lien du post",
        "lien de la publication",
        "lien de la mise a jour",
        "lien du contenu",
        "lien",
        "link",
        "url",
    ],
    "post_type": [
        "post type",
        "update type",
        "type de post",
        "type de publication",
        "type de mise a jour",
        "content type",
        "type de contenu",
    ],
    "created_on": [
        "created date",
        "date created",
        "creation date",
        "date de creation",
        "date de publication",
        "publie le",
        "posted on",
        "date",
    ],
}
_LOOKUP: dict[str, tuple[str, int]] = {}
for _name, _labels in VOCABULARY.items():
    for _rank, _label in enumerate(_labels):
        _LOOKUP.setdefault(_label, (_name, _rank))

FRENCH_HINTS = ("abonnes", "clics", "commentaires", "republications", "taux", "titre", "lien",
                "visiteurs", "vues", "reactions totales", "creation")  # fmt: skip
DAILY_FIGURES = {
    "followers": ("organic", "sponsored", "new_total", "total_followers"),
    "visitors": ("page_views", "unique_visitors"),
    "content": ("impressions", "unique_impressions", "clicks", "reactions", "comments",
                "reposts", "engagement_rate"),
}  # fmt: skip
POST_FIGURES = ("impressions", "clicks", "reactions", "comments", "reposts", "ctr",
                "engagement_rate")  # fmt: skip
RATES = {"engagement_rate", "ctr"}


@dataclass
class Header:
    line: int
    columns: dict[str, int]  # canonical name → column index
    french: bool
    kind: str


def _resolve(cells: list[Any], posts: bool) -> tuple[dict[str, int], bool]:
    """The canonical names a row's cells give (best label of each name), and whether they
    look French. In a posts sheet, « Date » is the creation date."""
    best: dict[str, tuple[int, int]] = {}
    french = False
    for index, cell in enumerate(cells):
        label = normalise(cell)
        if not label:
            continue
        french = french or any(hint in label for hint in FRENCH_HINTS)
        found = _LOOKUP.get(label)
        if found is None:
            continue
        name, rank = found
        if posts and name == "date":
            name, rank = "created_on", len(VOCABULARY["created_on"])
        if name not in best or rank < best[name][1]:
            best[name] = (index, rank)
    return {name: index for name, (index, _) in best.items()}, french


def _kind(columns: dict[str, int]) -> str | None:
    if ("title" in columns or "link" in columns) and "created_on" in columns:
        return "posts"
    if "date" not in columns:
        return None
    if {"organic", "sponsored", "new_total", "total_ambiguous", "total_followers"} & set(columns):
        return "followers"
    if {"page_views", "unique_visitors"} & set(columns):
        return "visitors"
    if {"impressions", "clicks", "reactions", "engagement_rate"} & set(columns):
        return "content"
    return None


def find_header(rows: list[tuple[int, list]]) -> Header | None:
    """The header among the sheet's first rows: the first row that names a kind's columns."""
    for line, cells in rows[:HEADER_SCAN]:
        labels = {normalise(c) for c in cells}
        posts = bool(labels & (set(VOCABULARY["title"][:6]) | set(VOCABULARY["link"][:6])))
        columns, french = _resolve(cells, posts)
        kind = _kind(columns)
        if kind:
            return Header(line, columns, french, kind)
    return None


# --- Reading the file ---------------------------------------------------------------------


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_BYTES:
        raise ImportFileError(f"Le fichier pèse {size / 1024 / 1024:.1f} Mo : 20 Mo au plus.")


def _csv_sheet(data: bytes) -> list[tuple[int, list]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le en « CSV UTF-8 »."
            ) from exc
    if "\x00" in text:
        raise ImportFileError("Ce fichier n'est pas un fichier texte (caractère nul).")
    lines = text.splitlines()
    sample = "\n".join(lines[:HEADER_SCAN])
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    csv.field_size_limit(128 * 1024)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"CSV illisible ({exc}).") from exc
    return list(enumerate(rows, start=1))


def _xlsx_sheets(data: bytes) -> list[tuple[str, list[tuple[int, list]]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("Ce classeur XLSX est illisible (fichier abîmé ?).") from exc
    try:
        return [
            (sheet.title, [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True),
                                                               start=1)])
            for sheet in workbook.worksheets
        ]  # fmt: skip
    finally:
        workbook.close()


def _xls_sheets(data: bytes) -> list[tuple[str, list[tuple[int, list]]]]:
    try:
        import xlrd
    except ImportError as exc:  # pragma: no cover (xlrd is a requirement)
        raise ImportFileError(
            "Le format .xls n'est pas pris en charge ici : ouvrez le fichier dans un tableur "
            "et enregistrez-le en .xlsx."
        ) from exc
    try:
        book = xlrd.open_workbook(file_contents=data)
    except Exception as exc:  # xlrd raises many kinds
        raise ImportFileError(
            "Ce classeur .xls est illisible : ouvrez-le dans un tableur et enregistrez-le en .xlsx."
        ) from exc
    sheets = []
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            cells = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                else:
                    cells.append(cell.value)
            rows.append((r + 1, cells))
        sheets.append((sheet.name, rows))
    return sheets


def read_sheets(stream: BinaryIO, filename: str) -> list[tuple[str, list[tuple[int, list]]]]:
    """Every sheet of the file, as (name, [(line, cells)…]); a CSV is one sheet (« CSV »)."""
    data = stream.read(MAX_BYTES + 1)
    check_size(len(data))
    if not data.strip():
        raise ImportFileError("Le fichier est vide.")
    name = filename.lower()
    if data.startswith(_OLE_MAGIC):
        return _xls_sheets(data)
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_sheets(data)
    if name.endswith((".xlsx", ".xls")):
        raise ImportFileError(f"Ce fichier {filename} n'est pas un classeur Excel valide.")
    return [("CSV", _csv_sheet(data))]


# --- Reading a cell -----------------------------------------------------------------------


class _Bad(ValueError):
    pass


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _shown(value: Any) -> str:
    text = _text(value)
    return text if len(text) <= 40 else text[:39] + "…"


_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?:[ T].*)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def day_first(values: Iterable[Any], french: bool) -> bool:
    """Whether the sheet's slashed dates are day first (JJ/MM/AAAA) or month first (English
    exports: MM/DD/YYYY): a part above 12 decides; otherwise the labels' language."""
    for value in values:
        if isinstance(value, dt.date):
            continue
        match = _SLASHED.match(_text(value))
        if match:
            first, second = int(match.group(1)), int(match.group(2))
            if first > 12 >= second:
                return True
            if second > 12 >= first:
                return False
    return french


def parse_date(value: Any, *, dayfirst: bool) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        if match := _SLASHED.match(text):
            a, b, year = (int(g) for g in match.groups())
            day, month = (a, b) if dayfirst else (b, a)
            return dt.date(year, month, day)
        if match := _ISO.match(text):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError as exc:
        raise _Bad(text) from exc
    raise _Bad(text)


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")


def _number(value: Any, decimal_comma: bool = False) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Bad(value)
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _SPACES.sub("", _text(value))
    if not text or text in {"-", "—", "N/A", "n/a"}:
        return None
    if "," in text and "." in text:
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    elif text.count(",") == 1 and (decimal_comma or not re.fullmatch(r"-?\d{1,3},\d{3}", text)):
        text = text.replace(",", ".")  # a decimal comma
    else:
        text = text.replace(",", "")  # thousands
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise _Bad(value) from exc


def parse_count(value: Any) -> int | None:
    number = _number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise _Bad(value)
    return int(number)


def parse_rate(value: Any) -> Decimal | None:
    """A rate as a fraction: « 3,5 % » or « 3.5% » → 0.035; a plain number (0.035) is
    LinkedIn's fraction as it is."""
    if isinstance(value, str) and value.strip().endswith("%"):
        number = _number(value.strip().removesuffix("%"), decimal_comma=True)
        return None if number is None else (number / 100).quantize(Decimal("0.000001"),
                                                                   ROUND_HALF_UP)  # fmt: skip
    number = _number(value, decimal_comma=True)
    return None if number is None else number.quantize(Decimal("0.000001"), ROUND_HALF_UP)


FIGURE_NAMES = {
    "organic": "le nombre de nouveaux abonnés organiques",
    "sponsored": "le nombre de nouveaux abonnés sponsorisés",
    "auto_invited": "le nombre d'abonnés invités automatiquement",
    "new_total": "le nombre de nouveaux abonnés",
    "total_ambiguous": "le total des abonnés",
    "total_followers": "le nombre d'abonnés",
    "page_views": "le nombre de pages vues",
    "unique_visitors": "le nombre de visiteurs uniques",
    "impressions": "le nombre d'impressions",
    "unique_impressions": "le nombre d'impressions uniques",
    "clicks": "le nombre de clics",
    "reactions": "le nombre de réactions",
    "comments": "le nombre de commentaires",
    "reposts": "le nombre de republications",
    "engagement_rate": "le taux d'engagement",
    "ctr": "le taux de clics",
}


# --- Rows ---------------------------------------------------------------------------------


class _Rows:
    """The data rows of one recognised sheet, parsed into dicts of canonical names."""

    def __init__(self, header: Header, rows: list[tuple[int, list]]):
        self.header = header
        self.rows = [(line, cells) for line, cells in rows if line > header.line]
        date_name = "created_on" if header.kind == "posts" else "date"
        index = header.columns.get(date_name)
        dates = [cells[index] for _, cells in self.rows if index is not None and index < len(cells)]
        self.dayfirst = day_first(dates, header.french)

    def cell(self, cells: list, name: str) -> Any:
        index = self.header.columns.get(name)
        if index is None or index >= len(cells):
            return None
        return cells[index]

    def counts(self, cells: list, names: Iterable[str], errors: list[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in names:
            if name not in self.header.columns:
                continue
            raw = self.cell(cells, name)
            try:
                value = parse_rate(raw) if name in RATES else parse_count(raw)
            except _Bad:
                kind = "un taux" if name in RATES else "un nombre entier"
                errors.append(f"{FIGURE_NAMES[name]} « {_shown(raw)} » n'est pas {kind}")
                continue
            if value is not None and value < 0:
                errors.append(f"{FIGURE_NAMES[name]} ne peut pas être négatif ({_shown(raw)})")
                continue
            if value is not None and name not in RATES and value > MAX_COUNT:
                errors.append(f"{FIGURE_NAMES[name]} {_shown(raw)} n'est pas plausible")
                continue
            if value is not None and name in RATES and value > 1000:
                errors.append(f"{FIGURE_NAMES[name]} {_shown(raw)} n'est pas plausible")
                continue
            values[name] = value
        return values

    def date(self, cells: list, name: str, errors: list[str], required: bool) -> dt.date | None:
        raw = self.cell(cells, name)
        try:
            day = parse_date(raw, dayfirst=self.dayfirst)
        except _Bad:
            errors.append(f"la date « {_shown(raw)} » n'est pas une date (JJ/MM/AAAA, "
                          "MM/DD/YYYY ou AAAA-MM-JJ)")  # fmt: skip
            return None
        if day is None and required:
            errors.append("la date est vide")
        elif day is not None and not dt.date(2003, 1, 1) <= day <= dt.date(2100, 1, 1):
            errors.append(f"la date {day:%d/%m/%Y} n'est pas plausible")
            return None
        return day


def _empty(cells: list) -> bool:
    return not any(_text(c) for c in cells)


def _followers_total_meaning(parsed: list[tuple[int, dict]]) -> str:
    """LinkedIn's « Total followers » column: the day's new followers of every kind when it
    is the sum of the others on every row where they are given, the page's size otherwise."""
    checked = False
    for _, values in parsed:
        total = values.get("total_ambiguous")
        parts = [values.get(k) for k in ("organic", "sponsored", "auto_invited")]
        if total is None or all(p is None for p in parts):
            continue
        checked = True
        if sum(p or 0 for p in parts) != total:
            return "total_followers"
    return "new_total" if checked else "total_followers"


# --- Writing ------------------------------------------------------------------------------


def _daily(territory, report: SheetReport, rows: _Rows) -> None:
    kind = report.kind
    model = MODELS[kind]
    names = list(DAILY_FIGURES[kind])
    if kind == "followers":
        names += ["auto_invited", "total_ambiguous"]
    parsed: list[tuple[int, dt.date, dict]] = []
    seen: dict[dt.date, int] = {}
    for line, cells in rows.rows:
        if _empty(cells):
            continue
        report.read += 1
        errors: list[str] = []
        day = rows.date(cells, "date", errors, required=True)
        values = rows.counts(cells, names, errors)
        if day is not None and day in seen:
            errors.append(f"le {day:%d/%m/%Y} figure déjà ligne {seen[day]}")
        elif day is not None:
            seen[day] = line
        if errors:
            report.rejections.append(Rejection(line, " ; ".join(errors), report.sheet))
            continue
        parsed.append((line, day, values))
    if kind == "followers":
        meaning = _followers_total_meaning([(line, v) for line, _, v in parsed])
        for _, _, values in parsed:
            if "total_ambiguous" in values:
                values.setdefault(meaning, values.pop("total_ambiguous"))
            values.pop("total_ambiguous", None)
            auto = values.pop("auto_invited", None)
            if "new_total" not in values and ("organic" in values or "sponsored" in values):
                parts = [values.get("organic"), values.get("sponsored"), auto]
                if any(p is not None for p in parts):
                    values["new_total"] = sum(p or 0 for p in parts)
    if not parsed:
        return
    days = [day for _, day, _ in parsed]
    report.first, report.last = min(days), max(days)
    existing = {
        row.date: row
        for row in model.objects.filter(territory=territory, date__in=days)
    }  # fmt: skip
    new, changed = [], []
    for _, day, values in parsed:
        values = {k: v for k, v in values.items() if k in model.FIGURES and v is not None}
        row = existing.get(day)
        if row is None:
            new.append(model(territory=territory, date=day, **values))
            continue
        differs = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not differs:
            report.kept += 1
            continue
        for name, value in differs.items():
            setattr(row, name, value)
        changed.append(row)
    model.objects.bulk_create(new, batch_size=500)
    if changed:
        model.objects.bulk_update(changed, [*model.FIGURES, "imported_at"], batch_size=500)
    report.created += len(new)
    report.updated += len(changed)


_URN = re.compile(r"urn:li:(?:activity|share|ugcPost):\d+", re.IGNORECASE)
_URN_ENCODED = re.compile(r"urn%3Ali%3A(activity|share|ugcPost)%3A(\d+)", re.IGNORECASE)
_SLUG_ACTIVITY = re.compile(r"[-_](activity|share|ugcPost)-(\d{6,})", re.IGNORECASE)


def post_key(link: str, created_on: dt.date | None, title: str) -> str:
    """The post's identity: its URN (urn:li:activity:…, share, ugcPost) when the link has
    one (also the public address /posts/…-activity-<id>-…), else the link without its query
    string, else its date and title."""
    if link:
        if match := _URN.search(link):
            return match.group(0).replace("URN", "urn")
        if match := _URN_ENCODED.search(link):
            return f"urn:li:{match.group(1)}:{match.group(2)}"
        if match := _SLUG_ACTIVITY.search(link):  # /posts/<page>_<slug>-activity-<id>-<x>
            return f"urn:li:{match.group(1)}:{match.group(2)}"
        parts = urlsplit(link)
        return urlunsplit((parts.scheme.lower(), parts.netloc.lower(),
                           parts.path.rstrip("/"), "", ""))  # fmt: skip
    day = created_on.isoformat() if created_on else ""
    return f"{day}|{' '.join(title.split()).casefold()}"[:600]


def _posts(territory, report: SheetReport, rows: _Rows) -> None:
    seen: dict[str, int] = {}
    existing = {p.key: p for p in Post.objects.filter(territory=territory)}
    by_title = {post_key("", p.created_on, p.title): p for p in existing.values() if not p.link}
    new: dict[str, Post] = {}
    changed: dict[int, Post] = {}
    for line, cells in rows.rows:
        if _empty(cells):
            continue
        report.read += 1
        errors: list[str] = []
        title = " ".join(_text(rows.cell(cells, "title")).split())[:500]
        link = _text(rows.cell(cells, "link"))
        if link and not re.match(r"^https?://", link, re.IGNORECASE):
            if _URN.search(link):
                link = f"https://www.linkedin.com/feed/update/{_URN.search(link).group(0)}/"
            else:
                errors.append(f"le lien « {_shown(link)} » n'est pas une adresse web")
                link = ""
        created_on = rows.date(cells, "created_on", errors, required=False)
        if not title and not link:
            errors.append("ni titre ni lien : la publication ne peut pas être reconnue")
        values = rows.counts(cells, POST_FIGURES, errors)
        key = post_key(link[:500], created_on, title)
        if key in seen:
            errors.append(f"cette publication figure déjà ligne {seen[key]}")
        if errors:
            report.rejections.append(Rejection(line, " ; ".join(errors), report.sheet))
            continue
        seen[key] = line
        values.update(link=link[:500], title=title, created_on=created_on)
        post_type = _text(rows.cell(cells, "post_type"))[:100]
        if "post_type" in rows.header.columns:
            values["post_type"] = post_type
        values = {k: v for k, v in values.items() if (v is not None and v != "") or k == "title"}
        if created_on is not None:
            report.first = min(filter(None, (report.first, created_on)))
            report.last = max(filter(None, (report.last, created_on)))
        post = existing.get(key) or by_title.get(post_key("", created_on, title))
        if post is None:
            new[key] = Post(territory=territory, key=key, **values)
            continue
        differs = {k: v for k, v in values.items() if getattr(post, k) != v}
        if post.key != key:
            differs["key"] = key
        if not differs:
            report.kept += 1
            continue
        for name, value in differs.items():
            setattr(post, name, value)
        changed[post.pk] = post
    Post.objects.bulk_create(new.values(), batch_size=500)
    if changed:
        Post.objects.bulk_update(
            changed.values(), ["key", *Post.FIGURES, "imported_at"], batch_size=500
        )
    report.created += len(new)
    report.updated += len(changed)


def import_export(
    stream: BinaryIO, *, filename: str, territory, acting_user=None, wet_run: bool = False,
    size: int | None = None,
) -> ImportReport:  # fmt: skip
    """Import a LinkedIn page-analytics export into `territory`'s statistics. Raises
    `ImportFileError` for a file that cannot be read or holds no LinkedIn sheet (nothing is
    written); otherwise returns the report, rejected lines included."""
    check_size(size)
    report = ImportReport(filename=filename, wet_run=wet_run)
    sheets = read_sheets(stream, filename)
    with transaction.atomic():
        for name, rows in sheets:
            header = find_header(rows)
            if header is None:
                report.skipped_sheets.append(name)
                continue
            sheet = SheetReport(sheet=name if len(sheets) > 1 else "", kind=header.kind,
                                header_line=header.line)  # fmt: skip
            report.sheets.append(sheet)
            parsed = _Rows(header, rows)
            if header.kind == "posts":
                _posts(territory, sheet, parsed)
            else:
                _daily(territory, sheet, parsed)
        if not report.sheets:
            raise ImportFileError(
                "Aucune feuille de ce fichier n'a l'en-tête d'un export LinkedIn (abonnés : "
                "« Date », « Abonnés organiques »… ; visiteurs : « Date », « Pages vues »… ; "
                "contenus : « Date », « Impressions »… ou « Titre du post », « Date de "
                "création »…). Est-ce bien un export des statistiques de la page ?"
            )
        if wet_run and (report.created or report.updated):
            audit.record(
                actor=acting_user, action="linkedin.import", obj=territory,
                extra={"file": filename, **{k: v for k, v in report.summary().items()
                                            if k != "sheets"}},
            )  # fmt: skip
        if not wet_run:
            transaction.set_rollback(True)
    return report
