"""Sending an issue: every current subscriber gets exactly one copy, whatever fails
(docs/outreach.md#envoi).

`plan(issue)` counts what a run would do; `send(issue)` does it:

1. one `Delivery` row per current recipient (active, not on the do-not-contact list) is
   created if missing; rows left `sending` by a killed process for longer than
   `OUTREACH_CLAIM_TIMEOUT` seconds go back to `retry`; the issue moves to `sending`;
2. the `pending` and `retry` rows are read by chunks of `CHUNK`, in id order. Each is
   checked again (still active, not blocked — else `skipped`), **claimed** (`sending`,
   committed, by a conditional UPDATE: two runs never take the same row), handed to the
   SMTP server, then **marked** `sent` as soon as the server accepts it (committed with
   the next row's claim, in one transaction, or alone before anything that waits: a new
   connection, the next chunk, the end of the run). A 4xx answer
   leaves it `retry` (a temporary bounce on the address), a 5xx marks it `failed` (a
   permanent bounce: the address is suspended), a dropped connection leaves it `retry` and
   the run reconnects — and gives up after `MAX_CONNECTION_FAILURES` failures in a row,
   leaving the rest for the next run. A row marked `retry` is not tried again in the same
   run: « later » is the next run;
3. when no current recipient is left without a `sent` row, the issue is `sent`.

The only duplicate possible is a message the server accepted in the instant before the
process was killed (claimed, never marked): the next run sends it again with the same
deterministic Message-ID (`message.message_id`), which mail clients use to drop it.

Throttling: `rate` messages per second (`OUTREACH_MESSAGES_PER_SECOND`, 0 = unlimited) and
a new SMTP connection every `per_connection` messages (`OUTREACH_MESSAGES_PER_CONNECTION`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import sanitize_address
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from pilote.core import audit
from pilote.outreach import message, subscriptions
from pilote.outreach.enums import DeliveryStatus, IssueStatus, SubscriberStatus
from pilote.outreach.models import Delivery, DoNotContact, Issue, Subscriber

logger = logging.getLogger(__name__)

CHUNK = 200
MAX_CONNECTION_FAILURES = 3
# Permanent refusals in a row after which the run stops: the server refuses the message
# itself (content, sender), not the addresses.
MAX_PERMANENT_FAILURES = 20
RECONNECT_DELAY = 1.0  # seconds, times the number of failures in a row

TO_SEND = (DeliveryStatus.PENDING, DeliveryStatus.RETRY)
SENDABLE = (IssueStatus.READY, IssueStatus.SENDING, IssueStatus.SENT)


class NotSendable(Exception):
    """The issue cannot be sent (a draft): the message says why, in French."""


@dataclass
class Summary:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0
    remaining: int = 0
    stopped: str = ""  # why the run stopped before the end, if it did

    def counts(self) -> dict[str, int]:
        data = asdict(self)
        data.pop("stopped")
        return data


def setting(name: str, default):
    return getattr(settings, name, default)


# --- Who receives the issue -----------------------------------------------------------------


def blocked_hashes(mailing_list) -> set[str]:
    return set(
        DoNotContact.objects.filter(mailing_list=mailing_list).values_list("email_hash", flat=True)
    )


def recipients(issue: Issue) -> Iterator[tuple[int, str]]:
    """(id, address) of the issue's current recipients: the list's active subscribers whose
    address is not on the do-not-contact list. Streamed."""
    blocked = blocked_hashes(issue.mailing_list_id)
    rows = (
        Subscriber.objects.filter(mailing_list_id=issue.mailing_list_id)
        .active()
        .order_by("pk")
        .values_list("pk", "email")
    )
    for pk, email in rows.iterator(chunk_size=2000):
        if not blocked or subscriptions.email_hash(email) not in blocked:
            yield pk, email


def plan(issue: Issue) -> dict[str, int]:
    """{recipients, already_sent, to_send}: the current recipients, the copies already
    accepted by the server, the recipients who have none yet. Streamed: counts only."""
    blocked = blocked_hashes(issue.mailing_list_id)
    sent = Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENT)
    rows = (
        Subscriber.objects.filter(mailing_list_id=issue.mailing_list_id)
        .active()
        .annotate(has_copy=Exists(sent.filter(subscriber=OuterRef("pk"))))
        .order_by("pk")
        .values_list("email", "has_copy")
    )
    recipients = to_send = 0
    for email, has_copy in rows.iterator(chunk_size=2000):
        if blocked and subscriptions.email_hash(email) in blocked:
            continue
        recipients += 1
        to_send += not has_copy
    return {"recipients": recipients, "already_sent": sent.count(), "to_send": to_send}


def delivery_counts(issue: Issue) -> dict[str, int]:
    """The issue's delivery rows by status (every status present, 0 if none)."""
    counts = dict.fromkeys(DeliveryStatus.values, 0)
    for row in (
        Delivery.objects.filter(issue=issue).order_by().values("status").annotate(n=Count("pk"))
    ):
        counts[row["status"]] = row["n"]
    return counts


