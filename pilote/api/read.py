"""The read endpoints: every queryset goes through the access layer exactly as the pages do
(`visible_to(request.user)`; the establishments through the directory's territory scoping).
A token sees what its user sees, no more."""

import datetime as dt
from typing import Any, Literal

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from ninja import Query, Router
from pydantic import Field

from pilote.accompaniment.models import Interaction, Need, Project
from pilote.accounts.access import get_visible_or_404
from pilote.accounts.enums import Role
from pilote.aids import perms as aid_perms
from pilote.aids.models import AidScheme, CallWindow
from pilote.api import schemas, serializers
from pilote.api.pagination import ListParams, SearchParams, page
from pilote.api.problems import ApiError
from pilote.applications.models import Application
from pilote.companies import directory
from pilote.companies.enums import CompanySize, HeadcountBand
from pilote.companies.models import Establishment
from pilote.contacts.models import Contact
from pilote.indicators import indicators
from pilote.indicators.models import Snapshot
from pilote.notes.models import Note
from pilote.territory_projects import indicators as tp_indicators
from pilote.territory_projects import search as tp_search
from pilote.territory_projects.enums import Phase, Status
from pilote.territory_projects.models import Carrier, TerritoryProject

router = Router()

ERRORS = frozenset({400, 401, 403, 404, 422, 429})


def _ok(schema) -> dict:
    return {200: schema, ERRORS: schemas.Problem}


class TerritoryParam(ListParams):
    territoire: str | None = Field(
        None,
        max_length=60,
        description="Le territoire (son identifiant court) pour un compte membre de plusieurs ; "
        "par défaut, la première adhésion.",
    )


# --- Establishments: public SIRENE data of the territory, the directory's filters ---------


class EstablishmentParams(TerritoryParam):
    q: str | None = Field(None, max_length=200, description="Nom, SIRET, SIREN ou commune.")
    epci: str | None = Field(None, max_length=9, description="SIREN de l'EPCI.")
    commune: str | None = Field(None, max_length=5, description="Code INSEE de la commune.")
    naf: str | None = Field(None, max_length=6, description="Code NAF ou son début (« 25 »).")
    band: schemas.choice(HeadcountBand) | None = Field(None, description="Tranche d'effectif.")
    size: Literal["core", *CompanySize.values] | None = None
    industrial: bool = Field(True, description="Périmètre industriel seulement (l'annuaire).")
    state: Literal["open", "closed", "all"] = "open"
    followed: Literal["followed", "never"] | None = Field(
        None, description="Suivis par vous, ou jamais rencontrés."
    )


def _territory(request):
    if request.territory is None:
        raise Http404
    return request.territory


def _establishments(request, params: EstablishmentParams | None = None):
    territory = _territory(request)
    filters: dict[str, Any] = {"state": "all", "sort": "name"}
    if params is not None:
        filters = {
            "q": params.q or "",
            "epci": params.epci,
            "commune": params.commune,
            "naf": (params.naf or "").replace(".", "").upper(),
            "band": [params.band] if params.band else None,
            "size": params.size,
            "industrial": params.industrial,
            "state": params.state,
            "followed": params.followed,
            "sort": "name",
        }
    qs = directory.establishments(territory, request.user, filters)
    return qs.select_related("company", "commune", "epci")


@router.get(
    "/etablissements", response=_ok(schemas.EstablishmentPage), url_name="establishments",
    tags=["Établissements"], summary="Établissements du territoire (annuaire)",
)  # fmt: skip
def establishments(request, params: Query[EstablishmentParams]):
    return page(request, _establishments(request, params), serializers.establishment, params)


@router.get(
    "/etablissements/{siret}", response=_ok(schemas.EstablishmentOut),
    url_name="establishment", tags=["Établissements"], summary="Un établissement, par SIRET",
)  # fmt: skip
def establishment(request, siret: str, territoire: str | None = None):
    found = _establishments(request).filter(siret=siret[:14]).first()
    if found is None:
        raise Http404
    return serializers.establishment(found)


# --- Follow-up: the access layer, exactly as the lists of the pages ----------------------


