"""The etalab schemas `dispositif-aide` and `dispositif-aide-professionnels` v0.2.0, read and
written exactly.

`read_catalogue(stream)` validates every record against the schema's own rules (loaded from
`schemas/*.json`: required, pattern, maxLength, type, format, unique) and yields either the
values of a valid record or its errors, each with the record number and the field; it never
stops on a bad record. `write_catalogue(stream, schemes, schema=...)` writes the same format
back, so that exporting then re-importing changes nothing.

A text starting like a spreadsheet formula (`=`, `+`, `-`, `@`, tab, carriage return) is
written with a leading `'` (`core.spreadsheet.safe_cell`: the export is downloaded and opened
in spreadsheets), and that `'` is removed again when a file is read.

No Django model is touched here: `services.catalogue_import` does the writing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from pilote.aids.enums import Schema
from pilote.core.spreadsheet import is_formula_like, safe_cell

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES = {
    Schema.BASE: "schema-dispositif-aide.json",
    Schema.PRO: "schema-dispositif-aide-professionnels.json",
}

# etalab field → model attribute. The order of the schema files is the order of the columns.
FIELD_MAP = {
    "id": "etalab_id",
    "titre": "title",
    "promesse": "promise",
    "description": "description",
    "eligibilite": "eligibility",
    "types_aides": "aid_types",
    "porteurs": "carriers",
    "programmes_parents": "parent_programmes",
    "url_source": "source_url",
    "cibles": "targets",
    "eligibilite_geographique": "geo_included",
    "eligibilite_geographique_exclusions": "geo_excluded",
    "date_ouverture": "opens_at",
    "date_cloture": "closes_at",
    "date_mise_a_jour": "source_updated_at",
    "base_juridique": "legal_basis",
    "eligibilite_effectif_minimal": "headcount_min",
    "eligibilite_effectif_maximal": "headcount_max",
    "eligibilite_categorie_taille_entreprise": "size_categories",
    "eligibilite_annees_existence_minimal": "min_years",
    "eligibilite_forme_juridique": "legal_forms",
    "eligibilite_forme_juridique_exclusions": "legal_forms_excluded",
    "ciblage_secteur_activite": "sectors",
    "ciblage_naf": "naf_codes",
    "ciblage_naf_exclusions": "naf_excluded",
    "chainage_paiement": "payment_of",
}
# Fields whose value is a list written `a|b|c`.
PIPE_LISTS = {
    "types_aides", "programmes_parents", "cibles", "eligibilite_geographique",
    "eligibilite_geographique_exclusions", "eligibilite_categorie_taille_entreprise",
    "eligibilite_forme_juridique", "eligibilite_forme_juridique_exclusions",
    "ciblage_secteur_activite", "ciblage_naf", "ciblage_naf_exclusions",
}  # fmt: skip
# Fields holding a list of objects (JSON, or the JavaScript-like literal of the examples).
OBJECT_LISTS = {"porteurs": ("nom", "siren", "roles"), "base_juridique": ("libelle", "lien")}


@cache
def schema_fields(schema: str) -> tuple[dict, ...]:
    with (SCHEMA_DIR / SCHEMA_FILES[Schema(schema)]).open(encoding="utf-8") as f:
        return tuple(json.load(f)["fields"])


def columns(schema: str) -> list[str]:
    return [f["name"] for f in schema_fields(schema)]


def model_fields(schema: str) -> list[str]:
    """Model attributes an import with this schema writes."""
    return [FIELD_MAP[name] for name in columns(schema)]


def detect_schema(header: Iterable[str]) -> str:
    extension = set(columns(Schema.PRO)) - set(columns(Schema.BASE))
    return Schema.PRO if extension & set(header) else Schema.BASE


# -- the JavaScript-like literal of the schema's examples: [{ nom: 'ADEME', roles: ['x'] }] --


class LiteralError(ValueError):
    pass


_TOKEN = re.compile(
    r"""\s*(?:(?P<punct>[\[\]{}:,])|(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
    r"""|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_À-ÿ][\w-]*))""",
    re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos, text = [], 0, text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise LiteralError(f"caractère inattendu à la position {pos + 1}")
        kind = m.lastgroup
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


def _unquote(token: str) -> str:
    body = token[1:-1]
    if token[0] == '"':
        return json.loads(token)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def parse_literal(text: str) -> Any:
    """JSON, or the relaxed literal of the etalab examples (bare keys, single quotes)."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    tokens = _tokens(text)
    pos = 0

    def value():
        nonlocal pos
        if pos >= len(tokens):
            raise LiteralError("valeur incomplète")
        kind, tok = tokens[pos]
        pos += 1
        if kind == "str":
            return _unquote(tok)
        if kind == "num":
            return float(tok) if "." in tok else int(tok)
        if kind == "word":
            if tok in {"true", "false", "null"}:
                return {"true": True, "false": False, "null": None}[tok]
            raise LiteralError(f"mot inattendu « {tok} »")
        if tok == "[":
            items = []
            while True:
                if tokens[pos : pos + 1] == [("punct", "]")]:
                    pos += 1
                    return items
                items.append(value())
                if pos < len(tokens) and tokens[pos] == ("punct", ","):
                    pos += 1
        if tok == "{":
            obj = {}
            while True:
                if tokens[pos : pos + 1] == [("punct", "}")]:
                    pos += 1
                    return obj
                if pos >= len(tokens) or tokens[pos][0] not in {"str", "word"}:
                    raise LiteralError("clé attendue")
                k_kind, key = tokens[pos]
                key = _unquote(key) if k_kind == "str" else key
                if tokens[pos + 1 : pos + 2] != [("punct", ":")]:
                    raise LiteralError(f"« : » attendu après « {key} »")
                pos += 2
                obj[key] = value()
                if pos < len(tokens) and tokens[pos] == ("punct", ","):
                    pos += 1
        raise LiteralError(f"« {tok} » inattendu")

    try:
        result = value()
    except IndexError as exc:
        raise LiteralError("liste ou objet non fermé") from exc
    if pos != len(tokens):
        raise LiteralError("texte en trop après la valeur")
    return result


# -- validation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    record: int  # 1 = the first record after the header
    line: int  # line of the file where the record starts
    field: str
    message: str

    def __str__(self) -> str:
        return (
            f"enregistrement {self.record} (ligne {self.line}), champ {self.field} : {self.message}"
        )


@dataclass
class Record:
    number: int
    line: int
    values: dict[str, Any] = field(default_factory=dict)  # model attribute → value
    errors: list[FieldError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class CatalogueFile:
    schema: str
    records: Iterator[Record]
    unknown_columns: list[str]


def parse_datetime(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _objects(name: str, text: str) -> list[dict]:
    data = parse_literal(text)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ValueError("une liste d'objets est attendue, par exemple [{nom: '…', roles: […]}]")
    keys = OBJECT_LISTS[name]
    cleaned = []
    for i, item in enumerate(data, start=1):
        if name == "porteurs":
            nom = str(item.get("nom") or "").strip()
            siren = str(item.get("siren") or "").strip()
            roles = item.get("roles", [])
            if not nom:
                raise ValueError(f"porteur n° {i} sans nom")
            if siren and not re.fullmatch(r"\d{9}", siren):
                raise ValueError(f"porteur n° {i} : SIREN « {siren} » invalide (9 chiffres)")
            if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
                raise ValueError(f"porteur n° {i} : les rôles sont une liste de textes")
            cleaned.append({"nom": nom, "siren": siren, "roles": [r.strip() for r in roles]})
        else:
            missing = [k for k in keys if not str(item.get(k) or "").strip()]
            if missing:
                raise ValueError(f"élément n° {i} sans {', '.join(missing)}")
            cleaned.append({k: str(item[k]).strip() for k in keys})
    return cleaned


def _typed(spec: dict, raw: str) -> Any:
    """The value of a non-empty field, checked against its rules; ValueError otherwise."""
    name, constraints = spec["name"], spec.get("constraints", {})
    pattern = constraints.get("pattern") or spec.get("pattern")
    if pattern and not re.fullmatch(pattern, raw):
        raise ValueError(f"« {_short(raw)} » ne respecte pas le format attendu ({pattern})")
    max_length = constraints.get("maxLength")
    if max_length and len(raw) > max_length:
        raise ValueError(f"{len(raw)} caractères, {max_length} au plus")
    kind, fmt = spec.get("type", "string"), spec.get("format")
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError(f"« {_short(raw)} » n'est pas un nombre entier")
        number = int(raw)
        if number < 0:
            raise ValueError("un nombre positif est attendu")
        return number
    if kind == "datetime":
        try:
            return parse_datetime(raw)
        except ValueError as exc:
            raise ValueError(f"« {_short(raw)} » n'est pas une date ISO 8601") from exc
    if fmt == "uuid":
        try:
            return str(uuid.UUID(raw))
        except ValueError as exc:
            raise ValueError(f"« {_short(raw)} » n'est pas un UUID") from exc
    if name in OBJECT_LISTS:
        return _objects(name, raw)
    if name in PIPE_LISTS:
        items = [item.strip() for item in raw.split("|")]
        if any(not item for item in items):
            raise ValueError("valeur vide dans la liste « a|b »")
        return items
    return raw


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _empty(spec: dict) -> Any:
    name = spec["name"]
    if name in PIPE_LISTS or name in OBJECT_LISTS:
        return []
    if spec.get("type") in {"integer", "datetime"}:
        return None
    return ""


def validate(schema: str, row: dict[str, str], *, number: int, line: int) -> Record:
    record = Record(number=number, line=line)
    for spec in schema_fields(schema):
        name = spec["name"]
        raw = (row.get(name) or "").strip()
        if "\x00" in raw:  # no text field can hold it (PostgreSQL refuses it)
            record.errors.append(FieldError(number, line, name, "caractère nul (\\x00) interdit"))
            record.values[FIELD_MAP[name]] = _empty(spec)
            continue
        if not raw:
            if spec.get("constraints", {}).get("required"):
                record.errors.append(FieldError(number, line, name, "valeur obligatoire"))
            record.values[FIELD_MAP[name]] = _empty(spec)
            continue
        try:
            record.values[FIELD_MAP[name]] = _typed(spec, raw)
        except ValueError as exc:
            record.errors.append(FieldError(number, line, name, str(exc)))
    low, high = record.values.get("headcount_min"), record.values.get("headcount_max")
    if low is not None and high is not None and high < low:
        record.errors.append(
            FieldError(number, line, "eligibilite_effectif_maximal", "inférieur au minimum")
        )
    for name, validators in date_validators().items():
        value = record.values.get(FIELD_MAP[name])
        if value is None:
            continue
        try:
            for validator in validators:
                validator(_local_day(value))
        except ValidationError as exc:
            record.errors.extend(FieldError(number, line, name, m) for m in exc.messages)
    opens, closes = record.values.get("opens_at"), record.values.get("closes_at")
    if opens and closes and closes < opens:
        record.errors.append(FieldError(number, line, "date_cloture", "avant l'ouverture"))
    return record


@cache
def date_validators() -> dict[str, list]:
    """The plausible range of each date column (`core.validators`, the bounds written once):
    the scheme form's own validators for the opening and the closing (those of
    `CallWindow.opens_on` / `closes_on`: from 1990 to ten years ahead), and a past fact for
    `date_mise_a_jour` (from 1990 to today)."""
    from pilote.aids.models import CallWindow  # late: reading a file needs no model
    from pilote.core.validators import field_validators, plausible_date

    return {
        "date_ouverture": field_validators(CallWindow, "opens_on"),
        "date_cloture": field_validators(CallWindow, "closes_on"),
        "date_mise_a_jour": [plausible_date("La date de mise à jour")],
    }


def _local_day(value: dt.datetime) -> dt.date:
    """The local date of a moment, or its date as written when it has none (year 1 or 9999
    with an offset overflows): out of range either way."""
    try:
        return timezone.localdate(value)
    except OverflowError:
        return value.date()


def _dialect(sample: str) -> type[csv.Dialect]:
    first = sample.split("\n", 1)[0]
    return _Semicolon if first.count(";") > first.count(",") else csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


class CatalogueError(ValueError):
    """The file cannot be read as a catalogue at all (the message is in French): nothing of it
    is imported."""


def decode(raw: bytes) -> str:
    """The text of an uploaded or read file: UTF-8, with or without BOM."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogueError(
            f"Le fichier n'est pas en UTF-8 (octet invalide ligne {line}) : est-ce bien un "
            "fichier CSV ? Enregistrez-le en UTF-8 puis recommencez."
        ) from exc


