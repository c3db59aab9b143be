"""Saved searches: personal, emailed weekly to confirmed addresses (double opt-in outside
the instance), one-click unsubscribe, through a real SMTP server."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pilote.aids.alerts import send_alerts
from pilote.aids.models import SavedSearch, Subscription
from tests.aids.factories import AidSchemeFactory, CallWindowFactory

pytestmark = pytest.mark.django_db

SEARCH = {"name": "Ma veille bas carbone", "themes": ["decarbonation"], "notify_new": "on",
          "notify_closing": "on"}  # fmt: skip


@pytest.fixture
def search(world, login):
    login(world.users["agent_e1"]).post(reverse("aids:searches"), SEARCH)
    return SavedSearch.objects.get()


def test_a_saved_search_subscribes_its_owner_at_once(search, world):
    subscription = search.subscriptions.get()
    assert subscription.email == "agent_e1@exemple.fr"
    assert subscription.confirmed_at is not None


@pytest.mark.parametrize("actor", ["agent_e2", "manager", "admin", "nobody"])
def test_a_saved_search_is_its_owners_alone(search, world, login, actor):
    client = login(world.users[actor])
    for url in (
        reverse("aids:search", args=[search.pk]),
        reverse("aids:search_delete", args=[search.pk]),
        reverse("aids:subscribe", args=[search.pk]),
    ):
        assert client.post(url, {"email": "x@exemple.fr"}).status_code == 404, url
    assert "Ma veille bas carbone" not in client.get(reverse("aids:searches")).content.decode()


def test_an_outside_address_must_confirm_before_receiving_anything(
    search, world, login, client, mailoutbox, django_capture_on_commit_callbacks
):
    login(world.users["agent_e1"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("aids:subscribe", args=[search.pk]), {"email": "Club@Industrie.fr"})
    outside = Subscription.objects.get(email="club@industrie.fr")
    assert outside.confirmed_at is None
    [confirmation] = mail.outbox
    assert confirmation.to == ["club@industrie.fr"]
    link = next(w for w in confirmation.body.split() if "/alertes/confirmer/" in w)
    AidSchemeFactory(title="Nouveau décarbonation", themes=["decarbonation"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_alerts()
    assert [m.to for m in mail.outbox] == [["agent_e1@exemple.fr"]]
    client.logout()
    path = link.replace("http://testserver", "")
    assert client.get(path).status_code == 200  # a page with a button: scanners do nothing
    assert Subscription.objects.get(pk=outside.pk).confirmed_at is None
    client.post(path)
    assert Subscription.objects.get(pk=outside.pk).confirmed_at is not None
    assert client.post(path).status_code == 404  # used once


def test_the_weekly_email_goes_through_smtp_with_new_schemes_and_closings(
    search, world, smtp_server, django_capture_on_commit_callbacks
):
    AidSchemeFactory(title="Nouveau décarbonation", themes=["decarbonation"])
    AidSchemeFactory(title="Nouveau export", themes=["export"])
    closing = AidSchemeFactory(title="Ancien décarbonation", themes=["decarbonation"])
    CallWindowFactory(scheme=closing, closes_on=timezone.localdate() + dt.timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_alerts() == {"sent": 1, "skipped": 0}
    [(recipients, message)] = smtp_server.messages
    assert recipients == ["agent_e1@exemple.fr"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Nouveau décarbonation" in text
    assert "Ancien décarbonation" in text
    assert "Nouveau export" not in text
    assert "/dispositifs/alertes/desabonner/" in text
    # A week later with nothing new but the same closing: only the closing is sent.
    with django_capture_on_commit_callbacks(execute=True):
        send_alerts(now=timezone.now() + dt.timedelta(days=1))
    assert len(smtp_server.messages) == 2
    assert (
        "Nouveau décarbonation"
        not in smtp_server.messages[1][1].get_body(preferencelist=("plain",)).get_content()
    )


def test_nothing_new_sends_nothing(search, mailoutbox):
    AidSchemeFactory(title="Export", themes=["export"])
    assert send_alerts() == {"sent": 0, "skipped": 1}
    assert not mailoutbox


def test_one_click_unsubscribe(search, client, mailoutbox, django_capture_on_commit_callbacks):
    AidSchemeFactory(title="Nouveau décarbonation", themes=["decarbonation"])
    subscription = search.subscriptions.get()
    url = reverse("aids:unsubscribe", args=[subscription.key])
    assert client.get(url).status_code == 200
    client.post(url)
    assert Subscription.objects.get().unsubscribed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        assert send_alerts()["sent"] == 0
    assert client.get(reverse("aids:unsubscribe", args=["inconnu"])).status_code == 404
