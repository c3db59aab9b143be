"""`import_dossiers` and `imports.import_applications`: a spreadsheet of a few hundred rows
(CSV and XLSX) with a few dozen bad rows of every kind, rejected with their line and reason;
idempotence, later statuses with history, payments, dry and wet runs."""

import contextlib
import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from pilote.accounts.enums import Role
from pilote.applications import imports
from pilote.applications.enums import Status
from pilote.applications.models import Application, Payment, StatusChange
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import site_of
from tests.aids.factories import AidSchemeFactory
from tests.applications.factories import accepted_of, payment_of
from tests.factories import CompanyFactory, EstablishmentFactory

COLUMNS = [
    "reference", "siret", "dispositif", "statut", "date_depot", "date_decision",
    "montant_demande", "montant_accorde", "montant_verse", "commentaire", "investissement",
    "emplois", "accompagne_ti",
]  # fmt: skip
NBSP, NNBSP = "\u00a0", "\u202f"
GOOD = 300


class Sheet:
    """The rows of a test spreadsheet and, for each bad one, the reason expected."""

    def __init__(self, base):
        self.base = base
        self.rows: list[dict] = []
        self.expected: dict[int, str] = {}  # line → part of the reason

    @property
    def next_line(self) -> int:
        return len(self.rows) + 2  # header = line 1

    def good(self, i: int) -> dict:
        base = self.base
        site = base["sites"][i % len(base["sites"])]
        kind = i % 6
        row = {
            "reference": f"DS-{i:05d}",
            "siret": site.siret,
            "dispositif": [
                "France 2030 industrie",
                "FONDS chaleur INDUSTRIE",
                "Région — Rev3",
                base["f2030"].etalab_id,
            ][i % 4],
            "statut": "",
            "date_depot": "",
            "date_decision": "",
            "montant_demande": "",
            "montant_accorde": "",
            "montant_verse": "",
            "commentaire": f"Dossier {i}",
            "investissement": "",
            "emplois": "",
            "accompagne_ti": "",
        }
        if kind == 0:
            row.update(statut="Brouillon", montant_demande="150000")
        elif kind == 1:
            row.update(statut="EN INSTRUCTION", date_depot="02/03/2026",
                       montant_demande=f"1{NBSP}234{NBSP}567,89 €")  # fmt: skip
        elif kind == 2:
            row.update(statut="en_construction", date_depot="2026-01-15",
                       montant_demande=f"12{NNBSP}500,50")  # fmt: skip
        elif kind == 3:
            row.update(
                statut="Accepté", date_depot="02/03/2026", date_decision="15/06/2026",
                montant_demande="200000", montant_accorde="120 000,00",
                montant_verse="40000.00", investissement="900 000", emplois="12",
            )  # fmt: skip
        elif kind == 4:
            row.update(statut="refuse", date_depot="2025-11-01", date_decision="2026-02-01",
                       montant_demande="80000", accompagne_ti="non")  # fmt: skip
        else:
            row.update(statut="sans suite" if i % 12 == 5 else "Classé sans suite",
                       date_depot="01/09/2025", date_decision="01/10/2025",
                       accompagne_ti="oui")  # fmt: skip
        return row

    def add(self, row: dict, reason: str | None = None) -> int:
        line = self.next_line
        self.rows.append(row)
        if reason is not None:
            self.expected[line] = reason
        return line


