"""The meeting form: a day and a start time (Europe/Paris), the place, the EPCI of a
bilateral meeting, the notes."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from pilote.accompaniment.forms import DATE_INPUT_FORMATS, DATE_WIDGET
from pilote.governance.enums import MeetingStatus
from pilote.territories.models import Epci

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
REQUIRED = {"required": "Ce champ est obligatoire."}


class MeetingForm(forms.Form):
    title = forms.CharField(label="Intitulé", max_length=200, error_messages=REQUIRED)
    day = forms.DateField(
        label="Date",
        widget=DATE_WIDGET,
        input_formats=DATE_INPUT_FORMATS,
        error_messages={**REQUIRED, "invalid": "Saisissez une date."},
    )
    start_time = forms.TimeField(label="Heure", widget=TIME_WIDGET, error_messages=REQUIRED)
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
                    "place": meeting.place,
                    "status": meeting.status,
                    "epci": meeting.epci,
                    "notes": meeting.notes,
                },
            )
        else:
            kwargs.setdefault("initial", {"title": body.name})
        super().__init__(*args, **kwargs)
        self.fields["epci"].queryset = Epci.objects.in_territory(body.territory).order_by("name")

    def values(self) -> dict:
        data = self.cleaned_data
        starts_at = timezone.make_aware(dt.datetime.combine(data["day"], data["start_time"]))
        return {
            "title": data["title"],
            "starts_at": starts_at,
            "place": data["place"],
            "status": data["status"],
            "epci": data["epci"],
            "notes": data["notes"],
        }
