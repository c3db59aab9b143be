"""The public subscription form and the confirmation link (double opt-in): the e-mail, the
expiry, the same answer for every address, the honeypot, the rate limit, the purge."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pilote.core.models import AuditEvent
from pilote.outreach import services
from pilote.outreach.enums import Source, SubscriberStatus
from pilote.outreach.models import Subscriber
from tests.outreach.factories import DoNotContactFactory, MailingListFactory, SubscriberFactory


@pytest.fixture
def mailing_list(world):
    return MailingListFactory(territory=world.territory_a)


@pytest.fixture
def url(world):
    return reverse("outreach:subscribe", args=[world.territory_a.slug])


def _form(email="Claire@Exemple.fr", **extra):
    return {
        "email": email,
        "first_name": "Claire",
        "last_name": "Dubois",
        "organisation": "Mairie de Trith",
        "kind": "elu",
        "consent": "on",
        "website": "",
        **extra,
    }


def _link(message) -> str:
    word = next(w for w in message.body.split() if "/lettre/confirmation/" in w)
    return word.replace("http://testserver", "")


def test_the_form_shows_the_purpose_the_privacy_link_and_a_hidden_honeypot(
    client, mailing_list, url
):
    page = client.get(url).content.decode()
    assert "J&#x27;accepte de recevoir par courriel la lettre d&#x27;information" in page
    assert reverse("legal:personal_data") in page
    assert 'class="fr-hidden" aria-hidden="true"' in page
    assert 'name="website"' in page
    assert "style=" not in page
    assert "<script>" not in page


def test_double_opt_in_end_to_end(
    client, mailing_list, url, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _form(), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert "un courriel vient d" in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "claire@exemple.fr"
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.source == Source.PUBLIC_FORM
    assert subscriber.consent_proof.startswith("formulaire public, le ")
    assert "adresse IP 192.0.2.7" in subscriber.consent_proof
    [message] = mail.outbox
    assert message.to == ["claire@exemple.fr"]
    link = _link(message)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert subscriber.confirmation_hash
    assert token not in subscriber.confirmation_hash
    assert subscriber.confirmation_hash == services.hash_token(token)
    # GET shows a button and confirms nothing (mail scanners follow links).
    page = client.get(link)
    assert page.status_code == 200
    assert "Je confirme" in page.content.decode()
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING
    response = client.post(link)
    assert response.status_code == 200
    assert "Inscription confirmée" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.confirmed_at
    assert " ; confirmé par lien le " in subscriber.consent_proof
    assert client.post(link).status_code == 404  # used once
    actions = list(AuditEvent.objects.for_object(subscriber).values_list("action", flat=True))
    assert "outreach.subscriber.confirm" in actions


def test_an_expired_link_confirms_nothing(
    client, mailing_list, url, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form())
    link = _link(mail.outbox[0])
    time_machine.move_to(timezone.now() + dt.timedelta(days=services.CONFIRMATION_DAYS, hours=1))
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404
    assert Subscriber.objects.get().status == SubscriberStatus.PENDING


@pytest.mark.parametrize("case", ["new", "active", "blocked", "unsubscribed", "honeypot"])
def test_the_answer_is_the_same_whatever_the_address(
    client, mailing_list, url, case, mailoutbox, django_capture_on_commit_callbacks
):
    data = _form("connu@exemple.fr")
    if case == "active":
        SubscriberFactory(mailing_list=mailing_list, email="connu@exemple.fr")
    elif case == "blocked":
        DoNotContactFactory(mailing_list=mailing_list, email="connu@exemple.fr")
    elif case == "unsubscribed":
        SubscriberFactory(
            mailing_list=mailing_list, email="connu@exemple.fr",
            status=SubscriberStatus.UNSUBSCRIBED,
        )  # fmt: skip
    elif case == "honeypot":
        data["website"] = "http://spam.example"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Demande enregistrée" in page
    for word in ("déjà", "bloqu", "ne plus contacter", "désabonn"):
        assert word not in page.lower(), word
    sent = len(mail.outbox)
    assert sent == (1 if case == "new" else 0)
    if case in ("blocked", "honeypot"):
        assert not Subscriber.objects.exists()
    if case == "active":
        assert Subscriber.objects.get().status == SubscriberStatus.ACTIVE


def test_a_pending_address_gets_a_new_link_but_not_twice_in_a_row(
    client, mailing_list, url, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form())
        client.post(url, _form())
    assert len(mail.outbox) == 1
    first = _link(mail.outbox[0])
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=20))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form(first_name="Claire-Anne"))
    assert len(mail.outbox) == 2
    assert client.post(first).status_code == 404  # the earlier link stopped working
    assert client.post(_link(mail.outbox[1])).status_code == 200
    assert Subscriber.objects.get().first_name == "Claire-Anne"


def test_without_consent_nothing_is_recorded(client, mailing_list, url):
    data = _form()
    data.pop("consent")
    response = client.post(url, data)
    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_the_form_is_rate_limited_per_client_address(
    client, mailing_list, url, mailoutbox, django_capture_on_commit_callbacks
):
    from pilote.outreach.views_subscribe import IP_LIMIT

    with django_capture_on_commit_callbacks(execute=True):
        for i in range(IP_LIMIT + 2):
            response = client.post(url, _form(f"a{i}@exemple.fr"), REMOTE_ADDR="198.51.100.1")
            assert response.status_code == 200
    assert Subscriber.objects.count() == IP_LIMIT


def test_a_territory_without_a_newsletter_or_unknown_answers_404(client, world):
    assert (
        client.get(reverse("outreach:subscribe", args=[world.territory_a.slug])).status_code == 404
    )
    assert client.get(reverse("outreach:subscribe", args=["inconnu"])).status_code == 404
    assert client.get(reverse("outreach:confirm", args=["nimporte"])).status_code == 404


def test_purge_erases_the_unconfirmed_after_the_delay(
    client, mailing_list, url, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, _form())
    confirmed = SubscriberFactory(mailing_list=mailing_list, email="ok@exemple.fr")
    call_command("purge_subscribers", "--wet-run")
    assert Subscriber.objects.count() == 2
    time_machine.move_to(timezone.now() + dt.timedelta(days=services.CONFIRMATION_DAYS, hours=1))
    call_command("purge_subscribers")  # a dry run by default
    assert Subscriber.objects.count() == 2
    call_command("purge_subscribers", "--wet-run")
    assert list(Subscriber.objects.all()) == [confirmed]
    dump = str(list(AuditEvent.objects.values("object_repr", "changes")))
    assert "claire" not in dump.lower()
    assert "192.0.2" not in dump
