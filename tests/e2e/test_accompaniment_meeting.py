"""Wednesday, on site with a tablet: the TI manager runs a meeting on the interview guide.

The answers save themselves as they are given (htmx, no « save » click); a need, a project
and an action are added from the meeting page; the establishment's timeline then shows the
meeting and what it produced, and the prospecting target has become « rencontré ». No page
may raise a console error or a Content-Security-Policy violation.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pilote.accompaniment.models import Action, Answer, Interaction, Need, Project
from pilote.prospecting.enums import TargetStatus
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def question(page, interaction, key):
    q = interaction.guide_version.questions.get(key=key)
    return page.locator(f"#question-{q.pk}")


def test_manager_runs_a_meeting_on_the_guide(page, browser_errors, login_as, context):
    world = build_world()
    manager, agent = world.users["manager"], world.users["agent_e1"]
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Forges de l'Escaut")
    )
    target = TargetFactory(
        campaign=campaign_of(world), establishment=site, status=TargetStatus.CONTACTED
    )
    login_as(context, manager)
    page.set_viewport_size(TABLET)

    page.goto(site.get_absolute_url())
    page.get_by_role("link", name="Mener un entretien").click()
    expect(page.get_by_role("heading", level=1, name="Nouvel échange")).to_be_visible()
    page.get_by_role("combobox", name="Type d'échange").select_option(label="Visite sur site")
    page.locator("label", has_text=str(agent)).click()  # the EPCI agent came too
    page.get_by_role("textbox", name="Compte rendu (pour l'équipe)").fill(
        "Visite de l'atelier de forge."
    )
    page.get_by_role("spinbutton", name="Temps passé (en minutes)").fill("150")
    expect(page.get_by_role("checkbox", name=re.compile("Mener l'entretien"))).to_be_checked()
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Entretien avec Forges de l'Escaut")
    interaction = Interaction.objects.get()
    assert interaction.with_epci
    assert interaction.time_spent_minutes == 150
    assert interaction.guide_version.number == 1
    for theme in ("Emploi et compétences", "Développement de l'outil productif", "Innovation",
                  "Export", "Transition écologique", "Industrie du futur"):  # fmt: skip
        expect(page.get_by_role("heading", level=2, name=theme)).to_be_visible()

    # Answers save on change, without pressing any button.
    block = question(page, interaction, "recrutements_prevus")
    block.locator("label", has_text=re.compile(r"^Oui$")).click()
    expect(block.get_by_role("status")).to_contain_text("Réponse enregistrée")
    block = question(page, interaction, "effectif")
    block.get_by_role("textbox").fill("45")
    block.get_by_role("textbox").press("Tab")
    expect(block.get_by_role("status")).to_contain_text("Réponse enregistrée")
    block = question(page, interaction, "leviers_te")
    block.locator("label", has_text="Chaleur fatale").click()
    expect(block.get_by_role("status")).to_contain_text("Réponse enregistrée")
    block.locator("label", has_text="Électrification des procédés").click()
    expect(block.get_by_role("status")).to_contain_text("Réponse enregistrée")
    block = question(page, interaction, "effectif")
    block.get_by_role("textbox").fill("quarante")
    block.get_by_role("textbox").press("Tab")
    expect(block.get_by_role("status")).to_contain_text("Saisissez un nombre")
    block.get_by_role("textbox").fill("46")
    block.get_by_role("textbox").press("Tab")
    expect(block.get_by_role("status")).to_contain_text("Réponse enregistrée")

    answers = {a.question.key: a for a in Answer.objects.select_related("question")}
    assert answers["recrutements_prevus"].boolean is True
    assert answers["effectif"].number == Decimal("46")
    assert answers["leviers_te"].choices == ["Chaleur fatale", "Électrification des procédés"]

    # A need, a project and an action, added from the meeting page.
    produced = page.locator("#produits-zone")
    page.get_by_role("button", name="Ajouter un besoin").click()
    form = page.locator("#ajout-need")
    form.get_by_label("Thème").select_option(label="Emploi et compétences")
    form.get_by_label("Description").fill("Pénurie de soudeurs qualifiés")
    form.get_by_label("Urgence").select_option(label="Forte")
    form.get_by_role("button", name="Ajouter ce besoin").click()
    expect(produced).to_contain_text("Pénurie de soudeurs qualifiés")
    expect(form.get_by_text("Le besoin est enregistré.")).to_be_visible()

    page.get_by_role("button", name="Ajouter un projet").click()
    form = page.locator("#ajout-project")
    form.get_by_label("Type de projet").select_option(label="Décarbonation")
    form.get_by_role("button", name="Ajouter ce projet").click()  # the title is missing
    expect(form.get_by_text("Ce champ est obligatoire.")).to_be_visible()
    form.get_by_label("Intitulé").fill("Four électrique à induction")
    form.get_by_label("Investissement (€)").fill("1 200 000")
    form.get_by_label("Emplois créés").fill("15")
    form.get_by_role("button", name="Ajouter ce projet").click()
    expect(produced).to_contain_text("Four électrique à induction")
    expect(produced).to_contain_text("1\xa0200\xa0000,00\xa0€")

    due = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_role("button", name="Ajouter une action").click()
    form = page.locator("#ajout-action")
    form.get_by_role("textbox", name="Action", exact=True).fill(
        "Envoyer la fiche Fonds chaleur ADEME"
    )
    form.get_by_label("Responsable").select_option(label=str(agent))
    form.get_by_label("Échéance").fill(due.isoformat())
    form.get_by_role("button", name="Ajouter cette action").click()
    expect(produced).to_contain_text("Envoyer la fiche Fonds chaleur ADEME")

    need, project, action = Need.objects.get(), Project.objects.get(), Action.objects.get()
    assert (need.interaction, project.interaction, action.interaction) == (interaction,) * 3
    assert project.investment_amount == Decimal("1200000.00")
    assert project.jobs_created == 15
    assert (action.owner, action.due_date) == (agent, due)
    assert need.visibility == interaction.visibility  # follows the meeting's

    # The establishment's timeline shows the meeting and what it produced.
    page.goto(site.get_absolute_url())
    timeline = page.locator(".pilote-timeline")
    expect(
        timeline.get_by_role("link", name=re.compile("Visite sur site — entretien"))
    ).to_be_visible()
    expect(timeline.get_by_role("link", name=re.compile("Pénurie de soudeurs"))).to_be_visible()
    expect(timeline.get_by_role("link", name="Four électrique à induction")).to_be_visible()
    expect(
        timeline.get_by_role("link", name="Envoyer la fiche Fonds chaleur ADEME")
    ).to_be_visible()
    expect(timeline).to_contain_text("Sensibilisation")
    expect(timeline).to_contain_text("rencontré")
    target.refresh_from_db()
    assert target.status == TargetStatus.MET

    # The meeting's page reads the answers back.
    timeline.get_by_role("link", name=re.compile("Visite sur site — entretien")).click()
    expect(page.get_by_text("Chaleur fatale, Électrification des procédés")).to_be_visible()

    browser_errors.assert_none()


@pytest.fixture
def audit_context(new_context):
    # axe is injected as a script tag, which the app's CSP (script-src 'self') would refuse.
    return new_context(bypass_csp=True)


def test_accompaniment_pages_pass_axe(audit_context, axe_js, login_as):
    from tests.accompaniment.factories import NeedFactory, answer_to, meeting_of, written_by
    from tests.e2e.test_accessibility import audit, report

    world = build_world()
    meeting = meeting_of(world, author="manager")
    answer_to(meeting, "zones_export", text="Belgique")
    need = NeedFactory(
        establishment=meeting.establishment, interaction=meeting, **written_by(world, "manager")
    )
    from pilote.accompaniment import services

    draft = services.guide_start_draft(
        acting_user=world.users["manager"], guide=meeting.guide_version.guide
    )
    login_as(audit_context, world.users["manager"])
    paths = [
        "/accompagnement/trame/brouillon/",
        f"/accompagnement/trame/questions/{draft.questions.first().pk}/modifier/",
        f"/accompagnement/echanges/{meeting.pk}/entretien/",
        meeting.get_absolute_url(),
        need.get_absolute_url(),
        "/accompagnement/echanges/",
        "/accompagnement/besoins/",
        "/accompagnement/trame/",
        f"/accompagnement/echanges/nouveau/?etablissement={meeting.establishment.siret}",
        f"/accompagnement/etablissement/{meeting.establishment.siret}/niveau/",
        f"/accompagnement/echanges/{meeting.pk}/supprimer/",  # the confirmation page
        f"/accompagnement/etablissement/{meeting.establishment.siret}/visite/",
        "/accompagnement/ma-semaine/",
    ]
    problems = [report(path, v) for path in paths if (v := audit(audit_context, axe_js, path))]
    assert not problems, "\n".join(problems)


def test_an_interaction_entered_twice_is_deleted_after_confirmation(
    page, browser_errors, login_as, context
):
    """Thursday: the EPCI agent sees the same visit twice on the establishment's page, writes
    a message for the company on the first one and deletes the second."""
    from tests.accompaniment.factories import NeedFactory, meeting_of, written_by

    world = build_world()
    agent = world.users["agent_e1"]
    kept = meeting_of(world, author="agent_e1", summary="Visite de l'atelier")
    twice = meeting_of(world, author="agent_e1", establishment=kept.establishment)
    need = NeedFactory(
        establishment=kept.establishment, interaction=twice, **written_by(world, "agent_e1")
    )
    login_as(context, agent)

    page.goto(f"{kept.get_absolute_url()}modifier/")
    page.get_by_role("textbox", name=re.compile("Message pour l'entreprise")).fill(
        "Merci pour la visite ; nous revenons vers vous avec **Bpifrance**."
    )
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".pilote-prose strong", has_text="Bpifrance")).to_be_visible()

    page.goto(twice.get_absolute_url())
    page.get_by_role("link", name="Supprimer l'échange").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supprimer l'échange")
    expect(page.get_by_text("sont conservés, sans lien avec lui")).to_be_visible()
    page.get_by_role("button", name="Supprimer définitivement").click()

    expect(page.get_by_text("L'échange est supprimé.")).to_be_visible()
    assert list(Interaction.objects.all()) == [kept]
    need.refresh_from_db()
    assert need.interaction is None
    kept.refresh_from_db()
    assert "Bpifrance" in kept.company_summary
    browser_errors.assert_none()
