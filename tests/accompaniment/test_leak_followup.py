"""The leak matrix for the follow-up pages (« mes actions », the weekly digest, the meeting
report PDF): every actor × every case of leak_cases_followup.py × every specimen, with the
rules of tests/leak_matrix.py (tests/core/test_leak_matrix.py only discovers files named
`leak_cases.py`)."""

import pytest

from tests.accompaniment.leak_cases_followup import FOLLOWUP_CASES
from tests.leak_matrix import SPECIMENS, expected_visible
from tests.world import ACTORS

CASES = {case.name: case for case in FOLLOWUP_CASES}


@pytest.fixture
def specimens(world, case_name):
    case = CASES[case_name]
    return [
        (spec, case.make(world, epci=spec[0], visibility=spec[1], author=spec[2]))
        for spec in SPECIMENS
    ]


@pytest.mark.parametrize("case_name", sorted(CASES))
@pytest.mark.parametrize("actor", ACTORS)
def test_no_follow_up_leaks(client, login, world, specimens, actor, case_name):
    case = CASES[case_name]
    login(world.users[actor])
    leaks = []
    for spec, obj in specimens:
        visible = expected_visible(actor, *spec)
        for url_name, url_of in case.read_urls.items():
            status = client.get(url_of(obj)).status_code
            if status != (200 if visible else 404):
                leaks.append(f"{url_name} {spec}: {status}, attendu {200 if visible else 404}")
    for url_name, url_of in case.collection_urls.items():
        response = client.get(url_of(world))
        assert response.status_code == 200, f"{url_name}: {response.status_code}"
        text = case.decode(response.content)
        for spec, obj in specimens:
            shown = case.marker(obj) in text
            if shown != expected_visible(actor, *spec):
                leaks.append(f"{url_name} {spec}: affiché={shown}")
    for url_name, url_of in case.related_urls.items():
        for spec, obj in specimens:
            response = client.get(url_of(obj))
            if response.status_code != 200:
                continue
            if case.marker(obj) in case.decode(response.content) and not expected_visible(
                actor, *spec
            ):
                leaks.append(f"{url_name} {spec}: affiché alors qu'invisible")
    assert not leaks, f"{actor} / {case_name}:\n" + "\n".join(leaks)


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_anonymous_visitors_are_sent_to_login(client, world, specimens, case_name):
    case = CASES[case_name]
    _, obj = specimens[0]
    urls = [u(obj) for u in (*case.read_urls.values(), *case.related_urls.values())]
    urls += [u(world) for u in case.collection_urls.values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/comptes/connexion/"), url


def test_the_pdf_reader_of_these_cases_reads_a_report(client, login, world):
    """The related-URL checks above are only as good as `pdf_text`: it must find a record
    shown in the report."""
    from tests.accompaniment.leak_cases_followup import make_reported_records, pdf_text

    meeting = make_reported_records(world, epci="e1", visibility="epci", author="agent_e1")
    login(world.users["manager"])
    from django.urls import reverse

    pdf = client.get(reverse("accompaniment:report", args=[meeting.pk, "interne"])).content
    assert pdf.startswith(b"%PDF")
    assert pdf_text(pdf).count(meeting.marker) == 5
