"""Aid schemes (dispositifs), their calls' windows, and the team's work around them.

The catalogue (`AidScheme`, `CallWindow`) is public reference data, like SIRENE: every
signed-in account reads it. Its fields follow the etalab schema `dispositif-aide` and its
extension `dispositif-aide-professionnels` v0.2.0 (`etalab.py` maps them one to one), plus
what a TI team needs: themes, level, windows, the demonstration flag.

Follow-up built on it is confidential (`FollowUpModel`): internal notes (`SchemeNote`) and
what was sent to an EPCI about its establishments (`Dispatch`). Saved searches, their
subscriptions and calendar feeds are personal: only their owner sees them.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from pilote.accounts.access import FollowUpModel, VisibleQuerySet
from pilote.aids.enums import CLOSING_SOON_DAYS, CallStatus, Level, Schema, Theme, WindowKind
from pilote.core.models import SecretFeed, TimeStampedModel
from pilote.core.validators import plausible_date

ALL_SECTORS = "tous secteurs d'activité"


def default_targets() -> list[str]:
    return ["professionnels"]


def default_sectors() -> list[str]:
    return [ALL_SECTORS]


def tags(values) -> str:
    """'|a|b|' — a list flattened for `__contains='|a|'` filters on every database."""
    return "|" + "|".join(values) + "|" if values else ""


class AidSchemeQuerySet(models.QuerySet):
    def search(self, text: str) -> AidSchemeQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            models.Q(title__icontains=text)
            | models.Q(promise__icontains=text)
            | models.Q(carrier_tags__icontains=text)
            | models.Q(programme_tags__icontains=text)
        )

    def with_theme(self, theme: str) -> AidSchemeQuerySet:
        return self.filter(theme_tags__contains=f"|{theme}|")

    def with_carrier(self, name: str) -> AidSchemeQuerySet:
        return self.filter(carrier_tags__icontains=f"|{name}|")


class AidScheme(TimeStampedModel):
    """A dispositif d'aide, as the etalab schema describes it."""

    # -- dispositif-aide ------------------------------------------------------------------
    etalab_id = models.CharField("identifiant", max_length=64, unique=True)
    title = models.CharField("titre", max_length=255)
    promise = models.CharField("promesse", max_length=180, blank=True)
    description = models.TextField("description")
    eligibility = models.TextField("critères d'éligibilité")
    aid_types = models.JSONField("types d'aides", default=list)
    carriers = models.JSONField("porteurs", default=list)  # [{nom, siren, roles: [...]}]
    parent_programmes = models.JSONField("programmes parents", default=list, blank=True)
    source_url = models.URLField("adresse de la source", max_length=500, blank=True)
    targets = models.JSONField("bénéficiaires", default=default_targets)
    geo_included = models.JSONField("couverture géographique (COG)", default=list)
    geo_excluded = models.JSONField("exclusions géographiques (COG)", default=list, blank=True)
    opens_at = models.DateTimeField("date d'ouverture", null=True, blank=True)
    closes_at = models.DateTimeField("date de clôture", null=True, blank=True)
    source_updated_at = models.DateTimeField("dernière mise à jour (source)")
    # -- dispositif-aide-professionnels ---------------------------------------------------
    legal_basis = models.JSONField("bases juridiques", default=list, blank=True)
    headcount_min = models.PositiveIntegerField("effectif minimal", null=True, blank=True)
    headcount_max = models.PositiveIntegerField("effectif maximal", null=True, blank=True)
    size_categories = models.JSONField("catégories de taille", default=list, blank=True)
    min_years = models.PositiveSmallIntegerField(
        "années d'existence minimales", null=True, blank=True
    )
    legal_forms = models.JSONField("formes juridiques éligibles", default=list, blank=True)
    legal_forms_excluded = models.JSONField("formes juridiques exclues", default=list, blank=True)
    sectors = models.JSONField("secteurs d'activité", default=default_sectors)
    naf_codes = models.JSONField("codes NAF ciblés", default=list, blank=True)
    naf_excluded = models.JSONField("codes NAF exclus", default=list, blank=True)
    payment_of = models.CharField("demande de paiement du dispositif", max_length=64, blank=True)
    # -- what the TI team adds ------------------------------------------------------------
    themes = models.JSONField("thèmes", default=list, blank=True)
    level = models.CharField("échelon", max_length=10, choices=Level.choices, blank=True)
    source_schema = models.CharField(
        "schéma de la source", max_length=40, choices=Schema.choices, default=Schema.PRO
    )
    is_demo = models.BooleanField("donnée de démonstration", default=False)
    # Denormalised for filters that work the same on SQLite and PostgreSQL (services fill them).
    theme_tags = models.CharField(max_length=400, blank=True, editable=False)
    carrier_tags = models.CharField(max_length=1000, blank=True, editable=False)
    programme_tags = models.CharField(max_length=1000, blank=True, editable=False)

    objects = AidSchemeQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif d'aide"
        verbose_name_plural = "dispositifs d'aide"
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("aids:detail", kwargs={"pk": self.pk})

    @property
    def carrier_names(self) -> list[str]:
        return [c.get("nom", "") for c in self.carriers]

    def theme_labels(self) -> list[str]:
        return [Theme(t).label for t in self.themes if t in Theme.values]

    def refresh_tags(self) -> None:
        self.theme_tags = tags(self.themes)
        self.carrier_tags = tags(self.carrier_names)
        self.programme_tags = tags(self.parent_programmes)

    def effective_windows(self) -> list[Window]:
        """The calls' windows; without any, the scheme's own period is its one window."""
        windows = [
            Window(w.label or w.get_kind_display(), w.opens_on, w.closes_on, w.pk)
            for w in self.windows.all()
        ]
        if windows:
            return windows
        if self.opens_at or self.closes_at:
            return [Window("", _local_date(self.opens_at), _local_date(self.closes_at), None)]
        return []

    def status(self, today: dt.date | None = None) -> str:
        return call_status(self.effective_windows(), today or timezone.localdate())

    def next_closing(self, today: dt.date | None = None) -> dt.date | None:
        today = today or timezone.localdate()
        dates = [
            w.closes_on for w in self.effective_windows() if w.closes_on and w.closes_on >= today
        ]
        return min(dates) if dates else None


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


