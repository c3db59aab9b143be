"""Detection of a call: exactly the targeted establishments (eligible, in the industrial
perimeter, with a reason to be contacted), by EPCI; the XLSX export; and « informer les
EPCI » through a real SMTP server: preview, confirmation, one email per EPCI with its own
list attached, idempotent per call window."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from pilote.aids.models import Dispatch
from pilote.core.models import AuditEvent
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
        EstablishmentFactory(  # eligible, but no reason to call
            epci=epci, headcount_band="02", company__headcount_band="02"
        )
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
    assert "Activité : 29.32Z" in text
    assert "Effectif cible : 50 à 99 salariés" in text
    assert "Informer les EPCI" not in text  # the TI manager's action


def _confirm(client, scheme, message=""):
    """Read the preview, then confirm the plan it shows."""
    url = reverse("aids:inform", args=[scheme.pk])
    page = client.get(url).content.decode()
    key = re.search(r'name="plan" value="([0-9a-f]+)"', page)
    assert key, "no confirmation form"
    return client.post(url, {"message": message, "plan": key.group(1), "confirm": "oui"})


def test_informing_the_epcis_emails_each_only_its_own_list(
    call, world, login, smtp_server, django_capture_on_commit_callbacks
):
    scheme, eligible = call
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(client, scheme, "Bonjour à tous,\nÀ relayer, merci.")
    assert response.status_code == 302
    received = {tuple(rcpt): message for rcpt, message in smtp_server.messages}
    assert set(received) == {("agent_e1@exemple.fr",), ("agent_e2@exemple.fr",)}
    for key, other in (("e1", "e2"), ("e2", "e1")):
        message = received[(f"agent_{key}@exemple.fr",)]
        text = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Appel industrie régional" in message["Subject"]
        for body in (text, html):
            assert body.lower().count("bonjour") == 1  # the message's greeting, not two
            assert not any(siret in body for siret in eligible[key] | eligible[other])
        assert "À relayer, merci." in text
        assert "2 établissements" in text
        [attachment] = list(message.iter_attachments())
        assert attachment.get_filename().endswith(".xlsx")
        workbook = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
        for sheet in workbook.worksheets:
            assert {row[1] for row in list(sheet.iter_rows(values_only=True))[1:]} == eligible[key]
    dispatches = Dispatch.objects.order_by("epci__name")
    assert [(d.epci.name, d.visibility) for d in dispatches] == [
        ("CA du Deuxième", "epci"),
        ("CA du Premier", "epci"),
    ]
    assert {line.establishment.siret for line in dispatches[1].lines.all()} == eligible["e1"]
    assert AuditEvent.objects.filter(action="dispatch.create").count() == 2


def test_without_a_message_the_email_greets_once(
    call, world, login, smtp_server, django_capture_on_commit_callbacks
):
    scheme, _ = call
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(login(world.users["manager"]), scheme)
    assert len(smtp_server.messages) == 2
    for _, message in smtp_server.messages:
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert text.replace("\r\n", "\n").startswith("Bonjour,\n\nL'appel")
        assert text.count("Bonjour") == 1


def test_the_preview_names_recipients_and_counts_and_sends_nothing(
    call, world, login, smtp_server, django_capture_on_commit_callbacks
):
    scheme, _ = call
    client = login(world.users["manager"])
    url = reverse("aids:inform", args=[scheme.pk])
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.get(url)
        posted = client.post(url, {"message": "Un mot"})  # no confirmation: a new preview
        unconfirmed = client.post(url, {"message": "Un mot", "confirm": "oui", "plan": "x"})
    for response in (preview, posted, unconfirmed):
        assert response.status_code == 200
        text = response.content.decode()
        assert "agent_e1@exemple.fr — 2 établissements" in text
        assert "agent_e2@exemple.fr — 2 établissements" in text
        assert "CA du Premier : 2 établissements à agent_e1@exemple.fr" in text
        assert "Objet : Appel industrie régional : 2 entreprises de CA du Premier" in text
    assert "Un mot" in posted.content.decode()
    assert "La liste a changé depuis l&#x27;aperçu" in unconfirmed.content.decode()
    assert smtp_server.messages == []
    assert not Dispatch.objects.exists()


def test_a_second_inform_sends_nothing_and_says_so(
    call, world, login, smtp_server, django_capture_on_commit_callbacks
):
    scheme, _ = call
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, scheme)
    assert len(smtp_server.messages) == 2
    today = timezone.localdate().strftime("%d/%m/%Y")
    preview = client.get(reverse("aids:inform", args=[scheme.pk])).content.decode()
    assert preview.count(f"Déjà informé le {today}") == 2
    assert "Confirmer l&#x27;envoi" not in preview
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("aids:inform", args=[scheme.pk]), {"confirm": "oui", "plan": _empty_plan()}
        )
    assert response.status_code == 302
    assert len(smtp_server.messages) == 2  # nothing more
    assert Dispatch.objects.count() == 2
    shown = client.get(response["Location"]).content.decode()
    assert f"CA du Premier : déjà informé le {today}" in shown
    assert AuditEvent.objects.filter(action="dispatch.skip").count() == 2


def test_when_the_list_changed_only_the_new_establishments_are_sent(
    call, world, login, smtp_server, django_capture_on_commit_callbacks
):
    scheme, eligible = call
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, scheme)
    new = EstablishmentFactory(epci=world.epcis["e1"], naf_code="25.11Z", naf_section="C")
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, scheme)
    assert len(smtp_server.messages) == 3
    rcpt, message = smtp_server.messages[-1]
    assert rcpt == ["agent_e1@exemple.fr"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "1 établissement de CA du Premier de plus que la liste envoyée le" in text
    [attachment] = list(message.iter_attachments())
    workbook = load_workbook(io.BytesIO(attachment.get_content()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))[1:]
    assert {row[1] for row in rows} == {new.siret}
    assert not eligible["e1"] & {row[1] for row in rows}


def test_a_new_call_window_informs_again(call, world, login, smtp_server,
                                         django_capture_on_commit_callbacks):  # fmt: skip
    from pilote.aids import services

    scheme, _ = call
    today = timezone.localdate()
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, scheme)
    window = scheme.windows.get()
    assert services.window_start(scheme, today) is None
    # Later, the window closed and a new one opens: the earlier dispatches no longer count.
    CallWindowFactory(
        scheme=scheme,
        opens_on=window.closes_on + dt.timedelta(days=10),
        closes_on=window.closes_on + dt.timedelta(days=60),
    )
    later = window.closes_on + dt.timedelta(days=11)
    scheme = type(scheme).objects.prefetch_related("windows").get(pk=scheme.pk)
    assert services.window_start(scheme, later) == window.closes_on + dt.timedelta(days=1)


def _empty_plan():
    from pilote.aids.services import InformPlan

    return InformPlan(items=[], since=None).key


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


def test_detection_is_targeted_and_ranked(world, login):
    """A national call with no activity condition (like « VTE Territoires d'industrie »):
    only the industrial perimeter, only establishments with a reason to be contacted, a
    known need on a theme of the call first — if the reader may see it."""
    from tests.accompaniment.factories import NeedFactory

    scheme = AidSchemeFactory(
        title="VTE", geo_included=["PAYS-99100"], headcount_max=4999, themes=["emploi_competences"]
    )
    e1 = world.epcis["e1"]
    # Names of their own: a Faker name could also be a user's, shown in the page's header.
    core = EstablishmentFactory(  # 20–199: the TI's target
        epci=e1, headcount_band="21", own_name="Site cible Zéphyr"
    )
    small = EstablishmentFactory(  # no reason to call
        epci=e1, headcount_band="01", company__headcount_band="01", own_name="Atelier Ysope"
    )
    needy = EstablishmentFactory(
        epci=e1, headcount_band="01", company__headcount_band="01", own_name="Forge Quillet"
    )
    shop = EstablishmentFactory(
        epci=e1, naf_code="47.11D", naf_section="G", headcount_band="21", own_name="Épicerie Wolf"
    )
    NeedFactory(
        establishment=needy, theme="employment", author_organisation=world.orgs["o1"]
    )  # visibility « EPCI concerné »: e1's agents and the TI manager see it
    url = reverse("aids:detection", args=[scheme.pk])

    text = login(world.users["agent_e1"]).get(url).content.decode()
    order = [text.find(e.display_name) for e in (needy, core)]
    assert -1 not in order
    assert order == sorted(order)  # the known need first
    assert "Besoin connu : emploi et compétences" in text
    assert small.display_name not in text
    assert shop.display_name not in text
    assert "Classement :" in text

    # Agent of e2 may not see the need: for them, only the core-band establishment.
    text = login(world.users["agent_e2"]).get(url).content.decode()
    assert core.display_name in text
    assert needy.display_name not in text

    export = login(world.users["agent_e1"]).get(reverse("aids:detection_export", args=[scheme.pk]))
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].values)[1:]
    assert [row[1] for row in rows] == [needy.siret, core.siret]


def test_the_page_shows_one_epci_at_a_time_in_numbered_pages(call, world, login):
    scheme, _ = call
    for _ in range(30):
        EstablishmentFactory(epci=world.epcis["e1"], naf_code="25.62A", naf_section="C")
    client = login(world.users["manager"])
    url = reverse("aids:detection", args=[scheme.pk])
    first = client.get(url, {"epci": world.epcis["e1"].pk}).content.decode()
    assert "CA du Premier — 32" in first
    assert "CA du Deuxième — 2" in first
    assert first.count("<tr>") == 1 + 25  # header + one page
    assert f"?epci={world.epcis['e1'].pk}&amp;page=2" in first
    second = client.get(url, {"epci": world.epcis["e1"].pk, "page": 2}).content.decode()
    assert second.count("<tr>") == 1 + 7
    other = client.get(url).content.decode()  # the first EPCI by name
    assert other.count("<tr>") == 1 + 2
