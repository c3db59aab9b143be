"""The access layer: who may read and who may write follow-up, written once, side by side.

SIRENE data is public to every member of a territory; follow-up data is not (docs/rules.md).
A follow-up record (`FollowUpModel`) carries the EPCI of its subject, a visibility and the
organisation of its author:

- ``epci``      members of that EPCI, and the TI managers of its territory;
- ``territory`` every member organisation of the territory (TI managers, EPCI agents);
- ``partners``  the above and the State / Region / operator partners of the territory;
- ``private``   the author's organisation and the TI managers;
- ``chosen``    (« EPCI choisis », records that list the EPCIs they are shared with, such as
                territory projects) members of its EPCI and of every EPCI it is shared with,
                and the TI managers of its territory. Those records pass their share table
                (`SharedWith`) to `visibility_q`.

The author's organisation always sees what it wrote. Platform administrators see no
follow-up unless they also hold another role.

**Reading** goes through `visible_to(user)` (one `Q`, `visibility_q`); an object outside it
answers 404 (`get_visible_or_404`), never 403, so that its existence does not leak.

**Writing**: a TI manager writes on every EPCI of the territories they manage, an EPCI agent
on their own EPCI (`writable_epci_ids`, `can_write_on`); partners and administrators write no
follow-up. A new record is filed under the organisation through which the user writes on
that EPCI (`writing_organisation_id`). Editing and deleting (`can_edit`): the TI manager on
every record of the EPCIs they manage; an agent on their own organisation's records on their
EPCI, and — for the kinds that are the shared work of an EPCI team (`shared_work = True`:
campaigns, meetings and what they produce) — on every non-private record of their EPCI.
`get_editable_or_404` answers 404 for what the user may not see and 403 for what they see
but may not change. Services check `can_write_on` / `can_edit` again and raise
`PermissionDenied`.

**Derived state** (a met status, a score, a count) is computed from what the reader may see;
where a write on one record changes another (a meeting marks a campaign target « rencontré »),
it happens only when everyone who sees the second may see the first (`audience_covers`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

from pilote.accounts.scope import get_scope
from pilote.core.enums import CHOSEN, Visibility
from pilote.core.models import TimeStampedModel
from pilote.territories.models import Epci

NOT_FOUND = "Aucun élément ne correspond à cette adresse."
READ_ONLY = "Vous pouvez consulter cet élément, mais pas le modifier."

# --- Reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedWith:
    """Where a record offering « EPCI choisis » lists the EPCIs it is shared with: `rows()`
    gives the share rows (one per record and EPCI, an `epci` foreign key), `record_field`
    names their record column (e.g. ``"project_id"``)."""

    rows: Callable[[], models.QuerySet]
    record_field: str


def visibility_q(
    user,
    *,
    epci_field: str = "epci",
    author_org_field: str = "author_organisation",
    shared: SharedWith | None = None,
):
    """The Q object selecting the follow-up records `user` may see. `shared`: the share table
    of records that offer the visibility « EPCI choisis »."""
    scope = get_scope(user)
    if scope.is_empty:
        return Q(pk__in=[])
    epci_in = f"{epci_field}__in"
    wide = [Visibility.TERRITORY, Visibility.PARTNERS]
    q = (
        Q(**{epci_in: scope.managed_epci_ids})
        | Q(**{epci_in: scope.agent_epci_ids, "visibility__in": [Visibility.EPCI, CHOSEN, *wide]})
        | Q(**{epci_in: scope.member_epci_ids, "visibility__in": wide})
        | Q(**{epci_in: scope.partner_epci_ids, "visibility": Visibility.PARTNERS})
        | Q(**{epci_in: scope.territory_epci_ids, f"{author_org_field}__in": scope.author_org_ids})
    )
    if shared is not None and scope.agent_epci_ids:
        # An agent of a chosen EPCI, for a record of their own territory (a share row never
        # opens a record of another territory, whatever wrote it).
        rows = shared.rows().filter(epci__in=scope.agent_epci_ids)
        q |= Q(
            **{epci_in: scope.member_epci_ids, "visibility": CHOSEN},
            pk__in=rows.values(shared.record_field),
        )
    return q


class VisibleQuerySet(models.QuerySet):
    # Records that can be shared with chosen EPCIs set their share table here.
    shared_with: ClassVar[SharedWith | None] = None

    def visible_to(self, user) -> VisibleQuerySet:
        return self.filter(visibility_q(user, shared=self.shared_with))


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

    # The shared work of an EPCI team: its agents edit each other's non-private records.
    shared_work: ClassVar[bool] = False

    class Meta:
        abstract = True


def _queryset(queryset_or_model):
    if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, models.Model):
        return queryset_or_model._default_manager.all()
    return queryset_or_model


def get_visible_or_404(queryset_or_model, user, **lookup):
    """The object matching `lookup` if `user` may see it; 404 otherwise (no existence leak)."""
    qs = _queryset(queryset_or_model)
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(NOT_FOUND) from exc


def is_visible_to(obj: models.Model, user) -> bool:
    return type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()


# --- Writing ------------------------------------------------------------------------------


def writable_epci_ids(user) -> frozenset[str]:
    """EPCIs on which `user` may write follow-up: every EPCI of the territories they manage
    (TI manager), their own EPCI (agent). Partners and administrators write none."""
    scope = get_scope(user)
    return scope.managed_epci_ids | scope.agent_epci_ids


def can_write_on(user, epci=None) -> bool:
    """May `user` create follow-up on `epci` (on any EPCI at all when `epci` is None)?"""
    writable = writable_epci_ids(user)
    return bool(writable) if epci is None else _pk(epci) in writable


def writable_epcis(user, *, territory=None, epci=None):
    """The EPCIs a form offers for a new or moved record: those `user` may write on, within
    `territory` when given, reduced to `epci` when the record's subject fixes it."""
    queryset = Epci.objects.filter(pk__in=writable_epci_ids(user)).order_by("name")
    if territory is not None:
        queryset = queryset.in_territory(territory)
    if epci is not None:
        queryset = queryset.filter(pk=_pk(epci))
    return queryset


