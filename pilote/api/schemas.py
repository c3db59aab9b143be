"""The shapes the API reads and writes (OpenAPI 3.1 components)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from pilote.accompaniment.enums import InteractionKind, Theme, Urgency
from pilote.applications.enums import Status
from pilote.core.enums import Visibility, shared_visibility_choices
from pilote.territory_projects import enums as tp_enums


def choice(enum):
    """A Literal of a TextChoices' values: an `enum` in the OpenAPI document."""
    return Literal.__getitem__(tuple(enum.values))


VisibilityValue = choice(Visibility)
# The five visibilities of the records that can be shared with chosen EPCIs (« EPCI choisis »).
SharedVisibilityValue = Literal.__getitem__(tuple(v for v, _ in shared_visibility_choices()))
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Siret = Annotated[str, Field(min_length=14, max_length=14, pattern=r"^[0-9]{14}$")]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2, ge=0)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    errors: list[dict[str, str]] | None = None


class Page(Schema):
    next: str | None = Field(description="L'adresse de la page suivante, null à la dernière.")


# --- Reading --------------------------------------------------------------------------------


class FollowUp(Schema):
    id: int
    epci: str = Field(description="SIREN de l'EPCI du suivi.")
    visibility: VisibilityValue
    author: str | None
    author_organisation: str
    created_at: dt.datetime
    updated_at: dt.datetime
    version: str = Field(description="À renvoyer dans un PATCH (verrouillage optimiste).")


class EstablishmentOut(Schema):
    siret: str
    siren: str
    name: str
    own_name: str
    epci: str
    commune: str
    address: str
    postcode: str
    city: str
    naf_code: str
    headcount_band: str
    is_head_office: bool
    state: str
    created_on: dt.date | None
    updated_at: dt.datetime


class NoteOut(FollowUp):
    title: str
    body: str
    establishment: str | None


class ContactOut(FollowUp):
    first_name: str
    last_name: str
    role: str
    company_siren: str
    establishment: str
    legal_basis: str = Field(description="Base légale du traitement (RGPD).")


class InteractionOut(FollowUp):
    establishment: str
    kind: str
    occurred_on: dt.date
    start_time: dt.time | None
    summary: str
    time_spent_minutes: int
    with_epci: bool
    is_meeting: bool


class NeedOut(FollowUp):
    establishment: str
    interaction: int | None
    theme: str
    description: str
    urgency: str
    resolved_on: dt.date | None


class ProjectOut(FollowUp):
    establishment: str
    interaction: int | None
    kind: str
    title: str
    description: str
    investment_amount: str | None
    jobs_created: int | None
    jobs_kept: int | None
    horizon: str
    maturity: str


class ApplicationOut(FollowUp):
    establishment: str
    reference: str
    title: str
    scheme: int | None
    funder: str
    project: int | None
    need: int | None
    supported: bool
    status: str
    filed_on: dt.date | None
    decided_on: dt.date | None
    closes_on: dt.date | None
    amount_requested: str | None
    amount_granted: str | None
    investment: str | None
    jobs: int | None
    comment: str


class CarrierOut(Schema):
    epci: str = Field(description="SIREN de l'EPCI porteur.")
    role: choice(tp_enums.CarrierRole)
    share: str = Field(description="Sa part du budget, en euros (« 40000.00 »).")


class CouncilVoteOut(Schema):
    id: int
    epci: str = Field(description="SIREN de l'EPCI dont le conseil délibère.")
    voted_on: dt.date
    deliberation_number: str
    outcome: choice(tp_enums.VoteOutcome)
    note: str


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    done_on: dt.date | None
    note: str


class TerritoryProjectOut(FollowUp):
    visibility: SharedVisibilityValue
    epci: str = Field(description="SIREN de l'EPCI chef de file.")
    territory: str = Field(description="Le territoire (son identifiant court).")
    title: str
    summary: str
    theme: choice(tp_enums.Theme)
    phase: choice(tp_enums.Phase)
    status: choice(tp_enums.Status)
    starts_on: dt.date | None
    ends_on: dt.date | None
    budget: str = Field(description="Budget total, en euros (« 120000.00 »).")
    carriers: list[CarrierOut] = Field(
        description="Le chef de file et les partenaires ; leurs parts font le budget au centime."
    )
    shared_with: list[str] = Field(
        description="SIREN des EPCI avec qui le projet est partagé (visibilité « EPCI choisis »)."
    )
    votes: list[CouncilVoteOut]
    milestones: list[MilestoneOut]
    establishments: list[str] = Field(description="SIRET des établissements concernés.")
    calls: list[int] = Field(description="Les appels à projets visés (identifiants de /appels).")
    applications: list[int] = Field(
        description="Les dossiers de candidature liés que vous voyez (identifiants de /dossiers)."
    )


