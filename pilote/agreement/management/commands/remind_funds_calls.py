import datetime as dt
import json as json_lib

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from pilote.agreement import ledger, services
from pilote.agreement.models import FundsCall

QUIET_DAYS = 14


def overdue_calls(today: dt.date) -> list[FundsCall]:
    calls = ledger.with_paid(
        FundsCall.objects.filter(due_on__lt=today).select_related("party", "year__agreement")
    ).order_by("year__agreement", "year__number", "number")
    return [c for c in calls if c.amount - c.paid > 0]


class Command(BaseCommand):
    help = (
        "Relance par courriel les agents des EPCI dont un appel de fonds est en retard "
        f"(échéance passée, reste à payer), s'il n'a pas été relancé depuis {QUIET_DAYS} "
        "jours. Sans --wet-run, compte seulement. Avec --json, une ligne JSON : "
        '{"overdue": N, "reminded": M}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="envoyer pour de vrai")
        parser.add_argument("--json", action="store_true", help="une ligne JSON")

    def handle(self, *args, wet_run: bool, json: bool, **options):
        now = timezone.now()
        overdue = overdue_calls(timezone.localdate())
        due = [
            c for c in overdue
            if c.last_reminded_at is None
            or c.last_reminded_at <= now - dt.timedelta(days=QUIET_DAYS)
        ]  # fmt: skip
        reminded, skipped = 0, []
        with transaction.atomic():
            for call in due:
                try:
                    with transaction.atomic():
                        services.call_remind(acting_user=None, call=call)
                except ValidationError as error:
                    skipped.append(f"{call.number} : {' '.join(error.messages)}")
                else:
                    reminded += 1
            if not wet_run:  # the same work, rolled back: no e-mail is queued
                transaction.set_rollback(True)
        for line in skipped:
            self.stderr.write(line)
        counts = {"overdue": len(overdue), "reminded": reminded}
        if json:
            self.stdout.write(json_lib.dumps(counts))
        else:
            verb = "relancé(s)" if wet_run else "à relancer (simulation, rien n'est envoyé)"
            self.stdout.write(
                f"{counts['overdue']} appel(s) de fonds en retard, {reminded} {verb}."
            )
