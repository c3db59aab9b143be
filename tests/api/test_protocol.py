"""The protocol of the API: authentication, scopes, pagination, synchronisation, ETags,
errors, throttling, and its description (OpenAPI 3.1, docs without CDN)."""

import datetime as dt

import time_machine
from django.utils import timezone

from pilote.api.models import Scope
from pilote.core.enums import Visibility
from tests.factories import NoteFactory

PROBLEM = "application/problem+json"


def notes(world, n, **fields):
    return [
        NoteFactory(
            epci=world.epcis["e1"],
            visibility=Visibility.TERRITORY,
            author=world.users["manager"],
            author_organisation=world.orgs["cci"],
            title=f"Note {i:02d}",
            **fields,
        )
        for i in range(n)
    ]


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert set(body) <= {"type", "title", "status", "detail", "errors"}
    return body


# --- Authentication and scope ---------------------------------------------------------------


def test_without_a_valid_bearer_token_the_api_answers_401(world, api, key_for, login):
    key = key_for(world.users["manager"])
    assert_problem(api.get(None, "/notes"), 401)
    assert api.get(None, "/notes")["WWW-Authenticate"].startswith("Bearer")
    assert_problem(api.get(key[:-1] + ("A" if key[-1] != "A" else "B"), "/notes"), 401)
    assert_problem(api.get(None, "/notes", headers={"Authorization": f"Token {key}"}), 401)
    # A logged-in browser session is not enough, for reading nor for writing.
    login(world.users["manager"])
    assert_problem(api.get(None, "/notes"), 401)
    assert_problem(api.post(None, "/notes", {"epci": "x"}), 401)


def test_a_read_token_cannot_write_a_read_write_token_can(world, api, key_for):
    data = {"epci": world.epcis["e1"].pk, "title": "Visite", "body": "Texte"}
    read = key_for(world.users["agent_e1"], scope=Scope.READ)
    body = assert_problem(api.post(read, "/notes", data), 403)
    assert "lecture" in body["detail"]
    note = notes(world, 1)[0]
    assert_problem(api.patch(read, f"/notes/{note.pk}", {"title": "x"}), 403)
    write = key_for(world.users["agent_e1"], scope=Scope.READ_WRITE)
    assert api.post(write, "/notes", data).status_code == 201


# --- Pagination, updated_since, q, ETag -------------------------------------------------------


def test_the_next_link_walks_every_record_once_even_when_records_change(world, api, key_for):
    made = notes(world, 7)
    key = key_for(world.users["manager"])
    first = api.get(key, "/notes", {"limit": 3}).json()
    assert len(first["results"]) == 3
    assert first["next"].startswith("http://testserver/api/v1/")
    assert "limit=3" in first["next"]
    # A record already sent changes: it comes again at the end; none is skipped.
    made[0].title = "Note 00 modifiée"
    made[0].save()
    seen = [r["title"] for r in first["results"]]
    url = first["next"]
    while url:
        page = api.get(key, url).json()
        seen += [r["title"] for r in page["results"]]
        url = page["next"]
    assert sorted(set(seen) - {"Note 00 modifiée"}) == [f"Note {i:02d}" for i in range(7)]
    assert seen[-1] == "Note 00 modifiée"
    # The same cursor gives the same page.
    again = api.get(key, first["next"]).json()
    assert again == api.get(key, first["next"]).json()


def test_a_bad_cursor_or_limit_is_a_problem(world, api, key_for):
    key = key_for(world.users["manager"])
    assert_problem(api.get(key, "/notes", {"cursor": "pas-un-curseur"}), 400)
    body = assert_problem(api.get(key, "/notes", {"limit": 0}), 422)
    assert body["errors"] == [{"champ": "limit", "message": "La valeur est trop petite."}]


def test_updated_since_returns_what_changed_since(world, api, key_for):
    key = key_for(world.users["manager"])
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=2)):
        old = notes(world, 2)
    with time_machine.travel(start - dt.timedelta(hours=1)):
        old[1].title = "Note 01 modifiée"
        old[1].save()
        new = notes(world, 1, body="récent")[0]
    since = (start - dt.timedelta(days=1)).isoformat()
    titles = [
        r["title"] for r in api.get(key, "/notes", {"updated_since": since}).json()["results"]
    ]
    assert sorted(titles) == sorted(["Note 01 modifiée", new.title])
    body = assert_problem(api.get(key, "/notes", {"updated_since": "hier"}), 422)
    assert body["errors"][0]["champ"] == "updated_since"