def _follow_up_endpoints(
    *, path, model, serialize, schema, page_schema, tag, label, related, search=True
):
    def visible(request):
        return model.objects.visible_to(request.user).select_related(
            "author", "author_organisation", *related
        )

    params_type = SearchParams

    def list_view(request, params: Query[params_type]):
        qs = visible(request)
        if search and params.q:
            qs = qs.search(params.q)
        return page(request, qs, serialize, params)

    def detail_view(request, id: schemas.Id):
        return serialize(get_visible_or_404(visible(request), request.user, pk=id))

    name = model._meta.model_name
    list_view.__name__ = f"{name}_list"
    detail_view.__name__ = f"{name}_detail"
    router.get(
        path, response=_ok(page_schema), url_name=f"{name}_list", tags=[tag],
        summary=f"{label} que vous voyez",
    )(list_view)  # fmt: skip
    router.get(
        f"{path}/{{id}}", response=_ok(schema), url_name=f"{name}_detail", tags=[tag],
        summary=f"{label} : un élément",
    )(detail_view)  # fmt: skip


_follow_up_endpoints(
    path="/notes", model=Note, serialize=serializers.note, schema=schemas.NoteOut,
    page_schema=schemas.NotePage, tag="Notes", label="Notes", related=["establishment"],
)  # fmt: skip
_follow_up_endpoints(
    path="/contacts", model=Contact, serialize=serializers.contact, schema=schemas.ContactOut,
    page_schema=schemas.ContactPage, tag="Contacts", label="Contacts",
    related=["company", "main_establishment"],
)  # fmt: skip
_follow_up_endpoints(
    path="/echanges", model=Interaction, serialize=serializers.interaction,
    schema=schemas.InteractionOut, page_schema=schemas.InteractionPage, tag="Échanges",
    label="Échanges", related=["establishment"],
)  # fmt: skip
_follow_up_endpoints(
    path="/besoins", model=Need, serialize=serializers.need, schema=schemas.NeedOut,
    page_schema=schemas.NeedPage, tag="Besoins", label="Besoins", related=["establishment"],
)  # fmt: skip
_follow_up_endpoints(
    path="/projets", model=Project, serialize=serializers.project, schema=schemas.ProjectOut,
    page_schema=schemas.ProjectPage, tag="Projets d'entreprise", label="Projets d'entreprise",
    related=["establishment"],
)  # fmt: skip
_follow_up_endpoints(
    path="/dossiers", model=Application, serialize=serializers.application,
    schema=schemas.ApplicationOut, page_schema=schemas.ApplicationPage, tag="Dossiers",
    label="Dossiers de candidature", related=["establishment"],
)  # fmt: skip

# --- Territory projects: the access layer, « EPCI choisis » included -----------------------


class TerritoryProjectParams(SearchParams):
    phase: schemas.choice(Phase) | None = Field(None, description="Idée, Étude ou Opération.")
    status: schemas.choice(Status) | None = Field(None, description="Le statut du projet.")
    epci: str | None = Field(
        None, max_length=9, description="SIREN d'un EPCI porteur (chef de file ou partenaire)."
    )


def _territory_projects(request):
    """The projects the token's user sees, with what hangs on them; the linked applications
    through their own access rule (a project's reader does not see every application)."""
    user = request.user
    return (
        TerritoryProject.objects.visible_to(user)
        .select_related("author", "author_organisation", "territory")
        .prefetch_related(
            "carriers", "shares", "votes", "milestones", "calls",
            Prefetch("establishments", queryset=Establishment.objects.only("pk", "siret")),
            Prefetch("applications", to_attr="visible_applications",
                     queryset=Application.objects.visible_to(user).only("pk")),
        )
    )  # fmt: skip


@router.get(
    "/projets-territoire", response=_ok(schemas.TerritoryProjectPage),
    url_name="territoryproject_list", tags=["Projets de territoire"],
    summary="Projets de territoire que vous voyez",
)  # fmt: skip
def territoryproject_list(request, params: Query[TerritoryProjectParams]):
    qs = _territory_projects(request)
    if params.q:
        qs = qs.filter(tp_search.text_q(params.q))
    if params.phase:
        qs = qs.filter(phase=params.phase)
    if params.status:
        qs = qs.filter(status=params.status)
    if params.epci:
        carried = Carrier.objects.filter(epci_id=params.epci).values("project_id")
        qs = qs.filter(pk__in=carried)
    return page(request, qs, serializers.territory_project, params)


