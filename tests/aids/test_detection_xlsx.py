"""The detection XLSX goes through the one XLSX helper: every sheet has a bold, frozen and
filtered header and fitted widths."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


def test_every_sheet_of_the_detection_export_is_formatted(world, login):
    scheme = AidSchemeFactory(title="Appel industrie", geo_included=["REG-32"], naf_codes=["C"])
    CallWindowFactory(scheme=scheme)
    for key in ("e1", "e2"):  # industrial, in the core target: detected
        EstablishmentFactory(epci=world.epcis[key], naf_code="25.62A", naf_section="C")
    response = login(world.users["agent_e1"]).get(
        reverse("aids:detection_export", args=[scheme.pk])
    )
    assert response.status_code == 200
    assert f'filename="detection-dispositif-{scheme.pk}-' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Tous les EPCI", "CA du Deuxième", "CA du Premier"]
    for sheet in workbook.worksheets:
        header = next(sheet.iter_rows(max_row=1))
        assert header[0].value == "EPCI"
        assert all(cell.font.b for cell in header)
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{sheet.max_row}"
        widths = [sheet.column_dimensions[cell.column_letter].width for cell in header]
        assert all(6 <= width <= 60 for width in widths)
    assert workbook["Tous les EPCI"].max_row == 3
    assert workbook["CA du Premier"].max_row == 2
