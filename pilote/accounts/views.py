from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from pilote.accounts import perms, services
from pilote.accounts.enums import Role
from pilote.accounts.forms import (
    AcceptInvitationForm,
    InvitationForm,
    LoginForm,
    QueuedPasswordResetForm,
)
from pilote.accounts.middleware import SESSION_KEY
from pilote.accounts.models import Invitation, Membership
from pilote.core.list_sections import section_page, section_sort


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = QueuedPasswordResetForm  # its email: `accounts.emails.password_reset`
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def _territory(request: HttpRequest):
    if request.territory is None:
        raise Http404("Aucun territoire n'est associé à votre compte.")
    return request.territory


MEMBERS_PAGE_SIZE = 25
MEMBERS_PAGE, INVITATIONS_PAGE = "page", "page_invitations"


def _role_rank() -> Case:
    """The roles in their schema's order (chef de projet TI first), not the alphabet's."""
    return Case(
        *(When(role=value, then=Value(i)) for i, (value, _) in enumerate(Role.choices)),
        output_field=IntegerField(),
    )


# `?tri=`: one sort for the page; a column both lists have sorts both.
MEMBER_SORTS = {
    "nom": ("user__last_name", "user__first_name"),
    "organisation": ("organisation__name", "user__last_name"),
    "role": ("role_rank", "user__last_name"),
    "adresse": ("user__email",),
}
INVITATION_SORTS = {
    "adresse": ("email",),
    "organisation": ("organisation__name", "email"),
    "role": ("role_rank", "email"),
    "expiration": ("expires_at",),
}


@login_required
def members(request: HttpRequest) -> HttpResponse:
    """The territory's members and (for who may invite) its pending invitations, each list
    sorted by the page's `?tri=` and paginated on its own."""
    territory = _territory(request)
    if not perms.can_view_members(request.user, territory):
        raise Http404
    params = (MEMBERS_PAGE, INVITATIONS_PAGE)
    memberships, member_sort = section_sort(
        request,
        Membership.objects.active()
        .filter(territory=territory)
        .select_related("user", "organisation")
        .annotate(role_rank=_role_rank())
        .order_by("organisation__name", "user__last_name", "pk"),
        MEMBER_SORTS,
        default_sort="organisation",
        page_params=params,
    )
    can_invite = perms.can_invite(request.user, territory)
    invitations = (
        Invitation.objects.pending()
        .filter(territory=territory)
        .select_related("organisation")
        .annotate(role_rank=_role_rank())
        .order_by("-expires_at", "-pk")
    )
    invitations, invitation_sort = section_sort(
        request,
        invitations if can_invite else invitations.none(),
        INVITATION_SORTS,
        default_sort="-expiration",
        page_params=params,
    )
    # A territory's people fit in memory: one query each, no separate count.
    size = MEMBERS_PAGE_SIZE
    return render(
        request,
        "accounts/members.html",
        {
            "territory": territory,
            "page": section_page(request, list(memberships), param=MEMBERS_PAGE, page_size=size),
            "sort": member_sort,
            "invitations": section_page(
                request, list(invitations), param=INVITATIONS_PAGE, page_size=size
            ),
            "invitation_sort": invitation_sort,
            "can_invite": can_invite,
        },
    )


@login_required
def invitation_create(request: HttpRequest) -> HttpResponse:
    territory = _territory(request)
    if not perms.can_invite(request.user, territory):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, user=request.user, territory=territory)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                acting_user=request.user, territory=territory, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                f"Invitation envoyée à {invitation.email}. Le lien est valable jusqu'au "
                f"{invitation.expires_at.astimezone():%d/%m/%Y}.",
            )
            return redirect("accounts:members")
    return render(request, "accounts/invitation_form.html", {"form": form, "territory": territory})


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.pending(), pk=pk)
    if not perms.can_invite(request.user, invitation.territory):
        raise Http404
    services.invitation_revoke(acting_user=request.user, invitation=invitation)
    messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("accounts:members")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    from pilote.accounts.models import User

    existing = User.objects.filter(email__iexact=invitation.email).exists()
    form = None if existing else AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and (existing or form.is_valid()):
        data = {} if existing else form.cleaned_data
        try:
            user = services.invitation_accept(
                token=token,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
                password=data.get("password1"),
            )
        except ValidationError:
            return render(request, "accounts/invitation_invalid.html", status=404)
        if existing:
            messages.success(
                request,
                f"Vous êtes maintenant membre de {invitation.organisation}. Connectez-vous.",
            )
            return redirect("accounts:login")
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Bienvenue dans Pilote, {user.get_short_name()} !")
        return redirect("core:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing": existing},
    )


@login_required
@require_POST
def switch_membership(request: HttpRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.active(), pk=pk, user=request.user)
    request.session[SESSION_KEY] = membership.pk
    messages.info(request, f"Vous travaillez maintenant pour {membership.organisation}.")
    return redirect("core:home")
