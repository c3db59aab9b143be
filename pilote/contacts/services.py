"""Every write on contacts, audited; plus the RGPD right of access (an export, no write)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts import access
from pilote.accounts.scope import get_scope
from pilote.contacts.enums import LegalBasis
from pilote.contacts.models import Contact
from pilote.core import audit, locking
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent

EDITABLE_FIELDS = [
    "first_name", "last_name", "role", "email", "phone", "legal_basis", "source", "notes",
    "visibility", "main_establishment",
]  # fmt: skip
AUDITED_FIELDS = [*EDITABLE_FIELDS, "company", "epci", "author_organisation", "last_activity_at"]
ERASED = "[effacé]"


def _snapshot(contact: Contact) -> dict[str, Any]:
    return {
        **audit.snapshot(contact, AUDITED_FIELDS),
        "establishments": list(contact.establishments.values_list("pk", flat=True)),
    }


def _check_sites(*, acting_user, company, main_establishment, establishments) -> list:
    """All the sites of one company, in the user's territories; the main one among them."""
    sites = {e.pk: e for e in [main_establishment, *establishments]}
    territory_epcis = get_scope(acting_user).territory_epci_ids
    for site in sites.values():
        if site.company_id != company.pk:
            raise ValidationError("Tous les établissements doivent être ceux de l'entreprise.")
        if site.epci_id not in territory_epcis:
            raise ValidationError("Un établissement est hors de votre territoire.")
    return list(sites.values())


@transaction.atomic
def contact_create(
    *,
    acting_user,
    main_establishment,
    establishments: Iterable = (),
    first_name: str = "",
    last_name: str,
    role: str = "",
    email: str = "",
    phone: str = "",
    legal_basis: str = LegalBasis.LEGITIMATE_INTEREST,
    source: str,
    notes: str = "",
    visibility: str = Visibility.EPCI,
) -> Contact:
    """The contact belongs to the EPCI of its main establishment and is filed under the
    author's organisation for that EPCI (the EPCI itself for its agents, the CCI for the TI
    manager)."""
    epci = main_establishment.epci
    if epci is None or not access.can_write_on(acting_user, epci):
        raise PermissionDenied("Vous ne pouvez pas ajouter de contact pour cet établissement.")
    if not source.strip():
        raise ValidationError("La source du contact est obligatoire.")
    company = main_establishment.company
    sites = _check_sites(
        acting_user=acting_user,
        company=company,
        main_establishment=main_establishment,
        establishments=establishments,
    )
    contact = Contact.objects.create(
        company=company,
        main_establishment=main_establishment,
        epci=epci,
        first_name=first_name,
        last_name=last_name,
        role=role,
        email=email,
        phone=phone,
        legal_basis=legal_basis,
        source=source,
        notes=notes,
        visibility=visibility,
        last_activity_at=timezone.now(),
        author=acting_user,
        author_organisation_id=access.writing_organisation_id(acting_user, epci),
    )
    contact.establishments.set(sites)
    audit.record(actor=acting_user, action="contact.create", obj=contact, after=_snapshot(contact))
    return contact


@transaction.atomic
def contact_update(
    *, acting_user, contact: Contact, version: str | None = None, establishments=None, **changes
) -> Contact:
    """`establishments` (when given) replaces the sites; the main one is always kept.
    `version`: the one the edit form was read at (`core.locking`)."""
    contact = locking.lock(contact, version)
    if not access.can_edit(acting_user, contact):
        raise PermissionDenied("Vous ne pouvez pas modifier ce contact.")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Champ non modifiable : {', '.join(sorted(unknown))}")
    if "source" in changes and not changes["source"].strip():
        raise ValidationError("La source du contact est obligatoire.")
    main = changes.get("main_establishment", contact.main_establishment)
    if main.epci_id != contact.epci_id and (
        main.epci is None or not access.can_write_on(acting_user, main.epci)
    ):
        raise PermissionDenied("Vous ne pouvez pas rattacher ce contact à cet EPCI.")
    if establishments is None:
        establishments = contact.establishments.all()
    sites = _check_sites(
        acting_user=acting_user,
        company=contact.company,
        main_establishment=main,
        establishments=establishments,
    )
    before = _snapshot(contact)
    for field, value in changes.items():
        setattr(contact, field, value)
    contact.epci_id = main.epci_id
    contact.last_activity_at = timezone.now()
    contact.save()
    contact.establishments.set(sites)
    audit.record(
        actor=acting_user,
        action="contact.update",
        obj=contact,
        before=before,
        after=_snapshot(contact),
    )
    return contact


