from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class SecretFeedQuerySet(models.QuerySet):
    def active(self) -> "SecretFeedQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class SecretFeed(TimeStampedModel):
    """A secret calendar address (iCalendar): the address is the credential. Only the
    SHA-256 of its token is stored; the token is shown once; revoking it makes it answer 404.
    Each concrete feed declares its `user` field and its `audit_name` (pilote.core.feeds)."""

    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = SecretFeedQuerySet.as_manager()
    audit_name = ""  # « calendar_feed » → audit actions calendar_feed.create, .revoke

    class Meta:
        abstract = True


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk)
        )


class AuditEvent(models.Model):
    """One row per service call that wrote something: who, when, what, before/after."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept even if the account is deleted, and used for system actions (imports, demo).
    actor_label = models.CharField("auteur (libellé)", max_length=255)
    action = models.CharField("action", max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("objet", max_length=255, blank=True)
    # {"field": [before, after]}; JSON-serialisable values only.
    changes = models.JSONField("modifications", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "événements d'audit"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} {self.object_repr}"