def _csv_problem(error: csv.Error) -> str:
    message = str(error)
    if "field larger than field limit" in message:
        limit = f"{csv.field_size_limit():,}".replace(",", " ")
        return f"un champ dépasse {limit} caractères, la taille maximale d'un champ"
    if "unexpected end of data" in message:
        return "guillemet ouvert jamais fermé : le fichier se termine dans un champ"
    if "NUL" in message:
        return "caractère nul (\\x00) : ce n'est pas un fichier texte"
    return f"ligne CSV illisible ({message})"


def _unescape(value):
    """A cell written by `write_catalogue` with the `'` that protects it from spreadsheets."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def read_catalogue(stream: io.TextIOBase) -> CatalogueFile:
    """Records of a CSV in either schema (detected from its header), validated one by one.
    Duplicate ids (the schema says `unique`) are reported on the later records.

    Raises `CatalogueError` for a file that is not a catalogue: empty, a header lacking one
    of the schema's required columns, no record after the header, or a line the CSV reader
    cannot read (a field over 128 Kio, a quote never closed) — the latter while the records
    are iterated, naming the record and its line."""
    sample = stream.read(4096)
    stream.seek(0)
    if not sample.lstrip("\ufeff").strip():
        raise CatalogueError("Le fichier est vide : ni en-tête ni enregistrement.")
    reader = csv.DictReader(stream, dialect=_dialect(sample))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise CatalogueError(f"En-tête (ligne 1) illisible : {_csv_problem(exc)}.") from exc
    header = [h.strip().lstrip("\ufeff") for h in fieldnames]
    reader.fieldnames = header
    schema = detect_schema(header)
    required = [
        f["name"] for f in schema_fields(schema) if f.get("constraints", {}).get("required")
    ]
    missing = [name for name in required if name not in header]
    if missing:
        raise CatalogueError(
            f"En-tête non reconnu (ligne 1) : colonnes obligatoires absentes du schéma etalab "
            f"{schema} : {', '.join(missing)}. Est-ce bien un catalogue de dispositifs en CSV ?"
        )
    unknown = [h for h in header if h not in columns(schema)]

    def records() -> Iterator[Record]:
        seen: dict[str, int] = {}
        line = reader.line_num + 1
        number = 0
        rows = iter(reader)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                raise CatalogueError(
                    f"enregistrement {number + 1} (ligne {line}) : {_csv_problem(exc)} ; "
                    "corrigez cette ligne puis recommencez."
                ) from exc
            number += 1
            row = {key: _unescape(value) for key, value in row.items()}
            record = validate(schema, row, number=number, line=line)
            line = reader.line_num + 1
            if None in row:  # more cells than columns
                record.errors.append(
                    FieldError(number, record.line, "(ligne)", "plus de cellules que de colonnes")
                )
            etalab_id = record.values.get("etalab_id")
            if etalab_id and not any(e.field == "id" for e in record.errors):
                if etalab_id in seen:
                    record.errors.append(
                        FieldError(
                            number,
                            record.line,
                            "id",
                            f"identifiant déjà présent à l'enregistrement {seen[etalab_id]}",
                        )
                    )
                else:
                    seen[etalab_id] = number
            yield record
        if not number:
            raise CatalogueError(
                "Le fichier ne contient aucun enregistrement : rien après l'en-tête (ligne 1)."
            )

    return CatalogueFile(schema=schema, records=records(), unknown_columns=unknown)


# -- writing ---------------------------------------------------------------------------------


def format_datetime(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def cell(name: str, value: Any) -> str:
    if name in OBJECT_LISTS:
        return json.dumps(value, ensure_ascii=False) if value else ""
    if name in PIPE_LISTS:
        return "|".join(value or [])
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if value is None:
        return ""
    return str(value)


def row_of(scheme, schema: str) -> list[str]:
    return [cell(name, getattr(scheme, FIELD_MAP[name])) for name in columns(schema)]


def write_catalogue(stream, schemes: Iterable, *, schema: str = Schema.PRO) -> int:
    """The etalab CSV: comma-separated, UTF-8, one header line. Returns the rows written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(columns(schema))
    count = 0
    for scheme in schemes:
        writer.writerow([safe_cell(value) for value in row_of(scheme, schema)])
        count += 1
    return count
