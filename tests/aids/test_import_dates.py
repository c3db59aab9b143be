"""Plausible dates in the etalab import: the import refuses the dates the scheme form
refuses (the same `core.validators`, the same French message), naming the record, its line
and the field, and keeps the other records."""

import datetime as dt
import html
import io
import json

import pytest
from django.utils import timezone

from pilote.aids import etalab
from pilote.aids.enums import Schema
from pilote.aids.forms import SchemeForm
from pilote.aids.models import AidScheme
from pilote.aids.services import catalogue_import
from pilote.core.models import AuditEvent
from tests.aids.factories import AidSchemeFactory
from tests.aids.test_catalogue_errors import catalogue, command, record, upload

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TOO_EARLY = "La date d'ouverture ne peut pas précéder le 01/01/1990."


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


LAST = years_after(TODAY, 10)  # the last plausible opening or closing
TOO_LATE = (
    f"La date de clôture ne peut pas dépasser le {LAST:%d/%m}/{LAST.year:04d} "
    "(10 ans après aujourd'hui)."
)


def errors_of(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("enregistrement ")]


def test_implausible_dates_are_rejected_with_their_record_line_and_reason(tmp_path):
    content = catalogue(
        record(titre="Bon 1", date_ouverture="2026-01-01T00:00:00Z"),
        record(titre="An 1", date_ouverture="0001-01-01T00:00:00Z"),
        record(titre="An 2200", date_cloture="2200-12-31T23:59:59+01:00"),
        record(titre="Illisible", date_ouverture="31/12/2026"),
        record(titre="Inexistante", date_cloture="2026-02-30T00:00:00Z"),
        record(
            titre="A l'envers",
            date_ouverture="2026-06-01T00:00:00Z",
            date_cloture="2026-05-01T00:00:00Z",
        ),
        record(titre="Mise à jour future", date_mise_a_jour="2200-01-01T00:00:00Z"),
        record(titre="Mise à jour ancienne", date_mise_a_jour="1989-12-31T12:00:00Z"),
        record(titre="An 1 décalé", date_ouverture="0001-01-01T00:00:00+01:00"),
        record(titre="An 9999 décalé", date_cloture="9999-12-31T23:59:59-05:00"),
        record(
            titre="Bon 2",
            date_ouverture="1990-01-01T00:00:00",
            date_cloture=f"{LAST.isoformat()}T23:59:59",
        ),
    )
    code, out, err = command(tmp_path, content, "--wet-run")
    assert code == 0
    assert json.loads(out) == {"read": 11, "kept": 2, "created": 2, "updated": 0, "rejected": 9}
    # The header is line 1: record N starts on line N + 1.
    assert errors_of(err) == [
        f"enregistrement 2 (ligne 3), champ date_ouverture : {TOO_EARLY}",
        f"enregistrement 3 (ligne 4), champ date_cloture : {TOO_LATE}",
        "enregistrement 4 (ligne 5), champ date_ouverture : « 31/12/2026 » n'est pas une date "
        "ISO 8601",
        "enregistrement 5 (ligne 6), champ date_cloture : « 2026-02-30T00:00:00Z » n'est pas "
        "une date ISO 8601",
        "enregistrement 6 (ligne 7), champ date_cloture : avant l'ouverture",
        "enregistrement 7 (ligne 8), champ date_mise_a_jour : La date de mise à jour ne peut "
        "pas être dans le futur.",
        "enregistrement 8 (ligne 9), champ date_mise_a_jour : La date de mise à jour ne peut "
        "pas précéder le 01/01/1990.",
        f"enregistrement 9 (ligne 10), champ date_ouverture : {TOO_EARLY}",
        f"enregistrement 10 (ligne 11), champ date_cloture : {TOO_LATE}",
    ]
    assert sorted(AidScheme.objects.values_list("title", flat=True)) == ["Bon 1", "Bon 2"]
    good = AidScheme.objects.get(title="Bon 2")
    assert timezone.localtime(good.opens_at).date() == dt.date(1990, 1, 1)
    assert timezone.localtime(good.closes_at).date() == LAST


