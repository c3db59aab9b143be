"""Follow-up of the aids app in the leak matrix: internal notes on a scheme, and what was
sent to an EPCI about its establishments (dispatches). The catalogue itself is public;
saved searches and feeds are personal (tests/aids/test_alerts.py, test_calendar.py)."""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from pilote.aids.models import AidScheme, Dispatch, DispatchLine, SchemeNote
from tests.aids.factories import AidSchemeFactory
from tests.factories import EstablishmentFactory
from tests.leak_matrix import LeakCase, register

SCHEME_ID = "5b0f4a8e-2c1d-4e3f-9a8b-7c6d5e4f3a2b"


def _scheme() -> AidScheme:
    return AidScheme.objects.filter(etalab_id=SCHEME_ID).first() or AidSchemeFactory(
        etalab_id=SCHEME_ID, title="Dispositif des fuites"
    )


def _history(obj) -> str:
    return reverse("core:history", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def make_note(world, *, epci, visibility, author):
    membership = world.memberships[author]
    return SchemeNote.objects.create(
        scheme=_scheme(),
        epci=world.epcis[epci],
        visibility=visibility,
        author=membership.user,
        author_organisation=membership.organisation,
        body=f"NoteDispositif-{epci}-{visibility}-{author}",
    )


def make_dispatch(world, *, epci, visibility, author):
    membership = world.memberships[author]
    dispatch = Dispatch.objects.create(
        scheme=_scheme(),
        territory=world.territory_a,
        epci=world.epcis[epci],
        visibility=visibility,
        author=membership.user,
        author_organisation=membership.organisation,
        message=f"Envoi-{epci}-{visibility}-{author}",
        recipients=[f"agent_{epci}@exemple.fr"],
    )
    DispatchLine.objects.create(
        dispatch=dispatch,
        establishment=EstablishmentFactory(epci=world.epcis[epci]),
        reasons="Zone géographique : PAYS-99100 couvert",
    )
    return dispatch


def _scheme_page(world) -> str:
    return _scheme().get_absolute_url()


register(
    LeakCase(
        name="scheme_note",
        make=make_note,
        marker=lambda note: note.body,
        restricted_urls={
            "edit": lambda note: reverse("aids:note_edit", args=[note.pk]),
            "history": _history,
        },
        collection_urls={"scheme": _scheme_page},
        sample_urls={
            "dashboard": lambda world: reverse("core:home"),
            "catalogue": lambda world: reverse("aids:list"),
            "export": lambda world: reverse("aids:export"),
            "calendar": lambda world: reverse("aids:calendar"),
        },
        related_urls={
            "new note on the scheme": lambda note: reverse(
                "aids:note_create", args=[note.scheme_id]
            ),
        },
        post_urls={"edit": (lambda note: reverse("aids:note_edit", args=[note.pk]), None)},
    )
)

register(
    LeakCase(
        name="aid_dispatch",
        make=make_dispatch,
        marker=lambda dispatch: dispatch.message,
        read_urls={"detail": lambda d: reverse("aids:dispatch", args=[d.pk])},
        restricted_urls={"history": _history},
        collection_urls={
            "list": lambda world: reverse("aids:dispatches"),
            "scheme": _scheme_page,
        },
        sample_urls={"dashboard": lambda world: reverse("core:home")},
        related_urls={
            "detection": lambda d: reverse("aids:detection", args=[d.scheme_id]),
            "establishment": lambda d: d.lines.get().establishment.get_absolute_url(),
            "matching": lambda d: reverse("aids:match", args=[d.lines.get().establishment.siret]),
            "detection export": lambda d: reverse("aids:detection_export", args=[d.scheme_id]),
        },
    )
)


def make_project(world, *, epci, visibility, author):
    from tests.accompaniment.factories import ProjectFactory, site_of, written_by
    from tests.factories import CompanyFactory

    return ProjectFactory(
        establishment=site_of(world, epci, company=CompanyFactory(name="Usine témoin")),
        visibility=visibility,
        title=f"ProjetAides-{epci}-{visibility}-{author}",
        **written_by(world, author),
    )


def make_need(world, *, epci, visibility, author):
    from tests.accompaniment.factories import NeedFactory, site_of, written_by
    from tests.factories import CompanyFactory

    return NeedFactory(
        establishment=site_of(world, epci, company=CompanyFactory(name="Usine témoin")),
        visibility=visibility,
        description=f"BesoinAides-{epci}-{visibility}-{author}",
        **written_by(world, author),
    )


# The matching pages of a project or a need show the record: read through `visible_to`.
register(
    LeakCase(
        name="aid_project_match",
        make=make_project,
        marker=lambda project: project.title,
        read_urls={"matching": lambda p: reverse("aids:project_match", args=[p.pk])},
        related_urls={
            "establishment_matching": lambda p: reverse("aids:match", args=[p.establishment.siret])
        },
    )
)
register(
    LeakCase(
        name="aid_need_match",
        make=make_need,
        marker=lambda need: need.description,
        read_urls={"matching": lambda n: reverse("aids:need_match", args=[n.pk])},
    )
)
