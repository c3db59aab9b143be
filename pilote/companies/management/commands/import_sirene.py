import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilote.companies.importer import import_sirene
from pilote.companies.sirene import SireneFormatError
from pilote.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Importe les établissements SIRENE (StockEtablissement, CSV ou zip) situés dans le "
        "territoire, et leurs unités légales. Sans --wet-run, n'écrit rien et dit ce qu'il "
        "ferait. Un fichier tronqué est signalé (code de sortie 1) : ce qui a été lu "
        "correctement est importé ; une archive zip illisible n'importe rien."
    )

    def add_arguments(self, parser):
        parser.add_argument("--etablissements", required=True, type=Path)
        parser.add_argument("--unites-legales", type=Path)
        parser.add_argument("--territory", help="identifiant du territoire (tous par défaut)")
        parser.add_argument("--wet-run", action="store_true", help="écrire pour de vrai")
        parser.add_argument(
            "--check-whole-file",
            action="store_true",
            help="signaler toutes les lignes inutilisables du fichier, pas seulement celles qui "
            "peuvent concerner le territoire (diagnostic, plus long)",
        )

    def handle(
        self, *args, etablissements, unites_legales, territory, wet_run, check_whole_file, **options
    ):
        for path in filter(None, (etablissements, unites_legales)):
            if not path.is_file():
                raise CommandError(f"Fichier introuvable : {path}")
        selected = None
        if territory:
            selected = Territory.objects.filter(slug=territory).first()
            if selected is None:
                slugs = ", ".join(Territory.objects.values_list("slug", flat=True))
                raise CommandError(f"Territoire inconnu : {territory}. Existants : {slugs}")
        progress = _ProgressBar(self.stderr) if sys.stderr.isatty() else None
        try:
            summary = import_sirene(
                acting_user=None,
                etablissements=etablissements,
                unites_legales=unites_legales,
                territory=selected,
                wet_run=wet_run,
                on_progress=progress,
                whole_file=check_whole_file,
            )
        except SireneFormatError as error:
            raise CommandError(
                f"{error} Rien n'a été importé (l'import est une seule transaction)."
            ) from error
        if progress:
            progress.done()
        for line, reason in summary.rejects:
            self.stderr.write(f"ligne {line} : {reason}")
        if summary.rejected > len(summary.rejects):
            self.stderr.write(f"… et {summary.rejected - len(summary.rejects)} autres lignes.")
        for line, reason in summary.unit_rejects:
            self.stderr.write(f"{unites_legales.name} ligne {line} : {reason}")
        for warning in summary.warnings:
            self.stderr.write(warning)
        if not wet_run:
            self.stderr.write("Simulation (sans --wet-run) : rien n'a été écrit.")
        self.stdout.write(json.dumps(summary.as_json()))
        if summary.warnings:
            kept = (
                "Ce qui a été lu correctement a été importé"
                if wet_run
                else "Ce qui a été lu correctement serait importé"
            )
            raise CommandError(
                f"Fichier SIRENE incomplet (voir ci-dessus). {kept} ; relancez l'import avec "
                "des fichiers complets pour le reste."
            )


class _ProgressBar:
    def __init__(self, stream):
        self.stream = stream
        self.started = time.monotonic()

    def __call__(self, fraction: float, scanned: int) -> None:
        width = 30
        filled = int(width * max(0.0, min(fraction, 1.0)))
        elapsed = time.monotonic() - self.started
        rate = scanned / elapsed if elapsed else 0
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}  "
            f"{scanned:,} lignes  {rate:,.0f} lignes/s".replace(",", " "),
            ending="",
        )
        self.stream.flush()

    def done(self) -> None:
        self.stream.write("")
