"""Import of an application-tracking spreadsheet (« import_dossiers », docs/operations.md).

A CSV (`;` or `,`, UTF-8 with or without BOM) or an XLSX, one application per row, keyed by
`reference`: a new reference is created (`services.application_create`), a known one is
updated — its status through `services.application_set_status` (a history line « Import de
<fichier>, ligne N »), its other fields through `services.application_update` — and an
unchanged one is kept as it is (no write, no audit event). A row that cannot be imported is
rejected with its line (the spreadsheet's: the header is line 1) and the reason in French;
the other rows are imported, all in one transaction. Without `wet_run`, the same work is done
and rolled back: the counts are the real ones, nothing is written.

Both the `import_dossiers` command and the import page call `import_applications`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.models import Membership
from pilote.aids.models import AidScheme
from pilote.applications import services
from pilote.applications.enums import DECIDED, FILED, Status
from pilote.applications.models import Application, Payment
from pilote.companies.identifiers import clean_siret
from pilote.companies.models import Establishment
from pilote.core.enums import Visibility
from pilote.core.money import to_cents
from pilote.core.spreadsheet import is_formula_like
from pilote.core.validators import check_fields, french_date

MAX_BYTES = 20 * 1024 * 1024
"""Files over 20 Mo are refused (about 100 000 rows: far more than any territory's)."""

SOURCE = "import"
REQUIRED = (
    "reference", "siret", "dispositif", "statut", "date_depot", "date_decision",
    "montant_demande", "montant_accorde", "montant_verse", "commentaire",
)  # fmt: skip
OPTIONAL = ("investissement", "emplois", "accompagne_ti")
COLUMNS = REQUIRED + OPTIONAL

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003)
_CSV_FIELD_LIMIT = 128 * 1024


class ImportFileError(ValueError):
    """The file cannot be read at all (the message is in French): nothing of it is imported."""


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"ligne {self.line} : {self.reason}"


@dataclass
class ImportReport:
    filename: str
    wet_run: bool
    read: int = 0
    kept: int = 0
    created: int = 0
    updated: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.rejections)

    def summary(self) -> dict[str, int]:
        """The counts, in the order of the command's JSON line."""
        return {
            "read": self.read,
            "kept": self.kept,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
        }


class _Rejected(Exception):
    def __init__(self, reasons: Iterable[str]):
        self.reasons = list(reasons)
        super().__init__(" ; ".join(self.reasons))


# --- Reading the file --------------------------------------------------------------------------


def check_size(size: int | None) -> None:
    if size is not None and size > MAX_BYTES:
        raise ImportFileError(
            f"Le fichier pèse {size / 1024 / 1024:.1f} Mo : 20 Mo au plus. "
            "Découpez-le en plusieurs fichiers."
        )


