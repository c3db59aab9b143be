"""Load the demo territory, idempotently: a second run creates nothing.

Each app may ship a `demo.py` with `load(*, out) -> int` (the number of objects it created);
they run in INSTALLED_APPS order, so later capabilities add their demo data without touching
this command. A demo module may also define `summary(out)`, printed once everything is loaded
(the demo accounts).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Charge le territoire de démonstration Hainaut-Douaisis-Cambrésis (idempotent)."

    def handle(self, *args, **options):
        total = 0
        modules = []
        for app in apps.get_app_configs():
            if not app.name.startswith("pilote.") or find_spec(f"{app.name}.demo") is None:
                continue
            module = import_module(f"{app.name}.demo")
            modules.append(module)
            with transaction.atomic():
                created = module.load(out=self.stdout)
            self.stdout.write(f"[{app.verbose_name}] {created} objet(s) créé(s)")
            total += created
        self.stdout.write(self.style.SUCCESS(f"Démonstration prête : {total} objet(s) créé(s)."))
        for module in modules:
            if hasattr(module, "summary"):
                module.summary(self.stdout)
