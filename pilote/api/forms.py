from django import forms

from pilote.api.models import Scope
from pilote.api.services import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton",
        max_length=100,
        help_text="L'outil qui l'utilisera : « Tableau de bord Région », « CRM CCI »…",
    )
    scope = forms.ChoiceField(
        label="Portée", choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect
    )
    days = forms.IntegerField(
        label="Validité (jours)", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
