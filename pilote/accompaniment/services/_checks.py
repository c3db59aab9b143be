"""Checks shared by the accompaniment services."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from pilote.accounts import access
from pilote.accounts.access import is_visible_to
from pilote.accounts.enums import Role
from pilote.accounts.models import User

# --- Shared checks ---------------------------------------------------------------------------


def _check_can_record(acting_user, establishment) -> None:
    if establishment.epci_id is None or not access.can_write_on(acting_user, establishment.epci):
        raise PermissionDenied("Vous ne pouvez pas suivre cet établissement.")


def _check_can_edit(acting_user, record) -> None:
    if not is_visible_to(record, acting_user) or not access.can_edit(acting_user, record):
        raise PermissionDenied("Vous ne pouvez pas modifier cet élément.")


def team_members(epci):
    """Who may take part in an interaction for the territory: the TI managers of the
    territories of `epci`, and the agents of `epci`."""
    return (
        User.objects.filter(
            Q(memberships__role=Role.TI_MANAGER, memberships__territory__epcis=epci)
            | Q(memberships__role=Role.EPCI_AGENT, memberships__organisation__epci=epci),
            is_active=True,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def _check_participants(epci, participants: Iterable) -> tuple[list, bool]:
    """The participants, checked, and whether an agent of the EPCI is among them."""
    participants = list(participants)
    allowed = {u.pk for u in team_members(epci)}
    if any(p.pk not in allowed for p in participants):
        raise ValidationError(
            {"participants": "Les participants sont le chef de projet TI ou des agents de l'EPCI."}
        )
    agents = set(
        User.objects.filter(
            pk__in=[p.pk for p in participants],
            memberships__role=Role.EPCI_AGENT,
            memberships__organisation__epci=epci,
            memberships__is_active=True,
        ).values_list("pk", flat=True)
    )
    return participants, bool(agents)


def _check_contacts(acting_user, establishment, contacts: Iterable) -> list:
    from pilote.contacts.models import Contact

    contacts = list(contacts)
    visible = set(
        Contact.objects.visible_to(acting_user)
        .filter(company_id=establishment.company_id, pk__in=[c.pk for c in contacts])
        .values_list("pk", flat=True)
    )
    if any(c.pk not in visible for c in contacts):
        raise ValidationError({"contacts": "Choisissez des contacts de cette entreprise."})
    return contacts
