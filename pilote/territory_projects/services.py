"""Every write on territory projects: permission checked, atomic, audited
(docs/territory-projects.md).

Who writes (docs/rules.md): a new project is created by whoever writes follow-up on its lead
EPCI (the TI managers, the lead EPCI's agents); the project and everything hanging on it are
then edited by who may edit it (`access.can_edit`: the TI managers, the lead EPCI's agents),
except a council vote, which the agents of the voting EPCI also record.

The carriers are the lead EPCI and its partner EPCIs, each with a share of the budget: the
shares sum exactly to the budget, to the cent (given explicitly, or split by
`pilote.core.money.allocate` in equal parts). The EPCIs a project is shared with (for the
visibility « EPCI choisis ») always include its carriers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from pilote.accounts import access
from pilote.accounts.scope import get_scope
from pilote.applications import documents
from pilote.applications.models import Application
from pilote.core import audit, locking
from pilote.core.money import allocate, to_cents
from pilote.core.templatetags.pilote import euros as _euros
from pilote.territory_projects.enums import CarrierRole, VoteOutcome
from pilote.territory_projects.models import (
    Carrier,
    CouncilVote,
    Milestone,
    ProjectDocument,
    ProjectShare,
    TerritoryProject,
)

FIELDS = [
    "title", "summary", "theme", "phase", "status", "starts_on", "ends_on", "budget",
    "visibility",
]  # fmt: skip
LINKS = ("establishments", "calls", "applications")
CANNOT_CREATE = "Vous ne pouvez pas créer de projet porté par cet EPCI."
CANNOT_EDIT = "Vous ne pouvez pas modifier ce projet."


def _pk(value):
    return getattr(value, "pk", value)


def _check_can_edit(acting_user, project: TerritoryProject) -> None:
    if acting_user is None:
        return
    if not access.is_visible_to(project, acting_user) or not access.can_edit(acting_user, project):
        raise PermissionDenied(CANNOT_EDIT)


def _territory_epci_ids(territory) -> set[str]:
    return set(territory.epcis.values_list("pk", flat=True))


def _check_fields(project: TerritoryProject) -> None:
    errors = {}
    project.budget = to_cents(project.budget or 0)
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        errors["ends_on"] = "La fin prévue ne peut pas précéder le début."
    if project.epci_id not in _territory_epci_ids(project.territory):
        errors["epci"] = "L'EPCI chef de file doit être membre du territoire."
    if errors:
        raise ValidationError(errors)
    project.full_clean(exclude=["author", "author_organisation", "territory"])


def _set_carriers(project, *, partners: Iterable, shares: Mapping | None) -> list[Carrier]:
    """Replace the carriers by the lead EPCI and `partners`, with their shares: `shares` maps
    an EPCI (or its SIREN) to its amount; None splits the budget in equal parts."""
    territory_ids = _territory_epci_ids(project.territory)
    partner_ids = [str(_pk(p)) for p in partners if str(_pk(p)) != project.epci_id]
    partner_ids = list(dict.fromkeys(partner_ids))  # once each, in the order given
    outside = [pk for pk in partner_ids if pk not in territory_ids]
    if outside:
        raise ValidationError(
            {"partners": "Les EPCI partenaires doivent être membres du territoire."}
        )
    carrier_ids = [project.epci_id, *partner_ids]
    if shares is None:
        amounts = allocate(project.budget, [1] * len(carrier_ids))
    else:
        given = {str(_pk(k)): v for k, v in shares.items()}
        unknown = set(given) - set(carrier_ids)
        if unknown:
            raise ValidationError(
                {"shares": "Une part est donnée à un EPCI qui ne porte pas le projet."}
            )
        try:
            amounts = [to_cents(given.get(pk) or 0) for pk in carrier_ids]
        except ArithmeticError as exc:
            raise ValidationError({"shares": "Une part n'est pas un montant lisible."}) from exc
        if any(a < 0 for a in amounts):
            raise ValidationError({"shares": "Une part ne peut pas être négative."})
        total = sum(amounts, Decimal("0.00"))
        if total != project.budget:
            raise ValidationError({"shares": (
                f"Les parts des EPCI totalisent {_euros(total)} pour un budget de "
                f"{_euros(project.budget)} : elles doivent l'égaler au centime près."
            )})  # fmt: skip
    project.carriers.all().delete()
    carriers = [
        Carrier(project=project, epci_id=pk, share=amount,
                role=CarrierRole.LEAD if pk == project.epci_id else CarrierRole.PARTNER)
        for pk, amount in zip(carrier_ids, amounts, strict=True)
    ]  # fmt: skip
    Carrier.objects.bulk_create(carriers)
    return carriers


def _set_shares(project, shared_with: Iterable) -> None:
    """The EPCIs the project is shared with: those chosen, plus its carriers, all within its
    territory."""
    territory_ids = _territory_epci_ids(project.territory)
    chosen = {str(_pk(e)) for e in shared_with}
    outside = chosen - territory_ids
    if outside:
        raise ValidationError(
            {"shared_with": "Un projet ne se partage qu'avec des EPCI membres du territoire."}
        )
    wanted = chosen | set(project.carriers.values_list("epci_id", flat=True))
    project.shares.exclude(epci_id__in=wanted).delete()
    existing = set(project.shares.values_list("epci_id", flat=True))
    ProjectShare.objects.bulk_create(
        [ProjectShare(project=project, epci_id=pk) for pk in sorted(wanted - existing)]
    )


def _set_links(project, acting_user, links: Mapping) -> None:
    """Establishments of the territory, calls of the catalogue, applications the user sees."""
    if "establishments" in links:
        establishments = list(links["establishments"])
        territory_ids = _territory_epci_ids(project.territory)
        if any(e.epci_id not in territory_ids for e in establishments):
            raise ValidationError(
                {"establishments": "Les établissements doivent être situés sur le territoire."}
            )
        project.establishments.set(establishments)
    if "calls" in links:
        project.calls.set(list(links["calls"]))
    if "applications" in links:
        applications = list(links["applications"])
        if acting_user is not None:
            visible = set(
                Application.objects.visible_to(acting_user)
                .filter(pk__in=[a.pk for a in applications]).values_list("pk", flat=True)
            )  # fmt: skip
            if len(visible) != len({a.pk for a in applications}):
                raise ValidationError(
                    {"applications": "Choisissez des dossiers de candidature que vous voyez."}
                )
            # The links to applications the user does not see stay as they are: a form offers
            # only those they see, and never unlinks what someone else linked.
            if project.pk:
                applications += list(
                    project.applications.exclude(
                        pk__in=Application.objects.visible_to(acting_user).values("pk")
                    )
                )
        project.applications.set(applications)


def _state(project) -> dict:
    """What the audit trail keeps of a project: its fields, carriers with shares, shares and
    links, so that a change of any of them shows as a difference."""
    state = audit.snapshot(project, [*FIELDS, "epci"])
    state["carriers"] = [
        f"{c.epci_id}:{c.role}:{c.share}" for c in project.carriers.order_by("role", "epci_id")
    ]
    state["shared_with"] = sorted(project.shares.values_list("epci_id", flat=True))
    for name in LINKS:
        state[name] = sorted(getattr(project, name).values_list("pk", flat=True))
    return state


@transaction.atomic
def project_create(
    *,
    acting_user,
    territory,
    epci,
    title: str,
    partners: Iterable = (),
    shares: Mapping | None = None,
    shared_with: Iterable = (),
    author_organisation=None,
    **fields,
) -> TerritoryProject:
    """A new project led by `epci`. `fields`: those of `FIELDS` and the links (`LINKS`).
    `acting_user=None` is the system (the demo): it names `author_organisation`."""
    links = {name: fields.pop(name) for name in LINKS if name in fields}
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValueError(f"Champs inconnus : {', '.join(sorted(unknown))}")
    if acting_user is None:
        if author_organisation is None:
            raise ValueError("Sans utilisateur, précisez l'organisation de l'auteur.")
        organisation_id = author_organisation.pk
    else:
        if not access.can_write_on(acting_user, epci):
            raise PermissionDenied(CANNOT_CREATE)
        organisation_id = access.writing_organisation_id(acting_user, epci)
    project = TerritoryProject(
        territory=territory, epci_id=_pk(epci), title=title, author=acting_user,
        author_organisation_id=organisation_id, **fields,
    )  # fmt: skip
    _check_fields(project)
    project.save()
    _set_carriers(project, partners=partners, shares=shares)
    _set_shares(project, shared_with)
    _set_links(project, acting_user, links)
    audit.record(actor=acting_user, action="territory_project.create", obj=project,
                 after=_state(project))  # fmt: skip
    return project


@transaction.atomic
def project_update(
    *,
    acting_user,
    project: TerritoryProject,
    version: str | None = None,
    **changes,
) -> TerritoryProject:
    """Edit the project: its fields, its lead (`epci`), its carriers (`partners`, `shares`),
    the EPCIs it is shared with (`shared_with`) and its links. `version`: the one the form
    was read at (optimistic locking)."""
    project = locking.lock(project, version)
    _check_can_edit(acting_user, project)
    before = _state(project)
    partners = changes.pop("partners", None)
    shares = changes.pop("shares", None)
    shared_with = changes.pop("shared_with", None)
    links = {name: changes.pop(name) for name in LINKS if name in changes}
    new_lead = changes.pop("epci", None)
    for name, value in changes.items():
        if name not in FIELDS:
            raise ValueError(f"Champ non modifiable : {name}")
        setattr(project, name, value)
    if new_lead is not None and _pk(new_lead) != project.epci_id:
        if acting_user is not None and not access.can_write_on(acting_user, new_lead):
            raise PermissionDenied(CANNOT_CREATE)
        project.epci_id = _pk(new_lead)
    _check_fields(project)
    project.save()
    stored = {c.epci_id: c for c in project.carriers.all()}
    if partners is None:
        partners = [pk for pk, c in stored.items() if c.role != CarrierRole.LEAD]
    if shares is None:
        # Unchanged carriers whose shares still make the budget keep them; else equal parts.
        carrier_ids = {project.epci_id, *(str(_pk(p)) for p in partners)}
        kept = {pk: stored[pk].share for pk in carrier_ids if pk in stored}
        if set(kept) == set(stored) == carrier_ids and sum(kept.values()) == project.budget:
            shares = kept
    _set_carriers(project, partners=partners, shares=shares)
    _set_shares(project, shared_with if shared_with is not None else before["shared_with"])
    _set_links(project, acting_user, links)
    after = _state(project)
    audit.record(actor=acting_user, action="territory_project.update", obj=project,
                 before=before, after=after)  # fmt: skip
    return project


@transaction.atomic
def project_delete(*, acting_user, project: TerritoryProject) -> None:
    _check_can_edit(acting_user, project)
    stored = [d.file.name for d in project.documents.all()]
    audit.record(actor=acting_user, action="territory_project.delete", obj=project,
                 before=_state(project))  # fmt: skip
    project.delete()
    transaction.on_commit(lambda: documents.remove_files(stored))


# --- Council votes ---------------------------------------------------------------------------


def can_record_vote(user, project: TerritoryProject, epci=None) -> bool:
    """The project's editors, and the agents of a carrying EPCI for their own council."""
    if access.can_edit(user, project):
        return True
    agent_epcis = get_scope(user).agent_epci_ids
    carriers = set(project.carriers.values_list("epci_id", flat=True))
    wanted = {str(_pk(epci))} if epci is not None else carriers
    return bool(agent_epcis & carriers & wanted)


