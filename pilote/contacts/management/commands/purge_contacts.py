"""Retention (docs/rules.md, « Personal data »): erase the contacts with no activity for 3 years.

Lists them and changes nothing unless given --wet-run. Meant for a daily cron job.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from pilote.contacts.models import RETENTION_YEARS, Contact, shift_years
from pilote.contacts.services import contact_erase

REASON = "durée de conservation dépassée"


class Command(BaseCommand):
    help = (
        "Efface les contacts sans activité depuis 3 ans (durée de conservation). "
        "Sans --wet-run, liste seulement ce qui serait effacé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run", action="store_true", help="Effacer vraiment (sinon : simulation)."
        )
        parser.add_argument(
            "--years",
            type=int,
            default=RETENTION_YEARS,
            help=f"Années sans activité avant effacement (défaut : {RETENTION_YEARS}).",
        )

    def handle(self, *args, wet_run: bool, years: int, **options):
        if years < 1:
            self.stderr.write("--years doit valoir au moins 1.")
            return
        cutoff = shift_years(timezone.now(), -years)
        stale = (
            Contact.objects.inactive_since(cutoff)
            .select_related("company")
            .order_by("last_activity_at", "pk")
        )
        count = 0
        for contact in list(stale):  # read first: erasing while a cursor is open is unsafe
            last = timezone.localtime(contact.last_activity_at).strftime("%d/%m/%Y")
            self.stdout.write(
                f"contact n°{contact.pk} — {contact.company.display_name} "
                f"(SIREN {contact.company.siren}) — dernière activité le {last}"
            )
            if wet_run:
                contact_erase(acting_user=None, contact=contact, reason=REASON)
            count += 1
        since = timezone.localtime(cutoff).strftime("%d/%m/%Y")
        if wet_run:
            self.stdout.write(f"{count} contact(s) sans activité depuis le {since} effacé(s).")
        else:
            self.stdout.write(
                f"{count} contact(s) sans activité depuis le {since} à effacer "
                "(simulation : rien n'est effacé ; relancez avec --wet-run)."
            )
