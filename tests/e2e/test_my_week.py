"""Monday: the TI manager plans a visit from the establishment page, choosing the campaign
that targets it; on the day, « Ma semaine » lists it once and starts the meeting on the
guide; an answer saves itself and the campaign target shows « rencontré ». No page may raise
a console error or a Content-Security-Policy violation."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilote.accompaniment.models import Answer, Interaction
from pilote.prospecting.enums import TargetStatus
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_plans_a_visit_and_starts_it_from_my_week(page, browser_errors, login_as, context):
    world = build_world()
    manager = world.users["manager"]
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Tôlerie du Hainaut")
    )
    campaign = campaign_of(world, name="Campagne métallurgie")
    target = TargetFactory(campaign=campaign, establishment=site, status=TargetStatus.CONTACTED)
    day = timezone.localdate() + dt.timedelta(days=2)
    login_as(context, manager)

    page.goto(site.get_absolute_url())
    page.get_by_role("link", name="Planifier une visite").click()
    expect(page.get_by_role("heading", level=1, name="Planifier une visite")).to_be_visible()
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Heure").fill("10:30")
    expect(page.get_by_role("checkbox", name=str(manager))).to_be_checked()
    page.get_by_label("Campagne de prospection").select_option(label="Campagne métallurgie")
    page.get_by_role("button", name="Planifier la visite").click()
    expect(page.get_by_text("La visite est planifiée.")).to_be_visible()

    interaction = Interaction.objects.get()
    target.refresh_from_db()
    assert interaction.occurred_on == day
    assert target.status == TargetStatus.MEETING_PLANNED
    assert timezone.localtime(target.planned_at).time() == dt.time(10, 30)
    assert timezone.localdate(target.planned_at) == interaction.occurred_on

    # « Ma semaine », from the dashboard: the visit, once, with « Démarrer l'entretien ».
    page.goto("/")
    page.get_by_role("link", name="Ma semaine").first.click()
    expect(page.get_by_role("heading", level=1, name="Ma semaine")).to_be_visible()
    visit = page.locator(f"#echange-{interaction.pk}")
    expect(visit).to_contain_text("Tôlerie du Hainaut")
    expect(page.locator("main").get_by_text("Tôlerie du Hainaut")).to_have_count(1)
    visit.get_by_role("link", name="Démarrer l'entretien").click()
    page.get_by_role("button", name="Démarrer l'entretien").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Entretien avec Tôlerie du Hainaut")

    interaction.refresh_from_db()
    q = interaction.guide_version.questions.get(key="recrutements_prevus")
    block = page.locator(f"#question-{q.pk}")
    block.locator("label", has_text=re.compile(r"^Oui$")).click()
    expect(block.get_by_role("status")).to_contain_text("Réponse enregistrée")
    assert Answer.objects.get().boolean is True

    page.goto(campaign.get_absolute_url())
    expect(page.locator(f"#cible-{target.pk}")).to_contain_text("Rencontré")
    target.refresh_from_db()
    assert target.status == TargetStatus.MET
    assert interaction.occurred_on == timezone.localdate()  # held today

    browser_errors.assert_none()
