"""Accompaniment in the leak matrix: interactions, answers, needs, projects, diagnostics,
referrals, actions and accompaniment levels.

Each record produced by a meeting is attached to an interaction shared with the whole
territory, whatever the record's own visibility: the interaction's pages (detail, meeting)
must still show the record only to whoever may see it. Answers share their meeting's
visibility, so their meeting is made with the specimen's visibility.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from pilote.accompaniment.enums import Partner
from pilote.core.enums import Visibility
from tests.accompaniment.factories import (
    ActionFactory,
    DiagnosticFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    answer_to,
    meeting_of,
    site_of,
    written_by,
)
from tests.factories import CompanyFactory
from tests.leak_matrix import LeakCase, register


def _history(obj) -> str:
    return reverse("core:history", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def _tag(prefix: str, epci, visibility, author) -> str:
    return f"{prefix}-{epci}-{visibility}-{author}"


def _site(world, epci, tag):
    """A fresh establishment; its (public) name must not contain the marker."""
    return site_of(world, epci, company=CompanyFactory(name="Usine témoin"))


def make_interaction(world, *, epci, visibility, author):
    tag = _tag("Échange", epci, visibility, author)
    return meeting_of(
        world, epci, author, visibility=visibility, establishment=_site(world, epci, tag),
        summary=f"{tag} : visite de l'atelier",
    )  # fmt: skip


def make_answer(world, *, epci, visibility, author):
    tag = _tag("Réponse", epci, visibility, author)
    meeting = meeting_of(
        world, epci, author, visibility=visibility, establishment=_site(world, epci, tag)
    )
    return answer_to(meeting, "zones_export", text=tag)


def _from_interaction(kind: str):
    return lambda i: reverse(f"accompaniment:{kind}_create") + f"?echange={i.pk}"


def _text_question(interaction) -> str:
    """The form field of the first free-text question of the interaction's guide."""
    from pilote.accompaniment.enums import QuestionType
    from pilote.accompaniment.forms import answer_field_name

    question = interaction.guide_version.questions.filter(type=QuestionType.TEXT).first()
    return answer_field_name(question)


def _not_started(interaction, form) -> dict:
    """An interaction recorded without the guide (set directly: no audit event), so that
    « Mener l'entretien » has something to start."""
    type(interaction).objects.filter(pk=interaction.pk).update(guide_version=None)
    return {}


def _shared_meeting(world, epci, author, tag):
    """A meeting every member of the territory sees, to which the record is attached."""
    return meeting_of(
        world, epci, author, visibility=Visibility.TERRITORY,
        establishment=_site(world, epci, tag), summary="Entretien partagé",
    )  # fmt: skip


def _maker(factory, prefix: str, field: str, **extra):
    def make(world, *, epci, visibility, author):
        tag = _tag(prefix, epci, visibility, author)
        meeting = _shared_meeting(world, epci, author, tag)
        return factory(
            establishment=meeting.establishment, interaction=meeting, visibility=visibility,
            **written_by(world, author), **{field: tag}, **extra,
        )  # fmt: skip

    return make


def _record_case(name, kind, prefix, field, factory, *, with_list=True, post_urls=None, **extra):
    make = _maker(factory, prefix, field, **extra)
    post_urls = post_urls or {}
    collection = {}
    if with_list:
        list_url = f"accompaniment:{kind}_list"
        collection = {
            "list": lambda world: reverse(list_url),
            "search": lambda world: reverse(list_url) + f"?q={prefix}-",
            "export": lambda world: reverse(f"accompaniment:{kind}_export"),
        }
    edit = f"accompaniment:{kind}_edit"
    delete = f"accompaniment:{kind}_delete"
    return LeakCase(
        name=name,
        make=make,
        marker=lambda record: getattr(record, field),
        read_urls={"detail": lambda r: reverse(f"accompaniment:{kind}_detail", args=[r.pk])},
        restricted_urls={
            "edit": lambda r: reverse(edit, args=[r.pk]),
            "delete": lambda r: reverse(delete, args=[r.pk]),
            "history": _history,
        },
        collection_urls=collection,
        sample_urls={"dashboard": lambda world: reverse("core:home")},
        related_urls={
            "establishment page": lambda r: r.establishment.get_absolute_url(),
            "interaction page": lambda r: r.interaction.get_absolute_url(),
            "meeting page": lambda r: reverse("accompaniment:meeting", args=[r.interaction_id]),
            "level page": lambda r: reverse(
                "accompaniment:establishment_level", args=[r.establishment.siret]
            ),
            "new record on the establishment": lambda r: (
                reverse(f"accompaniment:{kind}_create") + f"?etablissement={r.establishment.siret}"
            ),
        },
        post_urls={
            "edit": (lambda r: reverse(edit, args=[r.pk]), None),
            "delete": (lambda r: reverse(delete, args=[r.pk]), None),
            **post_urls,
        },
    )


