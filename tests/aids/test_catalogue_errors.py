"""Files that are not a usable catalogue, through the command and the web import: a French
message naming the line, a non-zero exit, never a traceback, and nothing imported."""

import csv
import io
import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from pilote.aids import etalab
from pilote.aids.enums import Schema
from pilote.aids.models import AidScheme
from tests.aids.factories import AidSchemeFactory

pytestmark = pytest.mark.django_db

BIG = 10 * 1024 * 1024  # a 10 MB field


def record(**values) -> dict:
    """A valid record of the base schema."""
    return {
        "id": str(uuid.uuid4()),
        "titre": "Prêt industrie du futur",
        "description": "Un prêt sans garantie.",
        "eligibilite": "PME industrielles",
        "types_aides": "pret",
        "porteurs": "[{nom: 'BPIFRANCE', roles: ['financeur']}]",
        "cibles": "professionnels",
        "eligibilite_geographique": "REG-32",
        "date_mise_a_jour": "2026-05-12T09:30:00Z",
        **values,
    }


def catalogue(*records: dict) -> bytes:
    stream = io.StringIO(newline="")
    writer = csv.DictWriter(stream, fieldnames=etalab.columns(Schema.BASE), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    return stream.getvalue().encode("utf-8")


def command(tmp_path, content: bytes, *args) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `import_dispositifs` on a file holding `content`
    (a CommandError is what Django turns into « CommandError: … » and exit code 1)."""
    path = tmp_path / "catalogue.csv"
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_dispositifs", str(path), *args, stdout=out, stderr=err)
    except CommandError as error:
        return 1, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_a_valid_file_still_ends_with_its_json_line_and_exit_code_0(tmp_path):
    code, out, _ = command(tmp_path, catalogue(record(), record()), "--wet-run")
    assert code == 0
    assert json.loads(out) == {"read": 2, "kept": 2, "created": 2, "updated": 0, "rejected": 0}


def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_bad_byte(tmp_path):
    content = catalogue(record(), record(titre="Aide à l'export")).replace(
        "Aide à".encode(), "Aide à".encode("latin-1")
    )
    code, out, err = command(tmp_path, content, "--wet-run")
    assert code == 1
    assert "n'est pas en UTF-8 (octet invalide ligne 3)" in err
    assert "Rien n'a été importé" in err
    assert out == ""
    assert not AidScheme.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\xff\xd8", "pas en UTF-8"),
        (bytes(range(1, 128)) * 50 + b"\x00" * 100, "En-tête non reconnu (ligne 1)"),
    ],
    ids=["an image", "control characters"],
)
def test_a_binary_file_is_refused_in_french(tmp_path, content, message):
    code, _, err = command(tmp_path, content, "--wet-run")
    assert code == 1
    assert message in err
    assert not AidScheme.objects.exists()


def test_a_10_mb_field_refuses_the_whole_file_naming_its_record_and_line(tmp_path):
    content = catalogue(record(), record(description="x" * BIG), record())
    code, out, err = command(tmp_path, content, "--wet-run")
    assert code == 1
    assert "enregistrement 2 (ligne 3) : un champ dépasse 131 072 caractères" in err
    assert out == ""
    assert not AidScheme.objects.exists()  # not even the valid first record


@pytest.mark.parametrize("wet_run", [True, False])
def test_a_file_whose_every_record_is_rejected_exits_with_an_error(tmp_path, wet_run):
    content = catalogue(record(id="pas-un-uuid"), record(titre=""))
    code, out, err = command(tmp_path, content, *(["--wet-run"] if wet_run else []))
    assert code == 1
    assert json.loads(out) == {"read": 2, "kept": 0, "created": 0, "updated": 0, "rejected": 2}
    assert "enregistrement 1 (ligne 2), champ id" in err
    assert "enregistrement 2 (ligne 3), champ titre : valeur obligatoire" in err
    assert "Aucun enregistrement valide : les 2 enregistrement(s) du fichier ont été écartés" in err
    assert not AidScheme.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Le fichier est vide"),
        (b"\xef\xbb\xbf\r\n", "Le fichier est vide"),
        (catalogue(), "aucun enregistrement : rien après l'en-tête (ligne 1)"),
    ],
    ids=["empty", "a BOM and a blank line", "a header only"],
)
def test_an_empty_file_or_a_header_alone_says_so_and_exits_with_an_error(
    tmp_path, content, message
):
    code, out, err = command(tmp_path, content, "--wet-run")
    assert code == 1
    assert message in err
    assert "Schéma reconnu" not in err  # no schema is guessed for a file without records
    assert out == ""


def test_a_nul_character_is_an_invalid_value_with_its_record_and_line(tmp_path):
    content = catalogue(record(), record(titre="Prêt\x00 industrie"))
    code, out, err = command(tmp_path, content, "--wet-run")
    assert code == 0  # the other record is kept, like any other invalid value
    assert json.loads(out)["rejected"] == 1
    assert "enregistrement 2 (ligne 3), champ titre : caractère nul (\\x00) interdit" in err
    assert AidScheme.objects.get().title == "Prêt industrie du futur"  # the only one stored


def test_a_formula_like_text_is_exported_with_a_quote_and_reimported_unchanged(tmp_path):
    scheme = AidSchemeFactory(title='=HYPERLINK("https://exemple.invalid")', promise="-2+3")
    path = tmp_path / "export.csv"
    call_command("export_dispositifs", str(path), stderr=io.StringIO())
    exported = path.read_bytes()
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8"), newline="")))
    assert (rows[0]["titre"], rows[0]["promesse"]) == ("'" + scheme.title, "'-2+3")
    code, out, _ = command(tmp_path, exported, "--wet-run")
    assert code == 0
    assert json.loads(out) == {"read": 1, "kept": 1, "created": 0, "updated": 0, "rejected": 0}
    scheme.refresh_from_db()
    assert (scheme.title, scheme.promise) == ('=HYPERLINK("https://exemple.invalid")', "-2+3")


# -- the web import --------------------------------------------------------------------------


def upload(client, content: bytes, action: str = "import"):
    file = SimpleUploadedFile("catalogue.csv", content, content_type="text/csv")
    return client.post(reverse("aids:import"), {"file": file, "action": action})


def test_the_web_import_refuses_a_field_over_128_kib_naming_its_line(world, login):
    client = login(world.users["admin"])
    content = catalogue(record(), record(), record(eligibilite="x" * (128 * 1024 + 1)))
    response = upload(client, content)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == [
        "enregistrement 3 (ligne 4) : un champ dépasse 131 072 caractères, la taille maximale "
        "d'un champ ; corrigez cette ligne puis recommencez. Rien n'a été importé."
    ]
    assert "enregistrement 3 (ligne 4)" in response.content.decode()
    assert not AidScheme.objects.exists()  # the two valid records are not imported alone


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (catalogue(), "aucun enregistrement"),
        ("titre;prix\né;1\n".encode("latin-1"), "pas en UTF-8 (octet invalide ligne 2)"),
    ],
    ids=["a header only", "latin-1"],
)
def test_the_web_import_says_why_a_file_is_refused(world, login, content, message):
    response = upload(login(world.users["admin"]), content, "check")
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert response.context["report"] is None
