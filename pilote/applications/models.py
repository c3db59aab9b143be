"""Applications (« dossiers de candidature ») of the territory's establishments to an aid
scheme or a call for projects, from draft to decision and payment (docs/applications.md).

An application is follow-up (`CompanyRecord`): filed under its establishment's EPCI with a
visibility, read and written through the access layer like a need or a project. Its status
changes, payments, documents and the time the team spent on it belong to it and follow its
visibility.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse

from pilote.accompaniment.models import CompanyRecord, RecordQuerySet
from pilote.applications.enums import DECIDED, DocumentKind, Status
from pilote.core.models import TimeStampedModel
from pilote.core.money import to_cents
from pilote.core.validators import non_negative, plausible_date

MONEY = {"max_digits": 14, "decimal_places": 2}


class ApplicationQuerySet(RecordQuerySet):
    search_fields = ("reference", "title", "funder", "scheme__title", "comment")

    def open(self) -> ApplicationQuerySet:
        return self.exclude(status__in=DECIDED)

    def supported(self) -> ApplicationQuerySet:
        return self.filter(supported=True)


class Application(CompanyRecord):
    """One application of an establishment to a scheme of the catalogue (`scheme`) or to a
    funder outside it (`funder`, free text), with its amounts and its current status; the
    dated history of its statuses is `StatusChange`."""

    reference = models.CharField(
        "référence", max_length=100, blank=True,
        help_text="La référence du dossier chez le financeur (numéro Démarches simplifiées…).",
    )  # fmt: skip
    title = models.CharField("intitulé", max_length=200, blank=True)
    scheme = models.ForeignKey(
        "aids.AidScheme", verbose_name="dispositif", null=True, blank=True,
        on_delete=models.PROTECT, related_name="applications",
    )  # fmt: skip
    funder = models.CharField(
        "financeur ou dispositif hors catalogue", max_length=200, blank=True,
        help_text="Si le dispositif n'est pas au catalogue : son nom et son financeur.",
    )  # fmt: skip
    project = models.ForeignKey(
        "accompaniment.Project", verbose_name="projet financé", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="applications",
    )  # fmt: skip
    need = models.ForeignKey(
        "accompaniment.Need", verbose_name="besoin financé", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="applications",
    )  # fmt: skip
    supported = models.BooleanField(
        "accompagné par l'équipe TI", default=True,
        help_text="Décochez pour un lauréat connu que l'équipe n'a pas accompagné.",
    )  # fmt: skip
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.DRAFT)
    filed_on = models.DateField(
        "date de dépôt", null=True, blank=True,
        validators=[plausible_date("La date de dépôt", earliest_year=2000)],
    )  # fmt: skip
    decided_on = models.DateField(
        "date de décision", null=True, blank=True,
        validators=[plausible_date("La date de décision", earliest_year=2000)],
    )  # fmt: skip
    closes_on = models.DateField(
        "clôture de l'appel", null=True, blank=True,
        validators=[plausible_date("La date de clôture", earliest_year=2000, years_ahead=3)],
    )  # fmt: skip
    documents_due_on = models.DateField(
        "pièces attendues le", null=True, blank=True,
        validators=[plausible_date("La date des pièces", earliest_year=2000, years_ahead=3)],
    )  # fmt: skip
    amount_requested = models.DecimalField(
        "montant demandé (€)", null=True, blank=True, **MONEY,
        validators=[non_negative("Le montant ne peut pas être négatif.")],
    )  # fmt: skip
    amount_granted = models.DecimalField(
        "montant accordé (€)", null=True, blank=True, **MONEY,
        validators=[non_negative("Le montant ne peut pas être négatif.")],
    )  # fmt: skip
    investment = models.DecimalField(
        "investissement soutenu (€)", null=True, blank=True, **MONEY,
        validators=[non_negative("Le montant ne peut pas être négatif.")],
    )  # fmt: skip
    jobs = models.PositiveIntegerField(
        "emplois créés ou maintenus", null=True, blank=True,
        validators=[non_negative("Le nombre d'emplois ne peut pas être négatif.")],
    )  # fmt: skip
    comment = models.TextField("commentaire", blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = "dossier de candidature"
        verbose_name_plural = "dossiers de candidature"
        ordering = ["-filed_on", "-created_at", "-pk"]
        indexes = [
            models.Index(fields=["epci", "visibility"], name="application_epci_vis_idx"),
            models.Index(fields=["status", "decided_on"], name="application_status_idx"),
            models.Index(fields=["filed_on"], name="application_filed_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(reference=""),
                name="application_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(filed_on__isnull=True)
                | Q(decided_on__gte=models.F("filed_on")),
                name="application_decided_after_filed",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", kwargs={"pk": self.pk})

    @property
    def label(self) -> str:
        """« Dossier DS-1234 — France 2030 … » : what names it in lists and timelines."""
        what = self.title or self.scheme_label
        return f"Dossier {self.reference} — {what}" if self.reference else f"Dossier — {what}"

    @property
    def scheme_label(self) -> str:
        if self.scheme_id:
            return self.scheme.title
        return self.funder or "dispositif non précisé"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED

    @property
    def amount_paid(self) -> Decimal:
        total = self.payments.aggregate(total=Sum("amount"))["total"]
        return to_cents(total or 0)  # SQLite sums Decimals without their cents


class StatusChange(models.Model):
    """One change of an application's status: when it took effect, why, by whom. The first
    change of an application is its creation (`from_status` empty)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField("ancien statut", max_length=16, blank=True,
                                   choices=Status.choices)  # fmt: skip
    to_status = models.CharField("nouveau statut", max_length=16, choices=Status.choices)
    effective_on = models.DateField(
        "date d'effet", validators=[plausible_date("La date d'effet", earliest_year=2000)]
    )
    reason = models.TextField("motif", blank=True)
    source = models.CharField(
        "origine", max_length=40, blank=True,
        help_text="« import » pour un changement venu d'un fichier.",
    )  # fmt: skip
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "changement de statut"
        verbose_name_plural = "changements de statut"
        ordering = ["created_at", "pk"]  # the order they happened in (effective dates shown)

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class Payment(models.Model):
    """One instalment of the aid paid to the company (« versement »)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="payments")  # fmt: skip
    paid_on = models.DateField(
        "date du versement", validators=[plausible_date("La date du versement", earliest_year=2000)]
    )
    amount = models.DecimalField(
        "montant versé (€)", **MONEY,
        validators=[non_negative("Le montant ne peut pas être négatif.")],
    )  # fmt: skip
    label = models.CharField("libellé", max_length=200, blank=True)
    source = models.CharField("origine", max_length=40, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "versement"
        ordering = ["paid_on", "pk"]

    def __str__(self) -> str:
        return f"Versement du {self.paid_on:%d/%m/%Y}"


def _document_path(instance: Document, filename: str) -> str:
    """A random name under `dossiers/`: the uploaded name is kept in `name` only, never
    used on disk (no path traversal, no guessable address, no executable extension)."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"dossiers/{uuid.uuid4().hex}{suffix}"


class Document(TimeStampedModel):
    """A file of an application, stored outside the static root (MEDIA_ROOT, never served
    directly) and downloaded through a view that checks the application's visibility."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="documents")  # fmt: skip
    kind = models.CharField("nature", max_length=16, choices=DocumentKind.choices,
                            default=DocumentKind.OTHER)  # fmt: skip
    name = models.CharField("nom du fichier", max_length=200)
    file = models.FileField("fichier", upload_to=_document_path, max_length=200)
    size = models.PositiveIntegerField("taille (octets)")
    content_type = models.CharField("type", max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="déposé par", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "pièce"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class SupportTime(models.Model):
    """Time the team spent on an application (« temps passé »)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE,
                                    related_name="support_times")  # fmt: skip
    spent_on = models.DateField("date", validators=[plausible_date("La date", earliest_year=2000)])
    minutes = models.PositiveIntegerField("durée (minutes)")
    description = models.CharField("ce qui a été fait", max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        verbose_name = "temps passé"
        verbose_name_plural = "temps passés"
        ordering = ["-spent_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.minutes} min le {self.spent_on:%d/%m/%Y}"
