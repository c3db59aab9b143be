"""`manage.py bilan`: the bilan of a period as a PDF, and its tables as XLSX
(docs/indicators.md#bilan)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pilote.indicators import bilan
from pilote.indicators.text import territory_of


class Command(BaseCommand):
    help = (
        "Le bilan d'une période (PDF) : activité, entreprises rencontrées, dossiers, faits "
        "marquants, par EPCI et mois par mois ; avec --xlsx, ses tableaux en XLSX."
    )

    def add_arguments(self, parser):
        formats = "AAAA-MM-JJ ou JJ/MM/AAAA"
        parser.add_argument("--from", dest="date_from", required=True,
                            help=f"début de la période : {formats}")  # fmt: skip
        parser.add_argument("--to", dest="date_to", required=True,
                            help=f"fin de la période (incluse) : {formats}")  # fmt: skip
        parser.add_argument("--output", required=True, help="fichier PDF à écrire")
        parser.add_argument("--xlsx", help="fichier XLSX à écrire (facultatif)")
        parser.add_argument("--territory", help="identifiant (slug) du territoire")
        parser.add_argument(
            "--as", dest="reader", metavar="EMAIL",
            help="les chiffres tels que cet utilisateur peut les voir (défaut : tout le suivi)",
        )  # fmt: skip

    def handle(self, *args, date_from, date_to, output, xlsx, territory, reader, **options):
        try:
            start, end = bilan.parse_date(date_from), bilan.parse_date(date_to)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        error = bilan.period_error(start, end)
        if error:
            raise CommandError(error)
        territory = territory_of(territory)
        user = None
        if reader:
            user = get_user_model().objects.filter(email__iexact=reader.strip()).first()
            if user is None:
                raise CommandError(f"Utilisateur inconnu : « {reader} ».")
        built = bilan.build(territory, start, end, user)
        path = Path(output)
        path.write_bytes(bilan.render_pdf(built))
        self.stdout.write(f"Bilan {built.period_label} écrit dans {path}.")
        if xlsx:
            bilan.write_xlsx(built, xlsx)
            self.stdout.write(f"Tableaux du bilan écrits dans {xlsx}.")
