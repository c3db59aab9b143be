"""What contacts contribute to the establishment pages (through pilote.companies.registry)."""

from django.urls import reverse

from pilote.accounts import access
from pilote.companies.registry import TimelineEntry
from pilote.contacts.models import Contact


def followed_establishments(user):
    """Ids of the establishments where the user sees at least one contact."""
    return Contact.establishments.through.objects.filter(
        contact__in=Contact.objects.visible_to(user)
    ).values("establishment_id")


def timeline_entries(user, establishment) -> list[TimelineEntry]:
    contacts = Contact.objects.visible_to(user).filter(establishments=establishment)
    return [
        TimelineEntry(
            at=contact.created_at,
            kind="Contact",
            title=f"{contact.full_name}, {contact.role}" if contact.role else contact.full_name,
            url=contact.get_absolute_url(),
            detail=contact.get_visibility_display(),
        )
        for contact in contacts
    ]


def establishment_actions(user, establishment) -> list[tuple[str, str]]:
    if establishment.epci is None or not access.can_write_on(user, establishment.epci):
        return []
    url = f"{reverse('contacts:create')}?etablissement={establishment.siret}"
    return [("Ajouter un contact", url)]
