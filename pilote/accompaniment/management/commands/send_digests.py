import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from pilote.accompaniment.tasks import send_digests


class Command(BaseCommand):
    help = (
        "Envoie à chaque membre son récapitulatif hebdomadaire : actions de suivi à échéance "
        "ou en retard, visites de prospection et échanges prévus dans les 7 jours. À lancer "
        "chaque lundi matin (cron). Sans --wet-run, n'envoie rien et dit combien partiraient ; "
        "relancé la même semaine, n'envoie rien deux fois."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="envoyer pour de vrai")
        parser.add_argument(
            "--date", help="premier jour couvert, AAAA-MM-JJ (par défaut : aujourd'hui)"
        )

    def handle(self, *args, wet_run: bool, date: str | None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError("Date attendue au format AAAA-MM-JJ.") from exc
        counts = send_digests(today=today, dry_run=not wet_run)
        if not wet_run:
            self.stdout.write("Simulation (--wet-run pour envoyer) :")
        self.stdout.write(json.dumps(counts))
