"""The decisions and actions of the governance meetings as a source of the global search
(pilote.search), registered in GovernanceConfig.ready(): those of the meetings the reader
reads in the current territory, as on /gouvernance/decisions/."""

from django.utils import timezone

from pilote.governance import perms
from pilote.governance.enums import OutcomeKind
from pilote.governance.forms_bodies import KIND_ALL, search_q
from pilote.governance.models import Outcome
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    territory = request.territory
    if not perms.can_read(request.user, territory):
        return Outcome.objects.none()
    return (
        Outcome.objects.filter(
            perms.meetings_q(request.user, prefix="item__meeting__"),
            item__meeting__body__territory=territory,
            kind__in=[OutcomeKind.DECISION, OutcomeKind.ACTION],
        )
        .filter(search_q(text))
        .select_related("item__meeting__body")
        .order_by("-item__meeting__starts_at", "pk")
    )


def hit(outcome: Outcome) -> Hit:
    meeting = outcome.item.meeting
    detail = (
        f"{outcome.get_kind_display()} · {meeting.body.name} · "
        f"{meeting.title} du {timezone.localtime(meeting.starts_at):%d/%m/%Y}"
    )
    return Hit(str(outcome), meeting.get_absolute_url(), detail)


source = SearchSource(
    key="decisions",
    label="Décisions et actions des instances",
    order=70,
    covers="les décisions et actions des réunions de gouvernance que vous pouvez lire "
    "(relevé, point de l'ordre du jour, réunion)",
    find=find,
    hit=hit,
    list_name="governance:decisions",
    list_params=(("nature", KIND_ALL),),
)