def test_q_searches_as_the_page_does(world, api, key_for):
    notes(world, 3)
    NoteFactory(
        epci=world.epcis["e1"], visibility=Visibility.TERRITORY, author=world.users["manager"],
        author_organisation=world.orgs["cci"], title="Fonderie", body="Recrutement de soudeurs",
    )  # fmt: skip
    key = key_for(world.users["agent_e2"])
    found = api.get(key, "/notes", {"q": "soudeurs"}).json()["results"]
    assert [r["title"] for r in found] == ["Fonderie"]


def test_every_get_has_an_etag_and_if_none_match_answers_304(world, api, key_for):
    notes(world, 2)
    key = key_for(world.users["manager"])
    response = api.get(key, "/notes")
    etag = response["ETag"]
    assert etag.startswith('"')
    assert len(etag) > 10
    same = api.get(key, "/notes", headers={"If-None-Match": etag})
    assert same.status_code == 304
    assert same.content == b""
    assert same["ETag"] == etag
    notes(world, 1)
    changed = api.get(key, "/notes", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    detail = api.get(key, f"/notes/{changed.json()['results'][0]['id']}")
    assert detail["ETag"]


# --- Errors, throttling, description ---------------------------------------------------------


def test_errors_share_one_french_problem_shape(world, api, key_for):
    key = key_for(world.users["agent_e1"], scope=Scope.READ_WRITE)
    assert_problem(api.get(key, "/notes/999999"), 404)
    assert_problem(api.get(key, "/pas-une-adresse"), 404)
    assert_problem(api.post(key, "/dispositifs", {}), 405)
    body = assert_problem(api.post(key, "/notes", "{pas du json"), 400)
    assert body["detail"] == "Le corps de la requête n'est pas du JSON valide."
    body = assert_problem(api.post(key, "/notes", {"epci": world.epcis["e1"].pk}), 422)
    assert {"champ": "title", "message": "Champ obligatoire."} in body["errors"]
    body = assert_problem(
        api.post(key, "/notes", {"epci": world.epcis["e2"].pk, "title": "t", "body": "b"}), 403
    )
    assert body["detail"] == "Vous ne pouvez pas écrire de note pour cet EPCI."
    note = api.post(key, "/notes", {"epci": world.epcis["e1"].pk, "title": "t", "body": "b"})
    stale = api.patch(key, f"/notes/{note.json()['id']}", {"title": "u", "version": "2000-01-01"})
    assert_problem(stale, 409)


def test_each_token_is_throttled(world, api, key_for, settings):
    settings.API_THROTTLE_RATE = "3/min"
    key, other = key_for(world.users["manager"]), key_for(world.users["manager"])
    assert [api.get(key, "/notes").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get(key, "/notes")
    assert_problem(limited, 429)
    assert int(limited["Retry-After"]) > 0
    assert api.get(other, "/notes").status_code == 200


def test_the_openapi_document_is_3_1_with_every_endpoint(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"] == "3.1.0"
    assert schema["info"]["title"] == "API Pilote"
    assert schema["info"]["version"] == "1"
    assert len(schema["paths"]) >= 8
    for path in ("/api/v1/etablissements", "/api/v1/etablissements/{siret}", "/api/v1/notes",
                 "/api/v1/dispositifs/{id}", "/api/v1/appels", "/api/v1/indicateurs",
                 "/api/v1/indicateurs/instantanes"):  # fmt: skip
        assert path in schema["paths"]
    errors = schema["paths"]["/api/v1/notes"]["post"]["responses"]["422"]["content"]
    assert list(errors) == [PROBLEM]
    assert schema["paths"]["/api/v1/notes"]["get"]["security"] == [{"TokenAuth": []}]


def test_the_docs_page_loads_nothing_from_outside(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    for outside in ("https://cdn", "unpkg", "jsdelivr", "http://", "https://"):
        assert outside not in page
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "/static/api/docs.js" in page