def test_the_import_and_the_form_refuse_a_date_with_the_same_message():
    for date in ["0001-01-01", "1989-12-31", years_after(LAST, 1).isoformat()]:
        form = SchemeForm({"titre": "Aide", "date_ouverture": date})
        assert not form.is_valid()
        stream = io.StringIO(catalogue(record(date_ouverture=date)).decode(), newline="")
        report = catalogue_import(acting_user=None, stream=stream)
        assert [e.message for e in report.errors] == form.errors["date_ouverture"]
        assert report.summary()["rejected"] == 1


def test_the_validators_are_those_of_the_model_fields_the_form_uses():
    fields = SchemeForm.base_fields
    validators = etalab.date_validators()
    assert validators["date_ouverture"] == fields["date_ouverture"].validators
    assert validators["date_cloture"] == fields["date_cloture"].validators


def test_a_bad_date_leaves_the_stored_scheme_as_it_was_and_the_others_are_updated(tmp_path):
    kept = AidSchemeFactory(title="Ancien titre")
    touched = AidSchemeFactory(title="Avant")
    content = catalogue(
        record(id=kept.etalab_id, titre="Nouveau titre", date_cloture="2200-01-01T00:00:00Z"),
        record(id=touched.etalab_id, titre="Après", date_cloture="2027-01-01T00:00:00Z"),
    )
    code, out, err = command(tmp_path, content, "--wet-run")
    assert code == 0
    assert json.loads(out) == {"read": 2, "kept": 1, "created": 0, "updated": 1, "rejected": 1}
    assert errors_of(err) == [f"enregistrement 1 (ligne 2), champ date_cloture : {TOO_LATE}"]
    kept.refresh_from_db()
    touched.refresh_from_db()
    assert (kept.title, kept.closes_at) == ("Ancien titre", None)
    assert touched.title == "Après"
    assert not AuditEvent.objects.filter(action="aid_scheme.import_update", object_id=kept.pk)


def test_without_wet_run_a_bad_date_is_reported_and_nothing_is_written(tmp_path):
    content = catalogue(record(), record(date_ouverture="2200-01-01T00:00:00Z"))
    code, out, err = command(tmp_path, content)
    assert code == 0
    assert json.loads(out) == {"read": 2, "kept": 1, "created": 1, "updated": 0, "rejected": 1}
    assert "enregistrement 2 (ligne 3), champ date_ouverture : La date d'ouverture" in err
    assert not AidScheme.objects.exists()


def test_a_file_of_implausible_dates_only_exits_with_an_error(tmp_path):
    content = catalogue(record(date_ouverture="0001-01-01T00:00:00Z"))
    code, _, err = command(tmp_path, content, "--wet-run")
    assert code == 1
    assert f"enregistrement 1 (ligne 2), champ date_ouverture : {TOO_EARLY}" in err
    assert "Aucun enregistrement valide" in err
    assert not AidScheme.objects.exists()


def test_the_web_import_shows_the_reason_and_the_record(world, login):
    client = login(world.users["admin"])
    content = catalogue(record(titre="Bon"), record(date_ouverture="0001-01-01T00:00:00Z"))
    response = upload(client, content, "import")
    assert response.status_code == 200
    report = response.context["report"]
    assert [(e.record, e.line, e.field, e.message) for e in report.errors] == [
        (2, 3, "date_ouverture", TOO_EARLY)
    ]
    assert TOO_EARLY in html.unescape(response.content.decode())
    assert list(AidScheme.objects.values_list("title", flat=True)) == ["Bon"]


@pytest.mark.parametrize("schema", [Schema.BASE, Schema.PRO])
def test_both_schemas_check_the_dates(schema):
    row = record(date_ouverture="0001-01-01", ciblage_secteur_activite="industrie")
    result = etalab.validate(schema, row, number=7, line=9)
    assert [str(e) for e in result.errors] == [
        f"enregistrement 7 (ligne 9), champ date_ouverture : {TOO_EARLY}"
    ]
