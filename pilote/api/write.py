"""The write endpoints: notes, interactions, needs and applications, through the services of
their apps, so that permission, atomicity and the audit trail are the pages' own. A token
needs the « lecture et écriture » scope (pilote.api.auth)."""

from django.core.exceptions import ValidationError
from ninja import Status

from pilote.accompaniment import services as accompaniment
from pilote.accompaniment.models import Interaction, Need, Project
from pilote.accounts import access
from pilote.accounts.scope import get_scope
from pilote.aids.models import AidScheme
from pilote.api import schemas, serializers
from pilote.api.read import router  # one router: a path's GET and POST share a URL
from pilote.applications import services as applications
from pilote.applications.models import Application
from pilote.companies.models import Establishment
from pilote.notes import services as notes
from pilote.notes.models import Note
from pilote.territories.models import Epci

ERRORS = frozenset({400, 401, 403, 404, 409, 422, 429})


def _created(schema) -> dict:
    return {201: schema, ERRORS: schemas.Problem}


def _ok(schema) -> dict:
    return {200: schema, ERRORS: schemas.Problem}


def _establishment(request, siret: str) -> Establishment:
    """An establishment of one of the user's territories (public SIRENE data)."""
    found = (
        Establishment.objects.filter(
            siret=siret, epci_id__in=get_scope(request.user).territory_epci_ids
        )
        .select_related("epci", "company")
        .first()
    )
    if found is None:
        raise ValidationError(
            {"establishment": "Aucun établissement de vos territoires n'a ce SIRET."}
        )
    return found


def _visible(model, request, pk, field: str):
    if pk is None:
        return None
    found = model.objects.visible_to(request.user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: "Aucun élément que vous voyez ne porte ce numéro."})
    return found


def _changes(payload, *, nullable: set[str]) -> tuple[dict, str | None]:
    """The fields a PATCH sets (absent ones unchanged), and the version it was read at."""
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version", None)
    refused = sorted(k for k, v in changes.items() if v is None and k not in nullable)
    if refused:
        raise ValidationError(dict.fromkeys(refused, "Ce champ ne peut pas être vide."))
    return changes, version


# --- Notes ----------------------------------------------------------------------------------


@router.post(
    "/notes", response=_created(schemas.NoteOut), url_name="note_create", tags=["Notes"],
    summary="Écrire une note",
)  # fmt: skip
def note_create(request, payload: schemas.NoteIn):
    epci = Epci.objects.filter(pk=payload.epci).first()
    if epci is None:
        raise ValidationError({"epci": "EPCI inconnu."})
    establishment = (
        _establishment(request, payload.establishment) if payload.establishment else None
    )
    note = notes.note_create(
        acting_user=request.user, epci=epci, title=payload.title, body=payload.body,
        visibility=payload.visibility, establishment=establishment,
    )  # fmt: skip
    return Status(201, serializers.note(note))


@router.patch(
    "/notes/{id}", response=_ok(schemas.NoteOut), url_name="note_update", tags=["Notes"],
    summary="Modifier une note",
)  # fmt: skip
def note_update(request, id: schemas.Id, payload: schemas.NotePatch):
    note = access.get_editable_or_404(Note, request.user, pk=id)
    changes, version = _changes(payload, nullable=set())
    note = notes.note_update(acting_user=request.user, note=note, version=version, **changes)
    return serializers.note(note)


# --- Interactions ---------------------------------------------------------------------------


@router.post(
    "/echanges", response=_created(schemas.InteractionOut), url_name="interaction_create",
    tags=["Échanges"], summary="Enregistrer un échange avec un établissement",
)  # fmt: skip
def interaction_create(request, payload: schemas.InteractionIn):
    data = payload.dict()
    establishment = _establishment(request, data.pop("establishment"))
    interaction = accompaniment.interaction_create(
        acting_user=request.user, establishment=establishment, **data
    )
    return Status(201, serializers.interaction(interaction))


@router.patch(
    "/echanges/{id}", response=_ok(schemas.InteractionOut), url_name="interaction_update",
    tags=["Échanges"], summary="Modifier un échange",
)  # fmt: skip
def interaction_update(request, id: schemas.Id, payload: schemas.InteractionPatch):
    interaction = access.get_editable_or_404(Interaction, request.user, pk=id)
    changes, version = _changes(payload, nullable={"start_time"})
    interaction = accompaniment.interaction_update(
        acting_user=request.user, interaction=interaction, version=version, **changes
    )
    return serializers.interaction(interaction)


# --- Needs ----------------------------------------------------------------------------------


@router.post(
    "/besoins", response=_created(schemas.NeedOut), url_name="need_create", tags=["Besoins"],
    summary="Enregistrer un besoin d'un établissement",
)  # fmt: skip
def need_create(request, payload: schemas.NeedIn):
    data = payload.dict()
    establishment = _establishment(request, data.pop("establishment"))
    data["interaction"] = _visible(Interaction, request, data["interaction"], "interaction")
    need = accompaniment.need_create(acting_user=request.user, establishment=establishment, **data)
    return Status(201, serializers.need(need))


@router.patch(
    "/besoins/{id}", response=_ok(schemas.NeedOut), url_name="need_update", tags=["Besoins"],
    summary="Modifier un besoin",
)  # fmt: skip
def need_update(request, id: schemas.Id, payload: schemas.NeedPatch):
    need = access.get_editable_or_404(Need, request.user, pk=id)
    changes, version = _changes(payload, nullable={"resolved_on"})
    need = accompaniment.need_update(
        acting_user=request.user, need=need, version=version, **changes
    )
    return serializers.need(need)


# --- Applications -----------------------------------------------------------------------------

APPLICATION_NULLABLE = {
    "scheme", "project", "need", "filed_on", "decided_on", "closes_on", "amount_requested",
    "amount_granted", "investment", "jobs",
}  # fmt: skip


def _application_fields(request, changes: dict) -> dict:
    if changes.get("scheme") is not None:
        scheme = AidScheme.objects.filter(pk=changes["scheme"]).first()
        if scheme is None:
            raise ValidationError({"scheme": "Dispositif inconnu."})
        changes["scheme"] = scheme
    for name, model in (("project", Project), ("need", Need)):
        if name in changes:
            changes[name] = _visible(model, request, changes[name], name)
    return changes


@router.post(
    "/dossiers", response=_created(schemas.ApplicationOut), url_name="application_create",
    tags=["Dossiers"], summary="Créer un dossier de candidature",
)  # fmt: skip
def application_create(request, payload: schemas.ApplicationIn):
    data = {k: v for k, v in payload.dict().items() if v is not None}
    establishment = _establishment(request, data.pop("establishment"))
    application = applications.application_create(
        acting_user=request.user, establishment=establishment,
        **_application_fields(request, data),
    )  # fmt: skip
    return Status(201, serializers.application(application))


@router.patch(
    "/dossiers/{id}", response=_ok(schemas.ApplicationOut), url_name="application_update",
    tags=["Dossiers"], summary="Modifier un dossier (hors statut)",
)  # fmt: skip
def application_update(request, id: schemas.Id, payload: schemas.ApplicationPatch):
    application = access.get_editable_or_404(Application, request.user, pk=id)
    changes, version = _changes(payload, nullable=APPLICATION_NULLABLE)
    if version is not None:
        changes["version"] = version
    application = applications.application_update(
        acting_user=request.user, application=application,
        **_application_fields(request, changes),
    )  # fmt: skip
    return serializers.application(application)
