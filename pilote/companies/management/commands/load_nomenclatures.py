from django.core.management.base import BaseCommand

from pilote.companies.nomenclatures import install_default_sectors, load_naf
from pilote.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Charge la NAF rév. 2 (data/naf/) et donne aux territoires qui n'en ont pas les "
        "filières et le périmètre industriel par défaut (data/sectors.json). Idempotent."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"NAF rév. 2 : {load_naf()} code(s) créé(s) ou mis à jour.")
        for territory in Territory.objects.all():
            created = install_default_sectors(acting_user=None, territory=territory)
            self.stdout.write(f"{territory} : {created} filière(s) ou réglage(s) créé(s).")
