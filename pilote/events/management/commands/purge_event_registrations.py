from django.core.management.base import BaseCommand
from django.utils import timezone

from pilote.events import services


class Command(BaseCommand):
    help = (
        "Anonymise les inscriptions des événements terminés depuis plus d'un an (nom, prénom, "
        "adresse, organisation) ; les présences et la participation sur la fiche de "
        "l'établissement restent. À lancer chaque jour (cron)."
    )

    def handle(self, *args, **options):
        count = services.registrations_purge(now=timezone.now())
        self.stdout.write(f"{count} inscription(s) anonymisée(s).")
