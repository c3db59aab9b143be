"""Accompaniment: interactions with establishments, the interview guide and what a meeting
produces (answers, needs, projects, diagnostics, referrals, actions), and the accompaniment
level of each followed establishment.

Every record about a company is follow-up (`FollowUpModel`): it carries the EPCI of its
establishment and a visibility, and is read through `visible_to(user)`. The interview guide is
the territory's shared method, not follow-up: every member reads it, the TI manager edits it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment.enums import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    DiagnosticKind,
    DiagnosticStatus,
    Horizon,
    InteractionKind,
    Level,
    Maturity,
    Partner,
    ProjectKind,
    QuestionType,
    ReferralOutcome,
    Theme,
    Urgency,
)
from pilote.accounts.access import FollowUpModel, VisibleQuerySet
from pilote.core.models import TimeStampedModel
from pilote.core.validators import non_negative, plausible_date

# --- The interview guide ------------------------------------------------------------------


class InterviewGuideQuerySet(models.QuerySet):
    def for_territory(self, territory) -> InterviewGuideQuerySet:
        return self.filter(territory=territory)


class InterviewGuide(TimeStampedModel):
    """The interview guide of a territory. Its questions live in versions: a meeting keeps
    the version it was run on, and editing the guide prepares a new version."""

    territory = models.OneToOneField(
        "territories.Territory",
        verbose_name="Territoire d'industrie",
        on_delete=models.CASCADE,
        related_name="interview_guide",
    )
    name = models.CharField("nom", max_length=200, default="Trame d'entretien")

    objects = InterviewGuideQuerySet.as_manager()

    class Meta:
        verbose_name = "trame d'entretien"
        verbose_name_plural = "trames d'entretien"

    def __str__(self) -> str:
        return f"{self.name} — {self.territory}"

    @property
    def current_version(self) -> GuideVersion | None:
        return self.versions.published().first()

    @property
    def draft(self) -> GuideVersion | None:
        return self.versions.filter(published_at__isnull=True).first()


class GuideVersionQuerySet(models.QuerySet):
    def published(self) -> GuideVersionQuerySet:
        return self.filter(published_at__isnull=False).order_by("-number")


class GuideVersion(TimeStampedModel):
    """One version of a guide. A version is a draft until it is published; once published,
    its questions never change (meetings point to them)."""

    guide = models.ForeignKey(
        InterviewGuide, verbose_name="trame", on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField("version")
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change_note = models.CharField("ce qui change", max_length=255, blank=True)

    objects = GuideVersionQuerySet.as_manager()

    class Meta:
        verbose_name = "version de trame d'entretien"
        verbose_name_plural = "versions de trame d'entretien"
        ordering = ["guide", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["guide", "number"], name="unique_guide_version"),
            # At most one draft per guide.
            models.UniqueConstraint(
                fields=["guide"],
                condition=Q(published_at__isnull=True),
                name="one_draft_per_guide",
            ),
        ]

    def __str__(self) -> str:
        state = "brouillon" if self.is_draft else f"du {self.published_at:%d/%m/%Y}"
        return f"{self.guide.name} — version {self.number} ({state})"

    @property
    def is_draft(self) -> bool:
        return self.published_at is None


class Question(TimeStampedModel):
    """A question of one guide version. `key` stays the same from one version to the next,
    so that answers to "the same question" can be compared across versions."""

    version = models.ForeignKey(
        GuideVersion, verbose_name="version", on_delete=models.CASCADE, related_name="questions"
    )
    key = models.SlugField("identifiant", max_length=80)
    theme = models.CharField("thème", max_length=32, choices=Theme.choices)
    position = models.PositiveIntegerField("ordre", default=0)
    text = models.CharField("question", max_length=300)
    help_text = models.CharField("aide", max_length=300, blank=True)
    type = models.CharField("type de réponse", max_length=20, choices=QuestionType.choices)
    choices = models.JSONField("choix proposés", default=list, blank=True)
    # For a number: the plausible answers (a share in % from 0 to 100, an amount from 0).
    min_value = models.DecimalField(
        "valeur minimale", max_digits=16, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        "valeur maximale", max_digits=16, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "question"
        ordering = ["version", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="unique_question_key"),
        ]

    def __str__(self) -> str:
        return self.text


# --- Interactions and answers -------------------------------------------------------------


class InteractionQuerySet(VisibleQuerySet):
    def in_territory(self, territory) -> InteractionQuerySet:
        return self.filter(epci__territories=territory)

    def meetings(self) -> InteractionQuerySet:
        """Interactions run on the interview guide."""
        return self.filter(guide_version__isnull=False)

    def search(self, text: str) -> InteractionQuerySet:
        for word in (text or "").split():
            self = self.filter(
                Q(summary__icontains=word)
                | Q(establishment__search_text__icontains=word)
                | Q(establishment__company__name__icontains=word)
            )
        return self

    def time_spent_by_epci(self) -> dict[str, int]:
        """Minutes spent, by EPCI id (for indicators and the partnership agreement)."""
        rows = self.order_by().values_list("epci").annotate(m=Sum("time_spent_minutes"))
        return {epci_id: minutes or 0 for epci_id, minutes in rows}


class Interaction(FollowUpModel):
    """An exchange with an establishment: a visit, a meeting, a call… Run on the interview
    guide (`guide_version`), it is a meeting whose answers are recorded."""

    establishment = models.ForeignKey(
        "companies.Establishment",
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    kind = models.CharField("type d'échange", max_length=20, choices=InteractionKind.choices)
    occurred_on = models.DateField(
        "date", validators=[plausible_date("La date de l'échange", years_ahead=1)]
    )
    # The local time (Europe/Paris) of a visit or rendez-vous, when one was set: a planned
    # visit keeps it here, with or without a prospecting campaign.
    start_time = models.TimeField("heure", null=True, blank=True)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="pour le territoire",
        related_name="accompaniment_interactions",
        blank=True,
        help_text="Le chef de projet TI, seul ou avec un représentant de l'EPCI.",
    )
    contacts = models.ManyToManyField(
        "contacts.Contact",
        verbose_name="pour l'entreprise",
        related_name="interactions",
        blank=True,
    )
    # Set by the services from the participants: an agent of the establishment's EPCI took part.
    with_epci = models.BooleanField("avec un représentant de l'EPCI", default=False)
    summary = models.TextField("compte rendu", blank=True, help_text="Mise en forme Markdown.")
    company_summary = models.TextField(
        "message pour l'entreprise",
        blank=True,
        help_text="En tête du compte rendu PDF envoyé à l'entreprise. Mise en forme Markdown.",
    )
    time_spent_minutes = models.PositiveIntegerField(
        "temps passé (minutes)", default=0, help_text="Préparation et déplacement compris."
    )
    guide_version = models.ForeignKey(
        GuideVersion,
        verbose_name="trame d'entretien",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="interactions",
    )

    objects = InteractionQuerySet.as_manager()
    shared_work = True  # the EPCI team's common work (pilote.accounts.access.can_edit)

    class Meta:
        verbose_name = "échange"
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["epci", "visibility"], name="interaction_epci_vis_idx"),
            models.Index(fields=["-occurred_on", "-id"], name="interaction_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.occurred_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:interaction_detail", kwargs={"pk": self.pk})

    @property
    def is_meeting(self) -> bool:
        return self.guide_version_id is not None

    @property
    def starts_at(self) -> dt.datetime | None:
        """The moment it starts (aware, in the site's time zone), if its time is known."""
        if self.start_time is None:
            return None
        return timezone.make_aware(dt.datetime.combine(self.occurred_on, self.start_time))

    @property
    def is_planned(self) -> bool:
        """A visit still to come (dated after today): « Démarrer l'entretien » holds it."""
        return self.occurred_on > timezone.localdate()


class AnswerQuerySet(VisibleQuerySet):
    pass


class Answer(FollowUpModel):
    """The answer to one question of a meeting. Its visibility is the meeting's."""

    interaction = models.ForeignKey(
        Interaction, verbose_name="échange", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name="question", on_delete=models.PROTECT, related_name="answers"
    )
    boolean = models.BooleanField("oui / non", null=True, blank=True)
    number = models.DecimalField("nombre", max_digits=16, decimal_places=2, null=True, blank=True)
    text = models.TextField("texte", blank=True)
    choices = models.JSONField("choix", default=list, blank=True)

    objects = AnswerQuerySet.as_manager()
    shared_work = True  # the EPCI team's common work (pilote.accounts.access.can_edit)

    class Meta:
        verbose_name = "réponse"
        ordering = ["question__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["interaction", "question"], name="unique_answer"),
        ]

    def __str__(self) -> str:
        return f"{self.question.text} : {self.display}"

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:meeting", kwargs={"pk": self.interaction_id})

    @property
    def is_empty(self) -> bool:
        return self.boolean is None and self.number is None and not self.text and not self.choices

    @property
    def display(self) -> str:
        """The answer in French, as read back on the meeting's page."""
        from django.utils.formats import number_format

        if self.boolean is not None:
            return "Oui" if self.boolean else "Non"
        if self.number is not None:
            value = self.number.normalize() if self.number == self.number.to_integral() else None
            return number_format(value if value is not None else self.number, force_grouping=True)
        if self.choices:
            return ", ".join(self.choices)
        return self.text


# --- What a meeting produces ---------------------------------------------------------------


class CompanyRecord(FollowUpModel):
    """A follow-up record about one establishment, possibly produced by an interaction."""

    establishment = models.ForeignKey(
        "companies.Establishment",
        verbose_name="établissement",
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )
    interaction = models.ForeignKey(
        Interaction,
        verbose_name="échange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
    )

    shared_work = True  # the EPCI team's common work (pilote.accounts.access.can_edit)

    class Meta:
        abstract = True


class RecordQuerySet(VisibleQuerySet):
    search_fields: tuple[str, ...] = ()

    def in_territory(self, territory) -> RecordQuerySet:
        return self.filter(epci__territories=territory)

    def search(self, text: str) -> RecordQuerySet:
        for word in (text or "").split():
            q = Q(establishment__search_text__icontains=word) | Q(
                establishment__company__name__icontains=word
            )
            for field in self.search_fields:
                q |= Q(**{f"{field}__icontains": word})
            self = self.filter(q)
        return self


class NeedQuerySet(RecordQuerySet):
    search_fields = ("description",)

    def open(self) -> NeedQuerySet:
        return self.filter(resolved_on__isnull=True)


class Need(CompanyRecord):
    """A need or a difficulty the company expressed."""

    theme = models.CharField("thème", max_length=32, choices=Theme.choices)
    description = models.TextField("description")
    urgency = models.CharField(
        "urgence", max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM
    )
    resolved_on = models.DateField(
        "résolu le", null=True, blank=True,
        validators=[plausible_date("La date de résolution")],
    )  # fmt: skip

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = "besoin"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["epci", "visibility"], name="need_epci_vis_idx")]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} : {self.description[:80]}"

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:need_detail", kwargs={"pk": self.pk})


