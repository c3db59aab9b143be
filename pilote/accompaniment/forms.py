"""Forms of the accompaniment pages. They only read and check input; the services write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone

from pilote.accompaniment.enums import (
    GUIDE_THEMES,
    InteractionKind,
    Level,
    QuestionType,
    Theme,
)
from pilote.accompaniment.models import (
    AccompanimentLevel,
    Action,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Question,
    Referral,
)
from pilote.accompaniment.services import team_members
from pilote.accounts.access_forms import FollowUpFilterForm
from pilote.contacts.models import Contact
from pilote.core.enums import Visibility
from pilote.core.locking import VersionedForm
from pilote.core.validators import field_validators

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _date_field(label: str, *, required: bool = True, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={"invalid": "Saisissez une date, par exemple 30/11/2026."},
        **kwargs,
    )


def _time_field(label: str, *, required: bool = True, **kwargs) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%Hh%M", "%H h %M", "%Hh", "%H:%M:%S"],
        error_messages={"invalid": "Saisissez une heure, par exemple 14:30."},
        **kwargs,
    )


def parse_french_number(text: str) -> Decimal:
    """« 1 200 000,50 », « 1200000.5 », « 1,2 M€ » is not accepted: digits only."""
    cleaned = (text or "").replace("€", "").replace("\u202f", "").replace("\xa0", "")
    cleaned = cleaned.replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise forms.ValidationError("Saisissez un nombre, par exemple 1 200 000 ou 3,5.") from exc
    if not value.is_finite():
        raise forms.ValidationError("Saisissez un nombre, par exemple 1 200 000 ou 3,5.")
    return value


def _optional_number(text: str) -> Decimal | None:
    return parse_french_number(text) if (text or "").strip() else None


def _number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    value = value.normalize() if value == value.to_integral() else value
    return format(value, "f").replace(".", ",")


class EuroField(forms.CharField):
    """An amount in euros typed the French way (spaces, comma): a Decimal to the cent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal"}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            from django.utils.formats import number_format

            return number_format(value, decimal_pos=2, force_grouping=True)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = parse_french_number(value)
        if amount < 0:
            raise forms.ValidationError("Le montant ne peut pas être négatif.")
        if amount >= Decimal("1e12"):
            raise forms.ValidationError("Ce montant est trop grand.")
        return amount


class VisibilityMixin:
    def _explain_visibility(self):
        if "visibility" in self.fields:
            self.fields["visibility"].choices = Visibility.explained_choices()
            self.fields["visibility"].widget = forms.RadioSelect(
                choices=self.fields["visibility"].choices
            )


