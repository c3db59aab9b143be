"""Governance forms: the meeting (a day, start and end times in Europe/Paris, the place, the
EPCI of a bilateral meeting, the recurrence), an agenda item with what it discusses (the
choices limited to what the editor sees), an outcome, the attendance and a guest."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from pilote.accompaniment.forms import DATE_INPUT_FORMATS, DATE_WIDGET
from pilote.core.locking import VersionedForm
from pilote.governance.enums import AttendanceStatus, MeetingStatus, OutcomeKind, Recurrence
from pilote.governance.models import AgendaItem, Outcome
from pilote.territories.models import Epci

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REQUIRED = {"required": "Ce champ est obligatoire."}
CHOICES_LIMIT = 200


class MeetingForm(VersionedForm, forms.Form):
    title = forms.CharField(label="Intitulé", max_length=200, error_messages=REQUIRED)
    day = forms.DateField(
        label="Date",
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={**REQUIRED, "invalid": "Saisissez une date."},
    )
    start_time = forms.TimeField(label="Heure", widget=TIME_WIDGET, error_messages=REQUIRED)
    end_time = forms.TimeField(label="Heure de fin", widget=TIME_WIDGET, required=False)
    place = forms.CharField(label="Lieu", max_length=200, required=False)
    status = forms.ChoiceField(
        label="Statut", choices=MeetingStatus.choices, initial=MeetingStatus.PLANNED
    )
    epci = forms.ModelChoiceField(
        label="EPCI (point bilatéral)",
        queryset=Epci.objects.none(),
        required=False,
        help_text="Un point bilatéral avec un EPCI n'est lu que par ses membres et les chefs "
        "de projet TI.",
    )
    recurrence = forms.ChoiceField(
        label="Récurrence", choices=Recurrence.choices, required=False, initial=Recurrence.NONE
    )
    recurrence_count = forms.IntegerField(
        label="Nombre d'occurrences",
        min_value=2,
        max_value=100,
        required=False,
        help_text="Pour une réunion récurrente : combien de fois en tout (vide : sans fin).",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, body, meeting=None, **kwargs):
        if meeting is not None:
            local = timezone.localtime(meeting.starts_at)
            kwargs.setdefault(
                "initial",
                {
                    "title": meeting.title,
                    "day": local.date(),
                    "start_time": local.time(),
                    "end_time": timezone.localtime(meeting.ends_at).time()
                    if meeting.ends_at
                    else None,
                    "place": meeting.place,
                    "status": meeting.status,
                    "epci": meeting.epci,
                    "recurrence": meeting.recurrence,
                    "recurrence_count": meeting.recurrence_count,
                    "notes": meeting.notes,
                },
            )
        else:
            kwargs.setdefault("initial", {"title": body.name})
        super().__init__(*args, record=meeting, **kwargs)
        self.fields["epci"].queryset = Epci.objects.in_territory(body.territory).order_by("name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "L'heure de fin doit suivre l'heure de début.")
        if not cleaned.get("recurrence"):
            cleaned["recurrence_count"] = None
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        starts_at = timezone.make_aware(dt.datetime.combine(data["day"], data["start_time"]))
        ends_at = None
        if data.get("end_time"):
            ends_at = timezone.make_aware(dt.datetime.combine(data["day"], data["end_time"]))
        return {
            "title": data["title"],
            "starts_at": starts_at,
            "ends_at": ends_at,
            "place": data["place"],
            "status": data["status"],
            "epci": data["epci"],
            "recurrence": data["recurrence"] or Recurrence.NONE,
            "recurrence_count": data["recurrence_count"],
            "notes": data["notes"],
        }


class _ProjectChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.title} — {obj.establishment.display_name}"


class _ApplicationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.label} — {obj.establishment.display_name}"


def _limited(queryset, keep_pk=None):
    """The first CHOICES_LIMIT records of `queryset`, plus `keep_pk` if it is in it, as a
    filterable queryset (a ModelChoiceField cannot validate against a slice)."""
    pks = list(queryset.values_list("pk", flat=True)[:CHOICES_LIMIT])
    if keep_pk is not None and keep_pk not in pks and queryset.filter(pk=keep_pk).exists():
        pks.append(keep_pk)
    return queryset.filter(pk__in=pks)


class AgendaItemForm(VersionedForm, forms.ModelForm):
    """A point of the agenda. The project and application choices are the records of the
    territory the editor sees (the most recent first); a link they cannot see is kept as it is
    and not offered."""

    indicator = forms.ChoiceField(label="Indicateur du programme", required=False)

    class Meta:
        model = AgendaItem
        fields = [
            "title", "description", "presenter", "duration_minutes", "project", "application",
            "call", "indicator", "position",
        ]  # fmt: skip
        field_classes = {"project": _ProjectChoice, "application": _ApplicationChoice}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": REQUIRED}

    def __init__(self, *args, user, meeting, **kwargs):
        from pilote.accompaniment.models import Project
        from pilote.aids.models import CallWindow
        from pilote.applications.models import Application
        from pilote.indicators.indicators import LABELS

        super().__init__(*args, **kwargs)
        item = self.instance
        epci_ids = meeting.body.territory.epcis.values("pk")
        for name, model in (("project", Project), ("application", Application)):
            queryset = (
                model.objects.visible_to(user)
                .filter(epci__in=epci_ids)
                .select_related("establishment__company")
                .order_by("-created_at", "-pk")
            )
            if name == "application":
                queryset = queryset.select_related("scheme")
            current = getattr(item, f"{name}_id")
            field = self.fields[name]
            field.queryset = _limited(queryset, current)
            if current is not None and not field.queryset.filter(pk=current).exists():
                field.disabled = True
                field.help_text = "Lien existant non visible pour vous : il est conservé."
        today = timezone.localdate()
        calls = CallWindow.objects.select_related("scheme").order_by("closes_on", "pk")
        open_calls = calls.exclude(closes_on__lt=today)
        if item.call_id:
            open_calls = open_calls | calls.filter(pk=item.call_id)
        self.fields["call"].queryset = _limited(open_calls, item.call_id)
        self.fields["call"].label = "Appel à projets (fenêtres ouvertes ou à venir)"
        self.fields["indicator"].choices = [("", "—"), *LABELS.items()]
        self.fields["position"].required = False
        self.fields["position"].help_text = "Vide : à la suite des autres points."
        if item.pk is None:
            self.initial.pop("position", None)
            self.fields["position"].initial = None

    def clean_position(self):
        return self.cleaned_data.get("position")


class OutcomeForm(VersionedForm, forms.ModelForm):
    """An outcome of an agenda item. The owner of an action: an active member of an
    organisation of the territory (the service also checks they read the meeting)."""

    class Meta:
        model = Outcome
        fields = ["kind", "text", "owner", "due_on", "done_on"]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 3}),
            "due_on": DATE_WIDGET,
            "done_on": DATE_WIDGET,
        }
        help_texts = {
            "owner": "Pour une action seulement.",
            "due_on": "Pour une action seulement.",
            "done_on": "Pour une action faite.",
        }

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = OutcomeKind.choices
        for name in ("due_on", "done_on"):
            self.fields[name].input_formats = DATE_INPUT_FORMATS
        owner = self.fields["owner"]
        owner.queryset = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__is_active=True,
                memberships__territory=meeting.body.territory,
            )
            .distinct()
            .order_by("last_name", "first_name", "email")
        )
        owner.label_from_instance = lambda u: u.get_full_name() or u.email
        if self.instance.pk is None:
            del self.fields["done_on"]


class AttendanceForm(forms.Form):
    """One select per invited person."""

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = list(attendees)
        for attendee in self.attendees:
            self.fields[f"status-{attendee.pk}"] = forms.ChoiceField(
                label=attendee.display_name,
                choices=AttendanceStatus.choices,
                initial=attendee.status,
            )

    def rows(self):
        return [(a, self[f"status-{a.pk}"]) for a in self.attendees]

    def marks(self):
        """(attendee, status) for each changed presence."""
        return [
            (a, self.cleaned_data[f"status-{a.pk}"])
            for a in self.attendees
            if self.cleaned_data[f"status-{a.pk}"] != a.status
        ]


class AttendeeForm(forms.Form):
    """Invite a member of the body not invited yet, or a guest by name."""

    member = forms.ModelChoiceField(
        label="Membre de l'instance", queryset=None, required=False, empty_label="— un invité —"
    )
    name = forms.CharField(label="Nom de l'invité", max_length=200, required=False)
    email = forms.EmailField(
        label="Adresse électronique",
        required=False,
        error_messages={"invalid": "Saisissez une adresse électronique valide."},
    )
    organisation_name = forms.CharField(label="Organisation", max_length=200, required=False)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        invited = meeting.attendees.filter(member__isnull=False).values("member_id")
        self.fields["member"].queryset = meeting.body.members.exclude(pk__in=invited)
        self.fields["member"].label_from_instance = lambda m: m.display_name

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("member") and not (cleaned.get("name") or "").strip():
            self.add_error("name", "Choisissez un membre ou indiquez le nom de l'invité.")
        return cleaned
