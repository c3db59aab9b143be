from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from pilote.accounts.enums import OrganisationKind, Role
from pilote.core.models import TimeStampedModel
from pilote.core.tokens import hash_token  # noqa: F401  (re-exported for the services)


class UserQuerySet(models.QuerySet):
    def in_history_territories(self, territory_ids) -> UserQuerySet:
        """Accounts of those territories: whose audit trail their TI managers may read."""
        return self.filter(memberships__territory_id__in=territory_ids).distinct()


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("Une adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with their email address."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "utilisateur"
        ordering = ["last_name", "first_name", "email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class OrganisationQuerySet(models.QuerySet):
    def in_territory(self, territory) -> OrganisationQuerySet:
        return self.filter(territories=territory)

    def in_history_territories(self, territory_ids) -> OrganisationQuerySet:
        return self.filter(territories__in=territory_ids).distinct()


class Organisation(TimeStampedModel):
    name = models.CharField("nom", max_length=200, unique=True)
    short_name = models.CharField("sigle", max_length=40, blank=True)
    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    epci = models.OneToOneField(
        "territories.Epci",
        verbose_name="EPCI",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
        help_text="Pour une intercommunalité : l'EPCI qu'elle est.",
    )
    territories = models.ManyToManyField(
        "territories.Territory",
        verbose_name="Territoires d'industrie",
        related_name="organisations",
        blank=True,
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=OrganisationKind.EPCI) & models.Q(epci__isnull=False))
                | (~models.Q(kind=OrganisationKind.EPCI) & models.Q(epci__isnull=True)),
                name="organisation_epci_iff_kind_epci",
                violation_error_message="Une intercommunalité, et elle seule, désigne son EPCI.",
            )
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class MembershipQuerySet(models.QuerySet):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def in_history_territories(self, territory_ids) -> MembershipQuerySet:
        return self.filter(territory_id__in=territory_ids)


class Membership(TimeStampedModel):
    """A user acts for an organisation, in one territory, with one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    territory = models.ForeignKey(
        "territories.Territory",
        verbose_name="Territoire d'industrie",
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    is_active = models.BooleanField("active", default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "appartenance"
        ordering = ["territory__name", "organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "territory"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.organisation} ({self.territory})"


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True).filter(
            expires_at__gt=timezone.now()
        )

    def in_history_territories(self, territory_ids) -> InvitationQuerySet:
        return self.filter(territory_id__in=territory_ids)


class Invitation(TimeStampedModel):
    """A one-time link, sent by email, to join an organisation with a role.

    Only the SHA-256 of the token is stored: a database leak does not leak usable links.
    """

    email = models.EmailField("adresse électronique")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    revoked_at = models.DateTimeField("annulée le", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation de {self.email} ({self.organisation})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "acceptée"
        if self.revoked_at:
            return "annulée"
        if self.expires_at <= timezone.now():
            return "expirée"
        return "en attente"