def _check_vote(acting_user, project, epci) -> None:
    if acting_user is None:
        return
    if not access.is_visible_to(project, acting_user) or not can_record_vote(
        acting_user, project, epci
    ):
        raise PermissionDenied("Vous ne pouvez pas enregistrer la délibération de cet EPCI.")


@transaction.atomic
def vote_record(
    *, acting_user, project: TerritoryProject, epci, voted_on, deliberation_number: str = "",
    outcome: str = VoteOutcome.PENDING, note: str = "",
) -> CouncilVote:  # fmt: skip
    """A deliberation of a carrying EPCI's council on the project."""
    _check_vote(acting_user, project, epci)
    if not project.carriers.filter(epci_id=_pk(epci)).exists():
        raise ValidationError({"epci": "Seul un EPCI porteur du projet en délibère."})
    if outcome != VoteOutcome.PENDING and not deliberation_number.strip():
        raise ValidationError(
            {"deliberation_number": "Une délibération votée a un numéro : indiquez-le."}
        )
    vote = CouncilVote(project=project, epci_id=_pk(epci), voted_on=voted_on,
                       deliberation_number=deliberation_number.strip(), outcome=outcome,
                       note=note)  # fmt: skip
    vote.full_clean(exclude=["project", "epci"])
    vote.save()
    audit.record(actor=acting_user, action="territory_project.vote", obj=project,
                 after={"vote": vote.pk, "epci": vote.epci_id, "outcome": outcome,
                        "voted_on": vote.voted_on.isoformat(),
                        "deliberation_number": vote.deliberation_number})  # fmt: skip
    _touch(project)
    return vote


