"""Territory projects in the leak matrix, with the fifth visibility « EPCI choisis »
(`chosen=True`): the project (its page, the list, its search and XLSX export, the forms that
write on it), its milestones, council votes and documents, read through the project."""

from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pilote.territory_projects import services
from tests.leak_matrix import LeakCase, register
from tests.territory_projects.factories import make_project


def _tag(prefix: str, epci, visibility, author) -> str:
    return f"{prefix}-{epci}-{visibility}-{author}"


def _today() -> str:
    return timezone.localdate().strftime("%d/%m/%Y")


def _detail(project) -> str:
    return reverse("territory_projects:detail", args=[project.pk])


def _history(obj) -> str:
    return reverse("core:history", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


def make_territory_project(world, *, epci, visibility, author):
    tag = _tag("ProjetTerritoire", epci, visibility, author)
    return make_project(world, epci=epci, visibility=visibility, author=author, title=tag)


def make_milestone(world, *, epci, visibility, author):
    project = make_territory_project(world, epci=epci, visibility=visibility, author=author)
    return services.milestone_add(
        acting_user=world.users[author], project=project,
        title=_tag("JalonTerritoire", epci, visibility, author), due_on=timezone.localdate(),
    )  # fmt: skip


def make_vote(world, *, epci, visibility, author):
    project = make_territory_project(world, epci=epci, visibility=visibility, author=author)
    return services.vote_record(
        acting_user=world.users[author], project=project, epci=project.epci,
        voted_on=timezone.localdate(), outcome="adopte",
        deliberation_number=_tag("DelibTerritoire", epci, visibility, author),
    )  # fmt: skip


def make_document(world, *, epci, visibility, author):
    project = make_territory_project(world, epci=epci, visibility=visibility, author=author)
    tag = _tag("DocTerritoire", epci, visibility, author)
    upload = SimpleUploadedFile(f"{tag}.txt", tag.encode(), content_type="text/plain")
    return services.document_add(acting_user=world.users[author], project=project, upload=upload)


register(
    LeakCase(
        name="territory project",
        make=make_territory_project,
        marker=lambda p: p.title,
        chosen=True,
        read_urls={"detail": _detail},
        restricted_urls={
            "edit": lambda p: reverse("territory_projects:edit", args=[p.pk]),
            "delete": lambda p: reverse("territory_projects:delete", args=[p.pk]),
            "history": _history,
        },
        collection_urls={
            "list": lambda world: reverse("territory_projects:list"),
            "search": lambda world: reverse("territory_projects:list") + "?q=ProjetTerritoire-",
            "export": lambda world: reverse("territory_projects:export"),
        },
        post_urls={
            "edit": (lambda p: reverse("territory_projects:edit", args=[p.pk]), None),
            "delete": (lambda p: reverse("territory_projects:delete", args=[p.pk]), None),
            "milestone": (
                lambda p: reverse("territory_projects:milestone_add", args=[p.pk]),
                lambda p, form: {"jalon-title": "Étude de faisabilité", "jalon-due_on": _today()},
            ),
            "council vote": (
                lambda p: reverse("territory_projects:vote_add", args=[p.pk]),
                lambda p, form: {
                    "epci": p.epci_id,
                    "voted_on": _today(),
                    "deliberation_number": "2026-042",
                    "outcome": "adopte",
                },
            ),
            "document": (
                lambda p: reverse("territory_projects:document_add", args=[p.pk]),
                lambda p, form: {"upload": SimpleUploadedFile("note.txt", b"Compte rendu")},
            ),
        },
    )
)

register(
    LeakCase(
        name="territory project milestone",
        make=make_milestone,
        marker=lambda m: m.title,
        chosen=True,
        # Not "edit": a milestone is no follow-up record of its own (the edit matrix); its
        # form is the project's editors'.
        restricted_urls={
            "milestone form": lambda m: reverse(
                "territory_projects:milestone_edit", args=[m.project_id, m.pk]
            ),
        },
        related_urls={"project page": lambda m: _detail(m.project)},
        post_urls={
            "edit": (
                lambda m: reverse("territory_projects:milestone_edit", args=[m.project_id, m.pk]),
                None,
            ),
            "delete": (
                lambda m: reverse("territory_projects:milestone_delete", args=[m.project_id, m.pk]),
                lambda m, form: {},
            ),
        },
    )
)

register(
    LeakCase(
        name="territory project vote",
        make=make_vote,
        marker=lambda v: v.deliberation_number,
        chosen=True,
        related_urls={"project page": lambda v: _detail(v.project)},
        post_urls={
            "delete": (
                lambda v: reverse("territory_projects:vote_delete", args=[v.project_id, v.pk]),
                lambda v, form: {},
            ),
        },
    )
)

register(
    LeakCase(
        name="territory project document",
        make=make_document,
        marker=lambda d: d.name.removesuffix(".txt"),
        chosen=True,
        read_urls={
            "download": lambda d: reverse(
                "territory_projects:document_download", args=[d.project_id, d.pk]
            ),
        },
        related_urls={"project page": lambda d: _detail(d.project)},
        post_urls={
            "delete": (
                lambda d: reverse("territory_projects:document_delete", args=[d.project_id, d.pk]),
                lambda d, form: {},
            ),
        },
    )
)
