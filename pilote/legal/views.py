"""The pages a French public service must have, open to anyone (no login): legal notice,
personal data, accessibility statement, cookies; and the register of processings (RGPD
art. 30) for TI managers and platform administrators (docs/legal.md)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pilote.accounts.perms import is_platform_admin, is_ti_manager
from pilote.core.csv import csv_response
from pilote.legal import accessibility, conf, cookies, processings


def _may_download_register(user) -> bool:
    return user.is_authenticated and (is_ti_manager(user) or is_platform_admin(user))


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "legal/legal_notice.html",
        {"legal": conf.legal(), "demo_settings": conf.missing()},
    )


@require_GET
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "legal/personal_data.html",
        {
            "legal": conf.legal(),
            "demo_settings": conf.missing(),
            "processings": processings.processings(),
            "may_download_register": _may_download_register(request.user),
        },
    )


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "legal/accessibility.html",
        {
            "legal": conf.legal(),
            "demo_settings": conf.missing(),
            "statement": accessibility.statement(),
            "audited_pages": accessibility.AUDITED_PAGES,
            "non_compliant": accessibility.NON_COMPLIANT_CONTENT,
            "derogations": accessibility.DEROGATIONS,
            "exempt": accessibility.EXEMPT_CONTENT,
        },
    )


@require_GET
def cookie_policy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "legal/cookies.html",
        {"cookies": cookies.strictly_necessary(), "site_name": settings.SITE_NAME},
    )


@require_GET
@login_required
def register_export(request: HttpRequest) -> HttpResponse:
    """The register of processing activities as French-Excel CSV; 404 to anyone but TI
    managers and platform administrators."""
    if not _may_download_register(request.user):
        raise Http404
    legal = conf.legal()
    rows = processings.register_rows(controller=legal["publisher"], dpo=legal["dpo_email"])
    return csv_response("registre-des-traitements", processings.REGISTER_COLUMNS, rows)
