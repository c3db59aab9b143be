from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.contacts.factories import ContactFactory
from tests.factories import EstablishmentFactory
from tests.leak_matrix import LeakCase, register


def make_contact(world, *, epci, visibility, author):
    membership = world.memberships[author]
    return ContactFactory(
        main_establishment=EstablishmentFactory(epci=world.epcis[epci]),
        visibility=visibility,
        author=membership.user,
        author_organisation=membership.organisation,
        last_name=f"Fuite-{epci}-{visibility}-{author}",
    )


def _history(contact) -> str:
    content_type = ContentType.objects.get_for_model(contact)
    return reverse("core:history", args=[content_type.pk, contact.pk])


# The establishment page is checked in test_establishment_leaks.py: it answers 404 outside
# the territory, which the matrix's sample URLs (always 200) cannot express.
register(
    LeakCase(
        name="contact",
        make=make_contact,
        marker=lambda contact: contact.last_name,
        read_urls={"detail": lambda contact: reverse("contacts:detail", args=[contact.pk])},
        restricted_urls={
            "edit": lambda contact: reverse("contacts:edit", args=[contact.pk]),
            "erase": lambda contact: reverse("contacts:erase", args=[contact.pk]),
            "personal_data": lambda c: reverse("contacts:personal_data", args=[c.pk]),
            "history": _history,
        },
        collection_urls={
            "list": lambda world: reverse("contacts:list"),
            "search": lambda world: reverse("contacts:list") + "?q=fuite",
            "export": lambda world: reverse("contacts:export"),
            "global search": lambda world: reverse("search:results") + "?type=contacts&q=fuite",
        },
        sample_urls={
            "dashboard": lambda world: reverse("core:home"),
            "global search, every kind": lambda world: reverse("search:results") + "?q=fuite",
        },
        related_urls={
            # The forms about the contact's establishment offer its contacts (a new exchange's
            # participants) or none (a new contact).
            "new contact": lambda c: (
                reverse("contacts:create") + f"?etablissement={c.main_establishment.siret}"
            ),
            "new exchange": lambda c: (
                reverse("accompaniment:interaction_create")
                + f"?etablissement={c.main_establishment.siret}"
            ),
        },
        post_urls={
            "edit": (lambda c: reverse("contacts:edit", args=[c.pk]), None),
            "erase": (lambda c: reverse("contacts:erase", args=[c.pk]), None),
        },
    )
)
