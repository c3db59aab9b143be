from django import forms

from pilote.search import registry

MAX_LENGTH = 100


class SearchForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=MAX_LENGTH)
    type = forms.ChoiceField(label="Afficher", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Tous les résultats")] + [
            (source.key, source.label) for source in registry.ordered()
        ]

    def text(self) -> str:
        if not self.is_valid():
            return ""
        return " ".join(self.cleaned_data["q"].split())

    def kind(self) -> str:
        return self.cleaned_data.get("type", "") if self.is_valid() else ""
