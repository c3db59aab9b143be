"""import_depenses: French dates and amounts, rejections with line and reason, idempotence,
dry run."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from pilote.agreement.models import ActualExpense

GOOD = (
    "date;nature;libelle;montant\n"
    "30/09/2022;salaires_charges;Salaire septembre;7 113,75 €\n"
    "2023-10-31;vehicule;Location véhicule octobre;375,00\n"
    "15/01/2024;fournitures;Papeterie;1234.5\n"
)
BAD = (
    "date;nature;libelle;montant\n"
    "31/02/2023;vehicule;Date impossible;10\n"
    "14/09/2022;vehicule;Avant la convention;10\n"
    "15/09/2024;vehicule;Après la convention;10\n"
    "01/10/2022;cafe;Nature inconnue;10\n"
    "01/10/2022;locaux_moyens;Montant illisible;dix euros\n"
    "\n"
    "01/10/2022;locaux_moyens;Loyer octobre;500,00\n"
)


def run(tmp_path, content, *args, name="depenses.csv"):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    call_command("import_depenses", str(path), *args, stdout=out, stderr=err)
    return json.loads(out.getvalue()), err.getvalue().splitlines()


def counts(read=0, kept=0, created=0, updated=0, rejected=0):
    return {"read": read, "kept": kept, "created": created, "updated": updated,
            "rejected": rejected}  # fmt: skip


@pytest.fixture
def statement(hdc):
    ActualExpense.objects.all().delete()
    return hdc


def test_dry_run_writes_nothing(statement, tmp_path):
    summary, errors = run(tmp_path, GOOD)
    assert summary == counts(read=3, created=3)
    assert errors == []
    assert not ActualExpense.objects.exists()


def test_wet_run_imports_each_line_into_its_year(statement, tmp_path):
    summary, _ = run(tmp_path, GOOD, "--wet-run")
    assert summary == counts(read=3, created=3)
    rows = {e.label: (e.year.number, e.nature, e.amount) for e in ActualExpense.objects.all()}
    assert rows == {
        "Salaire septembre": (1, "salaires_charges", Decimal("7113.75")),
        "Location véhicule octobre": (2, "vehicule", Decimal("375.00")),
        "Papeterie": (2, "fournitures", Decimal("1234.50")),
    }


def test_idempotent_and_a_changed_amount_is_an_update(statement, tmp_path):
    run(tmp_path, GOOD, "--wet-run")
    assert run(tmp_path, GOOD, "--wet-run")[0] == counts(read=3, kept=3)
    changed = GOOD.replace("375,00", "380,00")
    assert run(tmp_path, changed, "--wet-run")[0] == counts(read=3, kept=2, updated=1)
    assert ActualExpense.objects.get(label="Location véhicule octobre").amount == Decimal("380")
    assert ActualExpense.objects.count() == 3


def test_bad_lines_are_rejected_with_line_and_reason(statement, tmp_path):
    summary, errors = run(tmp_path, BAD, "--wet-run")
    assert summary == counts(read=6, created=1, rejected=5)
    assert errors == [
        "ligne 2 : la date « 31/02/2023 » n'est pas une date (JJ/MM/AAAA)",
        "ligne 3 : le 14/09/2022 est hors de la convention (du 15/09/2022 au 14/09/2024)",
        "ligne 4 : le 15/09/2024 est hors de la convention (du 15/09/2022 au 14/09/2024)",
        "ligne 5 : la nature « cafe » est inconnue (attendu : salaires_charges, "
        "locaux_moyens, vehicule, fournitures)",
        "ligne 6 : le montant « dix euros » est illisible",
    ]
    assert list(ActualExpense.objects.values_list("label", flat=True)) == ["Loyer octobre"]


def test_xlsx_with_date_cells(statement, tmp_path):
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Nature", "Libellé", "Montant"])
    sheet.append([dt.date(2023, 3, 31), "locaux_moyens", "Loyer mars", 500])
    buffer = io.BytesIO()
    workbook.save(buffer)
    summary, _ = run(tmp_path, buffer.getvalue(), "--wet-run", name="depenses.xlsx")
    assert summary == counts(read=1, created=1)
    assert ActualExpense.objects.get().year.number == 1


def test_missing_column_reads_nothing(statement, tmp_path):
    with pytest.raises(CommandError, match="colonne\\(s\\) obligatoire\\(s\\) absente"):
        run(tmp_path, "date;nature;montant\n01/10/2022;vehicule;10\n", "--wet-run")
