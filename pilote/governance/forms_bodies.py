"""The body and member forms (TI managers), and the filters of the decisions search."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from pilote.accounts.models import Organisation, User
from pilote.core.locking import VersionedForm
from pilote.governance.enums import OutcomeKind
from pilote.governance.models import Body, Member


def territory_users(territory):
    """The active accounts with an active membership of `territory`."""
    return (
        User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__territory=territory
        )
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def territory_organisations(territory):
    return Organisation.objects.filter(territories=territory).distinct().order_by("name")


class BodyForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Body
        fields = ["name", "kind", "description", "required_per_year", "organisations", "position"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "organisations": forms.CheckboxSelectMultiple,
        }
        error_messages = {"name": {"required": "Ce champ est obligatoire."}}

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.territory = territory
        self.fields["organisations"].queryset = territory_organisations(territory)
        self.fields["required_per_year"].help_text = "Laissez vide : selon les besoins."

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        taken = Body.objects.filter(territory=self.territory, name__iexact=name)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError("Une instance de ce territoire porte déjà ce nom.")
        return name

    def validate_unique(self):
        """The territory is not a field of the form: `clean_name` checks the unique name."""


class MemberForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["user", "name", "role", "organisation", "position"]
        labels = {"user": "Compte Pilote", "name": "Nom (sans compte Pilote)"}
        help_texts = {
            "user": "Un membre du territoire qui utilise Pilote…",
            "name": "… ou le nom d'une personne sans compte (élu, binôme industriel…).",
            "role": "Par exemple : vice-président en charge du développement économique.",
        }

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        users = territory_users(territory)
        if self.instance.user_id:  # keep the current account even if it left the territory
            users = User.objects.filter(Q(pk__in=users.values("pk")) | Q(pk=self.instance.user_id))
        self.fields["user"].queryset = users.order_by("last_name", "first_name", "email")
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.email
        self.fields["organisation"].queryset = territory_organisations(territory)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not (cleaned.get("name") or "").strip():
            raise forms.ValidationError("Choisissez un compte Pilote ou indiquez un nom.")
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


KIND_DECISIONS, KIND_ACTIONS, KIND_ALL = "decisions", "actions", "tout"
STATUS_OPEN, STATUS_DONE, STATUS_OVERDUE = "ouvertes", "faites", "en_retard"


class DecisionFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    nature = forms.ChoiceField(
        label="Nature",
        required=False,
        choices=[(KIND_DECISIONS, "Décisions"), (KIND_ACTIONS, "Actions"), (KIND_ALL, "Tout")],
    )
    statut = forms.ChoiceField(
        label="Actions",
        required=False,
        choices=[
            ("", "Toutes"),
            (STATUS_OPEN, "Ouvertes"),
            (STATUS_DONE, "Faites"),
            (STATUS_OVERDUE, "En retard"),
        ],
    )
    instance = forms.ModelChoiceField(
        label="Instance", queryset=Body.objects.none(), required=False, empty_label="Toutes"
    )
    annee = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, territory, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instance"].queryset = Body.objects.filter(territory=territory).order_by(
            "position", "name"
        )
        self.fields["annee"].choices = [("", "Toutes"), *((y, str(y)) for y in years)]

    def filter(self, outcomes, *, today):
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("nature") or KIND_DECISIONS
        if kind == KIND_DECISIONS:
            outcomes = outcomes.filter(kind=OutcomeKind.DECISION)
        elif kind == KIND_ACTIONS:
            outcomes = outcomes.filter(kind=OutcomeKind.ACTION)
        else:
            outcomes = outcomes.filter(kind__in=[OutcomeKind.DECISION, OutcomeKind.ACTION])
        status = data.get("statut")
        actions = Q(kind=OutcomeKind.ACTION)
        if status == STATUS_OPEN:
            outcomes = outcomes.filter(actions, done_on__isnull=True)
        elif status == STATUS_DONE:
            outcomes = outcomes.filter(actions, done_on__isnull=False)
        elif status == STATUS_OVERDUE:
            outcomes = outcomes.filter(actions, done_on__isnull=True, due_on__lt=today)
        text = (data.get("q") or "").strip()
        if text:
            outcomes = outcomes.filter(search_q(text))
        if data.get("instance"):
            outcomes = outcomes.filter(item__meeting__body=data["instance"])
        if data.get("annee"):
            outcomes = outcomes.filter(item__meeting__starts_at__year=data["annee"])
        return outcomes


def search_q(text: str) -> Q:
    """Every word of `text` in the outcome's text, its item's title or its meeting's title."""
    query = Q()
    for word in text.split():
        query &= (
            Q(text__icontains=word)
            | Q(item__title__icontains=word)
            | Q(item__meeting__title__icontains=word)
        )
    return query
