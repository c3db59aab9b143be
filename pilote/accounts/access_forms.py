from django import forms

from pilote.territories.models import Epci


class FollowUpFilterForm(forms.Form):
    """Search text and EPCI of the territory: the filters every follow-up list shares.

    Subclasses add their own fields and extend `filter()`.
    """

    q = forms.CharField(label="Rechercher", required=False)
    epci = forms.ModelChoiceField(
        label="EPCI", queryset=Epci.objects.none(), required=False, empty_label="Tous"
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["epci"].queryset = (
            Epci.objects.in_territory(territory) if territory else Epci.objects.none()
        )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        queryset = queryset.search(self.cleaned_data["q"])
        if self.cleaned_data["epci"]:
            queryset = queryset.filter(epci=self.cleaned_data["epci"])
        return queryset
