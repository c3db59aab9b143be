"""The API's own leak matrix: every list and detail endpoint × every actor of tests/world.py ×
the specimens of tests/leak_matrix.py, with the follow-up cases of the page matrix. A token
sees exactly what its user sees on the pages, no more."""

import datetime as dt
import json

import pytest
from django.test import Client

from pilote.core.enums import Visibility
from pilote.indicators import indicators
from pilote.notes.models import Note
from pilote.territory_projects import indicators as tp_indicators
from tests.aids.factories import AidSchemeFactory
from tests.factories import EstablishmentFactory, MembershipFactory
from tests.leak_matrix import SPECIMENS, LeakCase, load_all_cases
from tests.territory_projects.factories import make_project
from tests.world import ACTORS

# Endpoint → the page matrix's case whose objects it lists.
FOLLOW_UP = {
    "/notes": "note",
    "/contacts": "contact",
    "/echanges": "interaction",
    "/besoins": "need",
    "/projets": "project",
    "/dossiers": "application",
    "/projets-territoire": "territory project",
}
LISTS = [
    "/etablissements", "/notes", "/contacts", "/echanges", "/besoins", "/projets", "/dossiers",
    "/projets-territoire", "/dispositifs", "/appels", "/indicateurs", "/indicateurs/instantanes",
]  # fmt: skip


def case_for(name: str) -> LeakCase:
    """The page matrix's case; the territory projects' one is built here while their pages'
    case (tests/territory_projects/leak_cases.py) is not registered."""
    cases = load_all_cases()
    if name in cases:
        return cases[name]
    assert name == "territory project", name
    return LeakCase(name=name, make=make_project, marker=lambda p: p.title, chosen=True)


def text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def every_page(api, key, path, params=None) -> str:
    """The text of every page of a list, following `next`."""
    response = api.get(key, path, {**(params or {}), "limit": 200})
    assert response.status_code == 200, response.content
    pages = [text(response)]
    while response.json()["next"]:
        response = api.get(key, response.json()["next"])
        pages.append(text(response))
    return "\n".join(pages)


@pytest.fixture
def keys(world, key_for):
    return {actor: key_for(world.users[actor]) for actor in ACTORS}


@pytest.mark.parametrize(("path", "case_name"), sorted(FOLLOW_UP.items()))
def test_each_follow_up_endpoint_shows_a_record_exactly_to_who_sees_it(
    world, api, keys, path, case_name
):
    case = case_for(case_name)
    made = {
        spec: case.make(world, epci=spec[0], visibility=spec[1], author=spec[2])
        for spec in case.specimens
    }
    for actor in ACTORS:
        key = keys[actor]
        if actor == "nobody":  # no membership: refused, whatever the endpoint
            assert api.get(key, path).status_code == 403
            continue
        listing = every_page(api, key, path)
        for spec, obj in made.items():
            marker = case.marker(obj)
            sees = case.sees(actor, spec)
            where = f"{actor} × {spec} on {path}"
            assert (marker in listing) is sees, where
            detail = api.get(key, f"{path}/{obj.pk}")
            assert detail.status_code == (200 if sees else 404), where
            if sees:
                assert marker in text(detail)
            else:
                assert marker not in detail.content.decode()
            found = api.get(key, path, {"q": marker})
            assert found.status_code == 200
            assert (marker in text(found)) is sees, f"search: {where}"


def test_establishments_are_those_of_the_token_users_territory(world, api, keys):
    a = EstablishmentFactory(epci=world.epcis["e1"], naf_code="2511Z", naf_section="C")
    b = EstablishmentFactory(epci=world.epcis["e3"], naf_code="2511Z", naf_section="C")
    params = {"industrial": "false", "state": "all"}
    for actor in ACTORS:
        if actor == "nobody":
            assert api.get(keys[actor], "/etablissements").status_code == 403
            assert api.get(keys[actor], f"/etablissements/{a.siret}").status_code == 403
            continue
        in_b = actor in {"manager_b", "agent_e3"}
        listing = every_page(api, keys[actor], "/etablissements", params)
        assert (a.siret in listing) is not in_b, actor
        assert (b.siret in listing) is in_b, actor
        own, other = (b, a) if in_b else (a, b)
        assert api.get(keys[actor], f"/etablissements/{own.siret}").status_code == 200
        assert api.get(keys[actor], f"/etablissements/{other.siret}").status_code == 404