@transaction.atomic
def vote_delete(*, acting_user, vote: CouncilVote) -> None:
    _check_vote(acting_user, vote.project, vote.epci_id)
    audit.record(actor=acting_user, action="territory_project.vote_delete", obj=vote.project,
                 before={"vote": vote.pk, "epci": vote.epci_id,
                         "outcome": vote.outcome})  # fmt: skip
    vote.delete()
    _touch(vote.project)


# --- Milestones -----------------------------------------------------------------------------


@transaction.atomic
def milestone_add(
    *, acting_user, project: TerritoryProject, title: str, due_on, done_on=None, note: str = ""
) -> Milestone:
    _check_can_edit(acting_user, project)
    milestone = Milestone(project=project, title=title.strip(), due_on=due_on, done_on=done_on,
                          note=note)  # fmt: skip
    milestone.full_clean(exclude=["project"])
    milestone.save()
    audit.record(actor=acting_user, action="territory_project.milestone_add", obj=project,
                 after=audit.snapshot(milestone))  # fmt: skip
    _touch(project)
    return milestone


@transaction.atomic
def milestone_update(
    *, acting_user, milestone: Milestone, version: str | None = None, **changes
) -> Milestone:
    milestone = locking.lock(milestone, version)
    _check_can_edit(acting_user, milestone.project)
    before = audit.snapshot(milestone)
    for name, value in changes.items():
        if name not in {"title", "due_on", "done_on", "note"}:
            raise ValueError(f"Champ non modifiable : {name}")
        setattr(milestone, name, value)
    milestone.full_clean(exclude=["project"])
    milestone.save()
    audit.record(actor=acting_user, action="territory_project.milestone_update",
                 obj=milestone.project, before=before, after=audit.snapshot(milestone))  # fmt: skip
    _touch(milestone.project)
    return milestone


