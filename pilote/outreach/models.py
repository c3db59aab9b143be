"""The territory's newsletter (« lettre d'information »): its mailing list and subscribers,
the do-not-contact list, the numbered issues with their fixed sections, and one delivery
row per recipient and issue, so that sending is resumable and sends nobody a second copy
(docs/outreach.md).

Subscribers are personal data, not follow-up of an EPCI: the TI managers of the list's
territory manage them (pilote/outreach/perms.py).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from pilote.core.models import TimeStampedModel
from pilote.outreach.enums import (
    BlockReason,
    DeliveryStatus,
    IssueStatus,
    LegalBasis,
    SectionKind,
    Source,
    SubscriberKind,
    SubscriberStatus,
)

SOFT_BOUNCES_TO_SUSPEND = 3


def _web_key() -> str:
    return secrets.token_urlsafe(16)


class MailingList(TimeStampedModel):
    """A territory's list: its newsletter (one per territory today)."""

    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name="territoire",
        on_delete=models.PROTECT,
        related_name="mailing_lists",
    )
    name = models.CharField("nom", max_length=200, default="Lettre d'information")
    sender_name = models.CharField("nom de l'expéditeur", max_length=200)
    sender_email = models.EmailField("adresse de l'expéditeur")
    reply_to = models.EmailField("adresse de réponse", blank=True)
    tracking = models.BooleanField(
        "mesure des ouvertures et des clics",
        default=False,
        help_text="Désactivée par défaut ; l'activer est dit dans la page « Données "
        "personnelles ».",
    )

    class Meta:
        verbose_name = "liste de diffusion"
        verbose_name_plural = "listes de diffusion"
        constraints = [
            models.UniqueConstraint(fields=["territory", "name"], name="mailinglist_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.territory}"


class SubscriberQuerySet(models.QuerySet):
    def active(self) -> SubscriberQuerySet:
        return self.filter(status=SubscriberStatus.ACTIVE)


class Subscriber(TimeStampedModel):
    """A person who receives the list: from a contact, or not a contact (élus, partners).
    `status` says whether they receive it; `consent_proof` how their consent (or the other
    legal basis) was obtained. An address entered from outside the team (the public form)
    stays « pending » until confirmed (double opt-in)."""

    mailing_list = models.ForeignKey(
        MailingList, verbose_name="liste", on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField("adresse électronique")
    first_name = models.CharField("prénom", max_length=100, blank=True)
    last_name = models.CharField("nom", max_length=100, blank=True)
    organisation = models.CharField("organisation", max_length=200, blank=True)
    kind = models.CharField(
        "catégorie",
        max_length=16,
        choices=SubscriberKind.choices,
        default=SubscriberKind.INDUSTRIAL,
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        verbose_name="contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscriptions",
    )
    establishment = models.ForeignKey(
        "companies.Establishment",
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscribers",
    )
    legal_basis = models.CharField(
        "base légale", max_length=24, choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    consent_proof = models.TextField(
        "preuve du consentement",
        help_text="Comment et quand la personne a accepté : « formulaire public, confirmé "
        "par lien le … », « bulletin papier signé à l'atelier du … »…",
    )
    source = models.CharField("origine", max_length=16, choices=Source.choices, default=Source.TEAM)
    status = models.CharField(
        "statut", max_length=16, choices=SubscriberStatus.choices, default=SubscriberStatus.ACTIVE
    )
    confirmation_hash = models.CharField(max_length=64, blank=True)  # core.tokens.hash_token
    confirmation_sent_at = models.DateTimeField("confirmation demandée le", null=True, blank=True)
    confirmed_at = models.DateTimeField("confirmé le", null=True, blank=True)
    unsubscribed_at = models.DateTimeField("désabonné le", null=True, blank=True)
    soft_bounces = models.PositiveSmallIntegerField("échecs temporaires consécutifs", default=0)
    suspended_reason = models.CharField("motif de la suspension", max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ajouté par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = SubscriberQuerySet.as_manager()

    PERSONAL_FIELDS = (
        "email",
        "first_name",
        "last_name",
        "organisation",
        "consent_proof",
        "suspended_reason",
    )

    class Meta:
        verbose_name = "abonné"
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), "mailing_list", name="subscriber_unique_email_per_list"
            )
        ]

    def __str__(self) -> str:
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        return f"{name} <{self.email}>" if name else self.email

    def get_absolute_url(self) -> str:
        return reverse("outreach:subscriber", kwargs={"pk": self.pk})


class DoNotContact(TimeStampedModel):
    """An address Pilote never writes to again on this list, and why. Kept after an erasure
    as a hash only (`email_hash`), so that the address cannot be re-added by mistake."""

    mailing_list = models.ForeignKey(
        MailingList, verbose_name="liste", on_delete=models.CASCADE, related_name="blocked"
    )
    email = models.EmailField("adresse électronique", blank=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    reason = models.CharField("motif", max_length=16, choices=BlockReason.choices)
    note = models.CharField("précision", max_length=300, blank=True)

    class Meta:
        verbose_name = "adresse à ne plus contacter"
        verbose_name_plural = "adresses à ne plus contacter"
        constraints = [
            models.UniqueConstraint(
                fields=["mailing_list", "email_hash"], name="donotcontact_unique"
            )
        ]

    def __str__(self) -> str:
        return self.email or "adresse effacée"


class Issue(TimeStampedModel):
    """A numbered edition of the list's newsletter: draft → ready → sending → sent."""

    mailing_list = models.ForeignKey(
        MailingList, verbose_name="liste", on_delete=models.PROTECT, related_name="issues"
    )
    number = models.PositiveIntegerField("numéro")
    title = models.CharField("titre", max_length=200)
    status = models.CharField(
        "statut", max_length=8, choices=IssueStatus.choices, default=IssueStatus.DRAFT
    )
    web_key = models.CharField(max_length=32, default=_web_key, unique=True, editable=False)
    published_on = models.DateField("date de parution", null=True, blank=True)
    sending_started_at = models.DateTimeField("envoi commencé le", null=True, blank=True)
    sent_at = models.DateTimeField("envoyée le", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "numéro de la lettre"
        verbose_name_plural = "numéros de la lettre"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["mailing_list", "number"], name="issue_unique_number")
        ]

    def __str__(self) -> str:
        return f"N° {self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:issue", kwargs={"pk": self.pk})

    def get_web_url(self) -> str:
        return reverse("outreach:web", kwargs={"key": self.web_key})


class Section(models.Model):
    """One of the fixed sections of an issue (`SectionKind`, in that order): pre-filled from
    Pilote's data, then edited (Markdown)."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField("rubrique", max_length=16, choices=SectionKind.choices)
    title = models.CharField("titre", max_length=200, blank=True)
    body = models.TextField("texte", blank=True, help_text="Mise en forme Markdown.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "rubrique"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["issue", "kind"], name="section_unique_kind")
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class Delivery(models.Model):
    """One issue to one subscriber: the unit of sending. Created for every recipient when
    the sending starts (and for those who subscribed since, on a later run); `status` moves
    pending → sending → sent, or → retry (temporary failure, dropped connection) or → failed
    (permanent failure, recorded on the address). A row is claimed (`sending`) before its
    message is handed to the SMTP server and marked `sent` right after the server accepts
    it: a rerun sends only what is not `sent`."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, related_name="deliveries"
    )
    email = models.EmailField("adresse")
    status = models.CharField(
        "statut", max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.CharField("dernière erreur", max_length=500, blank=True)
    message_id = models.CharField("Message-ID", max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    opened_at = models.DateTimeField("ouvert le", null=True, blank=True)

    class Meta:
        verbose_name = "envoi"
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscriber"], name="delivery_unique")
        ]
        indexes = [models.Index(fields=["issue", "status"], name="delivery_issue_status_idx")]

    def __str__(self) -> str:
        return f"{self.issue} → {self.email} ({self.get_status_display()})"


class Click(models.Model):
    """A recipient followed a link of an issue (only while the list's `tracking` is on;
    docs/outreach.md#statistiques). Deleted with its delivery."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="clicks")
    url = models.URLField("lien", max_length=2000)
    clicked_at = models.DateTimeField("cliqué le", db_index=True)

    class Meta:
        verbose_name = "clic"
        ordering = ["clicked_at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} → {self.url}"