def test_a_member_of_two_territories_chooses_one_with_territoire(world, api, key_for):
    user = world.users["agent_e1"]
    MembershipFactory(
        user=user, organisation=world.orgs["cci_b"], territory=world.territory_b,
        role=world.memberships["manager_b"].role,
    )  # fmt: skip
    site_b = EstablishmentFactory(epci=world.epcis["e3"])
    key = key_for(user)
    assert api.get(key, f"/etablissements/{site_b.siret}").status_code == 404  # default: A
    chosen = api.get(key, f"/etablissements/{site_b.siret}", {"territoire": "ti-b"})
    assert chosen.status_code == 200
    refused = api.get(key_for(world.users["agent_e2"]), "/etablissements", {"territoire": "ti-b"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"


def test_the_catalogue_is_read_by_every_member(world, api, keys):
    scheme = AidSchemeFactory(title="Dispositif témoin")
    for actor in ACTORS:
        response = api.get(keys[actor], "/dispositifs")
        if actor == "nobody":
            assert response.status_code == 403
            continue
        assert "Dispositif témoin" in text(response)
        assert api.get(keys[actor], f"/dispositifs/{scheme.pk}").status_code == 200


def test_indicators_are_those_the_programme_page_computes_for_the_reader(world, api, keys):
    case = load_all_cases()["application"]
    for epci, visibility, author in SPECIMENS:
        case.make(world, epci=epci, visibility=visibility, author=author)
    projects = case_for("territory project")
    for spec in projects.specimens:
        projects.make(world, epci=spec[0], visibility=spec[1], author=spec[2])
    seen = {}
    for actor in ACTORS:
        response = api.get(keys[actor], "/indicateurs", {"date": "2030-01-01"})
        if actor in {"nobody"}:
            assert response.status_code == 403
            continue
        if actor == "admin":  # no follow-up: the programme page answers 404 too
            assert response.status_code == 404
            continue
        membership = world.memberships[actor]
        figures = indicators.compute(
            membership.territory, dt.date(2030, 1, 1), reader=world.users[actor]
        )
        expected = indicators.to_json(figures)
        expected["territory_projects"] = tp_indicators.figures(
            membership.territory, dt.date(2030, 1, 1), world.users[actor]
        )
        assert response.json() == json.loads(json.dumps(expected, default=str))
        seen[actor] = response.json()["territory"]
        in_a = membership.territory == world.territory_a
        counted = sum(projects.sees(actor, spec) for spec in projects.specimens) if in_a else 0
        assert response.json()["territory_projects"]["count"] == counted, actor
    assert seen["manager"] != seen["agent_e2"]  # the private specimens count for the manager


def test_a_note_written_on_the_web_form_for_its_epci_reaches_its_authors_token_only(
    world, api, keys
):
    """The acceptance of issue 15: visibility « EPCI concerné », a unique word."""
    word = "Zyxqwortel"
    web = Client()
    web.force_login(world.users["agent_e1"], backend="django.contrib.auth.backends.ModelBackend")
    response = web.post(
        "/notes/nouvelle/",
        {
            "epci": world.epcis["e1"].pk,
            "title": f"Projet {word}",
            "body": f"Le mot {word} est unique.",
            "visibility": Visibility.EPCI,
        },
    )
    assert response.status_code == 302
    note = Note.objects.get(title__contains=word)
    assert note.visibility == Visibility.EPCI

    author = keys["agent_e1"]
    assert word in every_page(api, author, "/notes")
    assert word in text(api.get(author, f"/notes/{note.pk}"))
    assert word in text(api.get(author, "/notes", {"q": word}))

    for actor in ("agent_e2", "agent_e3", "partner", "admin", "manager_b"):
        key = keys[actor]
        for path in LISTS:
            response = api.get(key, path, {"q": word} if path != "/indicateurs" else None)
            assert word not in response.content.decode(), (actor, path)
            if response.status_code == 200 and "next" in response.json():
                assert word not in every_page(api, key, path), (actor, path)
        assert api.get(key, f"/notes/{note.pk}").status_code == 404, actor
