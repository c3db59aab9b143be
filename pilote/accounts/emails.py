"""Emails of the accounts app (`core.emails`): queued with an id, built when sent."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from pilote.accounts.models import User
from pilote.core import emails


@emails.register("accounts.password_reset", template="emails/password_reset")
def password_reset(*, user_id: int) -> emails.Envelope:
    """The reset link is made now, from the account as it is now (Django's tokens derive from
    the password hash and last login: one made at queue time would be the same)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise emails.NotSent(f"user {user_id} no longer exists")
    if not user.is_active or not user.has_usable_password() or not user.email:
        raise emails.NotSent(f"user {user_id} is deactivated or has no usable password")
    return emails.Envelope(
        to=[user.email],
        context={
            "email": user.email,
            "user": user,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@emails.register("accounts.invitation", template="emails/invitation")
def invitation(*, invitation_id: int) -> emails.Envelope:
    """The acceptance link is issued now (`services.invitation_link_issue`): it exists only in
    this email."""
    from pilote.accounts import services

    issued = services.invitation_link_issue(invitation_id=invitation_id)
    if issued is None:
        raise emails.NotSent(f"invitation {invitation_id} is no longer pending")
    invitation, token = issued
    return emails.Envelope(
        to=[invitation.email],
        context={
            "invitation": invitation,
            "inviter": invitation.invited_by,
            "role_label": invitation.get_role_display(),
            "accept_url": settings.SITE_URL
            + reverse("accounts:invitation_accept", kwargs={"token": token}),
        },
    )
