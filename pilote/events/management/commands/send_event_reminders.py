from django.core.management.base import BaseCommand
from django.utils import timezone

from pilote.events import services


class Command(BaseCommand):
    help = (
        "Envoie le rappel de la veille aux inscrits des événements publiés qui ont lieu demain, "
        "avec l'invitation .ics. À lancer chaque jour (cron). Sans --wet-run, n'envoie rien et "
        "dit combien partiraient ; relancé, n'envoie rien deux fois (reminded_at)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="envoyer pour de vrai")

    def handle(self, *args, wet_run: bool, **options):
        now = timezone.now()
        if not wet_run:
            count = services.reminders_due(now).count()
            self.stdout.write(f"Simulation (--wet-run pour envoyer) : {count} rappel(s).")
            return
        count = services.reminders_send(now=now)
        self.stdout.write(f"{count} rappel(s) envoyé(s).")