class Window:
    """A period during which applications are received (a call, a wave, a relève)."""

    __slots__ = ("closes_on", "label", "opens_on", "pk")

    def __init__(self, label: str, opens_on: dt.date | None, closes_on: dt.date | None, pk):
        self.label, self.opens_on, self.closes_on, self.pk = label, opens_on, closes_on, pk

    def status(self, today: dt.date) -> str:
        if self.closes_on and self.closes_on < today:
            return CallStatus.CLOSED
        if self.opens_on and self.opens_on > today:
            return CallStatus.UPCOMING
        return CallStatus.OPEN

    def closes_soon(self, today: dt.date) -> bool:
        return bool(
            self.closes_on
            and today <= self.closes_on < today + dt.timedelta(days=CLOSING_SOON_DAYS)
            and self.status(today) == CallStatus.OPEN
        )


def call_status(windows: list[Window], today: dt.date) -> str:
    """Open if a window is open, else upcoming if one is to come, else closed; a scheme
    without any date is permanent."""
    if not windows:
        return CallStatus.PERMANENT
    statuses = {w.status(today) for w in windows}
    for status in (CallStatus.OPEN, CallStatus.UPCOMING):
        if status in statuses:
            return status
    return CallStatus.CLOSED


class CallWindowQuerySet(models.QuerySet):
    def closing_between(self, start: dt.date, end: dt.date) -> CallWindowQuerySet:
        return self.filter(closes_on__gte=start, closes_on__lte=end)


