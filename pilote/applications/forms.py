"""Forms of the application pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from pilote.accompaniment.forms import (
    DATE_INPUT_FORMATS,
    DATE_WIDGET,
    EuroField,
    VisibilityMixin,
    _date_field,
)
from pilote.accounts.access_forms import FollowUpFilterForm
from pilote.aids.models import AidScheme
from pilote.applications import documents
from pilote.applications.enums import DECIDED, DocumentKind, Status
from pilote.applications.models import Application, Payment, StatusChange, SupportTime
from pilote.core.locking import VersionedForm
from pilote.core.validators import field_validators

EURO_HELP = "Par exemple : 150 000"


class ApplicationForm(VersionedForm, VisibilityMixin, forms.ModelForm):
    """Create or edit an application. The status is chosen at creation only; afterwards it
    changes through « Changer le statut » (dated and reasoned)."""

    amount_requested = EuroField(label="Montant demandé (€)", required=False, help_text=EURO_HELP)
    amount_granted = EuroField(label="Montant accordé (€)", required=False, help_text=EURO_HELP)
    investment = EuroField(
        label="Investissement soutenu (€)", required=False,
        help_text="Le programme d'investissement que l'aide finance.",
    )  # fmt: skip

    class Meta:
        model = Application
        fields = [
            "title", "scheme", "funder", "reference", "status", "project", "need", "supported",
            "filed_on", "decided_on", "closes_on", "documents_due_on", "amount_requested",
            "amount_granted", "investment", "jobs", "comment", "visibility",
        ]  # fmt: skip

    def __init__(self, *args, establishment, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._explain_visibility()
        if self.instance.pk:
            self.fields.pop("status")
        else:
            self.fields["status"].help_text = (
                "Le statut du dossier aujourd'hui ; ses changements suivants se datent et "
                "se motivent depuis la fiche du dossier."
            )
        scheme = self.fields["scheme"]
        scheme.queryset = AidScheme.objects.order_by("title")
        scheme.empty_label = "Hors catalogue (nommez le financeur)"
        scheme.required = False
        from pilote.accompaniment.models import Need, Project

        self.fields["project"].queryset = Project.objects.visible_to(user).filter(
            establishment=establishment
        )
        self.fields["project"].empty_label = "Aucun"
        self.fields["need"].queryset = Need.objects.visible_to(user).filter(
            establishment=establishment
        )
        self.fields["need"].empty_label = "Aucun"
        for field in self.fields.values():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.input_formats = DATE_INPUT_FORMATS
                field.error_messages["invalid"] = "Saisissez une date, par exemple 30/11/2026."
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        self.fields["jobs"].error_messages["min_value"] = (
            "Le nombre d'emplois ne peut pas être négatif."
        )


class StatusForm(VersionedForm, forms.Form):
    status = forms.ChoiceField(label="Nouveau statut", choices=Status.choices)
    effective_on = _date_field(
        "Date d'effet", validators=field_validators(StatusChange, "effective_on"),
        help_text="Pour une décision : la date de la décision.",
    )  # fmt: skip
    reason = forms.CharField(
        label="Motif", widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Dites pourquoi le statut change."},
    )  # fmt: skip

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, record=application, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in Status.choices if value != application.status
        ]
        self.initial.setdefault("effective_on", timezone.localdate())
        if application.status in DECIDED:
            self.fields[
                "status"
            ].help_text = (
                "Rouvrir un dossier décidé efface sa date de décision ; l'historique la garde."
            )


class PaymentForm(forms.ModelForm):
    amount = EuroField(label="Montant versé (€)")

    class Meta:
        model = Payment
        fields = ["paid_on", "amount", "label"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].widget = DATE_WIDGET
        self.fields["paid_on"].input_formats = DATE_INPUT_FORMATS
        self.initial.setdefault("paid_on", timezone.localdate())
        self.fields["label"].help_text = "Par exemple : avance de 30 %, solde."


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=DocumentKind.choices)
    upload = forms.FileField(
        label="Fichier",
        widget=forms.ClearableFileInput(attrs={"accept": documents.ACCEPT}),
        error_messages={"required": "Choisissez un fichier.", "empty": "Le fichier est vide."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.template.defaultfilters import filesizeformat

        self.fields[
            "upload"
        ].help_text = (
            f"{documents.allowed_label()} ; {filesizeformat(documents.max_bytes())} au plus."
        )


class SupportTimeForm(forms.ModelForm):
    class Meta:
        model = SupportTime
        fields = ["spent_on", "minutes", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spent_on"].widget = DATE_WIDGET
        self.fields["spent_on"].input_formats = DATE_INPUT_FORMATS
        self.initial.setdefault("spent_on", timezone.localdate())
        self.fields["minutes"].help_text = "Par exemple : 90 pour une heure et demie."


class ApplicationFilterForm(FollowUpFilterForm):
    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), ("ouverts", "En cours"),
                                                 *Status.choices],
    )  # fmt: skip
    supported = forms.ChoiceField(
        label="Accompagnement", required=False,
        choices=[("", "Tous"), ("oui", "Accompagnés par l'équipe"), ("non", "Autres lauréats")],
    )  # fmt: skip

    def filter(self, queryset):
        queryset = super().filter(queryset)
        if not self.is_valid():
            return queryset
        status = self.cleaned_data["status"]
        if status == "ouverts":
            queryset = queryset.open()
        elif status:
            queryset = queryset.filter(status=status)
        supported = self.cleaned_data["supported"]
        if supported:
            queryset = queryset.filter(supported=supported == "oui")
        return queryset