def _ascii(text: str) -> str:
    """Lower case, no accents, runs of spaces, `_` and `-` as one space."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-]+", " ", text).strip()


def _column(name: Any) -> str:
    return _ascii(str(name or "").lstrip("\ufeff")).replace(" ", "_")


def _csv_rows(stream: BinaryIO) -> Iterator[list[Any]]:
    """The records of a CSV, decoded line by line (streamed: never the whole file)."""
    csv.field_size_limit(_CSV_FIELD_LIMIT)
    state = {"line": 0}

    def lines() -> Iterator[str]:
        for raw in stream:
            state["line"] += 1
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportFileError(
                    f"Le fichier n'est pas en UTF-8 (octet invalide ligne {state['line']}) : "
                    "enregistrez-le en « CSV UTF-8 » puis recommencez."
                ) from exc
            if state["line"] == 1:
                text = text.lstrip("\ufeff")
            yield text

    text_lines = lines()
    first = next(text_lines, None)
    if first is None or not first.strip():
        raise ImportFileError("Le fichier est vide : l'en-tête (ligne 1) manque.")
    delimiter = ";" if first.count(";") >= first.count(",") else ","

    def all_lines() -> Iterator[str]:
        yield first
        yield from text_lines

    reader = csv.reader(all_lines(), delimiter=delimiter)
    record = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                problem = "une cellule dépasse 128 Kio"
            elif "NUL" in message:
                problem = "caractère nul : ce n'est pas un fichier texte"
            else:
                problem = f"ligne CSV illisible ({message})"
            raise ImportFileError(
                f"Ligne {record + 2} : {problem}. Corrigez le fichier puis recommencez."
            ) from exc
        record += 1
        yield row


def _xlsx_rows(stream: BinaryIO) -> Iterator[tuple[Any, ...]]:
    """The rows of the first sheet, streamed (openpyxl read-only: one row at a time)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(
            "Ce classeur XLSX est illisible (fichier abîmé ou d'un autre format)."
        ) from exc
    try:
        if not workbook.worksheets:
            raise ImportFileError("Le classeur ne contient aucune feuille.")
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def read_rows(stream: BinaryIO, filename: str) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """The header's column names and the (line, cells) of the data rows."""
    start = stream.read(4)
    stream.seek(0)
    if start.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError(
            "Le format .xls (Excel 97-2003) n'est pas pris en charge : enregistrez le fichier "
            "en .xlsx ou en CSV UTF-8."
        )
    if start.startswith(_XLSX_MAGIC):
        rows: Iterator = _xlsx_rows(stream)
    elif filename.lower().endswith(".xlsx"):
        raise ImportFileError("Ce fichier .xlsx n'est pas un classeur Excel valide.")
    else:
        rows = _csv_rows(stream)
    header_cells = next(rows, None)
    if header_cells is None or not any(_text(c) for c in header_cells):
        raise ImportFileError("Le fichier est vide : l'en-tête (ligne 1) manque.")
    header = [_column(c) for c in header_cells]
    while header and not header[-1]:
        header.pop()
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            f"En-tête (ligne 1) : colonne(s) obligatoire(s) absente(s) : {', '.join(missing)}. "
            f"Colonnes attendues : {';'.join(REQUIRED)} (et facultatives : {', '.join(OPTIONAL)})."
        )
    doubled = sorted({name for name in header if name and header.count(name) > 1})
    if doubled:
        raise ImportFileError(f"En-tête (ligne 1) : colonne(s) en double : {', '.join(doubled)}.")

    def data() -> Iterator[tuple[int, list]]:
        for line, cells in enumerate(rows, start=2):
            yield line, list(cells)

    return header, data()


# --- Reading a cell ----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        # a cell exported by Pilote with the `'` that keeps spreadsheets from running it
        if text.startswith("'") and is_formula_like(text[1:]):
            text = text[1:]
        return text
    return str(value).strip()


