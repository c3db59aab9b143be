import json

from django.core.management.base import BaseCommand, CommandError

from pilote.outreach import sending
from pilote.outreach.models import Issue


def french_number(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


class Command(BaseCommand):
    help = (
        "Envoie un numéro de la lettre d'information à ses abonnés, un message chacun. "
        "Sans --wet-run, n'envoie rien et écrit une ligne JSON "
        '{"recipients": N, "already_sent": M, "to_send": K}. Reprenable : relancée après '
        "un échec temporaire, une connexion perdue ou un arrêt, la commande n'envoie que ce "
        "qui n'a pas été accepté par le serveur, jamais un second exemplaire."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue_id", type=int, help="identifiant du numéro (list_newsletters)")
        parser.add_argument("--wet-run", action="store_true", help="envoyer pour de vrai")
        parser.add_argument(
            "--json", action="store_true", help="résumé de l'envoi en une ligne JSON"
        )

    def handle(self, *args, issue_id: int, wet_run: bool, json: bool, **options):
        issue = Issue.objects.select_related("mailing_list").filter(pk=issue_id).first()
        if issue is None:
            raise CommandError(f"Aucun numéro de la lettre n'a l'identifiant {issue_id}.")
        if not wet_run:
            self.stdout.write(dumps(sending.plan(issue)))
            return
        try:
            summary = sending.send(issue)
        except sending.NotSendable as error:
            raise CommandError(str(error)) from error
        if summary.stopped:
            self.stderr.write(f"Envoi interrompu : {summary.stopped}.")
        if json:
            self.stdout.write(dumps(summary.counts()))
            return
        self.stdout.write(
            f"{issue} : {french_number(summary.sent)} envoyé(s), "
            f"{french_number(summary.retry)} à réessayer, "
            f"{french_number(summary.failed)} en échec définitif, "
            f"{french_number(summary.skipped)} non envoyé(s) (désabonnés ou suspendus)."
        )
        if summary.remaining:
            self.stdout.write(
                f"{french_number(summary.remaining)} restent à envoyer : relancez la commande."
            )
        else:
            self.stdout.write("Tous les abonnés ont reçu ce numéro.")


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
