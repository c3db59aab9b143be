import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pilote.accounts.models import User
from pilote.applications.imports import ImportFileError, import_applications
from pilote.core.enums import Visibility
from pilote.territories.models import Territory


class Command(BaseCommand):
    help = (
        "Importe un tableau de suivi des dossiers de candidature (CSV « ; » ou « , » en UTF-8, "
        "ou XLSX), idempotent par référence : crée les nouveaux dossiers, met à jour les "
        "autres (statut avec historique), garde ceux qui n'ont pas changé. Les lignes "
        "refusées sont écrites sur la sortie d'erreur (« ligne N : motif »), puis une ligne "
        'JSON sur la sortie standard : {"read", "kept", "created", "updated", "rejected"}. '
        "Sans --wet-run, rien n'est écrit (les comptes sont ceux d'un vrai import)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="le fichier CSV ou XLSX")
        parser.add_argument("--wet-run", action="store_true", help="écrire pour de vrai")
        parser.add_argument(
            "--territory", metavar="SLUG",
            help="le territoire (obligatoire s'il y en a plusieurs)",
        )  # fmt: skip
        parser.add_argument(
            "--visibility", default=Visibility.EPCI, choices=Visibility.values,
            help="la visibilité des dossiers créés (défaut : epci)",
        )  # fmt: skip
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL",
            help="agir en tant que cet utilisateur (ses droits sont vérifiés) ; par défaut le "
            "système, qui classe les dossiers sous l'organisation du chef de projet TI",
        )  # fmt: skip

    def handle(self, *args, path: Path, wet_run: bool, territory: str | None,
               visibility: str, as_email: str | None, **options):  # fmt: skip
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        chosen = self._territory(territory)
        acting_user = None
        if as_email:
            acting_user = User.objects.filter(
                email__iexact=as_email.strip(), is_active=True
            ).first()
            if acting_user is None:
                raise CommandError(f"Aucun utilisateur actif n'a l'adresse {as_email}.")
        try:
            with path.open("rb") as stream:
                report = import_applications(
                    stream,
                    filename=path.name,
                    territory=chosen,
                    acting_user=acting_user,
                    visibility=visibility,
                    wet_run=wet_run,
                    size=path.stat().st_size,
                )
        except ImportFileError as error:
            raise CommandError(f"{path.name} : {error} Rien n'a été importé.") from error
        for rejection in report.rejections:
            self.stderr.write(str(rejection))
        self.stdout.write(json.dumps(report.summary()))

    @staticmethod
    def _territory(slug: str | None) -> Territory:
        if slug:
            found = Territory.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(f"Aucun territoire n'a l'identifiant « {slug} ».")
            return found
        territories = list(Territory.objects.order_by("slug")[:2])
        if not territories:
            raise CommandError("Aucun territoire : créez-en un avant d'importer des dossiers.")
        if len(territories) > 1:
            slugs = ", ".join(Territory.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                f"Plusieurs territoires existent : précisez lequel avec --territory ({slugs})."
            )
        return territories[0]