def writing_organisation_id(user, epci) -> int | None:
    """The organisation a new record of `user` on `epci` is filed under: the EPCI's own
    organisation for its agents, the TI manager's organisation (CCI) otherwise."""
    return get_scope(user).writing_organisation_id(_pk(epci))


def can_edit(user, record) -> bool:
    """May `user` edit or delete `record` (a `FollowUpModel`)?"""
    scope = get_scope(user)
    if record.epci_id in scope.managed_epci_ids:
        return True
    if record.epci_id not in scope.agent_epci_ids:
        return False
    if record.author_organisation_id in scope.author_org_ids:
        return True
    return record.shared_work and record.visibility != Visibility.PRIVATE


def get_editable_or_404(queryset_or_model, user, **lookup):
    """The object if `user` may edit it: 404 when they may not see it, 403 when they see it
    but may not change it."""
    obj = get_visible_or_404(queryset_or_model, user, **lookup)
    if not can_edit(user, obj):
        raise PermissionDenied(READ_ONLY)
    return obj


# --- Derived state -------------------------------------------------------------------------

_BREADTH = {
    Visibility.PRIVATE: 0,
    Visibility.EPCI: 1,
    CHOSEN: 1.5,  # the EPCI and the chosen ones: wider than one EPCI, narrower than all
    Visibility.TERRITORY: 2,
    Visibility.PARTNERS: 3,
}


def audience_covers(source, target) -> bool:
    """Does everyone who sees `target` also see `source`? Both are follow-up records of the
    same EPCI. A write that `source` causes on `target` (a meeting marking a campaign target
    « rencontré ») is made only then, so that `target` never reveals `source`."""
    if source.epci_id != target.epci_id:
        return False
    if _BREADTH[source.visibility] < _BREADTH[target.visibility]:
        return False
    if Visibility.PRIVATE in (source.visibility, target.visibility):
        return source.author_organisation_id == target.author_organisation_id
    # Two choices of EPCIs are not compared, so never assumed to cover one another.
    return not source.visibility == target.visibility == CHOSEN


def _pk(value):
    return getattr(value, "pk", value)