def bad_rows(sheet: Sheet, base) -> list[tuple[dict, str]]:
    """About forty bad rows, two or three of every kind, each a good « En instruction » row
    (filed on 02/03/2026) with one defect."""
    found = []
    n = iter(range(90001, 99999, 6))  # i % 6 == 1: « EN INSTRUCTION »

    def bad(reason, **changes):
        row = sheet.good(next(n))
        row.update(changes)
        found.append((row, reason))

    other = base["outside"].siret
    for siret in ("123", "1234567890123A", "AB"):
        bad("n'est pas valide", siret=siret)
    for siret in ("73282932000075", "12345678901234"):  # Luhn key wrong
        bad("clé de contrôle est fausse", siret=siret)
    for siret in (other, "73282932000074"):  # valid, not in territory A's base
        bad("n'est pas dans la base du territoire", siret=siret)
    bad("le SIRET est vide", siret="")
    for status in ("Gagné", "accepted", "en cours"):
        bad("est inconnu", statut=status)
    bad("le statut est vide", statut="")
    for value in ("31/02/2026", "bientôt", "2026-13-01"):
        bad("n'est pas une date", statut="En instruction", date_depot=value)
    bad("n'est pas une date", statut="Accepté", date_decision="15-06-2026")
    bad("ne peut pas précéder le 01/01/2000", statut="En instruction", date_depot="01/01/1980")
    bad("ne peut pas être dans le futur", statut="En instruction", date_depot="01/01/2099")
    for value in ("-5 000", "-1"):
        bad("ne peut pas être négatif", montant_demande=value)
    bad("ne peut pas être négatif", statut="Accepté", date_depot="01/01/2026",
        date_decision="01/02/2026", montant_accorde="-100")  # fmt: skip
    for value in ("beaucoup", "12,34,56", "1 2x", "€"):
        bad("n'est pas un montant lisible", montant_demande=value)
    bad("n'est pas un montant lisible", investissement="NC")
    for filed, decided in (("15/06/2026", "02/03/2026"), ("2026-02-02", "2026-02-01")):
        bad("précède la date de dépôt", statut="Accepté", date_depot=filed,
            date_decision=decided)  # fmt: skip
    bad("précède la date de dépôt", statut="Refusé", date_depot="10/10/2025",
        date_decision="09/10/2025")  # fmt: skip
    for status in ("Accepté", "refuse", "sans_suite"):
        bad("demande une date de décision", statut=status, date_depot="01/03/2026",
            date_decision="", montant_verse="")  # fmt: skip
    first = "DS-00000"  # the first row (line 2)
    bad(f"la référence {first} figure déjà ligne 2", reference=first)
    bad(f"la référence {first} figure déjà ligne 2", reference=first)
    bad("la référence est vide", reference="")
    bad("la référence est vide", reference="   ")
    for status in ("En instruction", "Refusé"):
        bad("seul un dossier accepté reçoit des versements", statut=status,
            date_depot="01/03/2026", date_decision="01/04/2026" if status == "Refusé" else "",
            montant_verse="1000")  # fmt: skip
    for paid in ("130000", "120 000,01"):
        bad("dépasse le montant accordé", statut="Accepté", date_depot="02/03/2026",
            date_decision="15/06/2026", montant_accorde="120000", montant_verse=paid)  # fmt: skip
    bad("n'est pas un nombre entier", emplois="douze")
    bad("attendu oui ou non", accompagne_ti="peut-être")
    return found


@pytest.fixture
def base(world):
    sites = [site_of(world, "e1" if i % 3 else "e2") for i in range(40)]
    la_poste = EstablishmentFactory(
        company=CompanyFactory(siren="356000000"), nic="10000", siret="35600000010000",
        epci=world.epcis["e1"],
    )  # fmt: skip
    return {
        "world": world,
        "sites": sites,
        "la_poste": la_poste,
        "outside": site_of(world, "e3"),
        "f2030": AidSchemeFactory(etalab_id="france-2030-ind", title="France 2030 industrie"),
        "chaleur": AidSchemeFactory(title="Fonds chaleur industrie"),
    }


@pytest.fixture
def sheet(base):
    """300 good rows, and the bad ones mixed among them two at a time."""
    sheet = Sheet(base)
    bad = bad_rows(sheet, base)
    for i in range(GOOD):
        sheet.add(sheet.good(i))
        if i % 7 == 3:
            for row, reason in bad[:2]:
                sheet.add(row, reason)
            del bad[:2]
    for row, reason in bad:
        sheet.add(row, reason)
    return sheet


def line_of(rows, reference) -> int:
    return next(i for i, r in enumerate(rows, start=2) if r["reference"] == reference)


def write_csv(rows, *, delimiter=";", bom=False, columns=COLUMNS) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def write_xlsx(rows, columns=COLUMNS) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(columns)
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c, "")
            if c == "date_depot" and value and value[2:3] == "/":
                with contextlib.suppress(ValueError):  # « 31/02/2026 » stays a text
                    value = dt.datetime.strptime(value, "%d/%m/%Y")  # noqa: DTZ007 (a date cell)
            elif c == "montant_demande" and value.isdigit():
                value = float(value)  # a real number cell
            cells.append(value if value != "" else None)
        ws.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


