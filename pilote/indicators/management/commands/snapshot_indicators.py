"""`manage.py snapshot_indicators --month YYYY-MM [--wet-run] [--correction "motif"]`:
freeze a month's indicators (docs/indicators.md#snapshots). Meant for a monthly cron job
on the 1st, for the month just ended."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilote.indicators import snapshots
from pilote.indicators.indicators import Book, epcis_of
from pilote.indicators.text import month_of, render, territory_of


class Command(BaseCommand):
    help = (
        "Fige les indicateurs d'un mois terminé, au dernier jour du mois. Sans --wet-run, "
        "affiche seulement ce qui serait figé. Un mois déjà figé ne se corrige que par une "
        "nouvelle version, avec --correction « motif »."
    )

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="mois AAAA-MM")
        parser.add_argument(
            "--wet-run", action="store_true", help="Figer vraiment (sinon : simulation)."
        )
        parser.add_argument("--correction", metavar="MOTIF", help="motif d'une nouvelle version")
        parser.add_argument("--territory", help="identifiant (slug) du territoire")

    def handle(self, *args, month, wet_run: bool, correction, territory, **options):
        territory = territory_of(territory)
        month = month_of(month)
        if correction is not None and not correction.strip():
            raise CommandError("Le motif de la correction ne peut pas être vide.")
        try:
            todo = snapshots.plan(territory, month, reason=correction or "")
        except snapshots.SnapshotRefused as exc:
            raise CommandError(str(exc)) from exc
        if correction and todo.previous is None:
            raise CommandError(
                f"Le mois {todo.month:%m/%Y} n'est pas encore figé : lancez la commande "
                "sans --correction."
            )
        counts = ", ".join(f"{label} : {n}" for label, n in todo.counts.items())
        if not wet_run:
            figures = Book(todo.facts, epcis_of(territory)).figures(territory, todo.as_of)
            self.stdout.write(render(figures), ending="")
            self.stdout.write(
                f"\nVersion {todo.version} du mois {todo.month:%m/%Y} à figer au "
                f"{todo.as_of:%d/%m/%Y} — {len(todo.facts)} faits ({counts}).\n"
                "Simulation : rien n'est écrit ; relancez avec --wet-run."
            )
            return
        try:
            snapshot = snapshots.freeze(territory, month, None, correction or "")
        except snapshots.SnapshotRefused as exc:
            raise CommandError(str(exc)) from exc
        created = timezone.localtime(snapshot.created_at)
        self.stdout.write(
            f"Indicateurs de {snapshot.month:%m/%Y} de {territory.name} figés : version "
            f"{snapshot.version} du {created:%d/%m/%Y à %H:%M}, {snapshot.fact_count} faits "
            f"({counts})."
        )
