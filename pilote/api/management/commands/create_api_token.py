import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from pilote.accounts.models import User
from pilote.api import services
from pilote.api.models import Scope


class Command(BaseCommand):
    help = (
        "Crée un jeton d'API personnel pour le compte EMAIL et l'affiche une seule fois (seule "
        "son empreinte est gardée). Avec --json, une ligne JSON : "
        '{"token": …, "expires_at": …, "scope": …}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="l'adresse du compte")
        parser.add_argument(
            "--days", type=int, default=services.DEFAULT_DAYS,
            help=f"validité en jours (défaut : {services.DEFAULT_DAYS})",
        )  # fmt: skip
        parser.add_argument(
            "--scope", choices=Scope.values, default=Scope.READ,
            help="read (défaut) ou read_write",
        )  # fmt: skip
        parser.add_argument("--name", default="Ligne de commande", help="le nom du jeton")
        parser.add_argument(
            "--json", dest="as_json", action="store_true", help="sortie JSON sur une ligne"
        )

    def handle(self, *args, email: str, days: int, scope: str, name: str, as_json: bool, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Aucun compte n'a l'adresse {email}.")
        try:
            token, key = services.token_create(
                acting_user=None, user=user, name=name, scope=scope, days=days
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if as_json:
            self.stdout.write(_json_line(key, token))
        else:
            self.stdout.write(
                f"Jeton « {token.name} » ({token.get_scope_display().lower()}), valable "
                f"jusqu'au {timezone.localtime(token.expires_at):%d/%m/%Y} ; "
                "copiez-le, il ne sera plus affiché :\n"
                f"{key}"
            )


def _json_line(key, token) -> str:
    return json.dumps(
        {"token": key, "expires_at": token.expires_at.isoformat(), "scope": token.scope}
    )