class ProjectQuerySet(RecordQuerySet):
    search_fields = ("title", "description")

    def active(self) -> ProjectQuerySet:
        return self.exclude(maturity__in=[Maturity.DONE, Maturity.ABANDONED])


class Project(CompanyRecord):
    """A company project: what an aid scheme or a call for projects may finance."""

    kind = models.CharField("type de projet", max_length=32, choices=ProjectKind.choices)
    title = models.CharField("intitulé", max_length=200)
    description = models.TextField("description", blank=True)
    investment_amount = models.DecimalField(
        "investissement (€)", max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[non_negative("Le montant ne peut pas être négatif.")],
    )  # fmt: skip
    jobs_created = models.PositiveIntegerField(
        "emplois créés", null=True, blank=True,
        validators=[non_negative("Le nombre d'emplois ne peut pas être négatif.")],
    )  # fmt: skip
    jobs_kept = models.PositiveIntegerField(
        "emplois maintenus", null=True, blank=True,
        validators=[non_negative("Le nombre d'emplois ne peut pas être négatif.")],
    )  # fmt: skip
    horizon = models.CharField("horizon", max_length=20, choices=Horizon.choices, blank=True)
    maturity = models.CharField(
        "maturité", max_length=20, choices=Maturity.choices, default=Maturity.IDEA
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "projet d'entreprise"
        verbose_name_plural = "projets d'entreprise"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["epci", "visibility"], name="project_epci_vis_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:project_detail", kwargs={"pk": self.pk})


