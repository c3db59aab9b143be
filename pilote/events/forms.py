"""Forms of the event pages: the event (a day, a start and an end time, Europe/Paris), the
list's filters, the public registration (consent, honeypot), the team's registration, the
establishment of a registration, the follow-up email."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils import timezone

from pilote.accompaniment.forms import DATE_INPUT_FORMATS, DATE_WIDGET
from pilote.companies.identifiers import clean_siret
from pilote.core.locking import VersionedForm
from pilote.events import perms
from pilote.events.enums import Audience, EventKind, EventStatus
from pilote.events.models import ATTENDANCE_VISIBILITIES, Event

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REQUIRED = {"required": "Ce champ est obligatoire."}


class EventForm(VersionedForm, forms.Form):
    kind = forms.ChoiceField(label="Type", choices=EventKind.choices)
    title = forms.CharField(label="Intitulé", max_length=200, error_messages=REQUIRED)
    description = forms.CharField(
        label="Présentation",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Mise en forme Markdown. Elle figure sur la page d'inscription publique.",
    )
    day = forms.DateField(
        label="Date",
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={**REQUIRED, "invalid": "Saisissez une date."},
    )
    start_time = forms.TimeField(
        label="Heure de début", widget=TIME_WIDGET, error_messages=REQUIRED
    )
    end_time = forms.TimeField(label="Heure de fin", widget=TIME_WIDGET, error_messages=REQUIRED)
    place = forms.CharField(
        label="Lieu",
        max_length=200,
        error_messages=REQUIRED,
        help_text="Par exemple : CCI Grand Hainaut, salle Watteau.",
    )
    address = forms.CharField(label="Adresse", max_length=300, required=False)
    epci = forms.ModelChoiceField(label="EPCI", queryset=None, required=False)
    capacity = forms.IntegerField(
        label="Nombre de places",
        required=False,
        min_value=1,
        help_text="Vide : sans limite. Au-delà, les inscrits vont en liste d'attente.",
    )
    registration_open = forms.BooleanField(
        label="Inscriptions ouvertes", required=False, initial=True
    )
    status = forms.ChoiceField(
        label="Statut",
        choices=EventStatus.choices,
        initial=EventStatus.PUBLISHED,
        help_text="Un brouillon n'est vu que par qui organise ; la page d'inscription n'ouvre "
        "qu'une fois l'événement publié.",
    )
    attendance_visibility = forms.ChoiceField(
        label="Visibilité des participations",
        choices=ATTENDANCE_VISIBILITIES,
        help_text="Qui voit, sur la fiche d'un établissement, l'inscription et la présence "
        "de ses représentants.",
    )

    def __init__(self, *args, user, territory, event: Event | None = None, **kwargs):
        if event is not None:
            local_start = timezone.localtime(event.starts_at)
            kwargs.setdefault("initial", {}).update(
                kind=event.kind,
                title=event.title,
                description=event.description,
                day=local_start.date(),
                start_time=local_start.time(),
                end_time=timezone.localtime(event.ends_at).time(),
                place=event.place,
                address=event.address,
                epci=event.epci,
                capacity=event.capacity,
                registration_open=event.registration_open,
                status=event.status,
                attendance_visibility=event.attendance_visibility,
            )
        super().__init__(*args, record=event, **kwargs)
        self.event = event
        choices = perms.creatable_epcis(user, territory)
        epcis, territory_wide = choices if choices is not None else (None, False)
        field = self.fields["epci"]
        field.queryset = epcis if epcis is not None else field.queryset
        if territory_wide:
            field.empty_label = "Tout le territoire"
            field.help_text = "Un EPCI pour un événement qui lui est propre (une permanence…)."
        else:
            field.required = True
            field.empty_label = None
        if event is None:
            self.fields["attendance_visibility"].initial = "territory"

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start and end:
            if end <= start:
                self.add_error("end_time", "L'heure de fin doit suivre l'heure de début.")
            cleaned["starts_at"] = timezone.make_aware(dt.datetime.combine(day, start))
            cleaned["ends_at"] = timezone.make_aware(dt.datetime.combine(day, end))
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        names = [
            "kind",
            "title",
            "description",
            "place",
            "address",
            "epci",
            "capacity",
            "registration_open",
            "status",
            "attendance_visibility",
            "starts_at",
            "ends_at",
        ]
        return {name: data.get(name) for name in names}

    def changed_values(self) -> dict:
        values = self.values()
        return {k: v for k, v in values.items() if getattr(self.event, k) != v}


class EventFilterForm(forms.Form):
    WHEN = [("a-venir", "À venir"), ("passes", "Passés"), ("tous", "Tous")]

    q = forms.CharField(
        label="Rechercher", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    quand = forms.ChoiceField(label="Période", choices=WHEN, required=False)
    kind = forms.ChoiceField(
        label="Type", choices=[("", "Tous"), *EventKind.choices], required=False
    )

    def filter(self, rows):
        if not self.is_valid():
            return rows.upcoming().order_by("starts_at", "pk")
        data = self.cleaned_data
        for word in data["q"].split():
            rows = rows.filter(Q(title__icontains=word) | Q(place__icontains=word))
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        when = data["quand"] or "a-venir"
        if when == "a-venir":
            return rows.upcoming().order_by("starts_at", "pk")
        if when == "passes":
            return rows.past().order_by("-starts_at", "-pk")
        return rows.order_by("-starts_at", "-pk")


class _PersonForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=100, error_messages=REQUIRED)
    last_name = forms.CharField(label="Nom", max_length=100, error_messages=REQUIRED)
    email = forms.EmailField(
        label="Adresse électronique",
        error_messages={**REQUIRED, "invalid": "Saisissez une adresse électronique valide."},
    )
    organisation_name = forms.CharField(
        label="Entreprise ou organisation", max_length=200, required=False
    )
    siret = forms.CharField(
        label="SIRET de l'établissement",
        required=False,
        max_length=20,
        help_text="Facultatif : 14 chiffres, pour rattacher votre participation à votre "
        "établissement.",
    )

    def clean_siret(self):
        value = self.cleaned_data["siret"].replace(" ", "")
        return clean_siret(value) if value else ""


class PublicRegistrationForm(_PersonForm):
    consent = forms.BooleanField(
        label="", error_messages={"required": "Votre accord est nécessaire pour vous inscrire."}
    )
    # The honeypot: hidden from people (class and aria-hidden), filled by robots.
    website = forms.CharField(
        label="Ne pas remplir",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, consent_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text


class TeamRegistrationForm(_PersonForm):
    email = forms.EmailField(
        label="Adresse électronique",
        required=False,
        help_text="Vide : pas de confirmation ni de rappel.",
    )


class EstablishmentForm(forms.Form):
    siret = forms.CharField(
        label="SIRET",
        max_length=20,
        required=False,
        help_text="Vide : détacher l'inscription de son établissement.",
    )

    def clean_siret(self):
        value = self.cleaned_data["siret"].replace(" ", "")
        return clean_siret(value) if value else ""


class FollowUpForm(forms.Form):
    audience = forms.ChoiceField(
        label="Destinataires", choices=Audience.choices, widget=forms.RadioSelect
    )
    subject = forms.CharField(label="Objet", max_length=200, error_messages=REQUIRED)
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages=REQUIRED,
        help_text="Chacun ne reçoit qu'un courriel de suite par événement.",
    )