def _shown(value: Any) -> str:
    text = _text(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _lower_first(message: str) -> str:
    message = message.strip().rstrip(".")
    return message[:1].lower() + message[1:]


_DATE_FR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")


def parse_date(value: Any) -> dt.date | None:
    """JJ/MM/AAAA or AAAA-MM-JJ (a spreadsheet's date cell as it is); None when empty.
    Raises ValueError when it is not a date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    if match := _DATE_FR.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(text)
    return dt.date(year, month, day)  # ValueError for 31/02


_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def parse_amount(value: Any) -> Decimal | None:
    """A French amount (`1 234 567,89 €`, spaces, no-break or narrow no-break ones) or a plain
    one (`1234567.89`); None when empty. Raises ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = _SPACES.sub("", _text(value))
    if not text:
        return None
    text = _SPACES.sub("", text.removesuffix("€").removesuffix("EUR")).removeprefix("€")
    if not text:
        raise ValueError(value)  # « € » alone, « €€ »: a currency without an amount
    if "," in text and "." in text:
        # 1.234.567,89 (dots for thousands) or 1,234,567.89 (commas for thousands)
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    if not _NUMBER.match(text):
        raise ValueError(value)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(value) from exc


_YES = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
_NO = {"non", "n", "no", "faux", "false", "0"}


def _status_names() -> dict[str, str]:
    names = {}
    for value, label in Status.choices:
        names[_ascii(value)] = value
        names[_ascii(label)] = value
    return names


STATUS_NAMES = _status_names()


# --- One row -----------------------------------------------------------------------------------


@dataclass
class Row:
    line: int
    reference: str
    establishment: Establishment
    status: str
    fields: dict[str, Any]
    paid: Decimal | None


class _Catalogue:
    """The schemes by etalab id and by title (case-insensitive), read once."""

    def __init__(self) -> None:
        self.by_id: dict[str, AidScheme] = {}
        self.by_title: dict[str, list[AidScheme]] = {}
        for scheme in AidScheme.objects.only("pk", "etalab_id", "title"):
            self.by_id[scheme.etalab_id.strip().casefold()] = scheme
            self.by_title.setdefault(" ".join(scheme.title.split()).casefold(), []).append(scheme)

    def find(self, text: str) -> AidScheme | None:
        key = " ".join(text.split()).casefold()
        if key in self.by_id:
            return self.by_id[key]
        found = self.by_title.get(key, [])
        if len(found) > 1:
            raise _Rejected(
                [
                    f"plusieurs dispositifs du catalogue s'intitulent « {text} » : "
                    "donnez son identifiant"
                ]
            )
        return found[0] if found else None


_LABELS = {
    "filed_on": "la date de dépôt",
    "decided_on": "la date de décision",
    "amount_requested": "le montant demandé",
    "amount_granted": "le montant accordé",
    "investment": "l'investissement",
    "paid": "le montant versé",
}


class _Parser:
    def __init__(self, header: list[str], territory, catalogue: _Catalogue):
        self.index = {name: i for i, name in enumerate(header) if name}
        self.width = len(header)
        self.territory = territory
        self.catalogue = catalogue
        self.seen: dict[str, int] = {}

    def cell(self, cells: list, name: str) -> Any:
        i = self.index.get(name)
        if i is None or i >= len(cells):
            return None
        return cells[i]

    def has(self, name: str) -> bool:
        return name in self.index

    def parse(self, line: int, cells: list) -> Row:
        errors: list[str] = []
        if any(_text(c) for c in cells[self.width :]):
            errors.append("plus de cellules que de colonnes (un « ; » ou une « , » de trop ?)")

        reference = _text(self.cell(cells, "reference"))
        if not reference:
            errors.append("la référence est vide (elle identifie le dossier)")
        elif reference in self.seen:
            errors.append(f"la référence {reference} figure déjà ligne {self.seen[reference]}")
        else:
            self.seen[reference] = line

        establishment = None
        raw_siret = _text(self.cell(cells, "siret"))
        if isinstance(self.cell(cells, "siret"), int | float):
            raw_siret = raw_siret.zfill(14)
        if not raw_siret:
            errors.append("le SIRET est vide")
        else:
            try:
                siret = clean_siret(raw_siret)
            except ValidationError as exc:
                errors.append(
                    f"le SIRET {raw_siret} n'est pas valide : {_lower_first(exc.messages[0])}"
                )
            else:
                establishment = (
                    Establishment.objects.filter(siret=siret, epci__territories=self.territory)
                    .select_related("epci")
                    .first()
                )
                if establishment is None:
                    errors.append(
                        f"l'établissement SIRET {siret} n'est pas dans la base du territoire "
                        f"{self.territory.name}"
                    )

        fields: dict[str, Any] = {"scheme": None, "funder": ""}
        scheme_text = _text(self.cell(cells, "dispositif"))
        if not scheme_text:
            errors.append(
                "le dispositif est vide (identifiant ou titre du catalogue, ou financeur)"
            )
        else:
            try:
                scheme = self.catalogue.find(scheme_text)
            except _Rejected as exc:
                errors.extend(exc.reasons)
            else:
                if scheme is not None:
                    fields["scheme"] = scheme
                else:
                    fields["funder"] = scheme_text

        raw_status = _text(self.cell(cells, "statut"))
        status = STATUS_NAMES.get(_ascii(raw_status))
        if status is None:
            expected = ", ".join(label for _, label in Status.choices)
            if raw_status:
                errors.append(
                    f"le statut « {_shown(raw_status)} » est inconnu (attendu : {expected})"
                )
            else:
                errors.append(f"le statut est vide (attendu : {expected})")

        for column, name in (("date_depot", "filed_on"), ("date_decision", "decided_on")):
            raw = self.cell(cells, column)
            try:
                fields[name] = parse_date(raw)
            except ValueError:
                fields[name] = None
                errors.append(
                    f"{_LABELS[name]} « {_shown(raw)} » n'est pas une date "
                    "(JJ/MM/AAAA ou AAAA-MM-JJ)"
                )
                continue
            try:
                check_fields(Application, **{name: fields[name]})
            except ValidationError as exc:
                fields[name] = None
                message = exc.message_dict[name][0]
                errors.append(f"{_lower_first(message)} ({french_date(parse_date(raw))})")

        amounts = [("montant_demande", "amount_requested"), ("montant_accorde", "amount_granted"),
                   ("montant_verse", "paid")]  # fmt: skip
        if self.has("investissement"):
            amounts.append(("investissement", "investment"))
        values: dict[str, Decimal | None] = {}
        for column, name in amounts:
            raw = self.cell(cells, column)
            try:
                amount = parse_amount(raw)
            except ValueError:
                errors.append(f"{_LABELS[name]} « {_shown(raw)} » n'est pas un montant lisible")
                values[name] = None
                continue
            if amount is not None and amount < 0:
                errors.append(f"{_LABELS[name]} ne peut pas être négatif ({_shown(raw)})")
                values[name] = None
                continue
            if amount is not None:
                amount = to_cents(amount)
                model, field_name = (Payment, "amount") if name == "paid" else (Application, name)
                try:
                    check_fields(model, **{field_name: amount})
                except ValidationError as exc:
                    message = exc.message_dict[field_name][0]
                    errors.append(f"{_LABELS[name]} « {_shown(raw)} » : {_lower_first(message)}")
                    values[name] = None
                    continue
            values[name] = amount
        paid = values.pop("paid")
        fields.update(values)

        if self.has("emplois"):
            raw = self.cell(cells, "emplois")
            try:
                jobs = parse_amount(raw)
                if jobs is not None and jobs != jobs.to_integral_value():
                    raise ValueError(raw)
            except ValueError:
                errors.append(f"le nombre d'emplois « {_shown(raw)} » n'est pas un nombre entier")
            else:
                if jobs is not None and jobs < 0:
                    errors.append(f"le nombre d'emplois ne peut pas être négatif ({_shown(raw)})")
                elif jobs is not None and jobs > 10**6:
                    errors.append(f"le nombre d'emplois {_shown(raw)} n'est pas plausible")
                else:
                    fields["jobs"] = int(jobs) if jobs is not None else None

        if self.has("accompagne_ti"):
            raw = _text(self.cell(cells, "accompagne_ti"))
            answer = _ascii(raw)
            if not answer or answer in _YES:
                fields["supported"] = True
            elif answer in _NO:
                fields["supported"] = False
            else:
                errors.append(f"accompagne_ti « {_shown(raw)} » : attendu oui ou non")

        fields["comment"] = _text(self.cell(cells, "commentaire"))
        fields["reference"] = reference
        try:
            check_fields(Application, reference=reference, funder=fields["funder"])
        except ValidationError as exc:
            labels = {"reference": "la référence", "funder": "le dispositif"}
            errors.extend(
                f"{labels[name]} : {_lower_first(messages[0])}"
                for name, messages in exc.message_dict.items()
            )

        filed_on, decided_on = fields.get("filed_on"), fields.get("decided_on")
        label = Status(status).label if status else ""
        if filed_on and decided_on and decided_on < filed_on:
            errors.append(
                f"la date de décision ({french_date(decided_on)}) précède la date de dépôt "
                f"({french_date(filed_on)})"
            )
        if status in DECIDED and decided_on is None and self._date_given(cells, "date_decision"):
            pass  # already reported as not a date
        elif status in DECIDED and decided_on is None:
            errors.append(f"le statut « {label} » demande une date de décision")
        if status and status not in DECIDED and decided_on is not None:
            errors.append(
                f"une date de décision est donnée mais le statut « {label} » n'est pas une décision"
            )
        supported = fields.get("supported", True)
        if (status in FILED and filed_on is None and supported
                and not self._date_given(cells, "date_depot")):  # fmt: skip
            errors.append(f"le statut « {label} » demande une date de dépôt")
        if paid and status and status != Status.ACCEPTED:
            shown = _shown(self.cell(cells, "montant_verse"))
            errors.append(
                f"un montant versé ({shown}) sur un dossier « {label} » : seul un dossier "
                "accepté reçoit des versements"
            )
        granted = fields.get("amount_granted")
        if paid and granted is not None and paid > granted:
            errors.append(
                f"le montant versé ({_euros(paid)}) dépasse le montant accordé ({_euros(granted)})"
            )
        if errors:
            raise _Rejected(errors)
        return Row(line=line, reference=reference, establishment=establishment, status=status,
                   fields=fields, paid=paid)  # fmt: skip

    def _date_given(self, cells: list, column: str) -> bool:
        return bool(_text(self.cell(cells, column)))


def _euros(amount: Decimal) -> str:
    whole, _, cents = f"{amount:,.2f}".partition(".")
    return f"{whole.replace(',', ' ')},{cents} €"


# --- Writing one row ---------------------------------------------------------------------------


class _Writer:
    def __init__(self, *, filename: str, territory, acting_user, visibility: str,
                 author_organisation):  # fmt: skip
        self.filename = filename
        self.territory = territory
        self.acting_user = acting_user
        self.visibility = visibility
        self.author_organisation = author_organisation
        self.epci_ids = set(territory.epcis.values_list("pk", flat=True))

    def reason(self, row: Row) -> str:
        return f"Import de {self.filename}, ligne {row.line}"

    def write(self, row: Row) -> str:
        """Create, update or keep the row's application: « created », « updated », « kept »."""
        application = (
            Application.objects.select_related("scheme").filter(reference=row.reference).first()
        )
        if application is None:
            self.create(row)
            return "created"
        self.check_existing(row, application)
        return "updated" if self.update(row, application) else "kept"

    def create(self, row: Row) -> None:
        fields = dict(row.fields)
        fields.setdefault("supported", True)
        application = services.application_create(
            acting_user=self.acting_user,
            establishment=row.establishment,
            status=row.status,
            visibility=self.visibility,
            author_organisation=self.author_organisation if self.acting_user is None else None,
            reason=self.reason(row),
            source=SOURCE,
            **fields,
        )
        self.sync_payments(row, application)

    def check_existing(self, row: Row, application: Application) -> None:
        from pilote.accounts import access

        if application.epci_id not in self.epci_ids:
            raise _Rejected(
                [f"la référence {row.reference} est déjà celle d'un dossier hors de ce territoire"]
            )
        if self.acting_user is not None and not access.is_visible_to(application, self.acting_user):
            raise _Rejected(
                [f"la référence {row.reference} est déjà celle d'un dossier que vous ne voyez pas"]
            )
        if application.establishment_id != row.establishment.pk:
            siret = application.establishment.siret
            raise _Rejected(
                [
                    f"le dossier {row.reference} est celui de l'établissement SIRET {siret}, "
                    f"pas {row.establishment.siret} : corrigez le SIRET ou la référence"
                ]
            )

    @staticmethod
    def changes(application: Application, fields: dict[str, Any]) -> dict[str, Any]:
        changed = {}
        for name, value in fields.items():
            if name == "scheme":
                if application.scheme_id != (value.pk if value else None):
                    changed[name] = value
            elif getattr(application, name) != value:
                changed[name] = value
        return changed

    def update(self, row: Row, application: Application) -> bool:
        fields = dict(row.fields)
        plan = self.payment_plan(row, application)
        if not self.changes(application, fields) and row.status == application.status and not plan:
            return False
        if plan:
            for payment in plan[0]:
                services.payment_delete(acting_user=self.acting_user, payment=payment)
        if row.status != application.status:
            if row.status in DECIDED:
                effective = fields["decided_on"]
            elif application.status in DECIDED:  # reopened: from the day it is known
                effective = timezone.localdate()
            else:
                effective = fields["filed_on"] or timezone.localdate()
            filed_on = fields["filed_on"]
            services.application_set_status(
                acting_user=self.acting_user,
                application=application,
                status=row.status,
                effective_on=effective,
                reason=self.reason(row),
                source=SOURCE,
                filed_on=filed_on if filed_on != application.filed_on else None,
            )
            application.refresh_from_db()
        changed = self.changes(application, fields)
        if changed:
            services.application_update(
                acting_user=self.acting_user, application=application, **changed
            )
            application.refresh_from_db()
        if plan and plan[1]:
            self.add_payment(application, plan[1])
        return True

    def payment_plan(self, row: Row, application: Application | None):
        """What to do with the import's payment: None (nothing), or (payments to delete,
        amount to add). Rejects the row when the manual payments exceed `montant_verse`."""
        imported, manual = [], Decimal("0.00")
        if application is not None:
            for payment in application.payments.all():
                if payment.source == SOURCE:
                    imported.append(payment)
                else:
                    manual += payment.amount
        target = Decimal("0.00")
        if row.paid is not None:
            target = row.paid - manual
            if target < 0:
                raise _Rejected(
                    [
                        f"les versements déjà saisis dans Pilote ({_euros(manual)}) dépassent le "
                        f"montant versé du fichier ({_euros(row.paid)})"
                    ]
                )
        if target == 0:
            return ([*imported], None) if imported else None
        if len(imported) == 1 and imported[0].amount == target:
            return None
        return [*imported], target

    def sync_payments(self, row: Row, application: Application) -> None:
        plan = self.payment_plan(row, application)
        if plan and plan[1]:
            self.add_payment(application, plan[1])

    def add_payment(self, application: Application, amount: Decimal) -> None:
        services.payment_add(
            acting_user=self.acting_user,
            application=application,
            paid_on=application.decided_on or timezone.localdate(),
            amount=amount,
            label="Versements selon le fichier importé",
            source=SOURCE,
        )


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [_lower_first(m) for messages in exc.message_dict.values() for m in messages]
    return [_lower_first(m) for m in exc.messages]


def manager_organisation(territory):
    """The organisation of the territory's TI manager: the system files records under it."""
    membership = (
        Membership.objects.active()
        .filter(territory=territory, role=Role.TI_MANAGER)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    return membership.organisation if membership else None


def import_applications(
    stream: BinaryIO,
    *,
    filename: str,
    territory,
    acting_user=None,
    author_organisation=None,
    visibility: str = Visibility.EPCI,
    wet_run: bool = False,
    size: int | None = None,
) -> ImportReport:
    """Import the applications of `stream` (a binary file: CSV or XLSX) into `territory`.

    `acting_user=None` is the system: records are filed under `author_organisation` (by
    default the organisation of the territory's TI manager). Raises `ImportFileError` for a
    file that cannot be read (nothing is then written); otherwise returns the report, rows
    rejected included. Without `wet_run`, everything is rolled back."""
    check_size(size)
    if visibility not in Visibility.values:
        raise ImportFileError(f"Visibilité inconnue : {visibility}.")
    if acting_user is None and author_organisation is None:
        author_organisation = manager_organisation(territory)
        if author_organisation is None:
            raise ImportFileError(
                f"Le territoire {territory.name} n'a pas de chef de projet TI actif : "
                "sous quelle organisation classer les dossiers ? Précisez un utilisateur."
            )
    report = ImportReport(filename=filename, wet_run=wet_run)
    with transaction.atomic():
        header, rows = read_rows(stream, filename)
        report.ignored_columns = [n for n in header if n and n not in COLUMNS]
        parser = _Parser(header, territory, _Catalogue())
        writer = _Writer(
            filename=filename, territory=territory, acting_user=acting_user,
            visibility=visibility, author_organisation=author_organisation,
        )  # fmt: skip
        for line, cells in rows:
            if not any(_text(c) for c in cells):
                continue  # an empty row is no data row
            report.read += 1
            try:
                row = parser.parse(line, cells)
                with transaction.atomic():
                    outcome = writer.write(row)
            except _Rejected as exc:
                report.rejections.append(Rejection(line, " ; ".join(exc.reasons)))
                continue
            except ValidationError as exc:
                report.rejections.append(Rejection(line, " ; ".join(_messages(exc))))
                continue
            except PermissionDenied as exc:
                report.rejections.append(
                    Rejection(
                        line, _lower_first(str(exc) or "vous ne pouvez pas écrire ce dossier")
                    )
                )
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
        if not wet_run:
            transaction.set_rollback(True)
    return report