# --- Preparing a run ----------------------------------------------------------------------


def check_sendable(issue: Issue) -> None:
    if issue.status not in SENDABLE:
        raise NotSendable(
            f"Le n° {issue.number} est un brouillon : passez-le « prête à envoyer » avant "
            "de l'envoyer."
        )


def release_stale_claims(issue: Issue) -> int:
    """Rows claimed by a run that died (killed, machine stopped) go back to `retry`."""
    timeout = setting("OUTREACH_CLAIM_TIMEOUT", 300)
    limit = timezone.now() - dt.timedelta(seconds=timeout)
    stale = Delivery.objects.filter(issue=issue, status=DeliveryStatus.SENDING)
    return (stale.filter(claimed_at__lt=limit) | stale.filter(claimed_at__isnull=True)).update(
        status=DeliveryStatus.RETRY,
        last_error="Envoi interrompu (processus arrêté ?) : à renvoyer, même Message-ID.",
    )


def create_deliveries(issue: Issue) -> int:
    """A `pending` row for every current recipient without one; the `skipped` or `failed`
    rows of those who are recipients again (re-subscribed, reactivated) go back to
    `pending`. Returns the number of rows made pending. Streamed."""
    blocked = blocked_hashes(issue.mailing_list_id)

    def recipient(email: str) -> bool:
        return not blocked or subscriptions.email_hash(email) not in blocked

    missing = (
        Subscriber.objects.filter(mailing_list_id=issue.mailing_list_id)
        .active()
        .filter(~Exists(Delivery.objects.filter(issue=issue, subscriber=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "email")
    )
    made = 0
    batch: list[Delivery] = []
    for pk, email in missing.iterator(chunk_size=2000):
        if recipient(email):
            batch.append(Delivery(issue=issue, subscriber_id=pk, email=email))
        if len(batch) >= 1000:
            made += len(Delivery.objects.bulk_create(batch, ignore_conflicts=True))
            batch = []
    if batch:
        made += len(Delivery.objects.bulk_create(batch, ignore_conflicts=True))
    ended = (DeliveryStatus.SKIPPED, DeliveryStatus.FAILED)
    again = [
        pk
        for pk, email in Delivery.objects.filter(
            issue=issue, status__in=ended, subscriber__status=SubscriberStatus.ACTIVE
        ).values_list("pk", "subscriber__email")
        if recipient(email)
    ]
    for start in range(0, len(again), 1000):
        made += Delivery.objects.filter(
            pk__in=again[start : start + 1000], status__in=ended
        ).update(status=DeliveryStatus.PENDING)
    return made


def set_status(issue: Issue, status: str, **fields) -> None:
    before = issue.status
    if before == status:
        return
    Issue.objects.filter(pk=issue.pk).update(status=status, **fields)
    issue.status = status
    for name, value in fields.items():
        setattr(issue, name, value)
    audit.record(
        actor=None,
        action="outreach.issue_status",
        obj=issue,
        before={"status": before},
        after={"status": status},
    )


# --- The SMTP side ------------------------------------------------------------------------


class ConnectionFailed(Exception):
    pass


class Outbox:
    """One SMTP connection at a time (Django's backend), a new one every `per_connection`
    messages, at most `rate` messages per second."""

    def __init__(self, *, rate: float, per_connection: int):
        self.interval = 1.0 / rate if rate else 0.0
        self.per_connection = per_connection
        self.backend = None
        self.count = 0
        self.next_at = 0.0
        self.opened = 0
        self.senders: dict[str, str] = {}

    def needs_connection(self) -> bool:
        return self.backend is None or bool(
            self.per_connection and self.count >= self.per_connection
        )

    def connection(self):
        if self.backend is not None and self.needs_connection():
            self.close()
        if self.backend is None:
            backend = get_connection(fail_silently=False)
            try:
                backend.open()
            except (OSError, smtplib.SMTPException) as error:
                raise ConnectionFailed(str(error) or type(error).__name__) from error
            self.backend, self.count = backend, 0
            self.opened += 1
        return self.backend

    def send(self, email) -> None:
        if self.interval:
            now = time.monotonic()
            if self.next_at > now:
                time.sleep(self.next_at - now)
            self.next_at = max(now, self.next_at) + self.interval
        self.count += 1
        smtp = getattr(self.backend, "connection", None)
        if getattr(email, "serialised", None) is not None and isinstance(smtp, smtplib.SMTP):
            # The message is already bytes (message.build): straight to the SMTP session
            # of Django's backend, as its `_send` would, without parsing the addresses
            # again for every message.
            smtp.sendmail(self.envelope_from(email.from_email), email.to, email.serialised)
        else:
            self.backend.send_messages([email])

    def envelope_from(self, from_email: str) -> str:
        if from_email not in self.senders:
            self.senders[from_email] = sanitize_address(from_email, settings.DEFAULT_CHARSET)
        return self.senders[from_email]

    def close(self) -> None:
        backend, self.backend = self.backend, None
        if backend is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                backend.close()


def _text(error: bytes | str) -> str:
    if isinstance(error, bytes):
        error = error.decode("utf-8", "replace")
    return " ".join(str(error).split())


# --- A run --------------------------------------------------------------------------------


# --- The two writes of every message --------------------------------------------------------
# Plain SQL: they run twice per message and the ORM's compilation of these UPDATEs costs
# more than the statements themselves (bench/bench_newsletter.py). Each is committed at once
# (autocommit): a claimed row is never lost, a sent row never sent again.


def claim(delivery_id: int, subscriber_id: int, *, email: str, message_id: str) -> bool:
    """Take a `pending` or `retry` row if its subscriber is still active: `sending`,
    attempts + 1. False if another run took it or the subscriber left meanwhile."""
    table = connection.ops.quote_name(Delivery._meta.db_table)
    subscribers = connection.ops.quote_name(Subscriber._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1, "
            f"email = %s, message_id = %s WHERE id = %s AND status IN (%s, %s) AND EXISTS "
            f"(SELECT 1 FROM {subscribers} WHERE id = %s AND status = %s)",
            [
                DeliveryStatus.SENDING.value,
                now,
                email,
                message_id,
                delivery_id,
                DeliveryStatus.PENDING.value,
                DeliveryStatus.RETRY.value,
                subscriber_id,
                SubscriberStatus.ACTIVE.value,
            ],
        )
        return cursor.rowcount == 1


def mark_sent(delivery_id: int) -> None:
    table = connection.ops.quote_name(Delivery._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, sent_at = %s, last_error = %s WHERE id = %s",
            [DeliveryStatus.SENT.value, now, "", delivery_id],
        )


class _Stop(Exception):
    pass


class Run:
    def __init__(self, issue, *, rate, per_connection, progress, stop_after):
        self.issue = issue
        self.outbox = Outbox(rate=rate, per_connection=per_connection)
        self.progress = progress
        self.stop_after = stop_after
        self.summary = Summary()
        self.attempted = 0
        self.connection_failures = 0
        self.permanent_in_a_row = 0
        self.prepared = message.prepare(issue)
        # The row of the last message the server accepted, marked `sent` in the same
        # transaction as the next claim (one commit per message, not two) — or at once
        # before anything that may wait (a new connection, the next chunk, the end).
        self.unmarked: int | None = None

    def flush(self) -> None:
        if self.unmarked is not None:
            mark_sent(self.unmarked)
            self.unmarked = None

    def mark(self, delivery: Delivery, status: str, **fields) -> None:
        Delivery.objects.filter(pk=delivery.pk).update(status=status, **fields)

    def run(self) -> Summary:
        last_pk = 0
        try:
            while True:
                self.flush()
                chunk = list(
                    Delivery.objects.filter(issue=self.issue, status__in=TO_SEND, pk__gt=last_pk)
                    .select_related("subscriber")
                    .order_by("pk")[:CHUNK]
                )
                if not chunk:
                    break
                blocked = blocked_hashes(self.issue.mailing_list_id)
                for delivery in chunk:
                    last_pk = delivery.pk
                    self.deliver(delivery, blocked)
                    if self.progress is not None:
                        self.progress(self.summary)
        except _Stop as stop:
            self.summary.stopped = str(stop)
            logger.warning("Newsletter issue %s: run stopped: %s", self.issue.pk, stop)
        finally:
            self.flush()
            self.outbox.close()
        return self.summary

    def deliver(self, delivery: Delivery, blocked: set[str]) -> None:
        subscriber = delivery.subscriber
        if (
            subscriber is None
            or subscriber.status != SubscriberStatus.ACTIVE
            or (blocked and subscriptions.email_hash(subscriber.email) in blocked)
        ):
            self.skip(delivery)
            return
        if self.stop_after is not None and self.attempted >= self.stop_after:
            raise _Stop(f"arrêt demandé après {self.stop_after} message(s)")
        if self.outbox.needs_connection():
            self.flush()
        connection = self.connect()
        with transaction.atomic():
            self.flush()
            claimed = claim(
                delivery.pk,
                subscriber.pk,
                email=subscriber.email,
                message_id=message.message_id(self.issue.pk, delivery.pk, self.prepared.host),
            )
        if not claimed:  # unsubscribed meanwhile, or taken by another run
            self.skip(delivery)
            return
        self.attempted += 1
        email = message.build(
            self.prepared,
            to=subscriber.email,
            token=subscriptions.unsubscribe_token(subscriber),
            delivery_id=delivery.pk,
            connection=connection,
        )
        try:
            self.outbox.send(email)
        except smtplib.SMTPSenderRefused as error:
            self.retry(delivery, f"{error.smtp_code} {_text(error.smtp_error)}")
            raise _Stop(
                f"le serveur refuse l'expéditeur {error.sender} : {error.smtp_code} "
                f"{_text(error.smtp_error)}"
            ) from error
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (0, b""))
            self.refused(delivery, subscriber, code, _text(text))
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server closes the connection: not the address
                self.dropped(delivery, f"421 {_text(error.smtp_error)}")
            else:
                self.refused(delivery, subscriber, error.smtp_code, _text(error.smtp_error))
        except (smtplib.SMTPException, OSError) as error:
            self.dropped(delivery, _text(str(error) or type(error).__name__))
        else:
            self.unmarked = delivery.pk
            subscriptions.record_delivered(subscriber)
            self.summary.sent += 1
            self.connection_failures = 0
            self.permanent_in_a_row = 0

    def connect(self):
        while True:
            try:
                return self.outbox.connection()
            except ConnectionFailed as error:
                self.connection_failures += 1
                if self.connection_failures >= MAX_CONNECTION_FAILURES:
                    raise _Stop(
                        f"connexion au serveur SMTP impossible ({self.connection_failures} "
                        f"échecs de suite) : {error}"
                    ) from error
                time.sleep(RECONNECT_DELAY * self.connection_failures)

    def skip(self, delivery: Delivery) -> None:
        self.flush()
        skipped = Delivery.objects.filter(pk=delivery.pk, status__in=TO_SEND).update(
            status=DeliveryStatus.SKIPPED,
            last_error="Désabonné ou suspendu avant l'envoi.",
        )
        self.summary.skipped += skipped

    def retry(self, delivery: Delivery, error: str) -> None:
        self.mark(delivery, DeliveryStatus.RETRY, last_error=error[:500])
        self.summary.retry += 1

    def refused(self, delivery, subscriber, code: int, text: str) -> None:
        error = f"{code} {text}"
        if 400 <= code < 500:
            suspended = subscriptions.record_bounce(subscriber, permanent=False, reason=error)
            if suspended:  # too many temporary failures in a row: this address is done
                self.mark(delivery, DeliveryStatus.FAILED, last_error=error[:500])
                self.summary.failed += 1
            else:
                self.retry(delivery, error)
            self.permanent_in_a_row = 0
            return
        subscriptions.record_bounce(subscriber, permanent=True, reason=error)
        self.mark(delivery, DeliveryStatus.FAILED, last_error=error[:500])
        self.summary.failed += 1
        self.permanent_in_a_row += 1
        if self.permanent_in_a_row >= MAX_PERMANENT_FAILURES:
            raise _Stop(
                f"{self.permanent_in_a_row} refus définitifs de suite ({error}) : le serveur "
                "refuse peut-être le message lui-même ; vérifiez avant de relancer"
            )

    def dropped(self, delivery: Delivery, error: str) -> None:
        """The connection broke while this message was being sent: the server did not say
        it accepted it, so it goes again later (same Message-ID)."""
        self.retry(delivery, f"Connexion interrompue : {error}")
        self.outbox.close()
        self.connection_failures += 1
        if self.connection_failures >= MAX_CONNECTION_FAILURES:
            raise _Stop(
                f"connexion au serveur SMTP perdue {self.connection_failures} fois de suite"
            )


def send(
    issue: Issue,
    *,
    rate: float | None = None,
    per_connection: int | None = None,
    progress: Callable[[Summary], None] | None = None,
    stop_after: int | None = None,
) -> Summary:
    """Send `issue` to every current recipient who has no copy yet. Never call it inside a
    transaction: each row's claim and mark must be committed as they happen."""
    issue = Issue.objects.select_related("mailing_list__territory").get(pk=issue.pk)
    check_sendable(issue)
    rate = setting("OUTREACH_MESSAGES_PER_SECOND", 10) if rate is None else rate
    if per_connection is None:
        per_connection = setting("OUTREACH_MESSAGES_PER_CONNECTION", 100)
    release_stale_claims(issue)
    create_deliveries(issue)
    if issue.status == IssueStatus.READY:
        set_status(issue, IssueStatus.SENDING, sending_started_at=timezone.now())
    run = Run(
        issue, rate=rate, per_connection=per_connection, progress=progress, stop_after=stop_after
    )
    summary = run.run()
    summary.remaining = plan(issue)["to_send"]
    if summary.remaining == 0 and issue.status == IssueStatus.SENDING:
        set_status(issue, IssueStatus.SENT, sent_at=timezone.now())
    logger.info(
        "Newsletter issue %s: %s (%d connection(s))",
        issue.pk,
        summary.counts(),
        run.outbox.opened,
    )
    return summary
