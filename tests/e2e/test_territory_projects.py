"""Territory projects' pages in a browser: at 1280×800 the list, the project's page (carriers,
votes, the milestones' timeline, documents) and its form never scroll sideways, and the
timeline is drawn from CSS classes only (no CSP violation)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pilote.territory_projects import services
from tests.e2e.test_layout import LONG, LONG_NAME, overflows
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.territory_projects.factories import make_project
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_territory_project_pages_fit_1280(page, context, login_as, browser_errors):
    world = build_world()
    manager = world.users["manager"]
    # The demo's longest EPCI name and widest visibility badge.
    world.epcis["e1"].name = "Communauté d'agglomération de la Porte du Hainaut"
    world.epcis["e1"].save()
    today = timezone.localdate()
    projects = []
    for n in range(4):
        site = EstablishmentFactory(
            epci=world.epcis["e1"], company=CompanyFactory(name=f"{LONG_NAME} {n}"),
            own_name=f"{LONG_NAME} — site {n}",
        )  # fmt: skip
        project = make_project(
            world, epci="e1", author="manager", title=f"{LONG} {n}", summary=LONG,
            partners=["e2"], budget="123456789.01", establishments=[site],
            visibility="partners" if n % 2 else "chosen",
        )  # fmt: skip
        services.milestone_add(acting_user=manager, project=project, title=LONG[:200],
                               due_on=today + dt.timedelta(days=30 + n))  # fmt: skip
        services.milestone_add(acting_user=manager, project=project, title="Étude",
                               due_on=today - dt.timedelta(days=10),
                               done_on=today - dt.timedelta(days=12))  # fmt: skip
        services.milestone_add(acting_user=manager, project=project, title="Délibérations",
                               due_on=today - dt.timedelta(days=2))  # fmt: skip
        services.vote_record(
            acting_user=manager, project=project, epci=world.epcis["e1"], voted_on=today,
            outcome="adopte", deliberation_number="DEL-2026-11-0042-CC", note=LONG[:300],
        )  # fmt: skip
        services.document_add(acting_user=manager, project=project, upload=SimpleUploadedFile(
            f"{LONG[:80]}.txt", b"Compte rendu"))  # fmt: skip
        projects.append(project)
    assert sum(c.share for c in projects[0].carriers.all()) == Decimal("123456789.01")
    page.set_viewport_size({"width": 1280, "height": 800})
    login_as(context, manager)
    paths = [
        reverse("territory_projects:list"),
        projects[0].get_absolute_url(),
        reverse("territory_projects:edit", args=[projects[0].pk]),
        reverse("territory_projects:create"),
    ]
    problems = [problem for path in paths for problem in overflows(page, path)]
    assert not problems, "Défilement horizontal à 1280 px :\n" + "\n".join(problems)
    page.goto(projects[0].get_absolute_url())
    states = page.eval_on_selector_all(
        ".pilote-milestones > li", "items => items.map(i => i.className)"
    )
    assert states == [
        "pilote-milestones__item pilote-milestones__item--done",
        "pilote-milestones__item pilote-milestones__item--late",
        "pilote-milestones__today",
        "pilote-milestones__item pilote-milestones__item--upcoming",
    ]
    # The dots come from the stylesheet: a late milestone's is not the upcoming one's colour.
    colours = page.eval_on_selector_all(
        ".pilote-milestones__item",
        "items => items.map(i => getComputedStyle(i, '::before').borderTopColor)",
    )
    assert len(set(colours)) == 3
    browser_errors.assert_none()


@pytest.fixture
def audit_context(new_context):
    # axe is injected as a script tag, which the app's CSP (script-src 'self') would refuse.
    return new_context(bypass_csp=True)


def test_territory_project_pages_pass_axe(audit_context, axe_js, login_as):
    from tests.e2e.test_accessibility import assert_accessible

    world = build_world()
    manager = world.users["manager"]
    # The demo's longest EPCI name and widest visibility badge.
    world.epcis["e1"].name = "Communauté d'agglomération de la Porte du Hainaut"
    world.epcis["e1"].save()
    project = make_project(world, epci="e1", author="manager", partners=["e2"])
    services.milestone_add(acting_user=manager, project=project, title="Lancement",
                           due_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    login_as(audit_context, manager)
    for path in (
        reverse("territory_projects:list"),
        project.get_absolute_url(),
        reverse("territory_projects:edit", args=[project.pk]),
    ):
        assert_accessible(audit_context, axe_js, path)
