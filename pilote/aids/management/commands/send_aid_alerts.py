import json

from django.core.management.base import BaseCommand

from pilote.aids.alerts import send_alerts


class Command(BaseCommand):
    help = (
        "Envoie l'alerte hebdomadaire des recherches enregistrées (nouveaux dispositifs, "
        "clôtures dans moins de 30 jours) aux adresses confirmées. À lancer chaque semaine "
        "(cron). Sans --wet-run, n'envoie rien et dit combien partiraient."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="envoyer pour de vrai")

    def handle(self, *args, wet_run: bool, **options):
        self.stdout.write(json.dumps(send_alerts(dry_run=not wet_run)))
