"""Generated leak matrix: every actor × every registered follow-up case and URL.

Cases come from `tests/<app>/leak_cases*.py`; see `tests/leak_matrix.py`.
"""

from importlib import import_module
from pathlib import Path

import pytest

from tests.leak_matrix import REGISTRY, SPECIMENS, expected_visible
from tests.world import ACTORS

for path in sorted(Path(__file__).resolve().parent.parent.glob("*/leak_cases*.py")):
    import_module(f"tests.{path.parent.name}.{path.stem}")

CASES = sorted(REGISTRY)


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
        for spec in SPECIMENS
    ]
    return {case_name: made}


@pytest.mark.parametrize("case_name", CASES)
@pytest.mark.parametrize("actor", ACTORS)
def test_no_follow_up_leaks(client, login, world, specimens, actor, case_name):
    case = REGISTRY[case_name]
    login(world.users[actor])
    leaks = []
    for spec, obj in specimens[case_name]:
        visible = expected_visible(actor, *spec)
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
        text = case.decode(response.content)
        for spec, obj in specimens[case_name]:
            shown = case.marker(obj) in text
            if shown != expected_visible(actor, *spec):
                leaks.append(f"{url_name} {spec}: affiché={shown}")
    for url_name, url_of in case.sample_urls.items():
        response = client.get(url_of(world))
        assert response.status_code == 200, f"{url_name}: {response.status_code}"
        text = case.decode(response.content)
        for spec, obj in specimens[case_name]:
            if case.marker(obj) in text and not expected_visible(actor, *spec):
                leaks.append(f"{url_name} {spec}: affiché alors qu'invisible")
    for url_name, url_of in case.related_urls.items():
        for spec, obj in specimens[case_name]:
            response = client.get(url_of(obj))
            if response.status_code != 200:
                continue  # e.g. an establishment of another territory: nothing shown at all
            if case.marker(obj) in case.decode(response.content) and not expected_visible(
                actor, *spec
            ):
                leaks.append(f"{url_name} {spec}: affiché alors qu'invisible")
    assert not leaks, f"{actor} / {case_name}:\n" + "\n".join(leaks)


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