AS_MANAGER = ("--as", "manager@exemple.fr")


def run(tmp_path, content: bytes, name="suivi.csv", *args, system=False):
    """Run the command on `content`, as territory A's TI manager (or as the system)."""
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    who = () if system or "--as" in args else AS_MANAGER
    call_command("import_dossiers", str(path), "--territory", "ti-a", *who, *args, stdout=out,
                 stderr=err)  # fmt: skip
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0]), err.getvalue().splitlines()


def rejected_lines(err_lines) -> dict[int, str]:
    found = {}
    for text in err_lines:
        head, _, reason = text.partition(" : ")
        assert head.startswith("ligne "), text
        found[int(head.removeprefix("ligne "))] = reason
    return found


def check_rejections(sheet, err_lines):
    found = rejected_lines(err_lines)
    assert set(found) == set(sheet.expected)
    for line, part in sheet.expected.items():
        assert part in found[line], (line, found[line], part)


def counts(sheet, **values):
    total = len(sheet.rows)
    bad = len(sheet.expected)
    expected = {"read": total, "kept": 0, "created": total - bad, "updated": 0, "rejected": bad}
    expected.update(values)
    return expected


# --- The big file -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_csv_wet_run_then_idempotent(tmp_path, sheet):
    assert len(sheet.expected) >= 40
    content = write_csv(sheet.rows)
    summary, err = run(tmp_path, content, "suivi.csv", "--wet-run")
    assert summary == counts(sheet)
    assert list(summary) == ["read", "kept", "created", "updated", "rejected"]
    check_rejections(sheet, err)
    assert Application.objects.count() == GOOD
    assert StatusChange.objects.filter(source="import").count() == GOOD
    first = StatusChange.objects.get(application__reference="DS-00003")
    assert first.reason == f"Import de suivi.csv, ligne {line_of(sheet.rows, 'DS-00003')}"
    assert first.effective_on == dt.date(2026, 6, 15)  # the decision date
    assert Payment.objects.filter(source="import").count() == GOOD // 6

    changes, events = StatusChange.objects.count(), AuditEvent.objects.count()
    stamp = Application.objects.order_by("-updated_at").first().updated_at
    summary, err = run(tmp_path, content, "suivi.csv", "--wet-run")
    assert summary == counts(sheet, kept=GOOD, created=0)
    check_rejections(sheet, err)
    assert StatusChange.objects.count() == changes
    assert AuditEvent.objects.count() == events
    assert Application.objects.order_by("-updated_at").first().updated_at == stamp


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_counts_truly(tmp_path, sheet):
    summary, err = run(tmp_path, write_csv(sheet.rows))
    assert summary == counts(sheet)
    check_rejections(sheet, err)
    assert not Application.objects.exists()
    assert not StatusChange.objects.exists()
    assert not Payment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="application.").exists()


@pytest.mark.django_db
def test_xlsx_same_result(tmp_path, sheet):
    summary, err = run(tmp_path, write_xlsx(sheet.rows), "suivi.xlsx", "--wet-run")
    assert summary == counts(sheet)
    check_rejections(sheet, err)
    app = Application.objects.get(reference="DS-00001")
    assert app.filed_on == dt.date(2026, 3, 2)
    assert Application.objects.get(reference="DS-00000").amount_requested == Decimal("150000")
    # The same rows as CSV now: nothing changes (a date cell equals its JJ/MM/AAAA text).
    summary, _ = run(tmp_path, write_csv(sheet.rows), "suivi.csv", "--wet-run")
    assert summary == counts(sheet, kept=GOOD, created=0)


@pytest.mark.django_db
def test_bom_and_comma_separator(tmp_path, sheet):
    content = write_csv(sheet.rows, delimiter=",", bom=True)
    assert content.startswith(b"\xef\xbb\xbfreference,siret,")
    summary, err = run(tmp_path, content, "suivi.csv", "--wet-run")
    assert summary == counts(sheet)
    check_rejections(sheet, err)


