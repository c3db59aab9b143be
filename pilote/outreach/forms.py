"""Forms of the newsletter's pages: subscribers, the do-not-contact list, issues, and the
public subscription form."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from pilote.core.locking import VersionedForm
from pilote.outreach.enums import (
    IssueStatus,
    LegalBasis,
    SectionKind,
    SubscriberKind,
    SubscriberStatus,
)
from pilote.outreach.models import Issue, Subscriber
from pilote.outreach.sections import HINTS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
PROOF_HELP = (
    "Comment et quand la personne a accepté : « bulletin signé à l'atelier du 12/03/2026 », "
    "« demande par courriel du 05/02/2026 »… Pour une autre base légale, dites laquelle et "
    "pourquoi."
)
# The purpose shown next to the consent checkbox of the public form, word for word.
PURPOSE = (
    "J'accepte de recevoir par courriel la lettre d'information du Territoire d'industrie "
    "{territory}, environ six fois par an. Mon adresse, mon nom et mon organisation ne "
    "servent qu'à cet envoi ; je peux me désabonner à tout moment par le lien présent dans "
    "chaque lettre."
)


class SubscriberForm(VersionedForm, forms.ModelForm):
    class Meta:
        model = Subscriber
        fields = [
            "email", "first_name", "last_name", "organisation", "kind", "legal_basis",
            "consent_proof",
        ]  # fmt: skip
        widgets = {"consent_proof": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"consent_proof": PROOF_HELP}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class SubscriberFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), *SubscriberStatus.choices]
    )
    kind = forms.ChoiceField(
        label="Catégorie", required=False, choices=[("", "Toutes"), *SubscriberKind.choices]
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        for word in self.cleaned_data["q"].split():
            queryset = queryset.filter(
                Q(email__icontains=word)
                | Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(organisation__icontains=word)
            )
        if self.cleaned_data["status"]:
            queryset = queryset.filter(status=self.cleaned_data["status"])
        if self.cleaned_data["kind"]:
            queryset = queryset.filter(kind=self.cleaned_data["kind"])
        return queryset


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, contact) -> str:
        return f"{contact.full_name} — {contact.email} ({contact.company.display_name})"


class FromContactsForm(forms.Form):
    contacts = ContactChoiceField(
        label="Contacts à abonner",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un contact."},
    )
    kind = forms.ChoiceField(
        label="Catégorie", choices=SubscriberKind.choices, initial=SubscriberKind.INDUSTRIAL
    )
    legal_basis = forms.ChoiceField(
        label="Base légale", choices=LegalBasis.choices, initial=LegalBasis.CONSENT
    )
    consent_proof = forms.CharField(
        label="Preuve du consentement (pour tous les contacts cochés)",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=PROOF_HELP,
    )

    def __init__(self, *args, contacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts


class BlockForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique")
    note = forms.CharField(
        label="Précision",
        required=False,
        max_length=300,
        help_text="Pourquoi ne plus écrire à cette adresse (demande reçue par téléphone…).",
    )


class IssueCreateForm(forms.Form):
    title = forms.CharField(label="Titre", max_length=200)
    published_on = forms.DateField(
        label="Date de parution",
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        help_text="Par exemple 15/04/2026. Elle figure en tête de la lettre.",
    )


def section_field(kind: str, part: str) -> str:
    return f"{kind}_{part}"


class IssueEditForm(VersionedForm, forms.Form):
    """The issue's title and date, and each fixed section's title and Markdown body, on one
    form."""

    title = forms.CharField(label="Titre", max_length=200)
    published_on = forms.DateField(
        label="Date de parution",
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
    )

    def __init__(self, *args, issue: Issue, **kwargs):
        self.issue = issue
        initial = {"title": issue.title, "published_on": issue.published_on}
        self.section_list = list(issue.sections.all())
        for section in self.section_list:
            initial[section_field(section.kind, "title")] = section.title
            initial[section_field(section.kind, "body")] = section.body
        super().__init__(*args, record=issue, initial=initial, **kwargs)
        for section in self.section_list:
            label = SectionKind(section.kind).label
            self.fields[section_field(section.kind, "title")] = forms.CharField(
                label=f"Titre de la rubrique « {label} »", max_length=200, required=False
            )
            self.fields[section_field(section.kind, "body")] = forms.CharField(
                label=f"Texte de la rubrique « {label} »",
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=f"{HINTS.get(section.kind, '')} Mise en forme Markdown ; une "
                "rubrique vide ne paraît pas.",
            )

    def sections(self) -> list[dict]:
        """One entry per section, with its two bound fields, for the template."""
        return [
            {
                "section": s,
                "title": self[section_field(s.kind, "title")],
                "body": self[section_field(s.kind, "body")],
            }
            for s in self.section_list
        ]

    def section_changes(self) -> dict[str, dict[str, str]]:
        return {
            s.kind: {
                "title": self.cleaned_data[section_field(s.kind, "title")],
                "body": self.cleaned_data[section_field(s.kind, "body")],
            }
            for s in self.section_list
        }


class IssueStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(IssueStatus.DRAFT, ""), (IssueStatus.READY, "")])
    version = forms.CharField(required=False, widget=forms.HiddenInput)


class PublicSubscribeForm(forms.Form):
    """The public form. `website` is a honeypot: hidden from people (class `fr-hidden`, not
    focusable), filled by robots; a filled one is answered like any other but records
    nothing."""

    email = forms.EmailField(label="Adresse électronique", max_length=254)
    first_name = forms.CharField(label="Prénom", required=False, max_length=100)
    last_name = forms.CharField(label="Nom", required=False, max_length=100)
    organisation = forms.CharField(label="Organisation", required=False, max_length=200)
    kind = forms.ChoiceField(
        label="Vous êtes", choices=SubscriberKind.choices, initial=SubscriberKind.INDUSTRIAL
    )
    consent = forms.BooleanField(
        label="",
        error_messages={"required": "Cochez la case pour accepter de recevoir la lettre."},
    )
    website = forms.CharField(
        label="Ne pas remplir ce champ",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = PURPOSE.format(territory=territory.name)
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    @property
    def is_robot(self) -> bool:
        return bool((self.data.get("website") or "").strip())


class TrackingForm(forms.Form):
    """The list's settings the team changes: the measure of opens and clicks."""

    tracking = forms.BooleanField(
        label="Mesurer les ouvertures et les clics",
        required=False,
        help_text="Désactivée par défaut. Activée, chaque lettre envoyée porte une image d'un "
        "pixel (première ouverture) et ses liens passent par Pilote (clics, rattachés à "
        "l'entreprise de l'abonné) ; la page « Données personnelles » le dit.",
    )
