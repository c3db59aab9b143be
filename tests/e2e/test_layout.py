"""Lists that fit a 1280 px screen: at 1280×800, no page of the menu and no list one click from
it scrolls sideways, and no table is wider than its container, on a demo-like dataset (long
titles, long texts, large amounts in every list)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from pilote.accompaniment.enums import ActionStatus
from pilote.applications.models import Application
from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.models import Campaign
from tests.accompaniment.factories import (
    ActionFactory,
    DiagnosticFactory,
    InteractionFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    written_by,
)
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.applications.factories import ApplicationFactory
from tests.contacts.factories import ContactFactory
from tests.factories import CompanyFactory, EstablishmentFactory, NoteFactory
from tests.prospecting.factories import TargetFactory, campaign_of, local
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1280, 800
ROWS = 4  # records per list
LONG = (
    "Modernisation complète de la ligne de production et décarbonation du procédé de "
    "traitement thermique des pièces mécaniques de haute précision pour l'aéronautique"
)
LONG_NAME = "Société Industrielle de Mécanique de Précision et de Traitement des Métaux du Nord"

# The menu's pages (TI manager), then the lists one click from them.
MENU_PAGES = [
    "/",
    "/entreprises/",
    "/prospection/",
    "/contacts/",
    "/notes/",
    "/accompagnement/echanges/",
    "/accompagnement/actions/",
    "/accompagnement/trame/",
    "/dispositifs/",
    "/dispositifs/calendrier/",
    "/dispositifs/alertes/",
    "/dispositifs/envois/",
    "/territoire/ti-a/",
    "/comptes/membres/",
    "/programme/",
    "/dossiers/",
]
LIST_PAGES = [
    "/accompagnement/besoins/",
    "/accompagnement/projets/",
    "/accompagnement/diagnostics/",
    "/accompagnement/mises-en-relation/",
    "/prospection/agenda/",
    "/entreprises/filieres/",
]

OVERFLOW_JS = """() => {
  const page = {scroll: document.documentElement.scrollWidth, inner: window.innerWidth};
  const tables = [...document.querySelectorAll("table")].map((table) => {
    const container = table.parentElement;
    return {
      caption: (table.caption && table.caption.textContent.trim()) || table.className,
      scroll: table.scrollWidth,
      client: container.clientWidth,
    };
  }).filter((t) => t.scroll > t.client);
  return {page, tables};
}"""


def build_dataset():
    """The world of tests/world.py with long-titled records in every list of territory A."""
    world = build_world()
    manager = written_by(world, "manager")
    today = timezone.localdate()
    for n in range(ROWS):
        epci = world.epcis["e1" if n % 2 else "e2"]
        company = CompanyFactory(name=f"{LONG_NAME} {n}")
        site = EstablishmentFactory(company=company, epci=epci, own_name=f"{LONG_NAME} — site {n}")
        NoteFactory(title=f"{LONG} {n}", epci=epci, visibility=Visibility.TERRITORY, **manager)
        ContactFactory(
            main_establishment=site,
            last_name="Delacroix-Montbéliard",
            first_name="Marie-Christine",
            role="Directrice administrative, financière et des ressources humaines du site",
            visibility=Visibility.TERRITORY,
            **manager,
        )
        interaction = InteractionFactory(
            establishment=site, summary=LONG, visibility=Visibility.TERRITORY, **manager
        )
        common = {"establishment": site, "visibility": Visibility.TERRITORY, **manager}
        NeedFactory(description=f"{LONG} {n}", interaction=interaction, **common)
        ProjectFactory(title=f"{LONG} {n}", investment_amount=Decimal("123456789.00"), **common)
        DiagnosticFactory(operator="Chambre de commerce et d'industrie Hauts-de-France", **common)
        ReferralFactory(partner_name=LONG_NAME, subject=f"{LONG} {n}", **common)
        ActionFactory(
            title=f"{LONG} {n}",
            owner=manager["author"],
            interaction=interaction,
            status=ActionStatus.TODO,
            due_date=today - dt.timedelta(days=n),
            **common,
        )
        campaign = campaign_of(
            world, epci="e1" if n % 2 else "e2", author="manager", name=f"{LONG} {n}",
            visibility=Visibility.TERRITORY,
        )  # fmt: skip
        TargetFactory(
            campaign=campaign,
            establishment=site,
            status=TargetStatus.MEETING_PLANNED,
            planned_at=local(today + dt.timedelta(days=n + 1), 10),
        )
        scheme = AidSchemeFactory(
            title=f"{LONG} {n}",
            promise=LONG,
            carriers=[
                {"nom": "Agence de l'environnement et de la maîtrise de l'énergie", "roles": []},
                {"nom": "Région Hauts-de-France — direction de l'économie", "roles": []},
            ],
        )
        CallWindowFactory(scheme=scheme, label=LONG[:120])
        ApplicationFactory(
            title=f"{LONG} {n}", funder=LONG_NAME, reference=f"FR-2026-DS-{9000000 + n}",
            amount_requested=Decimal("123456789.00"), amount_granted=Decimal("98765432.10"),
            status="accepte", decided_on=today, **common,
        )  # fmt: skip
    return world


def overflows(page, path: str) -> list[str]:
    response = page.goto(path)
    assert response is not None
    assert response.ok, f"{path} → HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    found = page.evaluate(OVERFLOW_JS)
    problems = []
    if found["page"]["scroll"] > found["page"]["inner"]:
        problems.append(f"{path} : page {found['page']['scroll']} px > {found['page']['inner']}")
    for table in found["tables"]:
        problems.append(
            f"{path} : tableau « {table['caption']} » {table['scroll']} px > {table['client']}"
        )
    return problems


def test_lists_fit_1280(page, context, login_as, browser_errors):
    world = build_dataset()
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    login_as(context, world.users["manager"])
    campaign = Campaign.objects.filter(territory=world.territory_a).first()
    epci = world.epcis["e1"]
    paths = [
        *MENU_PAGES,
        *LIST_PAGES,
        campaign.get_absolute_url(),
        Application.objects.first().get_absolute_url(),
        f"/territoire/ti-a/epci/{epci.siren}/",
    ]
    problems = [problem for path in paths for problem in overflows(page, path)]
    assert not problems, "Défilement horizontal à 1280 px :\n" + "\n".join(problems)
    browser_errors.assert_none()


def test_the_catalogue_filters_show_their_whole_choice(page, login_as):
    """Each select's chosen text fits its box (« Tous les échelor » was cut off)."""
    world = build_world()
    AidSchemeFactory(carriers=[{"nom": "Région Hauts-de-France"}])
    login_as(page.context, world.users["manager"])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/dispositifs/")
    cut = page.evaluate(
        """() => [...document.querySelectorAll('form select')].filter(s => {
            const probe = document.createElement('span');
            probe.style.font = getComputedStyle(s).font;
            probe.style.visibility = 'hidden';
            probe.style.position = 'absolute';
            probe.textContent = s.options[s.selectedIndex].text;
            document.body.appendChild(probe);
            const tooWide = probe.offsetWidth > s.clientWidth - 56;  // DSFR padding and arrow
            probe.remove();
            return tooWide;
        }).map(s => s.name)"""
    )
    assert cut == []
