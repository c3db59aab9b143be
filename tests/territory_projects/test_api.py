"""Territory projects through the JSON API (docs/api.md): the list and the detail, filtered by
the access layer's five visibilities, with carriers, shares, votes, milestones and links."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from pilote.api.models import Scope
from pilote.api.services import token_create
from pilote.core.enums import CHOSEN, Visibility
from pilote.territory_projects import services
from pilote.territory_projects.enums import Phase, Status, VoteOutcome
from pilote.territory_projects.models import CouncilVote
from tests.aids.factories import CallWindowFactory
from tests.applications.factories import application_of
from tests.factories import EstablishmentFactory
from tests.territory_projects.factories import make_project
from tests.territory_projects.test_access import third_epci_agent

pytestmark = pytest.mark.django_db

LIST = "/projets-territoire"


def key_for(user) -> str:
    return token_create(acting_user=None, user=user, name="Outil", scope=Scope.READ, days=90)[1]


@pytest.fixture
def keys(world):
    return {actor: key_for(user) for actor, user in world.users.items()}


@pytest.fixture
def api(client):
    """api.get(key, path, params, headers) with the token (tests/api/conftest.py's, read)."""

    class Api:
        def get(self, key, path, params=None, headers=None):
            url = path if path.startswith("http") else "/api/v1" + path
            headers = {"Authorization": f"Bearer {key}", **(headers or {})}
            return client.get(url, params or {}, headers=headers)

    return Api()


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_project_shared_with_two_chosen_epcis_reaches_their_tokens_and_no_third(world, api, keys):
    """The acceptance of issue 15 through the API: a project led by e1, shared with e2
    (« EPCI choisis »), is returned to e1's and e2's agents' tokens, and to no third EPCI's of
    the same territory, on the list, the detail and the search."""
    e4, agent_e4 = third_epci_agent(world)
    word = "Hydrolyseur Quintaval"
    project = make_project(world, epci="e1", visibility=CHOSEN, shared_with=["e2"], title=word)
    readers = {"agent_e1": keys["agent_e1"], "agent_e2": keys["agent_e2"],
               "manager": keys["manager"]}  # fmt: skip
    others = {"agent_e4": key_for(agent_e4), "agent_e3": keys["agent_e3"],
              "partner": keys["partner"], "manager_b": keys["manager_b"],
              "admin": keys["admin"]}  # fmt: skip
    for actor, key in readers.items():
        assert project.pk in ids(api.get(key, LIST)), actor
        assert project.pk in ids(api.get(key, LIST, {"q": "quintaval"})), actor
        detail = api.get(key, f"{LIST}/{project.pk}")
        assert detail.status_code == 200, actor
        assert detail.json()["shared_with"] == sorted([world.epcis["e1"].pk, world.epcis["e2"].pk])
    for actor, key in others.items():
        listing = api.get(key, LIST, {"q": "quintaval"})
        assert word not in listing.content.decode(), actor
        assert project.pk not in ids(api.get(key, LIST)), actor
        detail = api.get(key, f"{LIST}/{project.pk}")
        assert detail.status_code == 404, actor
        assert detail["Content-Type"] == "application/problem+json"
        assert word not in detail.content.decode()
    # Choosing the third EPCI opens the project to its agent's token, and only then.
    services.project_update(acting_user=world.users["manager"], project=project,
                            shared_with=[world.epcis["e2"], e4])  # fmt: skip
    assert api.get(others["agent_e4"], f"{LIST}/{project.pk}").status_code == 200
    assert api.get(others["agent_e3"], f"{LIST}/{project.pk}").status_code == 404


def test_the_detail_holds_carriers_shares_votes_milestones_and_links(world, api, keys):
    site = EstablishmentFactory(epci=world.epcis["e1"])
    call = CallWindowFactory(label="AAP Hydrogène territorial")
    seen_by_all = application_of(world, "e1", "agent_e1", visibility=Visibility.TERRITORY)
    e1_only = application_of(world, "e1", "agent_e1", visibility=Visibility.EPCI)
    project = make_project(
        world, epci="e1", partners=["e2"], budget="100000.00",
        shares={world.epcis["e1"]: Decimal("66666.67"), world.epcis["e2"]: Decimal("33333.33")},
        phase=Phase.STUDY, status=Status.LATE, establishments=[site], calls=[call],
        applications=[seen_by_all, e1_only],
    )  # fmt: skip
    CouncilVote.objects.create(
        project=project, epci=world.epcis["e2"], voted_on=dt.date(2026, 10, 5),
        deliberation_number="DEL-2026-118", outcome=VoteOutcome.ADOPTED,
    )  # fmt: skip
    services.milestone_add(acting_user=world.users["agent_e1"], project=project,
                           title="Étude de faisabilité", due_on=dt.date(2026, 12, 1),
                           done_on=dt.date(2026, 11, 20))  # fmt: skip

    body = api.get(keys["agent_e1"], f"{LIST}/{project.pk}").json()
    assert body["visibility"] == "chosen"
    assert body["epci"] == world.epcis["e1"].pk
    assert body["territory"] == "ti-a"
    assert (body["phase"], body["status"]) == ("etude", "en_retard")
    assert body["budget"] == "100000.00"
    assert body["carriers"] == [
        {"epci": world.epcis["e1"].pk, "role": "lead", "share": "66666.67"},
        {"epci": world.epcis["e2"].pk, "role": "partner", "share": "33333.33"},
    ]
    assert sum(Decimal(c["share"]) for c in body["carriers"]) == Decimal(body["budget"])
    assert body["shared_with"] == sorted([world.epcis["e1"].pk, world.epcis["e2"].pk])
    assert body["votes"] == [{
        "id": project.votes.get().pk, "epci": world.epcis["e2"].pk, "voted_on": "2026-10-05",
        "deliberation_number": "DEL-2026-118", "outcome": "adopte", "note": "",
    }]  # fmt: skip
    assert [(m["title"], m["due_on"], m["done_on"]) for m in body["milestones"]] == [
        ("Étude de faisabilité", "2026-12-01", "2026-11-20")
    ]
    assert body["establishments"] == [site.siret]
    assert body["calls"] == [call.pk]
    assert body["applications"] == sorted([seen_by_all.pk, e1_only.pk])
    assert body["version"]
    # e2's agent sees the project (a partner EPCI) but not e1's « EPCI concerné » application.
    for response in (
        api.get(keys["agent_e2"], f"{LIST}/{project.pk}"),
        api.get(keys["agent_e2"], LIST),
    ):
        text = json.dumps(response.json())
        row = response.json() if "results" not in response.json() else response.json()["results"][0]
        assert row["applications"] == [seen_by_all.pk], text


def test_filters_phase_status_epci_and_q(world, api, keys):
    idea = make_project(world, epci="e1", title="Friche des Aulnes", phase=Phase.IDEA,
                        summary="Reconversion du site")  # fmt: skip
    study = make_project(world, epci="e2", author="agent_e2", title="Boucle vapeur",
                         phase=Phase.STUDY, status=Status.PAUSED,
                         visibility=Visibility.TERRITORY)  # fmt: skip
    shared = make_project(world, epci="e1", title="Hydrogène vert", partners=["e2"],
                          status=Status.DONE)  # fmt: skip
    key = keys["manager"]
    assert ids(api.get(key, LIST)) == {idea.pk, study.pk, shared.pk}
    assert ids(api.get(key, LIST, {"phase": "etude"})) == {study.pk}
    assert ids(api.get(key, LIST, {"status": "termine"})) == {shared.pk}
    assert ids(api.get(key, LIST, {"epci": world.epcis["e2"].pk})) == {study.pk, shared.pk}
    assert ids(api.get(key, LIST, {"q": "reconversion"})) == {idea.pk}  # the summary
    assert ids(api.get(key, LIST, {"q": "VAPEUR"})) == {study.pk}  # the title
    bad = api.get(key, LIST, {"phase": "reve"})
    assert bad.status_code == 422
    assert bad["Content-Type"] == "application/problem+json"


def test_cursor_pages_updated_since_and_etag(world, api, keys):
    made = [make_project(world, epci="e1", title=f"Projet {n}") for n in range(5)]
    key = keys["agent_e1"]
    seen, response = [], api.get(key, LIST, {"limit": 2})
    while True:
        seen += [row["id"] for row in response.json()["results"]]
        if not response.json()["next"]:
            break
        response = api.get(key, response.json()["next"])
    assert len(seen) == 5
    assert set(seen) == {p.pk for p in made}

    first = api.get(key, LIST)
    tag = first["ETag"]
    assert api.get(key, LIST, headers={"If-None-Match": tag}).status_code == 304
    # A milestone added moves the project: it comes again in a sync, and the ETag changes.
    since = made[2].updated_at
    services.milestone_add(acting_user=world.users["agent_e1"], project=made[0],
                           title="Lancement", due_on=dt.date(2027, 1, 15))  # fmt: skip
    changed = ids(api.get(key, LIST, {"updated_since": since.isoformat()}))
    assert made[0].pk in changed
    assert made[1].pk not in changed
    assert api.get(key, LIST, headers={"If-None-Match": tag}).status_code == 200


def test_the_openapi_document_describes_the_two_operations(world, api, keys):
    document = api.get(keys["manager"], "/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "get" in document["paths"]["/api/v1/projets-territoire"]
    assert "get" in document["paths"]["/api/v1/projets-territoire/{id}"]
    schema = document["components"]["schemas"]["TerritoryProjectOut"]
    assert "chosen" in json.dumps(schema)