@transaction.atomic
def touch_contact(*, contact: Contact, at: dt.datetime, acting_user=None) -> bool:
    """Record an activity with the person (a meeting, a call) at `at`, if it is the latest.

    Later capabilities call this from their own services; it never moves the date back.
    """
    rows = Contact.objects.select_for_update().filter(pk=contact.pk)
    before = rows.values_list("last_activity_at", flat=True).first()
    if before is None or before >= at:
        return False
    rows.update(last_activity_at=at)
    contact.last_activity_at = at
    audit.record(
        actor=acting_user,
        action="contact.touch",
        obj=contact,
        before={"last_activity_at": before.isoformat()},
        after={"last_activity_at": at.isoformat()},
    )
    return True


@transaction.atomic
def contact_erase(*, acting_user, contact: Contact, reason: str = "demande de la personne"):
    """RGPD erasure: delete the person and every personal value the audit trail kept of them.

    The earlier events of this contact keep who did what and when, with the personal values
    replaced by « [effacé] »; a last « contact.erase » event records only the contact's
    number, the company's SIREN and the reason. `acting_user=None` is the system (the
    retention purge).
    """
    if acting_user is not None and not access.can_edit(acting_user, contact):
        raise PermissionDenied("Vous ne pouvez pas effacer ce contact.")
    pk, siren = contact.pk, contact.company.siren
    placeholder = Contact(pk=pk)  # its str() is « Contact n°… »: no personal value
    events = list(AuditEvent.objects.for_object(contact).select_for_update())
    for event in events:
        event.object_repr = str(placeholder)
        event.changes = {
            field: [_erased(v) for v in values] if field in Contact.PERSONAL_FIELDS else values
            for field, values in event.changes.items()
        }
    AuditEvent.objects.bulk_update(events, ["object_repr", "changes"])
    contact.delete()
    audit.record(
        actor=acting_user,
        action="contact.erase",
        obj=placeholder,
        extra={"siren": siren, "motif": reason},
    )


def _erased(value):
    return ERASED if value not in (None, "") else value


def contact_export_personal_data(*, acting_user, contact: Contact) -> dict[str, Any]:
    """Everything Pilote holds about the person (RGPD right of access): their record and
    the audit events about it."""
    if acting_user is not None and not access.can_edit(acting_user, contact):
        raise PermissionDenied("Vous ne pouvez pas exporter les données de ce contact.")
    sites = contact.establishments.select_related("company").order_by("siret")
    events = AuditEvent.objects.for_object(contact).order_by("at", "id")
    return {
        "export": {
            "date": timezone.localtime().isoformat(),
            "objet": "Données personnelles détenues par Pilote (droit d'accès, RGPD art. 15)",
        },
        "personne": {
            "numero": contact.pk,
            "prenom": contact.first_name,
            "nom": contact.last_name,
            "fonction": contact.role,
            "adresse_electronique": contact.email,
            "telephone": contact.phone,
            "remarques": contact.notes,
        },
        "traitement": {
            "base_legale": contact.get_legal_basis_display(),
            "source": contact.source,
            "entreprise": {"siren": contact.company.siren, "nom": contact.company.display_name},
            "etablissements": [
                {
                    "siret": site.siret,
                    "nom": site.display_name,
                    "principal": site.pk == contact.main_establishment_id,
                }
                for site in sites
            ],
            "epci": contact.epci.name,
            "visibilite": contact.get_visibility_display(),
            "organisation_responsable": str(contact.author_organisation),
            "cree_le": timezone.localtime(contact.created_at).isoformat(),
            "derniere_activite": timezone.localtime(contact.last_activity_at).isoformat(),
        },
        "historique": [
            {
                "date": timezone.localtime(event.at).isoformat(),
                "action": event.action,
                "auteur": event.actor_label,
                "modifications": event.changes,
            }
            for event in events
        ],
    }