def milestone_done(*, acting_user, milestone: Milestone, done_on=None) -> Milestone:
    """Mark the milestone reached (today unless `done_on` says when)."""
    from django.utils import timezone

    return milestone_update(acting_user=acting_user, milestone=milestone,
                            done_on=done_on or timezone.localdate())  # fmt: skip


@transaction.atomic
def milestone_delete(*, acting_user, milestone: Milestone) -> None:
    _check_can_edit(acting_user, milestone.project)
    audit.record(actor=acting_user, action="territory_project.milestone_delete",
                 obj=milestone.project, before=audit.snapshot(milestone))  # fmt: skip
    milestone.delete()
    _touch(milestone.project)


# --- Documents ------------------------------------------------------------------------------


@transaction.atomic
def document_add(*, acting_user, project: TerritoryProject, upload) -> ProjectDocument:
    """A file checked as the applications' are (size, extension, signature), stored under a
    random name outside the static root."""
    _check_can_edit(acting_user, project)
    document = documents.store(
        ProjectDocument(project=project, author=acting_user), upload, parent_field="project"
    )
    audit.record(actor=acting_user, action="territory_project.document_add", obj=project,
                 after={"document": document.pk, "size": document.size})  # fmt: skip
    _touch(project)
    return document


@transaction.atomic
def document_delete(*, acting_user, document: ProjectDocument) -> None:
    project = document.project
    _check_can_edit(acting_user, project)
    stored = document.file.name
    audit.record(actor=acting_user, action="territory_project.document_delete", obj=project,
                 before={"document": document.pk, "size": document.size})  # fmt: skip
    document.delete()
    _touch(project)
    transaction.on_commit(lambda: documents.remove_files([stored]))


def _touch(project: TerritoryProject) -> None:
    """A change under the project moves its version (synchronisation by `updated_since`, and
    an open edit form of the project sees it)."""
    project.save(update_fields=["updated_at"])
