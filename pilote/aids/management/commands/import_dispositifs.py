import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilote.aids.services import catalogue_import


class Command(BaseCommand):
    help = (
        "Importe un catalogue de dispositifs d'aide au format CSV du schéma etalab "
        "dispositif-aide ou dispositif-aide-professionnels (v0.2.0), idempotent par "
        "identifiant. Les enregistrements invalides sont signalés (numéro et champ) et "
        "écartés ; les autres sont gardés. Sans --wet-run, n'écrit rien et dit ce qu'il ferait."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--wet-run", action="store_true", help="écrire pour de vrai")

    def handle(self, *args, path: Path, wet_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with path.open(encoding="utf-8-sig", newline="") as stream:
            report = catalogue_import(acting_user=None, stream=stream, wet_run=wet_run)
        self.stderr.write(f"Schéma reconnu : {report.schema}")
        for column in report.unknown_columns:
            self.stderr.write(f"Colonne inconnue ignorée : {column}")
        for error in report.errors:
            self.stderr.write(str(error))
        if not wet_run:
            self.stderr.write("Simulation (sans --wet-run) : rien n'a été écrit.")
        self.stdout.write(json.dumps(report.summary()))
