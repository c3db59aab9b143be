from django.db import models


class TargetStatus(models.TextChoices):
    """Where a campaign target stands. The allowed moves are `TRANSITIONS`."""

    TO_CONTACT = "to_contact", "À contacter"
    CONTACTED = "contacted", "Contacté"
    MEETING_PLANNED = "meeting_planned", "Rendez-vous fixé"
    MET = "met", "Rencontré"
    DROPPED = "dropped", "Sans suite"


# From each status, the statuses a person may choose next. « Rendez-vous fixé » may be chosen
# again to move the visit; « Rencontré » leads to a new visit or to « sans suite ».
TRANSITIONS: dict[str, frozenset[str]] = {
    TargetStatus.TO_CONTACT: frozenset(
        {TargetStatus.CONTACTED, TargetStatus.MEETING_PLANNED, TargetStatus.MET,
         TargetStatus.DROPPED}
    ),
    TargetStatus.CONTACTED: frozenset(
        {TargetStatus.TO_CONTACT, TargetStatus.MEETING_PLANNED, TargetStatus.MET,
         TargetStatus.DROPPED}
    ),
    TargetStatus.MEETING_PLANNED: frozenset(
        {TargetStatus.MEETING_PLANNED, TargetStatus.CONTACTED, TargetStatus.MET,
         TargetStatus.DROPPED}
    ),
    TargetStatus.MET: frozenset({TargetStatus.MEETING_PLANNED, TargetStatus.DROPPED}),
    TargetStatus.DROPPED: frozenset({TargetStatus.TO_CONTACT, TargetStatus.CONTACTED}),
}  # fmt: skip

# A visit stays on the calendar once it has happened; the other statuses clear `planned_at`.
VISIT_STATUSES = frozenset({TargetStatus.MEETING_PLANNED, TargetStatus.MET})