@pytest.mark.django_db
def test_values_as_read(tmp_path, sheet, base):
    run(tmp_path, write_csv(sheet.rows), "suivi.csv", "--wet-run")
    get = Application.objects.get
    assert get(reference="DS-00001").amount_requested == Decimal("1234567.89")  # U+00A0, €
    assert get(reference="DS-00002").amount_requested == Decimal("12500.50")  # U+202F
    accepted = get(reference="DS-00003")
    assert accepted.status == Status.ACCEPTED
    assert accepted.amount_granted == Decimal("120000.00")
    assert accepted.investment == Decimal("900000.00")
    assert accepted.jobs == 12
    assert accepted.amount_paid == Decimal("40000.00")
    assert get(reference="DS-00004").supported is False  # accompagne_ti=non
    assert get(reference="DS-00005").supported is True
    assert get(reference="DS-00000").supported is True  # empty: oui
    assert get(reference="DS-00005").status == Status.WITHDRAWN
    assert get(reference="DS-00011").status == Status.WITHDRAWN  # « Classé sans suite »
    # dispositif: by title (any case), by etalab id, else a funder
    assert get(reference="DS-00000").scheme == base["f2030"]
    assert get(reference="DS-00001").scheme == base["chaleur"]
    assert get(reference="DS-00003").scheme == base["f2030"]
    free = get(reference="DS-00002")
    assert free.scheme is None
    assert free.funder == "Région — Rev3"
    assert get(reference="DS-00000").visibility == "epci"
    assert get(reference="DS-00000").author == base["world"].users["manager"]


@pytest.mark.django_db
def test_system_files_under_the_manager_organisation(tmp_path, base):
    """Without --as: the system writes, under the organisation of the TI manager."""
    row = {"reference": "DS-1", "siret": base["sites"][1].siret, "dispositif": "x",
           "statut": "Accepté", "date_depot": "02/03/2026", "date_decision": "15/06/2026",
           "montant_accorde": "1000", "montant_verse": "500"}  # fmt: skip
    summary, err = run(tmp_path, write_csv([row]), "x.csv", "--wet-run", system=True)
    assert err == []
    assert summary == {"read": 1, "kept": 0, "created": 1, "updated": 0, "rejected": 0}
    app = Application.objects.get(reference="DS-1")
    assert app.author is None
    assert app.author_organisation == base["world"].orgs["cci"]
    assert app.status_changes.get().author is None
    row["statut"] = "refuse"
    row["montant_verse"] = ""
    summary, err = run(tmp_path, write_csv([row]), "x.csv", "--wet-run", system=True)
    assert summary["updated"] == 1


@pytest.mark.django_db
def test_la_poste_and_spaced_siret(tmp_path, base):
    sheet = Sheet(base)
    row = sheet.good(0)
    row["siret"] = base["la_poste"].siret
    sheet.add(row)
    row = sheet.good(1)
    siret = base["sites"][1].siret
    row["siret"] = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    sheet.add(row)
    summary, err = run(tmp_path, write_csv(sheet.rows), "suivi.csv", "--wet-run")
    assert (summary, err) == (counts(sheet), [])
    assert Application.objects.get(reference="DS-00000").establishment == base["la_poste"]


# --- A later file --------------------------------------------------------------------------


