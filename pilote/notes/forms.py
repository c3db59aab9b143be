from django import forms

from pilote.core.enums import Visibility
from pilote.core.forms import FollowUpFilterForm
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
        self.fields["visibility"].choices = Visibility.explained_choices()


class NoteFilterForm(FollowUpFilterForm):
    visibility = forms.ChoiceField(
        label="Visibilité", choices=[("", "Toutes"), *Visibility.choices], required=False
    )

    def filter(self, queryset):
        queryset = super().filter(queryset)
        if self.is_valid() and self.cleaned_data["visibility"]:
            queryset = queryset.filter(visibility=self.cleaned_data["visibility"])
        return queryset