class SchemeOut(Schema):
    id: int
    etalab_id: str
    title: str
    promise: str
    description: str
    level: str
    themes: list[Any]
    carriers: list[str]
    source_url: str
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    status: str
    updated_at: dt.datetime


class CallOut(Schema):
    id: int
    scheme: int
    scheme_title: str
    kind: str
    label: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    updated_at: dt.datetime


class SnapshotOut(Schema):
    id: int
    month: str
    version: int
    as_of: dt.date
    created_at: dt.datetime
    figures: dict[str, Any]


def _page(name: str, item: type[Schema]) -> type[Schema]:
    return type(name, (Page,), {"__annotations__": {"results": list[item]}})


EstablishmentPage = _page("EstablishmentPage", EstablishmentOut)
NotePage = _page("NotePage", NoteOut)
ContactPage = _page("ContactPage", ContactOut)
InteractionPage = _page("InteractionPage", InteractionOut)
NeedPage = _page("NeedPage", NeedOut)
ProjectPage = _page("ProjectPage", ProjectOut)
ApplicationPage = _page("ApplicationPage", ApplicationOut)
TerritoryProjectPage = _page("TerritoryProjectPage", TerritoryProjectOut)
SchemePage = _page("SchemePage", SchemeOut)
CallPage = _page("CallPage", CallOut)
SnapshotPage = _page("SnapshotPage", SnapshotOut)


# --- Writing --------------------------------------------------------------------------------


class NoteIn(Schema):
    epci: str = Field(max_length=9, description="SIREN de l'EPCI.")
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=100_000)
    visibility: VisibilityValue = Visibility.EPCI.value
    establishment: Siret | None = None


class NotePatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=100_000)
    visibility: VisibilityValue | None = None
    version: str | None = Field(None, max_length=64)


class InteractionIn(Schema):
    establishment: Siret
    kind: choice(InteractionKind)
    occurred_on: dt.date
    start_time: dt.time | None = None
    summary: str = Field("", max_length=100_000)
    time_spent_minutes: Count = 0
    visibility: VisibilityValue = Visibility.EPCI.value


class InteractionPatch(Schema):
    kind: choice(InteractionKind) | None = None
    occurred_on: dt.date | None = None
    start_time: dt.time | None = None
    summary: str | None = Field(None, max_length=100_000)
    time_spent_minutes: Count | None = None
    visibility: VisibilityValue | None = None
    version: str | None = Field(None, max_length=64)


class NeedIn(Schema):
    establishment: Siret
    theme: choice(Theme)
    description: str = Field(min_length=1, max_length=100_000)
    urgency: choice(Urgency) = Urgency.MEDIUM.value
    interaction: Id | None = None
    visibility: VisibilityValue | None = None


class NeedPatch(Schema):
    theme: choice(Theme) | None = None
    description: str | None = Field(None, min_length=1, max_length=100_000)
    urgency: choice(Urgency) | None = None
    resolved_on: dt.date | None = None
    visibility: VisibilityValue | None = None
    version: str | None = Field(None, max_length=64)


class ApplicationFields(Schema):
    reference: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=200)
    scheme: Id | None = None
    funder: str | None = Field(None, max_length=200)
    project: Id | None = None
    need: Id | None = None
    supported: bool | None = None
    filed_on: dt.date | None = None
    decided_on: dt.date | None = None
    closes_on: dt.date | None = None
    amount_requested: Money | None = None
    amount_granted: Money | None = None
    investment: Money | None = None
    jobs: Count | None = None
    comment: str | None = Field(None, max_length=100_000)
    visibility: VisibilityValue | None = None


class ApplicationIn(ApplicationFields):
    establishment: Siret
    status: choice(Status) = Status.DRAFT.value


class ApplicationPatch(ApplicationFields):
    version: str | None = Field(None, max_length=64)
