"""Aid schemes in the browser: the manager finds a call closing soon, opens its detection
and informs the EPCIs; the pages pass axe and raise no CSP violation."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.e2e.test_accessibility import assert_accessible
from tests.factories import EstablishmentFactory
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def call():
    world = build_world()
    scheme = AidSchemeFactory(
        title="Appel décarbonation régional",
        geo_included=["REG-32"],
        naf_codes=["29"],  # a precise activity: a reason to contact its establishments
        themes=["decarbonation"],
        level="regional",
    )
    CallWindowFactory(
        scheme=scheme, label="Vague 2", closes_on=timezone.localdate() + dt.timedelta(days=12)
    )
    for key in ("e1", "e2"):
        EstablishmentFactory(epci=world.epcis[key], own_name=f"Forges témoins {key}")
    return world, scheme


def test_from_the_dashboard_to_informing_the_epcis(page, login_as, browser_errors, call):
    from playwright.sync_api import expect

    world, _ = call
    login_as(page.context, world.users["manager"])
    page.goto("/")
    page.get_by_role("link", name="Appel décarbonation régional").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Appel décarbonation régional")
    page.get_by_role("link", name="Entreprises concernées").click()
    # One EPCI at a time: each has its tab with its count.
    expect(page.get_by_text("Forges témoins e2")).to_be_visible()
    page.get_by_role("link", name="CA du Premier — 1").click()
    expect(page.get_by_text("Forges témoins e1")).to_be_visible()
    page.get_by_role("link", name="Informer les EPCI…").click()
    # Nothing leaves before the preview is confirmed.
    expect(page.get_by_text("Rien n'est envoyé avant votre confirmation")).to_be_visible()
    page.get_by_label("Message d'accompagnement").fill("À relayer auprès du club.")
    page.get_by_role("button", name="Mettre à jour l'aperçu").click()
    expect(page.get_by_text("À relayer auprès du club.").first).to_be_visible()
    page.get_by_role("button", name="Confirmer l'envoi").click()
    expect(page.get_by_text("Courriel envoyé à")).to_be_visible()
    # A second time, the preview says who was already informed, and nothing new is sent.
    page.get_by_role("link", name="Informer les EPCI…").click()
    expect(page.get_by_text("Déjà informé le").first).to_be_visible()
    browser_errors.assert_none()


@pytest.fixture
def audit_context(new_context):
    # axe is injected as a script tag, which the app's CSP would refuse (as in
    # test_accessibility.py).
    return new_context(bypass_csp=True)


@pytest.mark.parametrize(
    "path", ["/dispositifs/", "/dispositifs/calendrier/", "/dispositifs/alertes/", "detail"]
)
def test_aids_pages_are_accessible(path, audit_context, axe_js, login_as, call):
    world, scheme = call
    login_as(audit_context, world.users["manager"])
    assert_accessible(
        audit_context, axe_js, scheme.get_absolute_url() if path == "detail" else path
    )
