"""The confidentiality rule of DESIGN.md §3 — the one place it is written.

SIRENE data is public to every member; follow-up data is not. A follow-up record carries the
EPCI of its subject and a visibility level:

- ``epci``      members of that EPCI, and the TI managers of its territory;
- ``territory`` every member organisation of the territory (TI managers, EPCI agents);
- ``partners``  the above and the State / Region / operator partners of the territory;
- ``private``   the author's organisation and the TI managers.

The author's organisation always sees what it wrote. Platform administrators see no
follow-up unless they also hold another role. Everything that shows follow-up data — views,
exports, feeds, digests, API — reads it through ``visible_to(user)``; an object outside it
answers 404 (``get_visible_or_404``), never 403, so that its existence does not leak.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import Http404

from pilote.core.enums import Visibility
from pilote.core.models import TimeStampedModel


def visibility_q(user, *, epci_field: str = "epci", author_org_field: str = "author_organisation"):
    """The Q object selecting the follow-up records `user` may see."""
    from pilote.accounts.scope import get_scope  # accounts depends on core, not the reverse

    scope = get_scope(user)
    if scope.is_empty:
        return Q(pk__in=[])
    epci_in = f"{epci_field}__in"
    shared = [Visibility.TERRITORY, Visibility.PARTNERS]
    return (
        Q(**{epci_in: scope.managed_epci_ids})
        | Q(**{epci_in: scope.agent_epci_ids, "visibility__in": [Visibility.EPCI, *shared]})
        | Q(**{epci_in: scope.member_epci_ids, "visibility__in": shared})
        | Q(**{epci_in: scope.partner_epci_ids, "visibility": Visibility.PARTNERS})
        | Q(**{epci_in: scope.territory_epci_ids, f"{author_org_field}__in": scope.author_org_ids})
    )


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user) -> VisibleQuerySet:
        return self.filter(visibility_q(user))


class FollowUpModel(TimeStampedModel):
    """Base of every confidential follow-up record (notes, interactions, projects…)."""

    epci = models.ForeignKey(
        "territories.Epci", verbose_name="EPCI", on_delete=models.PROTECT, related_name="+"
    )
    visibility = models.CharField(
        "visibilité", max_length=16, choices=Visibility.choices, default=Visibility.EPCI
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name="organisation de l'auteur",
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The object matching `lookup` if `user` may see it; 404 otherwise (no existence leak)."""
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs._default_manager.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("Aucun élément ne correspond à cette adresse.") from exc


def is_visible_to(obj: models.Model, user) -> bool:
    return type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()