@router.get(
    "/projets-territoire/{id}", response=_ok(schemas.TerritoryProjectOut),
    url_name="territoryproject_detail", tags=["Projets de territoire"],
    summary="Projets de territoire : un élément",
)  # fmt: skip
def territoryproject_detail(request, id: schemas.Id):
    found = get_visible_or_404(_territory_projects(request), request.user, pk=id)
    return serializers.territory_project(found)


# --- The aid catalogue: open data, read by every member ----------------------------------


def _catalogue_reader(request) -> None:
    if not aid_perms.can_read_catalogue(request.user):
        raise Http404


@router.get(
    "/dispositifs", response=_ok(schemas.SchemePage), url_name="schemes", tags=["Dispositifs"],
    summary="Le catalogue des dispositifs d'aide",
)  # fmt: skip
def schemes(request, params: Query[SearchParams]):
    _catalogue_reader(request)
    today = timezone.localdate()
    qs = AidScheme.objects.search(params.q or "")
    return page(request, qs, lambda s: serializers.scheme(s, today), params)


@router.get(
    "/dispositifs/{id}", response=_ok(schemas.SchemeOut), url_name="scheme",
    tags=["Dispositifs"], summary="Un dispositif",
)  # fmt: skip
def scheme(request, id: schemas.Id):
    _catalogue_reader(request)
    found = AidScheme.objects.filter(pk=id).first()
    if found is None:
        raise Http404
    return serializers.scheme(found, timezone.localdate())


class CallParams(SearchParams):
    scheme: schemas.Id | None = Field(None, description="Les appels d'un seul dispositif.")


@router.get(
    "/appels", response=_ok(schemas.CallPage), url_name="calls", tags=["Dispositifs"],
    summary="Les appels à projets et fenêtres de dépôt des dispositifs",
)  # fmt: skip
def calls(request, params: Query[CallParams]):
    _catalogue_reader(request)
    qs = CallWindow.objects.select_related("scheme")
    if params.scheme:
        qs = qs.filter(scheme_id=params.scheme)
    if params.q:
        qs = qs.filter(Q(label__icontains=params.q) | Q(scheme__title__icontains=params.q))
    return page(request, qs, serializers.call, params)


# --- Indicators: aggregates of what the reader may see ------------------------------------


def _indicator_territory(request):
    membership = request.membership
    if membership is None or membership.role == Role.ADMIN:  # as the dashboard page
        raise Http404
    return membership.territory


@router.get(
    "/indicateurs", response=_ok(dict[str, Any]), url_name="indicators", tags=["Indicateurs"],
    summary="Les indicateurs du territoire à une date, calculés en direct",
)  # fmt: skip
def live_indicators(request, date: dt.date | None = None, territoire: str | None = None):
    territory = _indicator_territory(request)
    if date is not None and not 2000 <= date.year <= 2100:
        raise ApiError(422, "La date va de 2000 à 2100.")
    figures = indicators.compute(territory, date, reader=request.user)
    data = indicators.to_json(figures)
    # The territory projects' figures (live only: a project keeps no frozen facts).
    data["territory_projects"] = tp_indicators.figures(territory, figures.as_of, request.user)
    return data


@router.get(
    "/indicateurs/instantanes", response=_ok(schemas.SnapshotPage), url_name="snapshots",
    tags=["Indicateurs"], summary="Les indicateurs mensuels figés (chaque version)",
)  # fmt: skip
def snapshots(request, params: Query[TerritoryParam]):
    territory = _indicator_territory(request)
    qs = Snapshot.objects.filter(territory=territory).select_related("territory")

    def serialize(snapshot):
        return {
            "id": snapshot.pk,
            "month": snapshot.month.strftime("%Y-%m"),
            "version": snapshot.version,
            "as_of": snapshot.as_of,
            "created_at": snapshot.created_at,
            "figures": indicators.to_json(indicators.frozen(snapshot, reader=request.user)),
        }

    return page(request, qs, serialize, params, field="created_at")
