"""Territory projects (« projets de territoire »): projects carried by one EPCI or several
across the Territoire d'industrie — industrial ecology, hydrogen, brownfields, the Rev3
dynamic, calls for projects answered together (docs/territory-projects.md).

A project is follow-up (`FollowUpModel`): filed under its lead EPCI, with one of five
visibilities — the four of every follow-up record and « EPCI choisis », which shares it with
the EPCIs listed in `ProjectShare` (the carriers always among them). The rule is the access
layer's (`accounts/access.py`, `SharedWith`); everything hanging on a project (carriers,
votes, milestones, documents, links) is read through the project.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse

from pilote.accounts.access import FollowUpModel, SharedWith, VisibleQuerySet
from pilote.core.enums import CHOSEN, shared_visibility_choices
from pilote.core.models import TimeStampedModel
from pilote.core.validators import non_negative, plausible_date
from pilote.territory_projects.enums import (
    CLOSED,
    CarrierRole,
    Phase,
    Status,
    Theme,
    VoteOutcome,
)

MONEY = {"max_digits": 14, "decimal_places": 2}


class TerritoryProjectQuerySet(VisibleQuerySet):
    shared_with = SharedWith(rows=lambda: ProjectShare.objects.all(), record_field="project_id")

    def open(self) -> TerritoryProjectQuerySet:
        return self.exclude(status__in=CLOSED)


class TerritoryProject(FollowUpModel):
    """A project of the territory; `epci` is its lead EPCI (« chef de file »)."""

    territory = models.ForeignKey(
        "territories.Territory", verbose_name="territoire", on_delete=models.PROTECT,
        related_name="territory_projects",
    )  # fmt: skip
    title = models.CharField("intitulé", max_length=200)
    summary = models.TextField("description", blank=True)
    theme = models.CharField("thématique", max_length=16, choices=Theme.choices,
                             default=Theme.OTHER)  # fmt: skip
    phase = models.CharField("phase", max_length=16, choices=Phase.choices, default=Phase.IDEA)
    status = models.CharField("statut", max_length=16, choices=Status.choices,
                              default=Status.ONGOING)  # fmt: skip
    starts_on = models.DateField(
        "début", null=True, blank=True,
        validators=[plausible_date("La date de début", years_ahead=10)],
    )  # fmt: skip
    ends_on = models.DateField(
        "fin prévue", null=True, blank=True,
        validators=[plausible_date("La date de fin", years_ahead=20)],
    )  # fmt: skip
    budget = models.DecimalField(
        "budget total (€)", **MONEY, default=0,
        validators=[non_negative("Un budget ne peut pas être négatif.")],
    )  # fmt: skip
    visibility = models.CharField(
        "visibilité", max_length=16, choices=shared_visibility_choices(), default=CHOSEN
    )
    establishments = models.ManyToManyField(
        "companies.Establishment", verbose_name="établissements concernés", blank=True,
        related_name="territory_projects",
    )  # fmt: skip
    calls = models.ManyToManyField(
        "aids.CallWindow", verbose_name="appels à projets visés", blank=True,
        related_name="territory_projects",
    )  # fmt: skip
    applications = models.ManyToManyField(
        "applications.Application", verbose_name="dossiers de candidature", blank=True,
        related_name="territory_projects",
    )  # fmt: skip

    objects = TerritoryProjectQuerySet.as_manager()

    # The lead EPCI's team shares the work (docs/rules.md): its agents edit the project.
    shared_work = True

    class Meta:
        verbose_name = "projet de territoire"
        verbose_name_plural = "projets de territoire"
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["updated_at", "id"], name="tproject_updated_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("territory_projects:detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED


class ProjectShare(models.Model):
    """An EPCI a project is shared with when its visibility is « EPCI choisis »."""

    project = models.ForeignKey(TerritoryProject, on_delete=models.CASCADE,
                                related_name="shares")  # fmt: skip
    epci = models.ForeignKey("territories.Epci", verbose_name="EPCI", on_delete=models.CASCADE,
                             related_name="+")  # fmt: skip

    class Meta:
        verbose_name = "partage avec un EPCI"
        constraints = [
            models.UniqueConstraint(fields=["project", "epci"], name="tproject_share_unique")
        ]
        indexes = [models.Index(fields=["epci", "project"], name="tproject_share_epci_idx")]

    def __str__(self) -> str:
        return str(self.epci)


class Carrier(models.Model):
    """An EPCI carrying the project, its role and its share of the budget (to the cent)."""

    project = models.ForeignKey(TerritoryProject, on_delete=models.CASCADE,
                                related_name="carriers")  # fmt: skip
    epci = models.ForeignKey("territories.Epci", verbose_name="EPCI", on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    role = models.CharField("rôle", max_length=16, choices=CarrierRole.choices,
                            default=CarrierRole.PARTNER)  # fmt: skip
    share = models.DecimalField(
        "part du budget (€)", **MONEY, default=0,
        validators=[non_negative("Une part ne peut pas être négative.")],
    )  # fmt: skip

    class Meta:
        verbose_name = "EPCI porteur"
        verbose_name_plural = "EPCI porteurs"
        ordering = ["role", "epci__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "epci"], name="tproject_carrier_unique")
        ]

    def __str__(self) -> str:
        return f"{self.epci} ({self.get_role_display()})"


class CouncilVote(TimeStampedModel):
    """A deliberation of an EPCI's council on the project."""

    project = models.ForeignKey(TerritoryProject, on_delete=models.CASCADE,
                                related_name="votes")  # fmt: skip
    epci = models.ForeignKey("territories.Epci", verbose_name="EPCI", on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    voted_on = models.DateField(
        "date du conseil", validators=[plausible_date("La date du conseil", years_ahead=2)]
    )
    deliberation_number = models.CharField("n° de délibération", max_length=60, blank=True)
    outcome = models.CharField("résultat", max_length=16, choices=VoteOutcome.choices,
                               default=VoteOutcome.PENDING)  # fmt: skip
    note = models.CharField("précision", max_length=300, blank=True)

    class Meta:
        verbose_name = "délibération"
        ordering = ["voted_on", "pk"]

    def __str__(self) -> str:
        return f"{self.epci} — {self.voted_on:%d/%m/%Y}"


class Milestone(TimeStampedModel):
    """A dated step of the project: due on a day, done on another (or not yet)."""

    project = models.ForeignKey(TerritoryProject, on_delete=models.CASCADE,
                                related_name="milestones")  # fmt: skip
    title = models.CharField("jalon", max_length=200)
    due_on = models.DateField("échéance", validators=[plausible_date("L'échéance", years_ahead=20)])
    done_on = models.DateField(
        "atteint le", null=True, blank=True,
        validators=[plausible_date("La date d'achèvement")],
    )  # fmt: skip
    note = models.CharField("précision", max_length=300, blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.title


def _document_path(instance, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"projets-territoire/{uuid.uuid4().hex}{suffix}"


class ProjectDocument(TimeStampedModel):
    """A file of the project, stored outside the static root and downloaded through a view
    that checks the project's visibility (the rules of applications' documents)."""

    project = models.ForeignKey(TerritoryProject, on_delete=models.CASCADE,
                                related_name="documents")  # fmt: skip
    name = models.CharField("nom du fichier", max_length=200)
    file = models.FileField("fichier", upload_to=_document_path, max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déposé par", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "document"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name
