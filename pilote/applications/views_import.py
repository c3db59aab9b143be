"""The import page of an application-tracking spreadsheet: the TI managers of the current
territory upload a CSV or XLSX, simulate (the default) then import; the same function as the
`import_dossiers` command (`imports.import_applications`), acting as the manager (the
services check their rights). The upload is read within the request: Django removes its
temporary file when the request ends."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pilote.accounts.perms import is_ti_manager
from pilote.applications import imports
from pilote.core.enums import Visibility


class ImportForm(forms.Form):
    file = forms.FileField(label="Tableau de suivi des dossiers (CSV ou XLSX)")
    dry_run = forms.BooleanField(
        label="Simulation (rien n'est enregistré)", required=False, initial=True
    )
    visibility = forms.ChoiceField(
        label="Visibilité des dossiers créés",
        choices=Visibility.explained_choices(),
        initial=Visibility.EPCI,
        widget=forms.RadioSelect,
        help_text="Les dossiers déjà connus gardent la leur.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            imports.check_size(upload.size)
        except imports.ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Un fichier .csv ou .xlsx est attendu.")
        return upload


def _managed_territory(request: HttpRequest):
    """The current territory, if the user is one of its TI managers; 404 to anyone else."""
    territory = request.territory
    if territory is None or not is_ti_manager(request.user, territory):
        raise Http404
    return territory


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    territory = _managed_territory(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        wet_run = not form.cleaned_data["dry_run"]
        try:
            report = imports.import_applications(
                upload,
                filename=upload.name,
                territory=territory,
                acting_user=request.user,
                visibility=form.cleaned_data["visibility"],
                wet_run=wet_run,
                size=upload.size,
            )
        except imports.ImportFileError as error:  # one transaction: nothing kept
            form.add_error("file", f"{error} Rien n'a été importé.")
        else:
            if wet_run:
                messages.success(
                    request,
                    f"Import de {upload.name} terminé : {report.created} dossier(s) créé(s), "
                    f"{report.updated} mis à jour, {report.kept} inchangé(s), "
                    f"{report.rejected} ligne(s) refusée(s).",
                )
        finally:
            upload.close()
    return render(
        request,
        "applications/import.html",
        {
            "form": form,
            "report": report,
            "territory": territory,
            "required_columns": imports.REQUIRED,
            "optional_columns": imports.OPTIONAL,
        },
    )