class InteractionForm(VersionedForm, VisibilityMixin, forms.Form):
    kind = forms.ChoiceField(label="Type d'échange", choices=InteractionKind.choices)
    occurred_on = _date_field("Date", validators=field_validators(Interaction, "occurred_on"))
    start_time = _time_field(
        "Heure",
        required=False,
        help_text="Facultative : l'heure d'une visite ou d'un rendez-vous, par exemple 14:30.",
    )
    participants = forms.ModelMultipleChoiceField(
        label="Pour le territoire",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Le chef de projet TI, seul ou avec un représentant de l'EPCI.",
    )
    contacts = forms.ModelMultipleChoiceField(
        label="Pour l'entreprise",
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label="Compte rendu (pour l'équipe)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Notes internes, jamais dans la version entreprise du compte rendu PDF. "
        "Mise en forme Markdown possible.",
    )
    company_summary = forms.CharField(
        label="Message pour l'entreprise",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Synthèse et suites convenues, en tête du compte rendu PDF envoyé à "
        "l'entreprise. Mise en forme Markdown possible.",
    )
    time_spent_minutes = forms.IntegerField(
        label="Temps passé (en minutes)",
        min_value=0,
        max_value=10_000,
        initial=0,
        help_text="Préparation et déplacement compris, par exemple 120 pour deux heures.",
        error_messages={"min_value": "Le temps passé ne peut pas être négatif."},
    )
    visibility = forms.ChoiceField(label="Visibilité", initial=Visibility.EPCI)
    use_guide = forms.BooleanField(
        label="Mener l'entretien sur la trame d'entretien", required=False
    )

    def __init__(self, *args, user, establishment, with_guide_choice: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = team_members(establishment.epci)
        self.fields["contacts"].queryset = (
            Contact.objects.visible_to(user)
            .filter(company_id=establishment.company_id)
            .order_by("last_name", "first_name")
        )
        self.fields["contacts"].label_from_instance = lambda c: (
            f"{c.full_name}{f' — {c.role}' if c.role else ''}"
        )
        self.fields["visibility"].choices = Visibility.choices
        self._explain_visibility()
        if not with_guide_choice:
            del self.fields["use_guide"]
        self.initial.setdefault("occurred_on", timezone.localdate())
        self.initial.setdefault("participants", [user.pk])

    def refuse(self, stale) -> None:
        super().refuse(stale)
        # The stored time read as a time (`locking` shows any date-like value as a date).
        if "start_time" in self.errors and stale.current.start_time is not None:
            self.errors["start_time"] = self.error_class(
                [f"Valeur enregistrée : « {stale.current.start_time:%H:%M} »."]
            )


class InteractionFilterForm(FollowUpFilterForm):
    kind = forms.ChoiceField(
        label="Type d'échange", choices=[("", "Tous"), *InteractionKind.choices], required=False
    )

    def filter(self, queryset):
        queryset = super().filter(queryset)
        if self.is_valid() and self.cleaned_data["kind"]:
            queryset = queryset.filter(kind=self.cleaned_data["kind"])
        return queryset


class RecordFilterForm(FollowUpFilterForm):
    pass


# --- Answers ------------------------------------------------------------------------------

YES, NO = "oui", "non"


def answer_field_name(question: Question) -> str:
    return f"q-{question.pk}"


def answer_value(question: Question, data) -> object:
    """The value posted for `question`, in the shape `services.answer_save` expects."""
    name = answer_field_name(question)
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return data.getlist(name)
    raw = (data.get(name) or "").strip()
    if question.type == QuestionType.YES_NO:
        return {YES: True, NO: False}.get(raw)
    return raw


def answer_initial(question: Question, answer) -> object:
    """What the meeting form shows for an existing answer."""
    if answer is None:
        return [] if question.type == QuestionType.MULTIPLE_CHOICE else ""
    match question.type:
        case QuestionType.YES_NO:
            return "" if answer.boolean is None else (YES if answer.boolean else NO)
        case QuestionType.NUMBER:
            return answer.display.replace("\xa0", " ")
        case QuestionType.SINGLE_CHOICE:
            return answer.choices[0] if answer.choices else ""
        case QuestionType.MULTIPLE_CHOICE:
            return answer.choices
        case _:
            return answer.text


# --- Records --------------------------------------------------------------------------------


class RecordForm(VersionedForm, VisibilityMixin, forms.ModelForm):
    """Base of the need, project, diagnostic, referral and action forms. `compact` (the
    meeting page) leaves out the visibility, which then follows the meeting's."""

    def __init__(self, *args, compact: bool = False, establishment=None, **kwargs):
        super().__init__(*args, **kwargs)
        if compact:
            self.fields.pop("visibility", None)
        self._explain_visibility()
        for name, field in self.fields.items():
            if isinstance(field, forms.DateField):
                field.widget = DATE_WIDGET
                field.input_formats = DATE_INPUT_FORMATS
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
            field.error_messages.setdefault("required", "Ce champ est obligatoire.")
            if name == "visibility":
                field.initial = field.initial or Visibility.EPCI


class NeedForm(RecordForm):
    class Meta:
        model = Need
        fields = ["theme", "description", "urgency", "visibility"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["resolved_on"] = _date_field(
                "Résolu le", required=False, validators=field_validators(Need, "resolved_on")
            )
            self.initial.setdefault("resolved_on", self.instance.resolved_on)


class ProjectForm(RecordForm):
    investment_amount = EuroField(
        label="Investissement (€)", required=False, help_text="Par exemple : 1 200 000"
    )

    class Meta:
        model = Project
        fields = [
            "kind", "title", "description", "investment_amount", "jobs_created", "jobs_kept",
            "horizon", "maturity", "visibility",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("jobs_created", "jobs_kept"):
            self.fields[name].error_messages["min_value"] = (
                "Le nombre d'emplois ne peut pas être négatif."
            )


class DiagnosticForm(RecordForm):
    class Meta:
        model = Diagnostic
        fields = [
            "kind", "status", "operator", "offered_on", "accepted_on", "done_on", "report_on",
            "note", "visibility",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("offered_on", timezone.localdate())


class ReferralForm(RecordForm):
    class Meta:
        model = Referral
        fields = [
            "partner", "partner_name", "subject", "referred_on", "outcome", "outcome_note",
            "visibility",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("referred_on", timezone.localdate())


class ActionForm(RecordForm):
    class Meta:
        model = Action
        fields = ["title", "description", "owner", "due_date", "status", "visibility"]

    def __init__(self, *args, establishment=None, **kwargs):
        super().__init__(*args, establishment=establishment, **kwargs)
        epci = establishment.epci if establishment is not None else self.instance.epci
        self.fields["owner"].queryset = team_members(epci)
        self.fields["owner"].required = True
        self.fields["owner"].empty_label = None


# --- Levels and the guide ---------------------------------------------------------------------


class LevelForm(forms.Form):
    level = forms.ChoiceField(label="Niveau d'accompagnement", choices=Level.choices)
    changed_on = _date_field(
        "Depuis le", validators=field_validators(AccompanimentLevel, "changed_on")
    )
    note = forms.CharField(label="Motif", max_length=255, required=False)
    visibility = forms.ChoiceField(
        label="Visibilité", choices=Visibility.explained_choices(), widget=forms.RadioSelect,
        initial=Visibility.EPCI,
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("changed_on", timezone.localdate())


class QuestionForm(VersionedForm, forms.Form):
    theme = forms.ChoiceField(label="Thème", choices=[(t.value, t.label) for t in GUIDE_THEMES])
    text = forms.CharField(label="Question", max_length=300)
    type = forms.ChoiceField(label="Type de réponse", choices=QuestionType.choices)
    choices = forms.CharField(
        label="Choix proposés",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Pour une question à choix : un choix par ligne.",
    )
    help_text = forms.CharField(label="Aide", max_length=300, required=False)
    min_value = forms.CharField(
        label="Valeur minimale",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Pour une réponse numérique : 0 pour un montant, un effectif ou un pourcentage.",
    )
    max_value = forms.CharField(
        label="Valeur maximale",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Pour une réponse numérique : 100 pour un pourcentage.",
    )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def clean_min_value(self) -> Decimal | None:
        return _optional_number(self.cleaned_data["min_value"])

    def clean_max_value(self) -> Decimal | None:
        return _optional_number(self.cleaned_data["max_value"])

    def clean(self):
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if data.get("type") != QuestionType.NUMBER and (low is not None or high is not None):
            self.add_error("min_value", "Seules les questions à réponse numérique ont des bornes.")
        elif low is not None and high is not None and low > high:
            self.add_error("max_value", "La valeur maximale est inférieure à la valeur minimale.")
        return data

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        return {
            "theme": question.theme,
            "text": question.text,
            "type": question.type,
            "choices": "\n".join(question.choices),
            "help_text": question.help_text,
            "min_value": _number_text(question.min_value),
            "max_value": _number_text(question.max_value),
        }


class PublishForm(forms.Form):
    change_note = forms.CharField(
        label="Ce qui change", max_length=255, required=False,
        help_text="Par exemple : questions sur l'export revues.",
    )  # fmt: skip


THEME_LABELS = dict(Theme.choices)


class VisitPlanForm(forms.Form):
    """« Planifier une visite » from an establishment page: one planned site visit, and the
    target of the chosen campaign set to « rendez-vous fixé »."""

    day = _date_field("Date", help_text="À partir de demain.")
    time = _time_field("Heure")
    participants = forms.ModelMultipleChoiceField(
        label="Qui",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Le chef de projet TI ou des agents de l'EPCI.",
        error_messages={"required": "Indiquez qui fera la visite."},
    )
    campaign = forms.ChoiceField(label="Campagne de prospection", required=False)

    def __init__(self, *args, establishment, user, campaigns, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaigns = {str(c.pk): c for c in campaigns}
        self.fields["participants"].queryset = team_members(establishment.epci)
        self.initial.setdefault("participants", [user.pk])
        self.fields["campaign"].choices = [("", "Aucune")] + [
            (pk, c.name) for pk, c in self.campaigns.items()
        ]

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            data["at"] = timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))
        data["campaign"] = self.campaigns.get(data.get("campaign") or "")
        return data
