"""The events' pages: registrations (personal data) answer 404 to whoever does not run the
event; the public registration page (draft 404, consent, waiting list, honeypot, throttle);
the signed cancellation link; the tablet check-in, the sign-in sheet and the follow-up
e-mail as the team uses them."""

import pytest
from django.core import mail
from django.urls import reverse

from pilote.events import emails
from pilote.events.enums import EventStatus, RegistrationStatus
from pilote.events.models import Registration
from tests.events.factories import event_of, register

pytestmark = pytest.mark.django_db

OUTSIDERS = ("agent_e2", "partner", "admin", "manager_b", "nobody")


def _public_form(email="lea.martin@exemple.fr", **extra):
    return {
        "first_name": "Léa",
        "last_name": "Martin",
        "email": email,
        "organisation_name": "Forges de Denain",
        "siret": "",
        "consent": "on",
        "website": "",
        **extra,
    }


@pytest.mark.parametrize("actor", OUTSIDERS)
def test_registrations_answer_404_to_whoever_does_not_run_the_event(world, login, actor):
    event = event_of(world, "agent_e1", epci="e1", title="Permanence Agglo 1")
    (registration,) = register(event, first_name="Bérénice", last_name="Témoin")
    client = login(world.users[actor])
    for name in ("checkin", "signin_sheet", "followup", "registration_add"):
        assert client.get(reverse(f"events:{name}", args=[event.pk])).status_code == 404, name
    assert (
        client.get(reverse("events:registration_establishment", args=[registration.pk])).status_code
        == 404
    )
    for name, data in (("registration_cancel", {}), ("registration_attendance", {"presence": 1})):
        url = reverse(f"events:{name}", args=[registration.pk])
        assert client.post(url, data).status_code == 404, name
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.attended is None
    detail = client.get(event.get_absolute_url())
    if actor in ("agent_e2", "partner", "admin"):  # the territory's members read the event
        assert detail.status_code == 200
        assert "Permanence Agglo 1" in detail.content.decode()
    else:
        assert detail.status_code == 404
    assert "Témoin" not in detail.content.decode()


@pytest.mark.parametrize("actor", ["agent_e1", "manager"])
def test_who_runs_the_event_reads_its_registrations(world, login, actor):
    event = event_of(world, "agent_e1", epci="e1")
    register(event, first_name="Bérénice", last_name="Témoin")
    client = login(world.users[actor])
    for url in (event.get_absolute_url(), reverse("events:checkin", args=[event.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "Témoin" in response.content.decode().title()


def test_the_public_page_registers_without_an_account_then_the_waiting_list(
    client, world, django_capture_on_commit_callbacks
):
    draft = event_of(world, status=EventStatus.DRAFT, title="Brouillon")
    assert client.get(draft.public_path).status_code == 404
    event = event_of(world, capacity=1, title="Visite des Forges")
    page = client.get(event.public_path)
    assert page.status_code == 200
    assert "Visite des Forges" in page.content.decode()
    assert 'name="consent"' in page.content.decode()

    response = client.post(event.public_path, _public_form(consent=""))
    assert response.status_code == 200
    assert "Votre accord est nécessaire" in response.content.decode()
    assert not Registration.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(event.public_path, _public_form())
        client.post(event.public_path, _public_form("paul@exemple.fr", first_name="Paul"))
        again = client.post(event.public_path, _public_form())  # same address: no second one
    assert again.status_code == 200
    lea, paul = Registration.objects.order_by("pk")
    assert Registration.objects.count() == 2
    assert (lea.status, paul.status) == (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)
    assert lea.consent_at is not None
    assert paul.waiting_position == 1
    assert sorted(m.to[0] for m in mail.outbox) == [
        "lea.martin@exemple.fr",
        "lea.martin@exemple.fr",
        "paul@exemple.fr",
    ]


def test_a_filled_honeypot_stores_nothing_and_the_page_is_throttled_per_address(client, world):
    from pilote.events.views_public import IP_LIMIT

    event = event_of(world)
    response = client.post(event.public_path, _public_form(website="https://spam.example"))
    assert response.status_code == 200
    assert not Registration.objects.exists()
    for i in range(IP_LIMIT):
        response = client.post(
            event.public_path, _public_form(f"p{i}@exemple.fr"), REMOTE_ADDR="198.51.100.7"
        )
        assert response.status_code == 200
    response = client.post(
        event.public_path, _public_form("de-trop@exemple.fr"), REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 429
    assert Registration.objects.count() == IP_LIMIT
    assert not Registration.objects.filter(email="de-trop@exemple.fr").exists()


def test_the_signed_link_cancels_on_post_only_and_promotes_the_first_waiting(
    client, world, django_capture_on_commit_callbacks
):
    event = event_of(world, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first, waiting = register(event, 2)
    url = reverse("events:cancel", args=[emails.cancel_token(first)])
    assert client.get(url).status_code == 200  # mail scanners follow links: no change
    first.refresh_from_db()
    assert first.status == RegistrationStatus.REGISTERED
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 200
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == RegistrationStatus.CANCELLED
    assert waiting.status == RegistrationStatus.REGISTERED
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    forged = reverse("events:cancel", args=[emails.cancel_token(first)[:-2] + "xx"])
    assert client.get(forged).status_code == 404


def test_the_tablet_check_in_the_sign_in_sheet_and_the_follow_up(
    world, login, django_capture_on_commit_callbacks
):
    event = event_of(world, days=0)
    anne, marc = register(event, 2)
    Registration.objects.filter(pk=anne.pk).update(first_name="Anne", last_name="Durand")
    Registration.objects.filter(pk=marc.pk).update(first_name="Marc", last_name="Leroy")
    client = login(world.users["manager"])

    rows = client.get(
        reverse("events:checkin", args=[event.pk]), {"q": "dur"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "DURAND Anne" in rows
    assert "LEROY" not in rows
    row = client.post(
        reverse("events:registration_attendance", args=[anne.pk]),
        {"presence": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200
    assert 'aria-pressed="true"' in row.content.decode()
    anne.refresh_from_db()
    assert (anne.attended, anne.checked_in_at is not None) == (True, True)
    client.post(reverse("events:registration_attendance", args=[marc.pk]), {"presence": "0"})
    marc.refresh_from_db()
    assert marc.attended is False

    sheet = client.get(reverse("events:signin_sheet", args=[event.pk]))
    assert sheet.status_code == 200
    assert sheet["Content-Type"] == "application/pdf"
    assert sheet.content.startswith(b"%PDF")

    mail.outbox.clear()
    url = reverse("events:followup", args=[event.pk])
    data = {"audience": "absentees", "subject": "Le support de l'atelier", "body": "Le voici."}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
        client.post(url, data)  # each person receives one at most
    assert [m.to for m in mail.outbox] == [[marc.email]]
    assert "Le voici." in mail.outbox[0].body