register(
    LeakCase(
        name="interaction",
        make=make_interaction,
        marker=lambda i: i.summary.split(" ")[0],
        read_urls={
            "detail": lambda i: i.get_absolute_url(),
            "meeting": lambda i: reverse("accompaniment:meeting", args=[i.pk]),
        },
        restricted_urls={
            "edit": lambda i: reverse("accompaniment:interaction_edit", args=[i.pk]),
            "delete": lambda i: reverse("accompaniment:interaction_delete", args=[i.pk]),
            "history": _history,
            # One kind is enough: every record kind's creation reads the exchange the same way.
            "new need from it": _from_interaction("need"),
        },
        collection_urls={
            "list": lambda world: reverse("accompaniment:interaction_list"),
            "search": lambda world: reverse("accompaniment:interaction_list") + "?q=Échange",
            "export": lambda world: reverse("accompaniment:interaction_export"),
        },
        sample_urls={"dashboard": lambda world: reverse("core:home")},
        related_urls={
            "establishment page": lambda i: i.establishment.get_absolute_url(),
            "level page": lambda i: reverse(
                "accompaniment:establishment_level", args=[i.establishment.siret]
            ),
            "new exchange": lambda i: (
                reverse("accompaniment:interaction_create")
                + f"?etablissement={i.establishment.siret}"
            ),
            "plan a visit": lambda i: reverse(
                "accompaniment:visit_plan", args=[i.establishment.siret]
            ),
        },
        post_urls={
            "edit": (lambda i: reverse("accompaniment:interaction_edit", args=[i.pk]), None),
            "delete": (lambda i: reverse("accompaniment:interaction_delete", args=[i.pk]), None),
            "meeting answers": (
                lambda i: reverse("accompaniment:meeting", args=[i.pk]),
                lambda i, form: {_text_question(i): "Réponse du test"},
            ),
            "answer autosave": (
                lambda i: reverse(
                    "accompaniment:answer_save", args=[i.pk, _text_question(i).split("-")[1]]
                ),
                lambda i, form: {_text_question(i): "Réponse du test"},
            ),
            "start the meeting": (
                lambda i: reverse("accompaniment:meeting_start", args=[i.pk]),
                _not_started,
            ),
            "new need from it": (_from_interaction("need"), None),
        },
    )
)

register(
    LeakCase(
        name="answer",
        make=make_answer,
        marker=lambda a: a.text,
        read_urls={
            "meeting": lambda a: reverse("accompaniment:meeting", args=[a.interaction_id]),
            "interaction": lambda a: a.interaction.get_absolute_url(),
        },
        restricted_urls={"history": _history},
        sample_urls={"dashboard": lambda world: reverse("core:home")},
        related_urls={
            "establishment page": lambda a: a.interaction.establishment.get_absolute_url()
        },
    )
)

register(_record_case("need", "need", "Besoin", "description", NeedFactory))
_project = _record_case("project", "project", "Projet", "title", ProjectFactory)
_project.collection_urls["global search"] = lambda world: (
    reverse("search:results") + "?type=projets&q=Projet-"
)
_project.sample_urls["global search, every kind"] = lambda world: (
    reverse("search:results") + "?q=Projet-"
)
register(_project)
register(_record_case("diagnostic", "diagnostic", "Diagnostic", "operator", DiagnosticFactory))
register(
    _record_case(
        "referral", "referral", "Mise", "partner_name", ReferralFactory, partner=Partner.OTHER
    )
)
register(
    _record_case(
        "action", "action", "Action", "title", ActionFactory, with_list=False,
        post_urls={  # « mes actions »' quick status change, for the action's owner, its author
            "status": (
                lambda a: reverse("accompaniment:action_status", args=[a.pk]),
                lambda a, form: {"status": "done"},
                "agent_e1",
            ),
        },
    )
)  # fmt: skip


def make_level(world, *, epci, visibility, author):
    from django.utils import timezone

    from pilote.accompaniment.enums import Level
    from pilote.accompaniment.models import AccompanimentLevel

    tag = _tag("Niveau", epci, visibility, author)
    return AccompanimentLevel.objects.create(
        establishment=_site(world, epci, tag), epci=world.epcis[epci], visibility=visibility,
        level=Level.REINFORCED, changed_on=timezone.localdate(), note=tag,
        **written_by(world, author),
    )  # fmt: skip


register(
    LeakCase(
        name="accompaniment level",
        make=make_level,
        marker=lambda level: level.note,
        restricted_urls={"history": _history},
        sample_urls={"dashboard": lambda world: reverse("core:home")},
        related_urls={
            "establishment page": lambda level: level.establishment.get_absolute_url(),
            "level page": lambda level: level.get_absolute_url(),
        },
    )
)
