from django import forms

from pilote.accounts import access
from pilote.accounts.access_forms import FollowUpFilterForm
from pilote.core.enums import Visibility
from pilote.core.locking import VersionedForm
from pilote.notes.models import Note


class NoteForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Note
        fields = ["epci", "title", "body", "visibility"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args, user, establishment=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A note about an establishment goes to its EPCI.
        epci = establishment.epci_id if establishment is not None else None
        if epci is not None:
            self.initial["epci"] = epci
        self.fields["epci"].queryset = access.writable_epcis(user, epci=epci)
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
