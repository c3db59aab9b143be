import re

from django import forms

from pilote.accounts import access
from pilote.accounts.access_forms import FollowUpFilterForm
from pilote.accounts.scope import get_scope
from pilote.companies.models import Establishment
from pilote.contacts.models import Contact
from pilote.core.enums import Visibility
from pilote.core.locking import VersionedForm

PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{5,24}$")


class EstablishmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} — {obj.city or obj.commune.name} ({obj.siret})"


class EstablishmentsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} — {obj.city or obj.commune.name} ({obj.siret})"


class ContactForm(VersionedForm, forms.ModelForm):
    """The person's sites are establishments of one company in the user's territories; the
    main one, on an EPCI the user may write on, decides the contact's EPCI."""

    main_establishment = EstablishmentChoiceField(
        label="Établissement principal",
        queryset=Establishment.objects.none(),
        empty_label=None,
        help_text="Le contact est rattaché à l'EPCI de cet établissement.",
    )
    establishments = EstablishmentsField(
        label="Sites où travaille cette personne (dont l'établissement principal)",
        queryset=Establishment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Contact
        fields = [
            "first_name", "last_name", "role", "email", "phone", "main_establishment",
            "establishments", "legal_basis", "source", "notes", "visibility",
        ]  # fmt: skip
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "legal_basis": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
        }

    def __init__(self, *args, user, company, **kwargs):
        super().__init__(*args, **kwargs)
        scope = get_scope(user)
        sites = (
            Establishment.objects.filter(company=company, epci_id__in=scope.territory_epci_ids)
            .select_related("company", "commune")
            .order_by("-is_head_office", "siret")
        )
        self.fields["main_establishment"].queryset = sites.filter(
            epci_id__in=access.writable_epci_ids(user)
        )
        self.fields["establishments"].queryset = sites
        self.fields["source"].widget.attrs["list"] = "sources-courantes"
        self.fields["visibility"].choices = Visibility.explained_choices()

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                "Saisissez un numéro de téléphone valide, par exemple 03 27 00 00 00."
            )
        return phone

    def sites(self) -> list:
        """The sites chosen, the main establishment always among them."""
        main = self.cleaned_data["main_establishment"]
        return [main, *(e for e in self.cleaned_data["establishments"] if e.pk != main.pk)]


class ContactFilterForm(FollowUpFilterForm):
    q = forms.CharField(label="Rechercher (nom, entreprise)", required=False)
