from django import forms

from pilote.core.enums import Visibility
from pilote.notes.models import Note
from pilote.notes.perms import writable_epci_ids
from pilote.territories.models import Epci


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["epci", "title", "body", "visibility"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, user, establishment=None, **kwargs):
        super().__init__(*args, **kwargs)
        writable = Epci.objects.filter(pk__in=writable_epci_ids(user))
        if establishment is not None:  # a note about an establishment goes to its EPCI
            writable = writable.filter(pk=establishment.epci_id)
            self.initial["epci"] = establishment.epci_id
        self.fields["epci"].queryset = writable
        self.fields["epci"].empty_label = None
        help_texts = Visibility.help_texts()
        self.fields["visibility"].choices = [
            (value, f"{label} — {help_texts[value]}") for value, label in Visibility.choices
        ]


class NoteFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False)
    epci = forms.ModelChoiceField(
        label="EPCI", queryset=Epci.objects.none(), required=False, empty_label="Tous"
    )
    visibility = forms.ChoiceField(
        label="Visibilité", choices=[("", "Toutes"), *Visibility.choices], required=False
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epci"].queryset = (
            Epci.objects.in_territory(territory) if territory else Epci.objects.none()
        )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        queryset = queryset.search(data["q"])
        if data["epci"]:
            queryset = queryset.filter(epci=data["epci"])
        if data["visibility"]:
            queryset = queryset.filter(visibility=data["visibility"])
        return queryset
