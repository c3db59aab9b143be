import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilote.agreement.calls import CallsError, find_agreement
from pilote.agreement.imports import ImportFileError, import_expenses


class Command(BaseCommand):
    help = (
        "Importe l'état des dépenses réalisées de la convention de partenariat (CSV « ; » ou "
        "« , » en UTF-8, ou XLSX ; colonnes date;nature;libelle;montant), idempotent par date, "
        "nature et libellé. Les lignes refusées vont sur la sortie d'erreur (« ligne N : "
        'motif »), puis une ligne JSON sur la sortie standard : {"read", "kept", "created", '
        '"updated", "rejected"}. Sans --wet-run, rien n\'est écrit.'
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="le fichier CSV ou XLSX")
        parser.add_argument("--wet-run", action="store_true", help="écrire pour de vrai")
        parser.add_argument("--territory", metavar="SLUG",
                            help="le territoire (s'il y a plusieurs conventions)")  # fmt: skip

    def handle(self, *args, path: Path, wet_run: bool, territory, **options):
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            agreement = find_agreement(territory)
        except CallsError as error:
            raise CommandError(str(error)) from error
        try:
            with path.open("rb") as stream:
                report = import_expenses(stream, filename=path.name, agreement=agreement,
                                         wet_run=wet_run, size=path.stat().st_size)  # fmt: skip
        except ImportFileError as error:
            raise CommandError(f"{path.name} : {error} Rien n'a été importé.") from error
        for rejection in report.rejections:
            self.stderr.write(str(rejection))
        self.stdout.write(json.dumps(report.summary()))
