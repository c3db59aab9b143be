"""Detection of a call: exactly the eligible establishments, by EPCI; the XLSX export; and
« informer les EPCI » through a real SMTP server, each EPCI receiving only its own list."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pilote.aids.models import Dispatch
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.factories import EstablishmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def call(world):
    """A regional industry call, and in each EPCI of territory A two eligible establishments
    and three that are not (trade, a closed plant, too big)."""
    scheme = AidSchemeFactory(
        title="Appel industrie régional", geo_included=["REG-32"], naf_codes=["C"],
        headcount_max=249,
    )  # fmt: skip
    CallWindowFactory(scheme=scheme)
    eligible = {}
    for key in ("e1", "e2"):
        epci = world.epcis[key]
        eligible[key] = {
            EstablishmentFactory(epci=epci, naf_code="25.62A", naf_section="C").siret,
            EstablishmentFactory(epci=epci, naf_code="29.32Z", naf_section="C").siret,
        }
        EstablishmentFactory(epci=epci, naf_code="47.11D", naf_section="G")
        EstablishmentFactory(epci=epci, state="F")
        big = EstablishmentFactory(epci=epci, headcount_band="41")
        big.company.headcount_band = "41"
        big.company.save()
    EstablishmentFactory(epci=world.epcis["e3"])  # another territory
    return scheme, eligible


def test_the_export_lists_exactly_the_eligible_establishments_per_epci(call, world, login):
    scheme, eligible = call
    client = login(world.users["agent_e1"])
    response = client.get(reverse("aids:detection_export", args=[scheme.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheets = {ws.title: list(ws.iter_rows(values_only=True)) for ws in workbook.worksheets}
    assert set(sheets) == {"Tous les EPCI", "CA du Premier", "CA du Deuxième"}
    for key, name in (("e1", "CA du Premier"), ("e2", "CA du Deuxième")):
        rows = sheets[name]
        assert rows[0][1] == "SIRET"
        assert {row[1] for row in rows[1:]} == eligible[key]
        assert {row[0] for row in rows[1:]} == {name}
    assert {row[1] for row in sheets["Tous les EPCI"][1:]} == eligible["e1"] | eligible["e2"]


def test_the_page_groups_by_epci_with_the_reasons(call, world, login):
    scheme, _ = call
    text = login(world.users["partner"]).get(reverse("aids:detection", args=[scheme.pk]))
    text = text.content.decode()
    assert "CA du Premier — 2" in text
    assert "CA du Deuxième — 2" in text
    assert "Activité : 29.32Z dans C" in text
    assert "Informer les EPCI" not in text  # the TI manager's action


def test_informing_the_epcis_emails_each_only_its_own_list(
    call, world, login, smtp_server, django_capture_on_commit_callbacks
):
    scheme, eligible = call
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("aids:inform", args=[scheme.pk]), {"message": "À relayer, merci."}
        )
    assert response.status_code == 302
    received = {tuple(rcpt): message for rcpt, message in smtp_server.messages}
    assert set(received) == {("agent_e1@exemple.fr",), ("agent_e2@exemple.fr",)}
    for key, other in (("e1", "e2"), ("e2", "e1")):
        message = received[(f"agent_{key}@exemple.fr",)]
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Appel industrie régional" in message["Subject"]
        for body in (text, html):
            assert all(siret in body for siret in eligible[key])
            assert not any(siret in body for siret in eligible[other])
        assert "À relayer, merci." in text
    dispatches = Dispatch.objects.order_by("epci__name")
    assert [(d.epci.name, d.visibility) for d in dispatches] == [
        ("CA du Deuxième", "epci"),
        ("CA du Premier", "epci"),
    ]
    assert {line.establishment.siret for line in dispatches[1].lines.all()} == eligible["e1"]


def test_only_the_ti_manager_informs_the_epcis(call, world, login):
    scheme, _ = call
    for actor in ("agent_e1", "partner", "admin"):
        response = login(world.users[actor]).post(reverse("aids:inform", args=[scheme.pk]))
        assert response.status_code == 404, actor
    assert not Dispatch.objects.exists()


def test_detection_needs_a_membership_of_the_territory(call, world, login):
    scheme, _ = call
    assert (
        login(world.users["nobody"]).get(reverse("aids:detection", args=[scheme.pk])).status_code
        == 404
    )
