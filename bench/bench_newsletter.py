"""Sending one newsletter issue to 10,000 subscribers through a local SMTP server.

Target: `sending.send` (claim and mark of each delivery row, the message built for each
recipient, throttling off, a new connection every 100 messages) reaches at least half the
throughput of a bare `smtplib` loop sending the same messages, prepared beforehand, over the
same server in the same run (ratio ≥ 0.5). Peak memory (tracemalloc) stays flat: the peak
while sending the last 9,000 messages of a second issue is no higher than while sending its
first 1,000. The SMTP server (aiosmtpd) runs in a thread of the same process and only counts
what it receives. The bench database is emptied at the end.
"""

import logging
import os
import smtplib
import socket
import time
import tracemalloc

from django.db import connection

N_RECIPIENTS = int(os.environ.get("BENCH_NEWSLETTER_RECIPIENTS", 10_000))
PER_CONNECTION = 100
TARGET_RATIO = 0.5


class Counter:
    def __init__(self):
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        self.received += 1
        return "250 OK"


def start_server():
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Counter()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler, port


def populate():
    from pilote.outreach.enums import IssueStatus, SectionKind
    from pilote.outreach.models import Issue, MailingList, Section, Subscriber
    from pilote.territories.models import Territory

    territory = Territory.objects.create(name="TI Bench Lettre", slug="ti-bench-lettre")
    mailing_list = MailingList.objects.create(
        territory=territory,
        sender_name="Territoire d'industrie Bench",
        sender_email="lettre@exemple.fr",
        reply_to="equipe@exemple.fr",
    )
    Subscriber.objects.bulk_create(
        (
            Subscriber(
                mailing_list=mailing_list,
                email=f"abonne{i:05d}@exemple.fr",
                first_name="Prénom",
                last_name=f"Nom {i}",
                consent_proof="bench",
            )
            for i in range(N_RECIPIENTS)
        ),
        batch_size=2000,
    )
    issues = []
    for number in (1, 2):
        issue = Issue.objects.create(
            mailing_list=mailing_list, number=number, title="Bench", status=IssueStatus.READY
        )
        Section.objects.bulk_create(
            Section(
                issue=issue,
                kind=kind,
                title=kind.label,
                body=f"**{kind.label}** : " + "Un paragraphe de texte de la lettre. " * 20,
                position=position,
            )
            for position, kind in enumerate(SectionKind)
        )
        issues.append(issue)
    return issues


def prepared_messages(issue) -> list[tuple[str, str, bytes]]:
    """The same messages as `send` builds (one per recipient), as bytes, beforehand."""
    from pilote.outreach import message, subscriptions
    from pilote.outreach.models import Subscriber

    prepared = message.prepare(issue)
    out = []
    for index, subscriber in enumerate(
        Subscriber.objects.filter(mailing_list=issue.mailing_list).order_by("pk").iterator()
    ):
        email = message.build(
            prepared,
            to=subscriber.email,
            token=subscriptions.unsubscribe_token(subscriber),
            delivery_id=index + 1,
        )
        out.append((email.from_email, subscriber.email, email.message().as_bytes(linesep="\r\n")))
    return out


def bare_loop(port: int, messages) -> float:
    started = time.perf_counter()
    client = None
    for index, (sender, to, data) in enumerate(messages):
        if index % PER_CONNECTION == 0:
            if client is not None:
                client.quit()
            client = smtplib.SMTP("127.0.0.1", port)
        client.sendmail(sender, [to], data)
    client.quit()
    return time.perf_counter() - started


def main() -> None:
    from django.core.management import call_command
    from django.test import override_settings

    from pilote.outreach import sending

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    logging.getLogger("pilote.outreach.sending").setLevel(logging.WARNING)
    controller, handler, port = start_server()
    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
    }
    try:
        with override_settings(**smtp):
            issue, second = populate()
            messages = prepared_messages(issue)
            size = sum(len(data) for _, _, data in messages) // len(messages)
            bare = bare_loop(port, messages)
            del messages
            print(f"  {N_RECIPIENTS:,} destinataires, messages de {size:,} octets")
            print(f"  smtplib nu (messages préparés) : {bare:6.2f} s  "
                  f"{N_RECIPIENTS / bare:7.0f} messages/s")  # fmt: skip

            started = time.perf_counter()
            summary = sending.send(issue, rate=0, per_connection=PER_CONNECTION)
            ours = time.perf_counter() - started
            if summary.sent != N_RECIPIENTS or summary.remaining:
                raise RuntimeError(f"envoi incomplet : {summary}")
            ratio = bare / ours
            print(f"  sending.send                   : {ours:6.2f} s  "
                  f"{N_RECIPIENTS / ours:7.0f} messages/s")  # fmt: skip
            verdict = "OK" if ratio >= TARGET_RATIO else "EN DESSOUS"
            print(f"  débit ×{ratio:.2f} du smtplib nu — cible ≥ {TARGET_RATIO} : {verdict}")

            first = min(1000, N_RECIPIENTS // 10)
            tracemalloc.start()
            sending.send(second, rate=0, per_connection=PER_CONNECTION, stop_after=first)
            _, peak_first = tracemalloc.get_traced_memory()
            tracemalloc.reset_peak()
            summary = sending.send(second, rate=0, per_connection=PER_CONNECTION)
            _, peak_rest = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            if summary.remaining:
                raise RuntimeError(f"envoi incomplet : {summary}")
            flat = "plate" if peak_rest <= peak_first * 1.2 else "EN HAUSSE"
            print(f"  mémoire (tracemalloc) : pic {peak_first / 2**20:.1f} Mo pour les "
                  f"{first:,} premiers (avec la création des lignes), "
                  f"{peak_rest / 2**20:.1f} Mo pour les {N_RECIPIENTS - first:,} suivants : "
                  f"{flat}")  # fmt: skip
            print(f"  reçus par le serveur : {handler.received:,} "
                  f"(attendu {3 * N_RECIPIENTS:,})")  # fmt: skip
            print(f"  charge de la machine : {os.getloadavg()[0]:.1f} (loadavg 1 min, "
                  f"{os.cpu_count()} cœurs)")  # fmt: skip
    finally:
        controller.stop()
        call_command("flush", interactive=False, verbosity=0)
        connection.close()
