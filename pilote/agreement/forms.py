"""Forms of the agreement pages: the expenses import, issuing calls, recording a payment,
recording an amendment."""

from __future__ import annotations

import hashlib

from django import forms
from django.utils import timezone

from pilote.agreement.enums import Basis, Nature, Rule
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


def _plain(amount) -> str:
    """10833.33 → « 10 833,33 » (what the amount inputs show and read back)."""
    from pilote.core.templatetags.pilote import euros

    return euros(amount).removesuffix("\xa0€").replace("\xa0", " ")


class AmendmentForm(forms.Form):
    """An avenant: its date, label and text, and one amount input per forecast line of every
    year (expenses by nature, resources per financer), pre-filled with the current amounts;
    only the lines whose amount changes count (`expenses` and `resources` in cleaned_data)."""

    date = forms.DateField(
        label="Date de l'avenant", widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )
    label = forms.CharField(label="Intitulé", max_length=250)
    changes = forms.CharField(
        label="Ce que l'avenant change", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, agreement, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement
        self.fields["date"].initial = timezone.localdate()
        parties = list(agreement.parties.order_by("kind", "siren", "name"))
        self.grid = []  # per year: its expense rows and resource rows
        self.lines = {}  # field name -> (kind, key, current amount or None)
        for year in agreement.years.order_by("number"):
            current_expenses = {e.nature: e.amount for e in year.forecast_expenses.all()}
            current_resources = {r.party_id: r for r in year.resources.all()}
            expense_rows, resource_rows = [], []
            for nature in Nature:
                name = f"depense_{year.number}_{nature.value}"
                current = current_expenses.get(nature.value)
                self._add(name, f"{nature.label}, année {year.number}", current)
                self.lines[name] = ("expense", (year.number, nature.value), current)
                expense_rows.append({"label": nature.label, "name": name, "current": current})
            for party in parties:
                resource = current_resources.get(party.pk)
                current = resource.amount if resource else None
                name = f"ressource_{year.number}_{party.pk}"
                self._add(name, f"{party.name}, année {year.number}", current)
                self.lines[name] = ("resource", (year.number, party.pk), current)
                rule = resource.get_rule_display() if resource else ""
                if resource and resource.rule == Rule.SHARE:
                    rule = "Plafond de la part égale"
                resource_rows.append(
                    {"label": party.name, "rule": rule, "name": name, "current": current}
                )
            self.grid.append({"year": year, "expenses": expense_rows, "resources": resource_rows})
        self.fields["forecast"] = forms.CharField(
            widget=forms.HiddenInput, initial=self.fingerprint(), required=False
        )

    def fingerprint(self) -> str:
        """The forecast the page was opened on: a POST made on another one (an amendment
        recorded meanwhile) is refused rather than undoing it silently."""
        state = sorted((name, str(current)) for name, (_, _, current) in self.lines.items())
        return hashlib.sha256(repr(state).encode()).hexdigest()[:32]

    def _add(self, name: str, label: str, current) -> None:
        self.fields[name] = forms.CharField(
            label=label, required=False, max_length=30,
            initial=_plain(current) if current is not None else "",
            widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "fr-input"}),
        )  # fmt: skip

    def rows(self):
        """The grid with bound fields, for the template."""
        for year in self.grid:
            yield {
                "year": year["year"],
                "expenses": [{**r, "field": self[r["name"]]} for r in year["expenses"]],
                "resources": [{**r, "field": self[r["name"]]} for r in year["resources"]],
            }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("forecast") != self.fingerprint():
            raise forms.ValidationError(
                "Le budget prévisionnel a changé depuis l'ouverture de cette page (un autre "
                "avenant a été enregistré) : rechargez-la et saisissez de nouveau vos montants."
            )
        expenses, resources = {}, {}
        for name, (kind, key, current) in self.lines.items():
            raw = (self.data.get(self.add_prefix(name)) or "").strip()
            if not raw:
                if current is not None:
                    self.add_error(name, "Le montant manque (0,00 pour une ligne à zéro).")
                continue
            try:
                amount = parse_amount(raw)
            except ValueError:
                self.add_error(name, "Le montant est illisible.")
                continue
            if amount is None or amount == current:
                continue
            (expenses if kind == "expense" else resources)[key] = amount
        cleaned["expenses"], cleaned["resources"] = expenses, resources
        return cleaned
