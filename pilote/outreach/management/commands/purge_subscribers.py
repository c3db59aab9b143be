"""Retention (docs/outreach.md): erase the subscribers who never confirmed their address,
once their confirmation link has expired (7 days).

Lists them and changes nothing unless given --wet-run. Meant for a daily cron job.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from pilote.outreach.services import CONFIRMATION_DAYS, expired_pending, subscriber_erase

REASON = "inscription non confirmée"


class Command(BaseCommand):
    help = (
        f"Efface les inscriptions à la lettre d'information non confirmées après "
        f"{CONFIRMATION_DAYS} jours. Sans --wet-run, liste seulement ce qui serait effacé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run", action="store_true", help="Effacer vraiment (sinon : simulation)."
        )

    def handle(self, *args, wet_run: bool, **options):
        stale = list(  # read first: erasing while a cursor is open is unsafe
            expired_pending().select_related("mailing_list__territory").order_by("created_at", "pk")
        )
        for subscriber in stale:
            created = timezone.localtime(subscriber.created_at).strftime("%d/%m/%Y")
            self.stdout.write(
                f"abonné n°{subscriber.pk} — {subscriber.mailing_list.territory} — inscrit le "
                f"{created}, jamais confirmé"
            )
            if wet_run:
                subscriber_erase(acting_user=None, subscriber=subscriber, reason=REASON)
        if wet_run:
            self.stdout.write(f"{len(stale)} inscription(s) non confirmée(s) effacée(s).")
        else:
            self.stdout.write(
                f"{len(stale)} inscription(s) non confirmée(s) à effacer (simulation : rien "
                "n'est effacé ; relancez avec --wet-run)."
            )
