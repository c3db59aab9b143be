"""Sending an issue through a real SMTP server (aiosmtpd) that fails on purpose: temporary
refusals, permanent ones, a dropped connection, a killed run — every subscriber ends with
exactly one copy, and the commands and the page say so."""

import datetime as dt
import json
import re
import socket
import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from pilote.outreach import sending, tasks
from pilote.outreach.enums import DeliveryStatus, IssueStatus, SubscriberStatus
from pilote.outreach.models import Delivery, DoNotContact
from tests.outreach.factories import IssueFactory, MailingListFactory, SubscriberFactory


class FlakyHandler:
    """An SMTP server's handler that stores what it accepts and fails when told to:
    `temporary_once` addresses get « 451 » the first time, `temporary` ones always,
    `permanent` ones « 550 »; `drop_at` (1-based count of DATA commands) closes the
    connection once instead of answering."""

    def __init__(self, *, temporary_once=(), temporary=(), permanent=(), drop_at=None):
        self.temporary_once = set(temporary_once)
        self.temporary = set(temporary)
        self.permanent = set(permanent)
        self.drop_at = drop_at
        self.refused_once: set[str] = set()
        self.messages: list[tuple[list[str], object]] = []
        self.data_commands = 0
        self.dropped = 0
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.permanent:
            return "550 5.1.1 Adresse inconnue"
        if address in self.temporary:
            return "451 4.3.0 Boite pleine, reessayez plus tard"
        if address in self.temporary_once and address not in self.refused_once:
            self.refused_once.add(address)
            return "451 4.7.1 Liste grise, reessayez plus tard"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_commands += 1
        if self.drop_at == self.data_commands and not self.dropped:
            self.dropped += 1
            server.transport.close()  # before any answer: the client cannot know
            return "421 Connexion perdue"
        self.messages.append(
            (list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 Message accepted for delivery"

    def copies(self) -> Counter:
        return Counter(rcpt for rcpts, _ in self.messages for rcpt in rcpts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, monkeypatch):
    """No throttling unless a test asks; the sending state in a cache of this test only."""
    settings.OUTREACH_MESSAGES_PER_SECOND = 0
    settings.CACHES = {
        **settings.CACHES,
        "progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    monkeypatch.setattr(sending, "RECONNECT_DELAY", 0)


@pytest.fixture
def flaky_smtp(settings):
    """`flaky_smtp(**FlakyHandler options)`: start a server, point Django at it."""
    from aiosmtpd.controller import Controller

    controllers = []

    def start(**options):
        handler = FlakyHandler(**options)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        return handler

    yield start
    for controller in controllers:
        controller.stop()


def make_issue(n=5, *, status=IssueStatus.READY, territory=None, **kwargs):
    mailing_list = MailingListFactory(
        **({"territory": territory} if territory else {}), name="Lettre TI", **kwargs
    )
    subscribers = [
        SubscriberFactory(mailing_list=mailing_list, email=f"abonne{i}@exemple.fr")
        for i in range(n)
    ]
    issue = IssueFactory(mailing_list=mailing_list, status=status, number=7, title="Printemps")
    return issue, subscribers


def dry_run(issue) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("send_newsletter", str(issue.pk), stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def wet_run(issue) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("send_newsletter", str(issue.pk), "--wet-run", "--json", stdout=out)
    return json.loads(out.getvalue())


# --- Acceptance ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_repeated_runs_through_451_and_a_dropped_connection_send_exactly_one_copy_each(
    flaky_smtp,
):
    issue, subscribers = make_issue(12)
    emails = [s.email for s in subscribers]
    server = flaky_smtp(temporary_once={emails[1], emails[8]}, drop_at=5)
    assert dry_run(issue) == {"recipients": 12, "already_sent": 0, "to_send": 12}

    runs = []
    for _ in range(5):
        if dry_run(issue)["to_send"] == 0:
            break
        runs.append(wet_run(issue))

    # first run: 2 greylisted, 1 lost with the connection; second run: those 3
    assert runs[0] == {"sent": 9, "retry": 3, "failed": 0, "skipped": 0, "remaining": 3}
    assert runs[1] == {"sent": 3, "retry": 0, "failed": 0, "skipped": 0, "remaining": 0}
    assert len(runs) == 2
    assert server.dropped == 1
    assert server.copies() == Counter(dict.fromkeys(emails, 1))
    assert dry_run(issue) == {"recipients": 12, "already_sent": 12, "to_send": 0}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT
    assert issue.sent_at is not None
    assert not Delivery.objects.filter(issue=issue).exclude(status=DeliveryStatus.SENT).exists()

    for rcpts, mail in server.messages:
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = mail["List-Unsubscribe"].strip()  # folded: the URL is long
        assert re.fullmatch(
            r"<http://testserver/lettre/desabonnement/[^/>]+/>, "
            r"<mailto:equipe\d+@exemple\.fr\?subject=desabonnement-[^>]+>",
            unsubscribe,
        ), unsubscribe
        delivery = Delivery.objects.get(issue=issue, email=rcpts[0])
        assert mail["Message-ID"] == f"<newsletter-{issue.pk}-{delivery.pk}@testserver>"
        assert delivery.message_id == mail["Message-ID"]
        assert mail["Subject"] == "Lettre TI n° 7 — Printemps"
        assert mail["List-Id"].endswith(f"<lettre-{issue.mailing_list_id}.testserver>")
        assert mail["Reply-To"] == issue.mailing_list.reply_to
        assert mail.get_body(("plain",)) is not None
        assert mail.get_body(("html",)) is not None
    # the two greylisted addresses and the lost message were tried twice
    attempts = dict(Delivery.objects.filter(issue=issue).values_list("email", "attempts"))
    assert sorted(n for n in attempts.values() if n == 2) == [2, 2, 2]
    # a temporary failure followed by a success leaves the address clean
    for subscriber in subscribers:
        subscriber.refresh_from_db()
        assert subscriber.status == SubscriberStatus.ACTIVE
        assert subscriber.soft_bounces == 0


@pytest.mark.django_db
def test_one_click_post_unsubscribes_without_session_and_the_next_dry_run_counts_one_less(
    flaky_smtp,
):
    from django.test import Client

    issue, subscribers = make_issue(3)
    server = flaky_smtp()
    assert wet_run(issue)["sent"] == 3
    _, mail = next(m for m in server.messages if m[0] == [subscribers[1].email])
    url = re.search(r"<http://testserver(/[^>]+)>", mail["List-Unsubscribe"]).group(1)

    client = Client(enforce_csrf_checks=True)  # no session, no cookie, no token
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscribers[1].refresh_from_db()
    assert subscribers[1].status == SubscriberStatus.UNSUBSCRIBED
    assert dry_run(issue) == {"recipients": 2, "already_sent": 3, "to_send": 0}


# --- Failures -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_permanent_failure_marks_the_delivery_failed_and_suspends_the_address(flaky_smtp):
    issue, subscribers = make_issue(3)
    flaky_smtp(permanent={subscribers[0].email})
    assert wet_run(issue) == {"sent": 2, "retry": 0, "failed": 1, "skipped": 0, "remaining": 0}
    delivery = Delivery.objects.get(issue=issue, subscriber=subscribers[0])
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("550")
    subscribers[0].refresh_from_db()
    assert subscribers[0].status == SubscriberStatus.SUSPENDED
    assert "550" in subscribers[0].suspended_reason
    assert DoNotContact.objects.filter(mailing_list=issue.mailing_list).count() == 1
    assert dry_run(issue) == {"recipients": 2, "already_sent": 2, "to_send": 0}
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT


@pytest.mark.django_db
def test_three_temporary_failures_in_a_row_suspend_the_address(flaky_smtp):
    issue, subscribers = make_issue(2)
    stuck = subscribers[1]
    flaky_smtp(temporary={stuck.email})
    first = wet_run(issue)
    assert first == {"sent": 1, "retry": 1, "failed": 0, "skipped": 0, "remaining": 1}
    assert wet_run(issue)["retry"] == 1
    third = wet_run(issue)
    assert third == {"sent": 0, "retry": 0, "failed": 1, "skipped": 0, "remaining": 0}
    stuck.refresh_from_db()
    assert stuck.status == SubscriberStatus.SUSPENDED
    assert stuck.soft_bounces == 3
    assert "3 temporaires" in stuck.suspended_reason
    delivery = Delivery.objects.get(issue=issue, subscriber=stuck)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 3
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENT


@pytest.mark.django_db
def test_a_row_left_sending_by_a_killed_process_is_sent_once_by_the_next_run(flaky_smtp):
    issue, subscribers = make_issue(4)
    server = flaky_smtp()
    summary = sending.send(issue, stop_after=2)
    assert (summary.sent, summary.remaining) == (2, 2)
    assert summary.stopped
    # the process was killed after claiming the third row, 10 minutes ago
    killed = Delivery.objects.filter(issue=issue, status=DeliveryStatus.PENDING).first()
    Delivery.objects.filter(pk=killed.pk).update(
        status=DeliveryStatus.SENDING,
        claimed_at=timezone.now() - dt.timedelta(minutes=10),
        attempts=1,
    )
    assert dry_run(issue)["to_send"] == 2

    summary = sending.send(issue)
    assert (summary.sent, summary.remaining) == (2, 0)
    assert server.copies() == Counter({s.email: 1 for s in subscribers})
    killed.refresh_from_db()
    assert killed.status == DeliveryStatus.SENT
    assert killed.attempts == 2
    mail = next(m for r, m in server.messages if r == [killed.email])
    assert mail["Message-ID"] == f"<newsletter-{issue.pk}-{killed.pk}@testserver>"


@pytest.mark.django_db
def test_a_row_claimed_a_moment_ago_belongs_to_another_run_and_is_not_sent_again(flaky_smtp):
    issue, _subscribers = make_issue(2)
    server = flaky_smtp()
    sending.create_deliveries(issue)
    busy = Delivery.objects.filter(issue=issue).first()
    Delivery.objects.filter(pk=busy.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=timezone.now()
    )
    summary = sending.send(issue)
    assert (summary.sent, summary.remaining) == (1, 1)
    assert busy.email not in server.copies()
    issue.refresh_from_db()
    assert issue.status == IssueStatus.SENDING


@pytest.mark.django_db
def test_an_unreachable_server_stops_the_run_and_leaves_everything_to_send(settings):
    issue, _ = make_issue(3)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    summary = sending.send(issue)
    assert summary.sent == 0
    assert summary.remaining == 3
    assert "connexion au serveur SMTP impossible" in summary.stopped
    assert set(Delivery.objects.filter(issue=issue).values_list("status", flat=True)) == {
        DeliveryStatus.PENDING
    }


@pytest.mark.django_db
def test_subscribers_who_left_or_are_blocked_are_skipped(flaky_smtp):
    from pilote.outreach import subscriptions

    issue, subscribers = make_issue(4)
    server = flaky_smtp()
    sending.create_deliveries(issue)
    subscriptions.unsubscribe(subscribers[0], how="test")
    subscriptions.block(issue.mailing_list, subscribers[1].email, "manual")
    summary = sending.send(issue)
    assert (summary.sent, summary.skipped, summary.remaining) == (2, 2, 0)
    assert set(server.copies()) == {subscribers[2].email, subscribers[3].email}
    # a subscriber added since is sent on the next run
    late = SubscriberFactory(mailing_list=issue.mailing_list, email="tard@exemple.fr")
    assert dry_run(issue) == {"recipients": 3, "already_sent": 2, "to_send": 1}
    assert wet_run(issue)["sent"] == 1
    assert server.copies()[late.email] == 1
    # the team takes an address off the do-not-contact list: its skipped row goes again
    DoNotContact.objects.filter(email=subscribers[1].email).delete()
    assert dry_run(issue) == {"recipients": 4, "already_sent": 3, "to_send": 1}
    assert wet_run(issue)["sent"] == 1
    assert server.copies()[subscribers[1].email] == 1


# --- Throttling ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_connection_every_n_messages_as_set(flaky_smtp, settings):
    issue, _ = make_issue(7)
    server = flaky_smtp()
    settings.OUTREACH_MESSAGES_PER_CONNECTION = 3
    assert sending.send(issue).sent == 7
    assert server.connections == 3  # 3 + 3 + 1


@pytest.mark.django_db
def test_messages_per_second_as_set(flaky_smtp, settings):
    issue, _ = make_issue(6)
    flaky_smtp()
    settings.OUTREACH_MESSAGES_PER_SECOND = 20
    started = time.monotonic()
    assert sending.send(issue).sent == 6
    assert time.monotonic() - started >= 5 / 20  # 5 intervals between 6 messages


# --- Commands -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_dry_run_prints_exactly_one_json_line(capsys):
    issue, _subscribers = make_issue(3)
    SubscriberFactory(mailing_list=issue.mailing_list, status=SubscriberStatus.PENDING)
    call_command("send_newsletter", str(issue.pk))
    assert capsys.readouterr().out == '{"recipients": 3, "already_sent": 0, "to_send": 3}\n'
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_wet_run_of_a_draft_is_refused_in_french():
    issue, _ = make_issue(2, status=IssueStatus.DRAFT)
    with pytest.raises(CommandError, match="brouillon"):
        call_command("send_newsletter", str(issue.pk), "--wet-run")
    with pytest.raises(CommandError, match="Aucun numéro"):
        call_command("send_newsletter", "999999", "--wet-run")
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_wet_run_summary_in_french_says_to_run_again(flaky_smtp, capsys):
    issue, subscribers = make_issue(3)
    flaky_smtp(temporary_once={subscribers[0].email})
    call_command("send_newsletter", str(issue.pk), "--wet-run")
    out = capsys.readouterr().out
    assert "2 envoyé(s), 1 à réessayer" in out
    assert "1 restent à envoyer : relancez la commande." in out
    call_command("send_newsletter", str(issue.pk), "--wet-run")
    assert "Tous les abonnés ont reçu ce numéro." in capsys.readouterr().out


@pytest.mark.django_db
def test_list_newsletters_json(flaky_smtp, capsys):
    issue, _ = make_issue(3)
    draft = IssueFactory(mailing_list=issue.mailing_list, number=8, title="Été")
    flaky_smtp()
    sending.send(issue)
    call_command("list_newsletters", "--json")
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    rows = {row["id"]: row for row in json.loads(out)}
    issue.refresh_from_db()
    assert rows[issue.pk] == {
        "id": issue.pk,
        "number": 7,
        "title": "Printemps",
        "status": "sent",
        "territory": issue.mailing_list.territory.slug,
        "mailing_list": "Lettre TI",
        "sent_at": issue.sent_at.isoformat(),
        "recipients": 3,
        "sent": 3,
        "delivered": 3,
        "bounced": 0,
        "unsubscribed": 0,
    }
    assert rows[draft.pk]["status"] == "draft"
    assert rows[draft.pk]["sent"] == 0
    assert rows[draft.pk]["sent_at"] is None


# --- The page -----------------------------------------------------------------------------


@pytest.fixture
def page_issue(world):
    issue, _subscribers = make_issue(3, territory=world.territory_a)
    return issue


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["agent_e1", "partner", "admin", "manager_b", "nobody"])
def test_only_the_lists_ti_manager_reaches_the_sending_pages(world, page_issue, login, actor):
    client = login(world.users[actor])
    pk = page_issue.pk
    assert client.get(f"/lettre/numeros/{pk}/envoyer/").status_code == 404
    assert client.post(f"/lettre/numeros/{pk}/envoyer/").status_code == 404
    assert client.get(f"/lettre/numeros/{pk}/progression/").status_code == 404
    assert client.post(f"/lettre/numeros/{pk}/essai/").status_code == 404
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_the_manager_confirms_then_the_task_sends_and_the_fragment_shows_the_counts(
    world, page_issue, login, flaky_smtp, django_capture_on_commit_callbacks
):
    server = flaky_smtp(temporary_once={"abonne2@exemple.fr"})
    client = login(world.users["manager"])
    pk = page_issue.pk
    confirm = client.get(f"/lettre/numeros/{pk}/envoyer/")
    assert "Confirmer l'envoi à 3 abonnés" in confirm.content.decode()

    fragment = client.get(f"/lettre/numeros/{pk}/progression/").content.decode()
    assert "Envoyer à 3 abonnés" in fragment
    assert "every 2s" not in fragment

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lettre/numeros/{pk}/envoyer/")
    assert response.status_code == 302
    assert response["Location"] == f"/lettre/numeros/{pk}/"
    assert len(server.messages) == 2
    assert tasks.state_of(page_issue)["state"] == "done"

    fragment = client.get(f"/lettre/numeros/{pk}/progression/").content.decode()
    assert "2 / 3 envoyés" in fragment
    assert "1 à réessayer" in fragment
    assert 'max="3" value="2"' in fragment
    assert "every 2s" not in fragment  # done: no more polling
    assert "relancez l'envoi" in fragment

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/lettre/numeros/{pk}/envoyer/")
    fragment = client.get(f"/lettre/numeros/{pk}/progression/").content.decode()
    assert "3 / 3 envoyés" in fragment
    assert "Numéro envoyé" in fragment
    assert server.copies() == Counter({f"abonne{i}@exemple.fr": 1 for i in range(3)})


@pytest.mark.django_db
def test_the_fragment_polls_while_the_task_runs(world, page_issue, login):
    client = login(world.users["manager"])
    tasks._publish(page_issue.pk, state="running")
    fragment = client.get(f"/lettre/numeros/{page_issue.pk}/progression/").content.decode()
    assert 'hx-trigger="every 2s"' in fragment
    assert "Envoi en cours" in fragment
    assert "Envoyer à" not in fragment  # no second run from the page meanwhile


@pytest.mark.django_db
def test_a_draft_is_not_sent_from_the_page(
    world, login, flaky_smtp, django_capture_on_commit_callbacks
):
    issue, _ = make_issue(2, territory=world.territory_a, status=IssueStatus.DRAFT)
    server = flaky_smtp()
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lettre/numeros/{issue.pk}/envoyer/", follow=False)
    assert response.status_code == 302
    assert not server.messages
    assert not Delivery.objects.exists()
    assert "brouillon" in client.get(f"/lettre/numeros/{issue.pk}/envoyer/").content.decode()


@pytest.mark.django_db
def test_the_test_message_goes_to_the_manager_only(
    world, page_issue, login, flaky_smtp, django_capture_on_commit_callbacks
):
    server = flaky_smtp()
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/lettre/numeros/{page_issue.pk}/essai/")
    assert response.status_code == 302
    assert [rcpts for rcpts, _ in server.messages] == [["manager@exemple.fr"]]
    mail = server.messages[0][1]
    assert mail["Subject"] == "[TEST] Lettre TI n° 7 — Printemps"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not Delivery.objects.exists()
    page_issue.refresh_from_db()
    assert page_issue.status == IssueStatus.READY
