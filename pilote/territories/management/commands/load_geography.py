from django.core.management.base import BaseCommand

from pilote.territories.geography import load_geography


class Command(BaseCommand):
    help = "Charge (ou met à jour) les régions, départements, EPCI et communes de data/geo/."

    def handle(self, *args, **options):
        report = load_geography()
        for name, created in report.created.items():
            self.stdout.write(f"{name} : {created} créé(s), {report.updated[name]} mis à jour")
