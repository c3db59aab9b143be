"""A campaign's targets sort by their column headers (`?tri=`, whitelisted, `aria-sort`),
the best scores first by default; the status in the funnel's order."""

import re

from pilote.prospecting.enums import TargetStatus
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.prospecting.factories import TargetFactory, campaign_of


def _campaign(world):
    campaign = campaign_of(world, "e1")
    e1 = world.epcis["e1"]

    def target(name, status, **fields):
        site = EstablishmentFactory(epci=e1, company=CompanyFactory(name=name), **fields)
        return TargetFactory(campaign=campaign, establishment=site, status=status)

    # scores: the forge (industrial, 50–99) above the shop (retail, no band)
    target("Forges de l'Escaut", TargetStatus.MET, naf_code="24.10Z", headcount_band="21")
    target("Atelier Boulanger", TargetStatus.CONTACTED, naf_code="47.24Z", naf_section="G")
    target("Mécanique Zénith", TargetStatus.TO_CONTACT, naf_code="28.41Z", headcount_band="11")
    return campaign


def names(response):
    return [row.target.establishment.company.name for row in response.context["rows"]]


def aria(html: str, label: str) -> str:
    th = re.search(
        rf"<th scope=\"col\"([^>]*)><a class=\"pilote-sort\" href=\"[^\"]*\">{label}<", html
    )
    assert th, label
    found = re.search(r'aria-sort="([a-z]+)"', th.group(1))
    return found.group(1) if found else ""


def test_the_targets_sort_by_their_headers(world, login):
    campaign = _campaign(world)
    client = login(world.users["agent_e1"])
    url = campaign.get_absolute_url()

    default = client.get(url)
    html = default.content.decode()
    scores = [row.target.score for row in default.context["rows"]]
    assert scores == sorted(scores, reverse=True)
    assert aria(html, "Score et raisons") == "descending"
    assert "Cibles classées par score décroissant" in html

    by_name = client.get(url + "?tri=etablissement")
    assert names(by_name) == ["Atelier Boulanger", "Forges de l'Escaut", "Mécanique Zénith"]
    assert aria(by_name.content.decode(), "Établissement") == "ascending"
    assert names(client.get(url + "?tri=-etablissement"))[0] == "Mécanique Zénith"

    by_status = client.get(url + "?tri=statut")  # À contacter, Contacté, …, Rencontré
    assert names(by_status) == ["Mécanique Zénith", "Atelier Boulanger", "Forges de l'Escaut"]
    assert "Cibles classées par score décroissant" not in by_status.content.decode()


def test_a_forged_sort_keeps_the_score_order_and_the_status_filter_stays(world, login):
    campaign = _campaign(world)
    client = login(world.users["agent_e1"])
    url = campaign.get_absolute_url()
    assert names(client.get(url + "?tri=establishment__company__siren")) == names(client.get(url))
    response = client.get(url + "?statut=met&tri=-statut")
    assert names(response) == ["Forges de l'Escaut"]
    assert 'href="?statut=met&amp;tri=statut"' in response.content.decode()
