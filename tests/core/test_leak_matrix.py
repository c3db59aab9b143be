"""Generated leak matrix: every actor × every registered follow-up case and URL.

Cases come from `tests/<app>/leak_cases*.py`; see `tests/leak_matrix.py`.
"""

from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from tests.html_forms import parse
from tests.leak_matrix import REGISTRY, LeakCase, load_all_cases
from tests.world import ACTORS

load_all_cases()
CASES = sorted(REGISTRY)
POST_CASES = [(name, url_name) for name in CASES for url_name in sorted(REGISTRY[name].post_urls)]


def _editor_of(case: LeakCase, url_name: str) -> str:
    spec = case.post_urls[url_name]
    return spec[2] if len(spec) > 2 else case.editor


def _editor_client(world, actor: str) -> Client:
    client = Client()
    client.force_login(world.users[actor], backend="django.contrib.auth.backends.ModelBackend")
    return client


def post_data(case: LeakCase, url_name: str, obj, editor: Client) -> dict:
    """The data of a POST case: the form its editor gets at that address (the one posting
    there), its fields holding the marker edited and its required fields filled in; then the
    case's own data function, given that form."""
    url_of, data_of = case.post_urls[url_name][:2]
    url = url_of(obj)
    form_data: dict = {}
    response = editor.get(url)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        path = urlsplit(url).path
        forms = [
            f for f in parse(response.content.decode()).forms
            if f.method.lower() == "post" and urlsplit(urljoin(url, f.action or url)).path == path
        ]  # fmt: skip
        if forms:
            form_data = forms[0].filled()
    marker = case.marker(obj)
    edited = {
        key: [v.replace(marker, f"{marker}-modifié") for v in values]
        for key, values in form_data.items()
    }
    return data_of(obj, edited) if data_of is not None else edited


def database_state(obj) -> tuple:
    """The object's row (or its absence) and the number of audit events: a write through a
    service always leaves one."""
    row = list(type(obj)._base_manager.filter(pk=obj.pk).values())
    return row, AuditEvent.objects.count()


def test_every_capability_registers_its_cases():
    assert {
        "note",
        "contact",
        "campaign",
        "interaction report",
        "scheme_note",
        "aid_dispatch",
    } <= set(CASES)


@pytest.fixture
def specimens(world, case_name):
    """The case's object in every (EPCI, visibility, author) combination."""
    case = REGISTRY[case_name]
    made = [
        (spec, case.make(world, epci=spec[0], visibility=spec[1], author=spec[2]))
        for spec in case.specimens
    ]
    return {case_name: made}


@pytest.mark.parametrize("case_name", CASES)
@pytest.mark.parametrize("actor", ACTORS)
def test_no_follow_up_leaks(client, login, world, specimens, actor, case_name):
    case = REGISTRY[case_name]
    login(world.users[actor])
    leaks = []
    for spec, obj in specimens[case_name]:
        visible = case.sees(actor, spec)
        for url_name, url_of in case.read_urls.items():
            status = client.get(url_of(obj)).status_code
            if status != (200 if visible else 404):
                leaks.append(f"{url_name} {spec}: {status}, attendu {200 if visible else 404}")
        for url_name, url_of in case.restricted_urls.items():
            status = client.get(url_of(obj)).status_code
            if not visible and status != 404:
                leaks.append(f"{url_name} {spec}: {status} pour un objet invisible")
            elif visible and status not in {200, 403, 404}:
                leaks.append(f"{url_name} {spec}: statut inattendu {status}")
    for url_name, url_of in case.collection_urls.items():
        response = client.get(url_of(world))
        assert response.status_code == 200, f"{url_name}: {response.status_code}"
        texts = {url_name: case.decode(response.content)}
        if "html" in response.get("Content-Type", ""):  # and the fragment htmx asks for
            fragment = client.get(url_of(world), headers={"HX-Request": "true"})
            assert fragment.status_code == 200, f"{url_name} (htmx): {fragment.status_code}"
            texts[f"{url_name} (htmx)"] = case.decode(fragment.content)
        for name, text in texts.items():
            for spec, obj in specimens[case_name]:
                shown = case.marker(obj) in text
                if shown != case.sees(actor, spec):
                    leaks.append(f"{name} {spec}: affiché={shown}")
    for url_name, url_of in case.sample_urls.items():
        response = client.get(url_of(world))
        assert response.status_code == 200, f"{url_name}: {response.status_code}"
        text = case.decode(response.content)
        for spec, obj in specimens[case_name]:
            if case.marker(obj) in text and not case.sees(actor, spec):
                leaks.append(f"{url_name} {spec}: affiché alors qu'invisible")
    pages: dict[str, str | None] = {}  # several specimens may share a page (their EPCI's…)
    for url_name, url_of in case.related_urls.items():
        for spec, obj in specimens[case_name]:
            url = url_of(obj)
            if url not in pages:
                response = client.get(url)
                # Not 200 (e.g. an establishment of another territory): nothing shown at all.
                ok = response.status_code == 200
                pages[url] = case.decode(response.content) if ok else None
            if pages[url] is None:
                continue
            if case.marker(obj) in pages[url] and not case.sees(actor, spec):
                leaks.append(f"{url_name} {spec}: affiché alors qu'invisible")
    assert not leaks, f"{actor} / {case_name}:\n" + "\n".join(leaks)


