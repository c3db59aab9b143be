"""Every write on accounts: keyword-only, atomic, permission-checked, audited."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from pilote.accounts import perms
from pilote.accounts.models import Invitation, Membership, Organisation, User, hash_token
from pilote.accounts.scope import forget_scope
from pilote.core import audit
from pilote.core.emails import queue_email
from pilote.territories.models import Territory


@transaction.atomic
def organisation_create(
    *, acting_user, name: str, kind: str, territories=(), short_name: str = "", epci=None
) -> Organisation:
    """Used by administrators and the demo loader (acting_user None = system)."""
    if acting_user is not None and not perms.is_platform_admin(acting_user):
        raise PermissionDenied("Seul un administrateur peut créer une organisation.")
    organisation = Organisation(name=name, kind=kind, short_name=short_name, epci=epci)
    organisation.full_clean()
    organisation.save()
    organisation.territories.set(territories)
    audit.record(
        actor=acting_user,
        action="organisation.create",
        obj=organisation,
        after={**audit.snapshot(organisation), "territories": [t.pk for t in territories]},
    )
    return organisation


@transaction.atomic
def membership_grant(
    *, acting_user, user: User, organisation: Organisation, territory, role: str
) -> Membership:
    if acting_user is not None and not (
        perms.can_invite(acting_user, territory)
        and role in perms.invitable_roles(acting_user, organisation)
    ):
        raise PermissionDenied("Vous ne pouvez pas donner ce rôle dans cette organisation.")
    if not organisation.territories.filter(pk=territory.pk).exists():
        raise ValidationError(f"{organisation} n'est pas membre du territoire {territory}.")
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, territory=territory, defaults={"role": role}
    )
    before = {} if created else audit.snapshot(membership)
    if not created and (membership.role != role or not membership.is_active):
        membership.role, membership.is_active = role, True
        membership.save(update_fields=["role", "is_active", "updated_at"])
    audit.record(
        actor=acting_user,
        action="membership.grant",
        obj=membership,
        before=before,
        after=audit.snapshot(membership),
    )
    forget_scope(user)
    return membership


@transaction.atomic
def user_create(*, acting_user, email: str, password: str | None, **fields) -> User:
    """Direct creation is for the demo loader and administrators; people join by invitation."""
    if acting_user is not None and not perms.is_platform_admin(acting_user):
        raise PermissionDenied("Seul un administrateur peut créer un compte directement.")
    user = User.objects.create_user(email=email, password=password, **fields)
    audit.record(
        actor=acting_user,
        action="user.create",
        obj=user,
        after=audit.snapshot(user, ["email", "first_name", "last_name"]),
    )
    return user


@transaction.atomic
def invitation_create(
    *, acting_user, email: str, organisation: Organisation, territory, role: str
) -> Invitation:
    if not perms.can_invite(acting_user, territory):
        raise PermissionDenied("Vous ne pouvez pas inviter de membre dans ce territoire.")
    if not organisation.territories.filter(pk=territory.pk).exists():
        raise ValidationError(f"{organisation} n'est pas membre du territoire {territory}.")
    if role not in perms.invitable_roles(acting_user, organisation):
        raise ValidationError("Ce rôle ne correspond pas à ce type d'organisation.")
    email = email.strip().lower()
    if Membership.objects.filter(
        user__email__iexact=email, organisation=organisation, territory=territory
    ).exists():
        raise ValidationError(f"{email} est déjà membre de {organisation}.")
    # A new invitation replaces any pending one for the same person and organisation.
    Invitation.objects.pending().filter(
        email=email, organisation=organisation, territory=territory
    ).update(revoked_at=timezone.now())
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        territory=territory,
        role=role,
        invited_by=acting_user,
        # No usable link yet: the email's task issues it (`invitation_link_issue`).
        token_hash=hash_token(Invitation.new_token()),
        expires_at=timezone.now() + settings.INVITATION_VALIDITY,
    )
    audit.record(
        actor=acting_user,
        action="invitation.create",
        obj=invitation,
        after=audit.snapshot(invitation, ["email", "organisation", "territory", "role"]),
    )
    queue_email("accounts.invitation", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_link_issue(*, invitation_id: int) -> tuple[Invitation, str] | None:
    """A new acceptance link for a pending invitation, issued when its email is sent
    (`accounts.emails`), or None if the invitation is gone, used, revoked or expired.

    Only its hash is stored: the raw token exists in that email alone, never in the database
    nor in the task queue. An earlier link of the same invitation stops working.
    """
    invitation = Invitation.objects.pending().select_for_update().filter(pk=invitation_id).first()
    if invitation is None:
        return None
    token = Invitation.new_token()
    invitation.token_hash = hash_token(token)
    invitation.save(update_fields=["token_hash", "updated_at"])
    audit.record(actor=None, action="invitation.send", obj=invitation)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    """The pending invitation behind `token`, or None if unknown, used, revoked or expired."""
    return (
        Invitation.objects.pending()
        .select_related("organisation", "territory")
        .filter(token_hash=hash_token(token))
        .first()
    )


@transaction.atomic
def invitation_accept(
    *, token: str, first_name: str = "", last_name: str = "", password: str | None = None
) -> User:
    """Create the account (or reuse the existing one) and grant the invited membership.

    The token proves the person reads the invited mailbox, which is all a password reset
    would prove too.
    """
    invitation = invitation_for_token(token)
    if invitation is None:
        raise ValidationError("Ce lien d'invitation n'est plus valable.")
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError("Cette invitation a déjà été utilisée.")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        if not password:
            raise ValidationError("Choisissez un mot de passe.")
        user = User.objects.create_user(
            email=invitation.email, password=password, first_name=first_name, last_name=last_name
        )
        audit.record(
            actor=user,
            action="user.create",
            obj=user,
            after=audit.snapshot(user, ["email", "first_name", "last_name"]),
        )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at", "updated_at"])
    membership_grant(
        acting_user=None,
        user=user,
        organisation=invitation.organisation,
        territory=invitation.territory,
        role=invitation.role,
    )
    audit.record(actor=user, action="invitation.accept", obj=invitation)
    return user


@transaction.atomic
def invitation_revoke(*, acting_user, invitation: Invitation) -> Invitation:
    if not perms.can_invite(acting_user, invitation.territory):
        raise PermissionDenied("Vous ne pouvez pas annuler cette invitation.")
    before = audit.snapshot(invitation, ["revoked_at"])
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        actor=acting_user,
        action="invitation.revoke",
        obj=invitation,
        before=before,
        after=audit.snapshot(invitation, ["revoked_at"]),
    )
    return invitation


@transaction.atomic
def territory_create(*, acting_user, name: str, slug: str, epcis) -> Territory:
    """A new Territoire d'industrie and its member EPCIs (platform administrators)."""
    if acting_user is not None and not perms.is_platform_admin(acting_user):
        raise PermissionDenied("Seul un administrateur peut créer un Territoire d'industrie.")
    if not epcis:
        raise ValidationError("Un Territoire d'industrie compte au moins un EPCI.")
    territory = Territory.objects.create(name=name, slug=slug)
    territory.epcis.set(epcis)
    audit.record(
        actor=acting_user,
        action="territory.create",
        obj=territory,
        after={**audit.snapshot(territory), "epcis": [e.pk for e in epcis]},
    )
    return territory
