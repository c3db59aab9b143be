"""The contacts' source for the global search (pilote.search), registered in ready()."""

from pilote.contacts.models import Contact
from pilote.search.registry import Hit, SearchSource


def find(request, text):
    return (
        Contact.objects.visible_to(request.user)
        .search(text)
        .select_related("company", "main_establishment")
        .order_by("last_name", "first_name", "pk")
    )


def hit(contact: Contact) -> Hit:
    where = contact.main_establishment.display_name if contact.main_establishment_id else ""
    detail = " · ".join(p for p in (contact.role, where or str(contact.company or "")) if p)
    return Hit(str(contact), contact.get_absolute_url(), detail)


source = SearchSource(
    key="contacts",
    label="Contacts",
    order=30,
    covers="les contacts que vous pouvez lire (nom, adresse électronique, entreprise)",
    find=find,
    hit=hit,
    list_name="contacts:list",
)
