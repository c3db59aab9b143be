import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilote.aids import etalab
from pilote.aids.services import catalogue_import


class Command(BaseCommand):
    help = (
        "Importe un catalogue de dispositifs d'aide au format CSV du schéma etalab "
        "dispositif-aide ou dispositif-aide-professionnels (v0.2.0), idempotent par "
        "identifiant. Les enregistrements invalides sont signalés (numéro et champ) et "
        "écartés ; les autres sont gardés. Sans --wet-run, n'écrit rien et dit ce qu'il ferait. "
        "Un fichier illisible (pas en UTF-8, vide, sans enregistrement, en-tête inconnu, champ "
        "de plus de 128 Kio) est refusé en entier ; le code de sortie est 1 s'il est refusé ou "
        "si tous ses enregistrements sont écartés."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--wet-run", action="store_true", help="écrire pour de vrai")

    def handle(self, *args, path: Path, wet_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            text = etalab.decode(path.read_bytes())
            report = catalogue_import(
                acting_user=None, stream=io.StringIO(text, newline=""), wet_run=wet_run
            )
        except etalab.CatalogueError as error:
            raise CommandError(f"{path.name} : {error} Rien n'a été importé.") from error
        self.stderr.write(f"Schéma reconnu : {report.schema}")
        for column in report.unknown_columns:
            self.stderr.write(f"Colonne inconnue ignorée : {column}")
        for error in report.errors:
            self.stderr.write(str(error))
        if not wet_run:
            self.stderr.write("Simulation (sans --wet-run) : rien n'a été écrit.")
        self.stdout.write(json.dumps(report.summary()))
        if not report.kept:
            raise CommandError(
                f"Aucun enregistrement valide : les {report.read} enregistrement(s) du fichier "
                "ont été écartés (voir ci-dessus)."
            )
