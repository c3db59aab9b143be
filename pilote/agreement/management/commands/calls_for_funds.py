import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from pilote.agreement import calls
from pilote.agreement.enums import Basis


def _euros(text: str) -> str:
    whole, _, cents = f"{Decimal(text):,.2f}".partition(".")
    return f"{whole.replace(',', ' ')},{cents} €"


class Command(BaseCommand):
    help = (
        "Appels de fonds d'une année de la convention de partenariat : dépenses (budget "
        "prévisionnel ou réalisées) moins les participations fixes, partagées à parts égales "
        "au centime entre les EPCI, chaque part plafonnée à sa quote-part du prévisionnel ; "
        "ce que les plafonds laissent est « non couvert ». --json : une ligne JSON."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="l'année de la convention")
        parser.add_argument("--basis", choices=Basis.values, default=Basis.FORECAST,
                            help="forecast (prévisionnel, défaut) ou actual (réalisé)")  # fmt: skip
        parser.add_argument("--json", action="store_true", help="une ligne JSON")
        parser.add_argument("--territory", metavar="SLUG",
                            help="le territoire (s'il y a plusieurs conventions)")  # fmt: skip

    def handle(self, *args, year: int, basis: str, json: bool, territory, **options):
        try:
            agreement = calls.find_agreement(territory)
            found, result = calls.compute(agreement, year, basis)
        except calls.CallsError as error:
            raise CommandError(str(error)) from error
        data = calls.as_json(found, basis, result)
        if json:
            self.stdout.write(_dumps(data))
            return
        label = "budget prévisionnel" if basis == Basis.FORECAST else "dépenses réalisées"
        self.stdout.write(f"{agreement} — année {year} ({found.start:%d/%m/%Y} – "
                          f"{found.end:%d/%m/%Y}), sur le {label}")  # fmt: skip
        self.stdout.write(f"Dépenses : {_euros(data['expenses'])}")
        for name, amount in data["fixed"].items():
            self.stdout.write(f"  participation fixe — {name} : {_euros(amount)}")
        self.stdout.write(f"À partager : {_euros(data['to_share'])}")
        for partner in data["partners"]:
            self.stdout.write(
                f"  {partner['name']} (SIREN {partner['siren']}) : {_euros(partner['amount'])}"
            )
        self.stdout.write(f"Non couvert : {_euros(data['uncovered'])}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
