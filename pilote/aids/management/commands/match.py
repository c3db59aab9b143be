import json

from django.core.management.base import BaseCommand, CommandError

from pilote.aids import matching
from pilote.companies.models import Establishment


class Command(BaseCommand):
    help = (
        "Les dispositifs ouverts ou à venir auxquels un établissement est éligible, avec "
        "leurs raisons, et pour les autres le critère bloquant."
    )

    def add_arguments(self, parser):
        parser.add_argument("--siret", required=True)
        parser.add_argument("--json", action="store_true", help="sortie JSON")

    def handle(self, *args, siret: str, json: bool, **options):
        establishment = (
            Establishment.objects.select_related("company").filter(siret=siret.strip()).first()
        )
        if establishment is None:
            raise CommandError(f"Établissement inconnu : {siret}")
        criteria = matching.Criteria(matching.facts_of(establishment))
        result = matching.explain(matching.load_rules(), criteria)
        if json:
            self.stdout.write(_dumps(result.as_json()))
            return
        self.stdout.write(f"{establishment.display_name} ({establishment.siret})")
        self.stdout.write(f"Éligible à {len(result.eligible)} dispositif(s) :")
        for m in result.eligible:
            self.stdout.write(f"- {m.rule.title} [{m.rule.etalab_id}]")
            for reason in m.reasons:
                self.stdout.write(f"    {reason}")
        self.stdout.write(f"Non éligible à {len(result.not_eligible)} dispositif(s) :")
        for m in result.not_eligible:
            self.stdout.write(f"- {m.rule.title} [{m.rule.etalab_id}] — {m.blocking}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
