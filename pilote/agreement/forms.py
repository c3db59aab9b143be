"""Forms of the agreement pages: the expenses import, issuing calls, recording a payment."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from pilote.agreement.enums import Basis
from pilote.agreement.imports import ImportFileError
from pilote.applications.imports import check_size, parse_amount

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


class ExpensesImportForm(forms.Form):
    file = forms.FileField(label="État des dépenses réalisées (CSV ou XLSX)")
    dry_run = forms.BooleanField(
        label="Simulation (rien n'est enregistré)", required=False, initial=True
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from error
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError("Un fichier .csv ou .xlsx est attendu.")
        return upload


class CallsIssueForm(forms.Form):
    year = forms.TypedChoiceField(label="Année de la convention", coerce=int)
    basis = forms.ChoiceField(
        label="Base", choices=Basis.choices, widget=forms.RadioSelect, initial=Basis.FORECAST
    )
    issued_on = forms.DateField(
        label="Date d'émission", widget=DATE_WIDGET, input_formats=DATE_FORMATS,
        help_text="L'échéance est fixée d'après le délai de paiement de la convention.",
    )  # fmt: skip

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["year"].choices = [(y.number, str(y)) for y in agreement.years.all()]
        self.fields["issued_on"].initial = timezone.localdate()


class PaymentForm(forms.Form):
    received_on = forms.DateField(label="Reçu le", widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    amount = forms.CharField(
        label="Montant reçu (€)", max_length=30, help_text="Par exemple 8 000,00"
    )
    reference = forms.CharField(
        label="Référence (mandat, virement)", max_length=120, required=False
    )

    def clean_amount(self):
        raw = self.cleaned_data["amount"]
        try:
            amount = parse_amount(raw)
        except ValueError as error:
            raise forms.ValidationError("Le montant est illisible.") from error
        if amount is None:
            raise forms.ValidationError("Le montant manque.")
        return amount
