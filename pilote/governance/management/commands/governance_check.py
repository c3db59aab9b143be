"""The cadence check of a territory's governance bodies for a year (docs/governance.md):

    python manage.py governance_check --year 2026 [--territory SLUG] [--json]

With --json: {"bodies": [{"name", "required", "held", "planned", "missing"}, …]} (required
null for a body that meets « selon les besoins »). Without: a table in French. Without
--territory, the only territory that has bodies (an error when several do), or, when none
has any, the only territory there is."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilote.governance.cadence import cadence
from pilote.governance.models import Body
from pilote.territories.models import Territory


class Command(BaseCommand):
    help = "Cadence des instances de gouvernance d'un territoire pour une année."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--territory", default=None, help="slug du territoire")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, year=None, territory=None, json=False, **options):
        year = year or timezone.localdate().year
        target = self._territory(territory)
        rows = cadence(target, year)
        if json:
            self.stdout.write(_dumps({"bodies": [r.as_dict() for r in rows]}))
            return
        self.stdout.write(f"Instances de gouvernance — {target.name} — {year}")
        width = max([len(r.name) for r in rows] + [8])
        self.stdout.write(
            f"{'Instance':<{width}}  {'requises':>8}  {'tenues':>6}  "
            f"{'prévues':>7}  {'manquantes':>10}"
        )
        for r in rows:
            required = "besoins" if r.required is None else str(r.required)
            self.stdout.write(
                f"{r.name:<{width}}  {required:>8}  {r.held:>6}  {r.planned:>7}  {r.missing:>10}"
            )

    def _territory(self, slug):
        if slug:
            try:
                return Territory.objects.get(slug=slug)
            except Territory.DoesNotExist as exc:
                raise CommandError(f"Territoire inconnu : {slug}") from exc
        ids = set(Body.objects.values_list("territory_id", flat=True).distinct())
        if not ids:  # no body anywhere yet: the only territory, if there is only one
            ids = set(Territory.objects.values_list("pk", flat=True)[:2])
        if len(ids) != 1:
            raise CommandError("Précisez --territory (aucun ou plusieurs territoires).")
        return Territory.objects.get(pk=ids.pop())


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