@pytest.mark.parametrize("case_name", sorted({name for name, _ in POST_CASES}))
def test_posts_on_what_one_may_not_see_are_refused(client, login, world, specimens, case_name):
    """Every actor POSTs, on each specimen they may not see, what its editor would send: 404,
    and neither the object nor the audit trail changes. (The specimens are shared by the
    actors: a refused POST changes nothing.)"""
    case = REGISTRY[case_name]
    editors = {actor: _editor_client(world, actor) for actor in {case.editor} | {
        _editor_of(case, url_name) for url_name in case.post_urls
    }}  # fmt: skip
    sent = {
        (index, url_name): post_data(case, url_name, obj, editors[_editor_of(case, url_name)])
        for index, (_, obj) in enumerate(specimens[case_name])
        for url_name in case.post_urls
    }
    leaks = []
    for actor in ACTORS:
        login(world.users[actor])
        for index, (spec, obj) in enumerate(specimens[case_name]):
            if case.sees(actor, spec):
                continue
            for url_name, (url_of, *_) in case.post_urls.items():
                before = database_state(obj)
                status = client.post(url_of(obj), sent[index, url_name]).status_code
                if status != 404:
                    leaks.append(f"{actor} POST {url_name} {spec}: {status}, attendu 404")
                if database_state(obj) != before:
                    leaks.append(
                        f"{actor} POST {url_name} {spec}: l'objet ou l'historique a changé"
                    )
    assert not leaks, f"{case_name}:\n" + "\n".join(leaks)


@pytest.mark.parametrize(("case_name", "url_name"), POST_CASES)
def test_post_cases_write_when_their_editor_sends_them(world, case_name, url_name):
    """Positive control: the data a POST case sends does change the object (or write an audit
    event) when someone who may sends it, so « unchanged » above means refused."""
    case = REGISTRY[case_name]
    obj = case.make(world, epci="e1", visibility=Visibility.EPCI, author="agent_e1")
    editor = _editor_client(world, _editor_of(case, url_name))
    data = post_data(case, url_name, obj, editor)
    before = database_state(obj)
    response = editor.post(case.post_urls[url_name][0](obj), data)
    assert response.status_code in {200, 302}, (response.status_code, data)
    assert database_state(obj) != before, f"rien n'a changé : {data}"


@pytest.mark.parametrize("case_name", CASES)
def test_anonymous_visitors_are_sent_to_login(client, world, specimens, case_name):
    case = REGISTRY[case_name]
    _, obj = specimens[case_name][0]
    urls = [u(obj) for u in (*case.read_urls.values(), *case.restricted_urls.values())]
    urls += [u(world) for u in (*case.collection_urls.values(), *case.sample_urls.values())]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/comptes/connexion/"), url
    editors: dict[str, Client] = {}
    for url_name, (url_of, *_) in case.post_urls.items():
        editor = _editor_of(case, url_name)
        editors.setdefault(editor, _editor_client(world, editor))
        data = post_data(case, url_name, obj, editors[editor])
        before = database_state(obj)
        response = client.post(url_of(obj), data)
        assert response.status_code == 302, url_name
        assert response["Location"].startswith("/comptes/connexion/"), url_name
        assert database_state(obj) == before, url_name
