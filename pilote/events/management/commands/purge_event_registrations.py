from django.core.management.base import BaseCommand
from django.utils import timezone

from pilote.events import services


class Command(BaseCommand):
    help = (
        "Anonymise les inscriptions des événements terminés depuis plus d'un an (nom, prénom, "
        "adresse, organisation) ; les présences et la participation sur la fiche de "
        "l'établissement restent. À lancer chaque jour (cron). Sans --wet-run, compte "
        "seulement ce qui serait anonymisé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--wet-run", action="store_true", help="Anonymiser vraiment (sinon : simulation)."
        )

    def handle(self, *args, wet_run: bool, **options):
        count = services.registrations_purge(now=timezone.now(), wet_run=wet_run)
        if wet_run:
            self.stdout.write(f"{count} inscription(s) anonymisée(s).")
        else:
            self.stdout.write(
                f"{count} inscription(s) à anonymiser (simulation : relancez avec --wet-run)."
            )
