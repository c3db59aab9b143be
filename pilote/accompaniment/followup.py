"""What accompaniment contributes to the establishment pages (through
pilote.companies.registry): its interactions and what they produced, each filtered by the
confidentiality rule."""

from __future__ import annotations

from django.urls import reverse
from django.utils.text import Truncator

from pilote.accompaniment.models import (
    AccompanimentLevel,
    Action,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Referral,
)
from pilote.accounts import access
from pilote.companies.registry import TimelineEntry
from pilote.core.markdown import plain_text


def followed_establishments(user):
    return Interaction.objects.visible_to(user).values("establishment_id")


def met_establishments(user, since):
    """Ids of the establishments `user` sees met (a visit, rendez-vous, visio, permanence or
    event) between `since` and today: the prospecting score's « not met » criterion."""
    from django.utils import timezone

    from pilote.accompaniment.enums import MEETING_KINDS

    return (
        Interaction.objects.visible_to(user)
        .filter(
            kind__in=MEETING_KINDS,
            occurred_on__gte=timezone.localdate(since),
            occurred_on__lte=timezone.localdate(),
        )
        .values("establishment_id")
    )


def _short(text: str, words: int = 14) -> str:
    plain = plain_text(text)  # an excerpt shows what the Markdown says, not its marks
    first_line = plain.splitlines()[0] if plain else ""
    return Truncator(first_line).words(words)


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    entries = []
    for i in Interaction.objects.visible_to(user).filter(establishment=establishment):
        title = i.get_kind_display()
        if i.is_meeting:
            title += " — entretien sur la trame"
        if i.summary:
            title += f" : {_short(i.summary)}"
        detail = ""
        if i.start_time is not None:  # a visit or rendez-vous at a known time
            detail = f"{'prévu à' if i.is_planned else 'à'} {i.start_time:%H:%M}"
        entries.append(TimelineEntry(i.occurred_on, "Échange", title, i.get_absolute_url(), detail))
    for n in Need.objects.visible_to(user).filter(establishment=establishment):
        title = f"{n.get_theme_display()} : {_short(n.description)}"
        detail = f"urgence {n.get_urgency_display().lower()}"
        entries.append(TimelineEntry(n.created_at, "Besoin", title, n.get_absolute_url(), detail))
    for p in Project.objects.visible_to(user).filter(establishment=establishment):
        detail = f"{p.get_kind_display()}, {p.get_maturity_display().lower()}"
        entries.append(TimelineEntry(p.created_at, "Projet", p.title, p.get_absolute_url(), detail))
    for d in Diagnostic.objects.visible_to(user).filter(establishment=establishment):
        entries.append(TimelineEntry(d.offered_on, "Diagnostic", str(d), d.get_absolute_url()))
    for r in Referral.objects.visible_to(user).filter(establishment=establishment):
        title = f"{r.partner_label} : {_short(r.subject)}"
        detail = r.get_outcome_display().lower()
        entries.append(
            TimelineEntry(r.referred_on, "Mise en relation", title, r.get_absolute_url(), detail)
        )
    for a in (
        Action.objects.visible_to(user).filter(establishment=establishment).select_related("owner")
    ):
        detail = f"{a.get_status_display().lower()}, échéance le {a.due_date:%d/%m/%Y}"
        if a.owner_id:
            detail += f", {a.owner}"
        entries.append(TimelineEntry(a.created_at, "Action", a.title, a.get_absolute_url(), detail))
    for level in AccompanimentLevel.objects.visible_to(user).filter(establishment=establishment):
        title = level.get_level_display() + (f" : {level.note}" if level.note else "")
        entries.append(
            TimelineEntry(level.changed_on, "Accompagnement", title, level.get_absolute_url())
        )
    return entries


def establishment_actions(user, establishment) -> list[tuple[str, str]]:
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        return []
    url = f"{reverse('accompaniment:interaction_create')}?etablissement={establishment.siret}"
    return [
        ("Mener un entretien", f"{url}&trame=1"),
        ("Enregistrer un échange", url),
        (
            "Planifier une visite",
            reverse("accompaniment:visit_plan", kwargs={"siret": establishment.siret}),
        ),
        (
            "Niveau d'accompagnement",
            reverse("accompaniment:establishment_level", kwargs={"siret": establishment.siret}),
        ),
    ]