class DiagnosticQuerySet(RecordQuerySet):
    search_fields = ("operator", "note")


class Diagnostic(CompanyRecord):
    """A transition écologique (TE) or industrie du futur (IDF) diagnostic, from its offer to
    its report."""

    kind = models.CharField("diagnostic", max_length=8, choices=DiagnosticKind.choices)
    status = models.CharField(
        "statut", max_length=12, choices=DiagnosticStatus.choices, default=DiagnosticStatus.OFFERED
    )
    operator = models.CharField(
        "opérateur", max_length=200, blank=True, help_text="Par exemple : CCI, CETIM, ADEME."
    )
    offered_on = models.DateField(
        "proposé le", validators=[plausible_date("La date de la proposition")]
    )
    accepted_on = models.DateField(
        "accepté le", null=True, blank=True,
        validators=[plausible_date("La date d'acceptation")],
    )  # fmt: skip
    done_on = models.DateField(
        "réalisé le", null=True, blank=True,
        validators=[plausible_date("La date de réalisation")],
    )  # fmt: skip
    report_on = models.DateField(
        "date du rapport", null=True, blank=True,
        validators=[plausible_date("La date du rapport")],
    )  # fmt: skip
    note = models.TextField("remarques", blank=True)

    objects = DiagnosticQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic"
        ordering = ["-offered_on", "-pk"]
        indexes = [models.Index(fields=["epci", "visibility"], name="diagnostic_epci_vis_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_status_display().lower()}"

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:diagnostic_detail", kwargs={"pk": self.pk})


class ReferralQuerySet(RecordQuerySet):
    search_fields = ("partner_name", "subject", "outcome_note")


class Referral(CompanyRecord):
    """A referral (mise en relation) of the company to a partner, and what came of it."""

    partner = models.CharField("partenaire", max_length=24, choices=Partner.choices)
    partner_name = models.CharField(
        "nom du partenaire",
        max_length=200,
        blank=True,
        help_text="Pour un fournisseur local ou un autre partenaire : son nom.",
    )
    subject = models.TextField("objet")
    referred_on = models.DateField(
        "date de la mise en relation",
        validators=[plausible_date("La date de la mise en relation")],
    )
    outcome = models.CharField(
        "suite donnée", max_length=16, choices=ReferralOutcome.choices,
        default=ReferralOutcome.PENDING,
    )  # fmt: skip
    outcome_note = models.TextField("commentaire sur la suite", blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = "mise en relation"
        verbose_name_plural = "mises en relation"
        ordering = ["-referred_on", "-pk"]
        indexes = [models.Index(fields=["epci", "visibility"], name="referral_epci_vis_idx")]

    def __str__(self) -> str:
        return f"Mise en relation avec {self.partner_label}"

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:referral_detail", kwargs={"pk": self.pk})

    @property
    def partner_label(self) -> str:
        return self.partner_name or self.get_partner_display()


class ActionQuerySet(RecordQuerySet):
    search_fields = ("title", "description")

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None) -> ActionQuerySet:
        return self.open().filter(due_date__lt=today or timezone.localdate())

    def owned_by(self, user) -> ActionQuerySet:
        return self.filter(owner=user)


class Action(CompanyRecord):
    """A follow-up action: who does what, by when."""

    title = models.CharField("action", max_length=200)
    description = models.TextField("précisions", blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="responsable",
        null=True,
        on_delete=models.SET_NULL,
        related_name="accompaniment_actions",
    )
    due_date = models.DateField(
        "échéance", validators=[plausible_date("L'échéance", years_ahead=10)]
    )
    status = models.CharField(
        "statut", max_length=12, choices=ActionStatus.choices, default=ActionStatus.TODO
    )
    done_on = models.DateField(
        "faite le", null=True, blank=True, validators=[plausible_date("La date de l'action faite")]
    )

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = "action de suivi"
        verbose_name_plural = "actions de suivi"
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["epci", "visibility"], name="action_epci_vis_idx"),
            models.Index(fields=["owner", "status", "due_date"], name="action_owner_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accompaniment:action_detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()


# --- Accompaniment level -------------------------------------------------------------------


class AccompanimentLevelQuerySet(RecordQuerySet):
    search_fields = ("note",)

    def current(self) -> AccompanimentLevelQuerySet:
        """The latest level of each establishment among these records (by date of change,
        then by record): after `visible_to(user)`, the latest the user may see."""
        latest = (
            self.filter(establishment=OuterRef("establishment"))
            .order_by("-changed_on", "-pk")
            .values("pk")[:1]
        )
        return self.filter(pk=Subquery(latest))


class AccompanimentLevel(CompanyRecord):
    """One change of the accompaniment level of an establishment; the latest row is its
    current level, the previous rows its history."""

    level = models.CharField("niveau d'accompagnement", max_length=16, choices=Level.choices)
    changed_on = models.DateField(
        "depuis le", validators=[plausible_date("La date du changement de niveau")]
    )
    note = models.CharField("motif", max_length=255, blank=True)

    objects = AccompanimentLevelQuerySet.as_manager()

    class Meta:
        verbose_name = "niveau d'accompagnement"
        verbose_name_plural = "niveaux d'accompagnement"
        ordering = ["-changed_on", "-pk"]
        indexes = [
            models.Index(fields=["epci", "visibility"], name="level_epci_vis_idx"),
            models.Index(fields=["establishment", "-changed_on"], name="level_establishment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} depuis le {self.changed_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse(
            "accompaniment:establishment_level", kwargs={"siret": self.establishment.siret}
        )
