"""« Jetons d'API »: one's own personal tokens (create, see once, revoke)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from pilote.api import services
from pilote.api.forms import TokenForm
from pilote.api.models import ApiToken


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    key = None
    if request.method == "POST" and form.is_valid():
        _token, key = services.token_create(
            acting_user=request.user, user=request.user, **form.cleaned_data
        )
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "key": key})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.token_revoke(acting_user=request.user, token=token)
    messages.success(request, f"Le jeton « {token.name} » est révoqué : il ne répond plus.")
    return redirect("api_tokens:list")
