"""The bilan: its form, PDF and XLSX (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def bilan_form(request):
    raise Http404


@login_required
def bilan_pdf(request):
    raise Http404


@login_required
def bilan_xlsx(request):
    raise Http404
