import json

from django.core.management.base import BaseCommand

from pilote.outreach import sending, stats
from pilote.outreach.models import Issue


class Command(BaseCommand):
    help = (
        "Liste les numéros de la lettre d'information (tous territoires) : identifiant à "
        "donner à send_newsletter, numéro, titre, statut (draft, ready, sending, sent), "
        "abonnés destinataires aujourd'hui, exemplaires envoyés (remis), en échec, "
        "désabonnés depuis le numéro."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="une liste JSON")

    def handle(self, *args, json: bool, **options):
        issues = stats.annotate_list(
            Issue.objects.select_related("mailing_list__territory")
        ).order_by("mailing_list__territory__name", "mailing_list_id", "number")
        recipients: dict[int, int] = {}
        rows = []
        for issue in issues:
            if issue.mailing_list_id not in recipients:
                recipients[issue.mailing_list_id] = sum(1 for _ in sending.recipients(issue))
            rows.append(
                {
                    "id": issue.pk,
                    "number": issue.number,
                    "title": issue.title,
                    "status": issue.status,
                    "territory": issue.mailing_list.territory.slug,
                    "mailing_list": issue.mailing_list.name,
                    "sent_at": issue.sent_at.isoformat() if issue.sent_at else None,
                    "recipients": recipients[issue.mailing_list_id],
                    "sent": issue.delivered,
                    "delivered": issue.delivered,
                    "bounced": issue.bounced,
                    "unsubscribed": issue.unsubscribed,
                }
            )
        if json:
            self.stdout.write(dumps(rows))
            return
        if not rows:
            self.stdout.write("Aucun numéro.")
        for row in rows:
            self.stdout.write(
                f"{row['id']:>5}  {row['territory']}  n° {row['number']} — {row['title']} "
                f"[{row['status']}] {row['sent']}/{row['recipients']} envoyés"
            )


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
