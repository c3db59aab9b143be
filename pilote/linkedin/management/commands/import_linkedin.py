import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilote.linkedin.imports import ImportFileError, import_export
from pilote.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Importe un export des statistiques de la page LinkedIn (abonnés, visiteurs ou "
        "contenu : XLS, XLSX ou CSV tels que LinkedIn les produit, en-têtes français ou "
        "anglais), idempotent par date (et par lien pour les publications). Les lignes "
        "refusées vont sur la sortie d'erreur (« ligne N : motif »), puis une ligne JSON sur "
        'la sortie standard : {"file_kind", "read", "created", "updated", "kept", '
        "\"rejected\"}. Sans --wet-run, rien n'est écrit (les comptes sont ceux d'un vrai "
        "import)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="le fichier exporté de LinkedIn")
        parser.add_argument("--wet-run", action="store_true", help="écrire pour de vrai")
        parser.add_argument(
            "--territory", metavar="SLUG", help="le territoire (obligatoire s'il y en a plusieurs)"
        )

    def handle(self, *args, path: Path, wet_run: bool, territory: str | None, **options):
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        chosen = self._territory(territory)
        try:
            with path.open("rb") as stream:
                report = import_export(
                    stream, filename=path.name, territory=chosen, wet_run=wet_run,
                    size=path.stat().st_size,
                )  # fmt: skip
        except ImportFileError as error:
            raise CommandError(f"{path.name} : {error} Rien n'a été importé.") from error
        for rejection in report.rejections:
            self.stderr.write(str(rejection))
        self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))

    @staticmethod
    def _territory(slug: str | None) -> Territory:
        if slug:
            found = Territory.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"Aucun territoire n'a l'identifiant « {slug} ».")
            return found
        territories = list(Territory.objects.order_by("slug")[:2])
        if not territories:
            raise CommandError("Aucun territoire : créez-en un avant d'importer.")
        if len(territories) > 1:
            slugs = ", ".join(Territory.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"Plusieurs territoires existent : précisez lequel avec --territory ({slugs})."
            )
        return territories[0]