@pytest.mark.django_db
def test_later_file_updates_statuses_with_history(tmp_path, sheet):
    run(tmp_path, write_csv(sheet.rows), "suivi.csv", "--wet-run")
    later = [dict(row) for row in sheet.rows]
    moved = []
    for line, row in enumerate(later, start=2):
        if row["statut"] == "EN INSTRUCTION" and len(moved) < 20 and line not in sheet.expected:
            row.update(statut="accepte", date_decision="20/10/2026", montant_accorde="100000",
                       montant_verse="25 000")  # fmt: skip
            moved.append(row["reference"])
    reopened = next(r for r in later if r["reference"] == "DS-00004")  # refused → en instruction
    reopened.update(statut="En instruction", date_decision="")
    comment_only = next(r for r in later if r["reference"] == "DS-00006")
    comment_only["commentaire"] = "Relancé par téléphone"
    paid_more = next(r for r in later if r["reference"] == "DS-00009")  # accepted, 40000 paid
    paid_more["montant_verse"] = "60000"
    events = AuditEvent.objects.count()

    summary, err = run(tmp_path, write_csv(later), "suivi-octobre.csv", "--wet-run")
    assert summary == counts(sheet, kept=GOOD - 23, created=0, updated=23)
    check_rejections(sheet, err)
    assert AuditEvent.objects.count() > events
    for reference in moved:
        app = Application.objects.get(reference=reference)
        assert app.status == Status.ACCEPTED
        assert app.decided_on == dt.date(2026, 10, 20)
        assert app.amount_granted == Decimal("100000.00")
        assert app.amount_paid == Decimal("25000.00")
        change = app.status_changes.order_by("pk").last()
        assert (change.from_status, change.to_status) == (Status.REVIEW, Status.ACCEPTED)
        assert change.source == "import"
        assert change.effective_on == dt.date(2026, 10, 20)
        line = line_of(later, reference)
        assert change.reason == f"Import de suivi-octobre.csv, ligne {line}"
    app = Application.objects.get(reference="DS-00004")
    assert (app.status, app.decided_on) == (Status.REVIEW, None)
    change = app.status_changes.order_by("pk").last()
    assert (change.from_status, change.to_status) == (Status.REFUSED, Status.REVIEW)
    assert change.effective_on == timezone.localdate()  # reopened: from the day it is known
    assert Application.objects.get(reference="DS-00006").comment == "Relancé par téléphone"
    assert Application.objects.get(reference="DS-00006").status_changes.count() == 1
    paid = Application.objects.get(reference="DS-00009")
    assert paid.amount_paid == Decimal("60000.00")
    assert paid.payments.filter(source="import").count() == 1

    changes = StatusChange.objects.count()
    summary, _ = run(tmp_path, write_csv(later), "suivi-octobre.csv", "--wet-run")
    assert summary == counts(sheet, kept=GOOD, created=0)
    assert StatusChange.objects.count() == changes


@pytest.mark.django_db
def test_manual_payments(tmp_path, base):
    world = base["world"]
    app = accepted_of(world, reference="DS-MANUEL", establishment=base["sites"][0],
                      filed_on=dt.date(2026, 3, 2), funder="Région — Rev3", comment="",
                      amount_requested=None, investment=None, jobs=None)  # fmt: skip
    payment_of(app, "40000.00")
    row = {
        "reference": "DS-MANUEL", "siret": base["sites"][0].siret,
        "dispositif": "Région — Rev3", "statut": "Accepté", "date_depot": "02/03/2026",
        "date_decision": "15/06/2026", "montant_accorde": "120000", "montant_verse": "30000",
    }  # fmt: skip
    columns = COLUMNS[:10]
    summary, err = run(tmp_path, write_csv([row], columns=columns), "v.csv", "--wet-run")
    assert summary == {"read": 1, "kept": 0, "created": 0, "updated": 0, "rejected": 1}
    assert err == [
        "ligne 2 : les versements déjà saisis dans Pilote (40 000,00 €) dépassent le montant "
        "versé du fichier (30 000,00 €)"
    ]
    row["montant_verse"] = "50000"
    summary, err = run(tmp_path, write_csv([row], columns=columns), "v.csv", "--wet-run")
    assert summary == {"read": 1, "kept": 0, "created": 0, "updated": 1, "rejected": 0}
    assert app.payments.get(source="import").amount == Decimal("10000.00")
    assert app.amount_paid == Decimal("50000.00")
    summary, _ = run(tmp_path, write_csv([row], columns=columns), "v.csv", "--wet-run")
    assert summary == {"read": 1, "kept": 1, "created": 0, "updated": 0, "rejected": 0}
    row["montant_verse"] = ""  # nothing said: the import's payment goes, the manual one stays
    summary, _ = run(tmp_path, write_csv([row], columns=columns), "v.csv", "--wet-run")
    assert summary["updated"] == 1
    assert list(app.payments.values_list("amount", "source")) == [(Decimal("40000.00"), "")]


@pytest.mark.django_db
def test_other_establishment_or_territory(tmp_path, base):
    world = base["world"]
    accepted_of(world, reference="DS-A", establishment=base["sites"][0])
    accepted_of(world, reference="DS-B", epci="e3", author="agent_e3")
    rows = [
        {"reference": "DS-A", "siret": base["sites"][1].siret, "dispositif": "x",
         "statut": "brouillon"},
        {"reference": "DS-B", "siret": base["sites"][1].siret, "dispositif": "x",
         "statut": "brouillon"},
    ]  # fmt: skip
    summary, err = run(tmp_path, write_csv(rows), "x.csv", "--wet-run")
    assert summary["rejected"] == 2
    found = rejected_lines(err)
    assert "corrigez le SIRET ou la référence" in found[2]
    assert "hors de ce territoire" in found[3]


