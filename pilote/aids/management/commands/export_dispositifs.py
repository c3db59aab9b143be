from pathlib import Path

from django.core.management.base import BaseCommand

from pilote.aids.enums import Schema
from pilote.aids.etalab import write_catalogue
from pilote.aids.models import AidScheme


class Command(BaseCommand):
    help = (
        "Exporte le catalogue des dispositifs au format CSV du schéma etalab "
        "(dispositif-aide-professionnels par défaut, sans perte ; dispositif-aide : les "
        "champs de base seulement). Les notes internes, thèmes et fenêtres n'y figurent pas."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--schema", choices=[s.value for s in Schema], default=Schema.PRO.value)

    def handle(self, *args, path: Path, schema: str, **options):
        schemes = AidScheme.objects.order_by("etalab_id")
        with path.open("w", encoding="utf-8", newline="") as stream:
            count = write_catalogue(stream, schemes.iterator(), schema=schema)
        self.stderr.write(f"{count} dispositif(s) écrit(s) dans {path} ({schema}).")
