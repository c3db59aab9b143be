"""Frozen monthly indicators (docs/indicators.md).

A `Snapshot` freezes a month of a territory as of its last day. It does not store totals:
it stores the facts the indicators are computed from (`SnapshotFact`, one row per follow-up
record, at its state at the month's end), each with the EPCI, visibility and author
organisation of its record, so that a reader's frozen figures go through the same access
rule as the live ones (`visibility_q(reader)` on the facts) and the same aggregation.
A correction is a new version beside the previous ones; the latest version is the one read.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from pilote.core.enums import Visibility

MONEY = {"max_digits": 14, "decimal_places": 2}


class FactKind(models.TextChoices):
    APPLICATION = "application", "Dossier de candidature"
    INTERACTION = "interaction", "Échange"
    NEED = "need", "Besoin"
    PROJECT = "project", "Projet d'entreprise"
    DIAGNOSTIC = "diagnostic", "Diagnostic"
    REFERRAL = "referral", "Mise en relation"


class SnapshotQuerySet(models.QuerySet):
    def of_month(self, territory, month) -> SnapshotQuerySet:
        return self.filter(territory=territory, month=month.replace(day=1))

    def latest_first(self) -> SnapshotQuerySet:
        return self.order_by("-version")


class Snapshot(models.Model):
    """One frozen version of a month's indicators of a territory."""

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name="Territoire d'industrie",
        on_delete=models.PROTECT,
        related_name="indicator_snapshots",
    )
    month = models.DateField("mois", help_text="Premier jour du mois figé.")
    as_of = models.DateField("chiffres au")
    version = models.PositiveIntegerField("version")
    reason = models.TextField("motif de la correction", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fact_count = models.PositiveIntegerField("faits figés", default=0)
    created_at = models.DateTimeField("figé le", auto_now_add=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateurs figés"
        verbose_name_plural = "indicateurs figés"
        ordering = ["territory", "-month", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "month", "version"], name="indicator_snapshot_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Indicateurs {self.month:%m/%Y} — version {self.version}"


class SnapshotFact(models.Model):
    """One follow-up record as it stood at the snapshot's date, reduced to what the
    indicators read. `epci`, `visibility` and `author_organisation` are the record's: the
    access rule (`visibility_q`) applies to them as to the record itself."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="facts")
    kind = models.CharField("nature", max_length=16, choices=FactKind.choices)
    record_id = models.PositiveBigIntegerField("enregistrement")
    epci = models.ForeignKey(
        "territories.Epci", verbose_name="EPCI", on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField("visibilité", max_length=16, choices=Visibility.choices)
    author_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation de l'auteur",
        on_delete=models.PROTECT,
        related_name="+",
    )
    establishment_pk = models.BigIntegerField("établissement", null=True, blank=True)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    supported = models.BooleanField("accompagné", null=True, blank=True)
    status = models.CharField("statut", max_length=16, blank=True)
    filed_on = models.DateField("déposé le", null=True, blank=True)
    decided_on = models.DateField("décidé le", null=True, blank=True)
    held_on = models.DateField("date", null=True, blank=True)
    done_on = models.DateField("réalisé ou résolu le", null=True, blank=True)
    on_guide = models.BooleanField("sur la trame", default=False)
    met = models.BooleanField("rencontre", default=False)
    amount_requested = models.DecimalField("montant demandé", null=True, blank=True, **MONEY)
    amount_granted = models.DecimalField("montant accordé", null=True, blank=True, **MONEY)
    investment = models.DecimalField("investissement", null=True, blank=True, **MONEY)
    jobs = models.PositiveIntegerField("emplois", null=True, blank=True)
    jobs_kept = models.PositiveIntegerField("emplois maintenus", null=True, blank=True)
    minutes = models.PositiveIntegerField("temps passé (minutes)", null=True, blank=True)

    class Meta:
        verbose_name = "fait figé"
        verbose_name_plural = "faits figés"
        indexes = [
            models.Index(fields=["snapshot", "epci", "visibility"], name="snapshot_fact_vis_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n°{self.record_id}"
