"""Optimistic locking: two people edit the same record from forms read at the same version.

The first save wins; the second, from a stale form, is refused and changes nothing — never a
silent revert of the first change. One case per editable kind, through its update service,
and the note and interaction forms end to end (message, stored values, deliberate resubmit).
"""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from pilote.accompaniment import services as accompaniment
from pilote.aids import services as aids
from pilote.aids.models import SchemeNote
from pilote.companies import services as companies
from pilote.contacts import services as contacts
from pilote.core.enums import Visibility
from pilote.core.locking import StaleEdit, version_of
from pilote.notes import services as notes
from pilote.prospecting import services as prospecting
from tests.accompaniment.factories import (
    ActionFactory,
    DiagnosticFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    guide_of,
    meeting_of,
    site_of,
    written_by,
)
from tests.aids.factories import AidSchemeFactory, CallWindowFactory
from tests.contacts.factories import ContactFactory
from tests.factories import NoteFactory, SectorFactory
from tests.prospecting.factories import TargetFactory, campaign_of

pytestmark = pytest.mark.django_db


@dataclass
class Kind:
    make: Any  # (world) -> the record
    update: Any  # (user, record, version, **changes) -> the service call
    first: dict  # what the first editor changes
    second: dict  # what the second editor, from a stale form, changes


def _record(factory):
    return lambda world: factory(
        establishment=site_of(world, "e1"), **written_by(world, "agent_e1")
    )


def _scheme_note(world):
    return SchemeNote.objects.create(
        scheme=AidSchemeFactory(),
        epci=world.epcis["e1"],
        body="Première note",
        visibility=Visibility.EPCI,
        **written_by(world, "agent_e1"),
    )


KINDS = {
    "note": Kind(
        lambda w: NoteFactory(epci=w.epcis["e1"], **written_by(w, "agent_e1")),
        lambda u, r, v, **c: notes.note_update(acting_user=u, note=r, version=v, **c),
        {"body": "Description revue"},
        {"title": "Titre revu"},
    ),
    "contact": Kind(
        lambda w: ContactFactory(main_establishment=site_of(w, "e1"), **written_by(w, "agent_e1")),
        lambda u, r, v, **c: contacts.contact_update(acting_user=u, contact=r, version=v, **c),
        {"phone": "03 27 00 00 01"},
        {"role": "Directrice"},
    ),
    "campaign": Kind(
        lambda w: campaign_of(w, "e1", "agent_e1"),
        lambda u, r, v, **c: prospecting.campaign_update(acting_user=u, campaign=r, version=v, **c),
        {"description": "Les fonderies d'abord"},
        {"name": "Campagne revue"},
    ),
    "target": Kind(
        lambda w: TargetFactory(campaign=campaign_of(w, "e1", "agent_e1")),
        lambda u, r, v, **c: prospecting.target_update_status(
            acting_user=u, target=r, version=v, status=r.status, **c
        ),
        {"note": "Rappeler lundi"},
        {"note": "Ne plus appeler"},
    ),
    "interaction": Kind(
        lambda w: meeting_of(w, "e1", "agent_e1"),
        lambda u, r, v, **c: accompaniment.interaction_update(
            acting_user=u, interaction=r, version=v, **c
        ),
        {"summary": "Compte rendu complet"},
        {"time_spent_minutes": 45},
    ),
    "need": Kind(
        _record(NeedFactory),
        lambda u, r, v, **c: accompaniment.need_update(acting_user=u, need=r, version=v, **c),
        {"description": "Recruter deux soudeurs"},
        {"urgency": "low"},
    ),
    "project": Kind(
        _record(ProjectFactory),
        lambda u, r, v, **c: accompaniment.project_update(acting_user=u, project=r, version=v, **c),
        {"description": "Four électrique"},
        {"title": "Décarbonation"},
    ),
    "diagnostic": Kind(
        _record(DiagnosticFactory),
        lambda u, r, v, **c: accompaniment.diagnostic_update(
            acting_user=u, diagnostic=r, version=v, **c
        ),
        {"note": "Rapport attendu"},
        {"operator": "CCI"},
    ),
    "referral": Kind(
        _record(ReferralFactory),
        lambda u, r, v, **c: accompaniment.referral_update(
            acting_user=u, referral=r, version=v, **c
        ),
        {"subject": "Prêt vert"},
        {"outcome_note": "Sans suite"},
    ),
    "action": Kind(
        _record(ActionFactory),
        lambda u, r, v, **c: accompaniment.action_update(acting_user=u, action=r, version=v, **c),
        {"description": "Avec la fiche Bpifrance"},
        {"title": "Appeler le dirigeant"},
    ),
    "aid scheme": Kind(
        lambda w: AidSchemeFactory(title="Dispositif"),
        lambda u, r, v, **c: aids.scheme_update(acting_user=u, scheme=r, version=v, **c),
        {"description": "Nouvelle description"},
        {"title": "Nouveau titre"},
    ),
    "call window": Kind(
        lambda w: CallWindowFactory(),
        lambda u, r, v, **c: aids.window_update(acting_user=u, window=r, version=v, **c),
        {"label": "Vague 2"},
        {"label": "Vague 3"},
    ),
    "sector": Kind(
        lambda w: SectorFactory(territory=w.territory_a, name="Ferroviaire", slug="ferroviaire"),
        lambda u, r, v, **c: companies.sector_save(
            acting_user=u,
            territory=r.territory,
            sector=r,
            version=v,
            **{f: c.get(f, getattr(r, f)) for f in ("name", "slug", "naf_prefixes", "strategic")},
        ),
        {"naf_prefixes": ["30.20"]},
        {"strategic": True},
    ),
    "industrial scope": Kind(
        lambda w: companies.industrial_sections_set(
            acting_user=w.users["manager"], territory=w.territory_a, sections=["C"]
        ),
        lambda u, r, v, **c: companies.industrial_sections_set(
            acting_user=u, territory=r.territory, sections=c["industrial_sections"], version=v
        ),
        {"industrial_sections": ["C", "G"]},
        {"industrial_sections": ["C", "F"]},
    ),
    "score weights": Kind(
        lambda w: prospecting.weights_update(
            acting_user=w.users["manager"], territory=w.territory_a, industrial=20
        ),
        lambda u, r, v, **c: prospecting.weights_update(
            acting_user=u, territory=r.territory, version=v, **c
        ),
        {"industrial": 30},
        {"recent": 5},
    ),
    "guide question": Kind(
        lambda w: accompaniment.guide_start_draft(
            acting_user=w.users["manager"], guide=guide_of(w)
        ).questions.get(key="effectif"),
        lambda u, r, v, **c: accompaniment.question_update(
            acting_user=u, question=r, version=v, **c
        ),
        {"help_text": "En équivalent temps plein"},
        {"text": "Effectif total"},
    ),
    "saved search": Kind(
        lambda w: aids.search_create(acting_user=w.users["manager"], name="Export"),
        lambda u, r, v, **c: aids.search_update(acting_user=u, search=r, version=v, **c),
        {"query": "décarbonation"},
        {"name": "Export et décarbonation"},
    ),
    "scheme note": Kind(
        _scheme_note,
        lambda u, r, v, **c: aids.note_update(
            acting_user=u,
            note=r,
            version=v,
            body=c.get("body", r.body),
            visibility=c.get("visibility", r.visibility),
        ),
        {"body": "Note complétée"},
        {"visibility": Visibility.TERRITORY},
    ),
}


def _stored(record, fields):
    fresh = type(record).objects.get(pk=record.pk)
    return {name: getattr(fresh, name) for name in fields}


@pytest.mark.parametrize("kind", KINDS)
def test_a_stale_edit_is_refused_and_the_first_change_survives(world, kind):
    spec = KINDS[kind]
    manager = world.users["manager"]
    record = spec.make(world)
    read_at = version_of(record)  # both editors open the form now

    spec.update(manager, type(record).objects.get(pk=record.pk), read_at, **spec.first)
    assert _stored(record, spec.first) == spec.first

    untouched = _stored(record, spec.second)
    with pytest.raises(StaleEdit):
        spec.update(manager, type(record).objects.get(pk=record.pk), read_at, **spec.second)
    assert _stored(record, spec.first) == spec.first  # no silent revert
    assert _stored(record, spec.second) == untouched  # and nothing of the stale form

    # Having seen the refusal, the second editor saves from the current version.
    fresh = type(record).objects.get(pk=record.pk)
    spec.update(manager, fresh, version_of(fresh), **spec.second)
    assert _stored(record, {**spec.first, **spec.second}) == {**spec.first, **spec.second}


def _note_data(note, **changes):
    data = {
        "epci": note.epci_id,
        "title": note.title,
        "body": note.body,
        "visibility": note.visibility,
        "version": version_of(note),
    }
    return {**data, **changes}


def test_two_sessions_editing_a_note_never_silently_revert_each_other(world, login):
    note = NoteFactory(
        epci=world.epcis["e1"], title="Titre", body="Texte", **written_by(world, "agent_e1")
    )
    url = reverse("notes:edit", args=[note.pk])
    first, second = login(world.users["agent_e1"]), login(world.users["manager"])
    stale = _note_data(note)  # both forms read now

    assert first.post(url, {**stale, "body": "Texte complété"}).status_code == 302
    refused = second.post(url, {**stale, "title": "Titre revu"})

    assert refused.status_code == 200
    page = refused.content.decode()
    assert "a été modifiée par" in page
    assert "Valeur enregistrée : « Texte complété »" in page  # what changed meanwhile
    note.refresh_from_db()
    assert (note.title, note.body) == ("Titre", "Texte complété")
    # The refused form now carries the current version: submitting it again is deliberate.
    form = refused.context["form"]
    assert form.data["version"] == version_of(note)
    again = second.post(url, {**form.data.dict(), "title": "Titre revu", "body": note.body})
    assert again.status_code == 302
    note.refresh_from_db()
    assert (note.title, note.body) == ("Titre revu", "Texte complété")


def test_a_form_without_its_version_is_refused(world, login):
    note = NoteFactory(epci=world.epcis["e1"], title="Titre", **written_by(world, "agent_e1"))
    data = _note_data(note, title="Autre")
    del data["version"]
    response = login(world.users["agent_e1"]).post(reverse("notes:edit", args=[note.pk]), data)
    assert response.status_code == 200
    assert "rechargez la page" in response.content.decode()
    note.refresh_from_db()
    assert note.title == "Titre"


def test_a_stale_interaction_form_is_refused_with_what_changed(world, login):
    meeting = meeting_of(world, "e1", "agent_e1", summary="Premier compte rendu")
    url = reverse("accompaniment:interaction_edit", args=[meeting.pk])
    client = login(world.users["agent_e1"])
    form = client.get(url).context["form"]
    stale = {
        "kind": meeting.kind,
        "occurred_on": meeting.occurred_on.strftime("%d/%m/%Y"),
        "summary": meeting.summary,
        "company_summary": "",
        "time_spent_minutes": "60",
        "visibility": meeting.visibility,
        "version": form.fields["version"].initial,
    }
    accompaniment.interaction_update(
        acting_user=world.users["manager"],
        interaction=meeting,
        version=stale["version"],
        summary="Compte rendu du chef de projet",
    )
    response = client.post(url, {**stale, "time_spent_minutes": "75"})
    assert response.status_code == 200
    assert "Valeur enregistrée : « Compte rendu du chef de projet »" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.summary == "Compte rendu du chef de projet"
    assert meeting.time_spent_minutes != 75


def test_a_refused_form_never_names_a_contact_the_editor_cannot_see(world, login):
    meeting = meeting_of(world, "e1", "agent_e1")
    hidden = ContactFactory(
        main_establishment=meeting.establishment,
        last_name="Invisiblenom",
        visibility=Visibility.PRIVATE,
        **written_by(world, "manager"),
    )
    seen = ContactFactory(
        main_establishment=meeting.establishment,
        last_name="Visiblenom",
        **written_by(world, "agent_e1"),
    )
    url = reverse("accompaniment:interaction_edit", args=[meeting.pk])
    client = login(world.users["agent_e1"])
    read_at = client.get(url).context["form"].fields["version"].initial
    accompaniment.interaction_update(
        acting_user=world.users["manager"],
        interaction=meeting,
        version=read_at,
        contacts=[hidden, seen],
    )
    stale = {
        "kind": meeting.kind,
        "occurred_on": meeting.occurred_on.strftime("%d/%m/%Y"),
        "summary": "Autre compte rendu",
        "time_spent_minutes": "30",
        "visibility": meeting.visibility,
        "version": read_at,
    }
    page = client.post(url, stale).content.decode()
    assert "a été modifiée par" in page
    assert f"Valeur enregistrée : {seen.full_name}." in page  # what the editor may see
    assert "Invisiblenom" not in page
    meeting.refresh_from_db()
    assert set(meeting.contacts.all()) == {hidden, seen}


def test_the_refusal_shows_times_as_times_and_dates_as_dates():
    import datetime as dt

    from django import forms as django_forms

    from pilote.core.locking import _display

    class Form(django_forms.Form):
        at = django_forms.TimeField()
        day = django_forms.DateField()

    form = Form()
    assert _display(form, "at", dt.time(15, 0)) == "15:00"
    assert _display(form, "day", dt.date(2026, 12, 7)) == "07/12/2026"