# --- Options and file errors ------------------------------------------------------------------


@pytest.mark.django_db
def test_acting_as_an_agent(tmp_path, base):
    rows = [
        {"reference": "DS-1", "siret": base["sites"][1].siret, "dispositif": "x",
         "statut": "brouillon"},  # e1
        {"reference": "DS-2", "siret": base["sites"][0].siret, "dispositif": "x",
         "statut": "brouillon"},  # e2
    ]  # fmt: skip
    summary, err = run(tmp_path, write_csv(rows), "x.csv", "--wet-run", "--as",
                       "AGENT_E1@exemple.fr", "--visibility", "territory")  # fmt: skip
    assert summary == {"read": 2, "kept": 0, "created": 1, "updated": 0, "rejected": 1}
    assert err == ["ligne 3 : vous ne pouvez pas suivre cet établissement"]
    app = Application.objects.get(reference="DS-1")
    assert app.author == base["world"].users["agent_e1"]
    assert app.visibility == "territory"


@pytest.mark.django_db
def test_territory_and_manager_required(tmp_path, base):
    path = tmp_path / "x.csv"
    path.write_bytes(write_csv([]))
    with pytest.raises(CommandError, match="--territory"):
        call_command("import_dossiers", str(path))
    manager = base["world"].memberships["manager"]
    assert manager.role == Role.TI_MANAGER
    manager.is_active = False
    manager.save()
    with pytest.raises(CommandError, match="chef de projet TI"):
        call_command("import_dossiers", str(path), "--territory", "ti-a")


@pytest.mark.django_db
def test_file_errors(tmp_path, base, monkeypatch):
    def fails(content, name, match):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(CommandError, match=match):
            call_command("import_dossiers", str(path), "--territory", "ti-a", "--wet-run",
                         stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip

    fails(b"reference;siret\nA;1\n", "x.csv", "colonne\\(s\\) obligatoire\\(s\\) absente")
    fails(b"", "x.csv", "vide")
    fails((";".join(COLUMNS) + "\néà;").encode("latin-1"), "x.csv", "UTF-8")
    fails(b"PK\x03\x04garbage", "x.xlsx", "illisible")
    fails(b"\xd0\xcf\x11\xe0old", "x.xls", "xls")
    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    fails(write_csv([{"reference": "A" * 200}]), "x.csv", "20 Mo au plus")
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_import_function_streams_an_upload(base):
    """The function the page calls: a binary stream, empty rows skipped, unknown columns
    reported, line numbers those of the spreadsheet."""
    row = {"reference": "DS-1", "siret": base["sites"][1].siret, "dispositif": "x",
           "statut": "brouillon", "commentaire": "deux\nlignes"}  # fmt: skip
    content = write_csv([row, {}, {**row, "reference": "DS-2", "statut": "?"}],
                        columns=[*COLUMNS[:10], "titre"])  # fmt: skip
    report = imports.import_applications(
        io.BytesIO(content), filename="x.csv", territory=base["world"].territory_a,
        acting_user=base["world"].users["manager"], wet_run=True,
    )  # fmt: skip
    assert report.summary() == {"read": 2, "kept": 0, "created": 1, "updated": 0, "rejected": 1}
    assert [r.line for r in report.rejections] == [4]
    assert report.ignored_columns == ["titre"]
    assert Application.objects.get(reference="DS-1").comment == "deux\nlignes"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234 567,89", Decimal("1234567.89")),
        (f"1{NBSP}234{NBSP}567,89{NBSP}€", Decimal("1234567.89")),
        (f"1{NNBSP}234,5 €", Decimal("1234.5")),
        ("1234567.89", Decimal("1234567.89")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("€ 12", Decimal("12")),
        ("", None),
        (f" {NBSP} ", None),
        (12.5, Decimal("12.5")),
    ],
)
def test_parse_amount(text, value):
    assert imports.parse_amount(text) == value


@pytest.mark.parametrize("text", ["beaucoup", "1,2,3", "--5", "1 2x", "12 %", "€", "€€", "EUR"])
def test_parse_amount_unreadable(text):
    with pytest.raises(ValueError):  # noqa: PT011
        imports.parse_amount(text)
