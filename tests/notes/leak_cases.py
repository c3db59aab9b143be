from django.urls import reverse

from tests.factories import EstablishmentFactory, NoteFactory
from tests.leak_matrix import LeakCase, register


def make_note(world, *, epci, visibility, author):
    membership = world.memberships[author]
    return NoteFactory(
        epci=world.epcis[epci],
        establishment=EstablishmentFactory(epci=world.epcis[epci]),
        visibility=visibility,
        author=membership.user,
        author_organisation=membership.organisation,
        title=f"Note-{epci}-{visibility}-{author}",
    )


register(
    LeakCase(
        name="note",
        make=make_note,
        marker=lambda note: note.title,
        read_urls={
            "detail": lambda note: reverse("notes:detail", args=[note.pk]),
        },
        restricted_urls={
            "edit": lambda note: reverse("notes:edit", args=[note.pk]),
            "history": lambda note: reverse("core:history", args=[_content_type_id(note), note.pk]),
        },
        collection_urls={
            "list": lambda world: reverse("notes:list"),
            "search": lambda world: reverse("notes:list") + "?q=Note-",
            "export": lambda world: reverse("notes:export"),
            "global search": lambda world: reverse("search:results") + "?type=notes&q=Note-",
        },
        sample_urls={
            "dashboard": lambda world: reverse("core:home"),
            "global search, every kind": lambda world: reverse("search:results") + "?q=Note-",
        },
        related_urls={
            "establishment": lambda note: note.establishment.get_absolute_url(),
            "new note on the establishment": lambda note: (
                reverse("notes:create") + f"?etablissement={note.establishment.siret}"
            ),
            "territory page": lambda note: reverse("territories:detail", args=["ti-a"]),
            "EPCI page": lambda note: reverse("territories:epci", args=["ti-a", note.epci.siren]),
        },
        post_urls={"edit": (lambda note: reverse("notes:edit", args=[note.pk]), None)},
    )
)


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk
