"""Optimistic locking: an edit carries the version of the record it was read at.

The version is the record's `updated_at`, to the microsecond (every editable model is a
`TimeStampedModel`, and every write goes through a service that saves it). An edit form
holds it in a hidden field (`VersionedForm`); the update service locks the row and compares
(`lock`). A form read before someone else's change is refused with `StaleEdit`, which says
who changed the record, when, and which of the submitted values now differ from the stored
ones — nothing is overwritten, nothing merged silently. Submitting again, having seen that,
is a deliberate choice: the refused form carries the new version.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db import models
from django.utils import timezone

from pilote.core.models import AuditEvent

FIELD = "version"
MISSING = "Ce formulaire ne dit pas quelle version de la fiche il modifie : rechargez la page."


def version_of(obj: models.Model) -> str:
    return obj.updated_at.isoformat() if getattr(obj, "updated_at", None) else ""


class StaleEdit(Exception):
    """The record changed since the form was read."""

    def __init__(self, current: models.Model):
        self.current = current
        self.event = AuditEvent.objects.for_object(current).first()
        super().__init__(self.message)

    @property
    def message(self) -> str:
        who = f" par {self.event.actor_label}" if self.event else ""
        when = timezone.localtime(self.current.updated_at)
        return (
            f"Cette fiche a été modifiée{who} le {when:%d/%m/%Y à %H:%M} après que vous l'avez "
            "ouverte. Vos modifications n'ont pas été enregistrées. Les champs signalés ont "
            "désormais une autre valeur que la vôtre : vérifiez-les, puis enregistrez à "
            "nouveau pour confirmer votre version."
        )


def lock(obj: models.Model, version: str | None) -> models.Model:
    """Lock `obj`'s row until the transaction ends and reload `obj` as stored (what a form
    changed in place is dropped: services take the changes as arguments). `version` is the
    one the form was read at (None: a system write, not checked); a different stored one
    raises `StaleEdit`. Call it inside the service's transaction, before any change."""
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    if version is not None and version_of(current) != version:
        raise StaleEdit(current)
    obj.refresh_from_db()
    return obj


def _display(form: forms.Form, name: str, value) -> str:
    field = form.fields.get(name)
    if value is None or value == "":
        return "vide"
    if isinstance(field, forms.ModelMultipleChoiceField):
        return ", ".join(str(v) for v in value) or "vide"
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, dt.datetime):
        return (
            timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
            if timezone.is_aware(value)
            else value.strftime("%d/%m/%Y %H:%M")
        )
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


class VersionedForm:
    """Mixin for a ModelForm editing a stored record: a hidden `version` field, and
    `refuse(stale)` to show what changed meanwhile."""

    def __init__(self, *args, record=None, **kwargs):
        """`record`: the edited record, for a plain Form (a ModelForm has its instance)."""
        super().__init__(*args, **kwargs)
        instance = record if record is not None else getattr(self, "instance", None)
        if instance is not None and instance.pk:
            self.fields[FIELD] = forms.CharField(
                widget=forms.HiddenInput, initial=version_of(instance), required=False
            )

    def clean(self):
        cleaned = super().clean()
        if FIELD in self.fields and not cleaned.get(FIELD):  # a hidden field: said above it
            raise forms.ValidationError(MISSING)
        return cleaned

    @property
    def version(self) -> str | None:
        return self.cleaned_data.get(FIELD) if FIELD in self.fields else None

    def changes(self) -> dict:
        """The submitted values that differ from the record as read, for the service."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name != FIELD}

    def refuse(self, stale: StaleEdit) -> None:
        """Turn the refused save into form errors: the message, and on each submitted field
        whose stored value now differs, that value. The form then carries the new version."""
        self.add_error(None, stale.message)
        for name in self.fields:
            if name == FIELD or not hasattr(stale.current, name):
                continue
            stored = getattr(stale.current, name)
            submitted = self.cleaned_data.get(name)
            if isinstance(self.fields[name], forms.ModelMultipleChoiceField):
                # Only among the choices the form offers: never name what the reader cannot see.
                offered = self.fields[name].queryset
                stored = stored.filter(pk__in=offered.values("pk"))
                if set(stored) != set(submitted or []):
                    self.add_error(name, f"Valeur enregistrée : {_display(self, name, stored)}.")
                continue
            if stored != submitted:
                self.add_error(name, f"Valeur enregistrée : « {_display(self, name, stored)} ».")
        data = self.data.copy()
        data[self.add_prefix(FIELD)] = version_of(stale.current)
        self.data = data