class CallWindow(TimeStampedModel):
    """One window of a scheme's calls: a wave, a relève, a deposit period."""

    scheme = models.ForeignKey(
        AidScheme, verbose_name="dispositif", on_delete=models.CASCADE, related_name="windows"
    )
    kind = models.CharField("type", max_length=10, choices=WindowKind.choices)
    label = models.CharField("libellé", max_length=120, blank=True)
    opens_on = models.DateField(
        "ouverture", null=True, blank=True,
        validators=[plausible_date("La date d'ouverture", years_ahead=10)],
    )  # fmt: skip
    closes_on = models.DateField(
        "clôture", null=True, blank=True,
        validators=[plausible_date("La date de clôture", years_ahead=10)],
    )  # fmt: skip

    objects = CallWindowQuerySet.as_manager()

    class Meta:
        verbose_name = "fenêtre d'appel"
        verbose_name_plural = "fenêtres d'appel"
        ordering = ["opens_on", "closes_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True)
                | models.Q(closes_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="call_window_in_order",
                violation_error_message="La clôture précède l'ouverture.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.label or self.get_kind_display()}"


class SchemeNote(FollowUpModel):
    """An internal note of the team about a scheme, for one EPCI (who to call at the
    Région, which local project fits…). Confidential: the rule of docs/rules.md."""

    scheme = models.ForeignKey(
        AidScheme, verbose_name="dispositif", on_delete=models.CASCADE, related_name="notes"
    )
    body = models.TextField("note", help_text="Mise en forme Markdown possible.")

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = "note interne sur un dispositif"
        verbose_name_plural = "notes internes sur les dispositifs"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scheme", "epci", "visibility"], name="scheme_note_idx")]

    def __str__(self) -> str:
        return f"Note sur {self.scheme}"


class Dispatch(FollowUpModel):
    """« Informer les EPCI »: the establishments of one EPCI detected for a scheme, as they
    were sent to that EPCI's agents. Filed under that EPCI (default visibility: the EPCI)."""

    scheme = models.ForeignKey(
        AidScheme, verbose_name="dispositif", on_delete=models.CASCADE, related_name="dispatches"
    )
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.PROTECT, related_name="+"
    )
    message = models.TextField("message", blank=True)
    recipients = models.JSONField("destinataires", default=list)
    establishments = models.ManyToManyField(
        "companies.Establishment", through="DispatchLine", related_name="+"
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        verbose_name = "envoi de détection"
        verbose_name_plural = "envois de détection"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["scheme", "epci", "visibility"], name="dispatch_idx")]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.epci}"

    def get_absolute_url(self) -> str:
        return reverse("aids:dispatch", kwargs={"pk": self.pk})


class DispatchLine(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="lines")
    establishment = models.ForeignKey(
        "companies.Establishment", on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField("raisons", blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch", "establishment"], name="unique_dispatch_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dispatch} — {self.establishment_id}"


class SavedSearch(TimeStampedModel):
    """A search of the catalogue its owner wants by email each week."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="aid_searches"
    )
    name = models.CharField("nom", max_length=120)
    query = models.CharField("mots-clés", max_length=200, blank=True)
    themes = models.JSONField("thèmes", default=list, blank=True)
    levels = models.JSONField("échelons", default=list, blank=True)
    carrier = models.CharField("porteur", max_length=200, blank=True)
    notify_new = models.BooleanField("nouveaux dispositifs", default=True)
    notify_closing = models.BooleanField("clôtures dans moins de 30 jours", default=True)

    class Meta:
        verbose_name = "recherche enregistrée"
        verbose_name_plural = "recherches enregistrées"
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("aids:search", kwargs={"pk": self.pk})

    def filter(self, schemes: AidSchemeQuerySet) -> AidSchemeQuerySet:
        schemes = schemes.search(self.query)
        if self.themes:
            q = models.Q(pk__in=[])
            for theme in self.themes:
                q |= models.Q(theme_tags__contains=f"|{theme}|")
            schemes = schemes.filter(q)
        if self.levels:
            schemes = schemes.filter(level__in=self.levels)
        if self.carrier:
            schemes = schemes.with_carrier(self.carrier)
        return schemes


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> SubscriptionQuerySet:
        return self.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


class Subscription(TimeStampedModel):
    """An address that receives a saved search's weekly email.

    An address of an account of the instance is confirmed at once; any other address
    receives a confirmation link first (double opt-in). Every email carries a one-click
    unsubscribe link (`key`).
    """

    search = models.ForeignKey(SavedSearch, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField("adresse électronique")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    confirm_token_hash = models.CharField(max_length=64, blank=True)
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("désabonné le", null=True, blank=True)
    key = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    last_sent_at = models.DateTimeField("dernier envoi", null=True, blank=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "abonnement à une recherche"
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["search", "email"], name="unique_search_email")
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_external(self) -> bool:
        return self.user_id is None


class AidFeed(SecretFeed):
    """A secret iCalendar address of the calls calendar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="aid_feeds"
    )
    audit_name = "aid_feed"

    class Meta:
        verbose_name = "abonnement au calendrier des appels"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendrier des appels de {self.user}"
