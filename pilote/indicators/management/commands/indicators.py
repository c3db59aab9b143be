"""`manage.py indicators`: the programme's indicators at a date (docs/indicators.md)."""

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilote.indicators import extras, indicators
from pilote.indicators.text import month_of, render, territory_of
from pilote.linkedin import figures as linkedin_figures


class Command(BaseCommand):
    help = (
        "Les indicateurs du programme à une date, au total et par EPCI. Avec --month, les "
        "chiffres figés du mois s'il a été figé, sinon ceux de son dernier jour."
    )

    def add_arguments(self, parser):
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--as-of", help="date AAAA-MM-JJ (défaut : aujourd'hui)")
        when.add_argument("--month", help="mois AAAA-MM : au dernier jour du mois")
        parser.add_argument("--json", action="store_true", help="sortie JSON")
        parser.add_argument("--territory", help="identifiant (slug) du territoire")
        parser.add_argument(
            "--as", dest="reader", metavar="EMAIL",
            help="les chiffres tels que cet utilisateur peut les voir",
        )  # fmt: skip

    def handle(self, *args, as_of, month, json: bool, territory, reader, **options):
        territory = territory_of(territory)
        user = None
        if reader:
            user = get_user_model().objects.filter(email__iexact=reader.strip()).first()
            if user is None:
                raise CommandError(f"Utilisateur inconnu : « {reader} ».")
        if month:
            figures = indicators.at_month(territory, month_of(month), user)
        else:
            day = timezone.localdate()
            if as_of:
                try:
                    day = dt.date.fromisoformat(as_of.strip())
                except ValueError as exc:
                    raise CommandError(
                        f"Date invalide : « {as_of} » (attendu AAAA-MM-JJ, par exemple 2026-03-31)."
                    ) from exc
            figures = indicators.compute(territory, day, user)
        if json:
            data = indicators.to_json(figures)
            data["reader"] = user.email if user is not None else None
            linkedin = linkedin_figures.json_summary(territory, figures.as_of)
            if linkedin is not None:  # the public page's statistics, the same for every reader
                data["linkedin"] = linkedin
            data.update(extras.figures(territory, figures.as_of, user))  # territory projects…
            self.stdout.write(_dumps(data))
        else:
            self.stdout.write(render(figures, user), ending="")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
