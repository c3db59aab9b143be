"""Minutes: drafted, circulated for comments, approved, locked — in that order only; a locked
minute never changes (the services, the model itself, the page), a correction is an
addendum; comments by the meeting's readers while circulated; the pages' permissions."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from pilote.core.locking import StaleEdit, version_of
from pilote.core.models import AuditEvent
from pilote.governance import minutes as svc
from pilote.governance import services
from pilote.governance.enums import BodyKind, MeetingStatus, MinutesStatus
from pilote.governance.models import Addendum, Body, Minutes, MinutesComment

pytestmark = pytest.mark.django_db


def body_of(world, name="COPIL convention", kind=BodyKind.STEERING):
    found = Body.objects.filter(territory=world.territory_a, name=name).first()
    return found or services.body_create(
        acting_user=None, territory=world.territory_a, name=name, kind=kind, required_per_year=3
    )


def meeting_of(world, body=None, *, days=-3, status=MeetingStatus.HELD, **fields):
    """A meeting of territory A, `days` from now (past and held by default)."""
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=days)
    return services.meeting_create(
        acting_user=None, body=body or body_of(world), title=fields.pop("title", "Séance"),
        starts_at=start, status=status, **fields,
    )  # fmt: skip


def locked_minutes(world, meeting=None, text="Texte arrêté."):
    meeting = meeting or meeting_of(world)
    minutes = svc.minutes_save(acting_user=None, meeting=meeting, text=text)
    for step in (svc.minutes_circulate, svc.minutes_approve, svc.minutes_lock):
        minutes = step(acting_user=None, minutes=minutes)
    return minutes


def _actions(minutes):
    return list(
        AuditEvent.objects.filter(object_id=str(minutes.pk), action__startswith="governance_min")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- The services -----------------------------------------------------------------------------


def test_the_whole_lifecycle_in_order_each_step_dated_and_audited(world):
    manager, partner = world.users["manager"], world.users["partner"]
    meeting = meeting_of(world)
    minutes = svc.minutes_save(acting_user=manager, meeting=meeting, text="Premier jet")
    assert (minutes.status, minutes.author) == (MinutesStatus.DRAFT, manager)
    minutes = svc.minutes_save(
        acting_user=manager, meeting=meeting, text="Deuxième jet", version=version_of(minutes)
    )
    assert Minutes.objects.get(meeting=meeting).text == "Deuxième jet"

    minutes = svc.minutes_circulate(acting_user=manager, minutes=minutes)
    assert minutes.status == MinutesStatus.CIRCULATED
    assert minutes.circulated_at is not None
    comment = svc.minutes_comment(acting_user=partner, minutes=minutes, text="Ajouter le budget.")
    assert (comment.author, comment.text) == (partner, "Ajouter le budget.")
    # Circulated minutes still take the edits (the answers to the comments), and stay circulated.
    minutes = svc.minutes_save(
        acting_user=manager, meeting=meeting, text="Avec le budget", version=version_of(minutes)
    )
    assert minutes.status == MinutesStatus.CIRCULATED

    minutes = svc.minutes_approve(acting_user=manager, minutes=minutes)
    assert minutes.status == MinutesStatus.APPROVED
    assert minutes.approved_at is not None
    minutes = svc.minutes_lock(acting_user=manager, minutes=minutes)
    assert minutes.is_locked
    assert minutes.locked_at is not None
    addendum = svc.addendum_add(acting_user=manager, minutes=minutes, text="Lire 12 000 €.")
    assert addendum.minutes == minutes
    assert Minutes.objects.get(pk=minutes.pk).text == "Avec le budget"
    assert _actions(minutes) == [
        "governance_minutes.create",
        "governance_minutes.update",
        "governance_minutes.circulated",
        "governance_minutes.comment",
        "governance_minutes.update",
        "governance_minutes.approved",
        "governance_minutes.locked",
        "governance_minutes.addendum",
    ]


def test_transitions_out_of_order_are_refused_and_change_nothing(world):
    meeting = meeting_of(world)
    minutes = svc.minutes_save(acting_user=None, meeting=meeting, text="Brouillon")
    for step in (svc.minutes_approve, svc.minutes_lock):
        with pytest.raises(ValidationError):
            step(acting_user=None, minutes=minutes)
    minutes = svc.minutes_circulate(acting_user=None, minutes=minutes)
    for step in (svc.minutes_circulate, svc.minutes_lock):
        with pytest.raises(ValidationError):
            step(acting_user=None, minutes=minutes)
    minutes = svc.minutes_approve(acting_user=None, minutes=minutes)
    for step in (svc.minutes_circulate, svc.minutes_approve):
        with pytest.raises(ValidationError):
            step(acting_user=None, minutes=minutes)
    minutes = svc.minutes_lock(acting_user=None, minutes=minutes)
    for step in (svc.minutes_circulate, svc.minutes_approve, svc.minutes_lock):
        with pytest.raises(ValidationError):
            step(acting_user=None, minutes=minutes)
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.LOCKED


def test_minutes_circulate_only_once_the_meeting_is_held_or_past(world):
    body = body_of(world)
    future = meeting_of(world, body, days=5, status=MeetingStatus.PLANNED)
    minutes = svc.minutes_save(acting_user=None, meeting=future, text="Préparé à l'avance")
    with pytest.raises(ValidationError, match="une fois la réunion tenue"):
        svc.minutes_circulate(acting_user=None, minutes=minutes)
    assert Minutes.objects.get(pk=minutes.pk).status == MinutesStatus.DRAFT
    past_planned = meeting_of(world, body, days=-1, status=MeetingStatus.PLANNED)
    minutes = svc.minutes_save(acting_user=None, meeting=past_planned, text="Tenue, pas marquée")
    assert svc.minutes_circulate(acting_user=None, minutes=minutes).circulated_at
    cancelled = meeting_of(world, body, days=-2, status=MeetingStatus.CANCELLED)
    with pytest.raises(ValidationError, match="annulée"):
        svc.minutes_save(acting_user=None, meeting=cancelled, text="…")


@pytest.mark.parametrize("stop", ["approved", "locked"])
def test_approved_or_locked_minutes_are_not_edited_through_the_service(world, stop):
    minutes = locked_minutes(world) if stop == "locked" else None
    if minutes is None:
        minutes = svc.minutes_save(
            acting_user=None, meeting=meeting_of(world), text="Texte arrêté."
        )
        minutes = svc.minutes_circulate(acting_user=None, minutes=minutes)
        minutes = svc.minutes_approve(acting_user=None, minutes=minutes)
    with pytest.raises(ValidationError) as refused:
        svc.minutes_save(
            acting_user=world.users["manager"], meeting=minutes.meeting, text="Réécrit",
            version=version_of(minutes),
        )  # fmt: skip
    assert refused.value.messages == [svc.FROZEN]
    assert Minutes.objects.get(pk=minutes.pk).text == "Texte arrêté."


def test_a_stale_edit_is_refused(world):
    meeting = meeting_of(world)
    minutes = svc.minutes_save(acting_user=None, meeting=meeting, text="v1")
    read_at = version_of(minutes)
    svc.minutes_save(
        acting_user=world.users["manager"], meeting=meeting, text="v2", version=read_at
    )
    with pytest.raises(StaleEdit):
        svc.minutes_save(
            acting_user=world.users["manager"], meeting=meeting, text="v3", version=read_at
        )
    assert Minutes.objects.get(pk=minutes.pk).text == "v2"


def test_a_locked_minute_never_changes_even_saved_directly(world):
    minutes = locked_minutes(world)
    stored = Minutes.objects.get(pk=minutes.pk)
    stored.text = "Changé en douce"
    with pytest.raises(ValidationError, match="verrouillé"):
        stored.save()
    stored = Minutes.objects.get(pk=minutes.pk)
    stored.status = MinutesStatus.DRAFT
    with pytest.raises(ValidationError):
        stored.save()
    stored = Minutes.objects.get(pk=minutes.pk)
    stored.locked_at = None
    with pytest.raises(ValidationError):
        stored.save()
    with pytest.raises(ValidationError), transaction.atomic():
        Minutes.objects.get(pk=minutes.pk).delete()
    Minutes.objects.get(pk=minutes.pk).save()  # saving it unchanged is harmless
    stored = Minutes.objects.get(pk=minutes.pk)
    assert (stored.text, stored.status) == ("Texte arrêté.", MinutesStatus.LOCKED)
    # Not locked yet: the same direct save goes through (the guard is about locked rows).
    draft = svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="Brouillon")
    draft.text = "Brouillon revu"
    draft.save()
    assert Minutes.objects.get(pk=draft.pk).text == "Brouillon revu"


def test_an_addendum_only_on_locked_minutes(world):
    minutes = svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="…")
    for step in (None, svc.minutes_circulate, svc.minutes_approve):
        if step:
            minutes = step(acting_user=None, minutes=minutes)
        with pytest.raises(ValidationError, match="verrouillé"):
            svc.addendum_add(acting_user=None, minutes=minutes, text="Correction")
    minutes = svc.minutes_lock(acting_user=None, minutes=minutes)
    with pytest.raises(ValidationError):
        svc.addendum_add(acting_user=None, minutes=minutes, text="   ")
    svc.addendum_add(acting_user=None, minutes=minutes, text="Correction")
    assert Addendum.objects.filter(minutes=minutes).count() == 1


def test_comments_only_while_circulated(world):
    partner = world.users["partner"]
    minutes = svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="…")
    with pytest.raises(ValidationError, match="relecture"):
        svc.minutes_comment(acting_user=partner, minutes=minutes, text="Trop tôt")
    minutes = svc.minutes_circulate(acting_user=None, minutes=minutes)
    svc.minutes_comment(acting_user=partner, minutes=minutes, text="Juste à temps")
    minutes = svc.minutes_approve(acting_user=None, minutes=minutes)
    with pytest.raises(ValidationError, match="relecture"):
        svc.minutes_comment(acting_user=partner, minutes=minutes, text="Trop tard")
    assert list(MinutesComment.objects.values_list("text", flat=True)) == ["Juste à temps"]


def test_only_the_ti_managers_write_the_minutes(world):
    meeting = meeting_of(world)
    for actor in ("agent_e1", "partner", "admin", "manager_b"):
        with pytest.raises(PermissionDenied):
            svc.minutes_save(acting_user=world.users[actor], meeting=meeting, text="…")
    minutes = svc.minutes_save(acting_user=world.users["manager"], meeting=meeting, text="…")
    for step in (svc.minutes_circulate, svc.minutes_approve, svc.minutes_lock):
        with pytest.raises(PermissionDenied):
            step(acting_user=world.users["agent_e1"], minutes=minutes)
        minutes = step(acting_user=world.users["manager"], minutes=minutes)
    with pytest.raises(PermissionDenied):
        svc.addendum_add(acting_user=world.users["agent_e1"], minutes=minutes, text="…")


def test_readers_comment_a_bilateral_meeting_is_its_epcis(world):
    open_minutes = svc.minutes_circulate(
        acting_user=None,
        minutes=svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="…"),
    )
    for actor in ("partner", "agent_e2", "agent_e1"):
        svc.minutes_comment(acting_user=world.users[actor], minutes=open_minutes, text=actor)
    for actor in ("admin", "agent_e3", "nobody"):
        with pytest.raises(PermissionDenied):
            svc.minutes_comment(acting_user=world.users[actor], minutes=open_minutes, text="…")
    bilateral = meeting_of(
        world, body_of(world, "Points bilatéraux", BodyKind.BILATERAL), epci=world.epcis["e1"]
    )
    minutes = svc.minutes_circulate(
        acting_user=None,
        minutes=svc.minutes_save(acting_user=None, meeting=bilateral, text="…"),
    )
    svc.minutes_comment(acting_user=world.users["agent_e1"], minutes=minutes, text="e1")
    for actor in ("agent_e2", "partner"):
        with pytest.raises(PermissionDenied):
            svc.minutes_comment(acting_user=world.users[actor], minutes=minutes, text="…")
    assert list(minutes.comments.values_list("text", flat=True)) == ["e1"]


# --- The pages --------------------------------------------------------------------------------


def _url(name, meeting):
    return reverse(f"governance:{name}", args=[meeting.pk])


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_the_manager_drafts_then_runs_the_lifecycle_through_the_pages(world, login):
    meeting = meeting_of(world)
    client = login(world.users["manager"])
    page = client.get(_url("minutes_edit", meeting))
    assert page.status_code == 200
    assert 'name="text"' in page.content.decode()
    response = client.post(_url("minutes_edit", meeting), {"text": "## Relevé\n\n**Accord**"})
    assert response.status_code == 302
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.text == "## Relevé\n\n**Accord**"
    # Editing again: the form carries the version it read.
    response = client.post(
        _url("minutes_edit", meeting), {"text": "Version 2", "version": version_of(minutes)}
    )
    assert response.status_code == 302
    stale = client.post(
        _url("minutes_edit", meeting), {"text": "Version 3", "version": version_of(minutes)}
    )
    assert stale.status_code == 200
    assert "a été modifiée" in stale.content.decode()
    assert Minutes.objects.get(pk=minutes.pk).text == "Version 2"
    for name, status in (
        ("minutes_circulate", MinutesStatus.CIRCULATED),
        ("minutes_approve", MinutesStatus.APPROVED),
        ("minutes_lock", MinutesStatus.LOCKED),
    ):
        assert client.get(_url(name, meeting)).status_code == 405
        assert client.post(_url(name, meeting)).status_code == 302
        assert Minutes.objects.get(pk=minutes.pk).status == status
    response = client.post(_url("minutes_approve", meeting))
    assert "Seul un compte rendu diffusé" in _messages(response)
    client.post(_url("addendum_add", meeting), {"text": "Correction du montant"})
    assert list(minutes.addenda.values_list("text", flat=True)) == ["Correction du montant"]


@pytest.mark.parametrize("stop", ["approved", "locked"])
def test_frozen_minutes_are_not_edited_through_the_page(world, login, stop):
    minutes = locked_minutes(world)
    if stop == "approved":
        Minutes.objects.filter(pk=minutes.pk).update(status=MinutesStatus.APPROVED)
        minutes.refresh_from_db()
    client = login(world.users["manager"])
    page = client.get(_url("minutes_edit", minutes.meeting)).content.decode()
    assert svc.FROZEN in page
    assert "Texte arrêté." in page
    assert 'name="version"' not in page
    assert ('action="' + _url("addendum_add", minutes.meeting)) in page or stop == "approved"
    before = Minutes.objects.get(pk=minutes.pk).updated_at
    response = client.post(
        _url("minutes_edit", minutes.meeting), {"text": "Réécrit", "version": version_of(minutes)}
    )
    assert response.status_code == 409
    assert svc.FROZEN in response.content.decode()
    stored = Minutes.objects.get(pk=minutes.pk)
    assert (stored.text, stored.updated_at) == ("Texte arrêté.", before)


def test_an_addendum_on_unlocked_minutes_is_refused_by_the_page(world, login):
    minutes = svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="…")
    client = login(world.users["manager"])
    response = client.post(_url("addendum_add", minutes.meeting), {"text": "Trop tôt"})
    assert response.status_code == 302
    assert "ne s'ajoute qu'à un compte rendu verrouillé" in _messages(response)
    assert not Addendum.objects.exists()


def test_the_writes_answer_404_to_readers_who_do_not_run_the_governance(world, login):
    minutes = locked_minutes(world)
    meeting = minutes.meeting
    for actor in ("agent_e1", "partner", "admin", "manager_b", "nobody"):
        client = login(world.users[actor])
        assert client.get(_url("minutes_edit", meeting)).status_code == 404, actor
        for name in ("minutes_edit", "minutes_circulate", "minutes_approve", "minutes_lock"):
            assert client.post(_url(name, meeting), {"text": "x"}).status_code == 404, actor
        assert client.post(_url("addendum_add", meeting), {"text": "x"}).status_code == 404
    assert not Addendum.objects.exists()


def test_readers_comment_through_the_page_and_others_get_404(world, login):
    bilateral = meeting_of(
        world, body_of(world, "Points bilatéraux", BodyKind.BILATERAL), epci=world.epcis["e1"]
    )
    minutes = svc.minutes_circulate(
        acting_user=None, minutes=svc.minutes_save(acting_user=None, meeting=bilateral, text="…")
    )
    url = _url("minutes_comment", bilateral)
    for actor in ("agent_e2", "partner", "admin", "agent_e3"):
        assert login(world.users[actor]).post(url, {"text": "x"}).status_code == 404, actor
    assert login(world.users["agent_e1"]).post(url, {"text": "Vu"}).status_code == 302
    open_minutes = svc.minutes_circulate(
        acting_user=None,
        minutes=svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="…"),
    )
    client = login(world.users["partner"])
    assert (
        client.post(_url("minutes_comment", open_minutes.meeting), {"text": "Ok"}).status_code
        == 302
    )
    assert list(minutes.comments.values_list("text", flat=True)) == ["Vu"]
    assert list(open_minutes.comments.values_list("text", flat=True)) == ["Ok"]
    empty = client.post(_url("minutes_comment", open_minutes.meeting), {"text": ""})
    assert "Écrivez votre commentaire." in _messages(empty)


def _href(name, minutes) -> str:
    return f'"{_url(name, minutes.meeting)}"'


def _block(world, actor, minutes):
    request = RequestFactory().get("/")
    request.user = world.users[actor]
    context = {
        "meeting": minutes.meeting,
        "minutes": minutes,
        "can_manage": actor == "manager",
        "request": request,
    }
    return render_to_string("governance/_minutes.html", context, request=request)


def test_the_minutes_block_shows_the_text_and_the_actions_allowed(world):
    minutes = svc.minutes_save(
        acting_user=None, meeting=meeting_of(world), text="**Accord** <script>x</script>"
    )
    html = _block(world, "manager", minutes)
    assert "<strong>Accord</strong>" in html
    assert "<script>" not in html
    assert _href("minutes_circulate", minutes) in html
    assert _href("minutes_edit", minutes) in html
    assert _href("minutes_circulate", minutes) not in _block(world, "partner", minutes)
    minutes = svc.minutes_circulate(acting_user=None, minutes=minutes)
    svc.minutes_comment(acting_user=world.users["partner"], minutes=minutes, text="Précisez.")
    html = _block(world, "partner", minutes)
    assert _href("minutes_comment", minutes) in html
    assert "Précisez." in html
    assert _href("minutes_approve", minutes) not in html
    assert _href("minutes_approve", minutes) in _block(world, "manager", minutes)
    minutes = svc.minutes_lock(
        acting_user=None, minutes=svc.minutes_approve(acting_user=None, minutes=minutes)
    )
    svc.addendum_add(acting_user=None, minutes=minutes, text="Lire *douze*.")
    html = _block(world, "manager", minutes)
    assert "Verrouillé" in html
    assert "<em>douze</em>" in html
    assert _href("addendum_add", minutes) in html
    assert _href("minutes_edit", minutes) not in html
    assert _href("minutes_comment", minutes) not in html
    assert _href("addendum_add", minutes) not in _block(world, "agent_e1", minutes)


def test_the_meeting_page_carries_the_minutes_and_documents_blocks(world, login):
    minutes = locked_minutes(world)
    svc.addendum_add(acting_user=None, minutes=minutes, text="Correction **douze**")
    url = reverse("governance:meeting", args=[minutes.meeting.pk])
    for actor in ("manager", "partner", "agent_e1"):
        html = login(world.users[actor]).get(url).content.decode()
        assert "Texte arrêté." in html
        assert "<strong>douze</strong>" in html
        assert _href("minutes_pdf", minutes) in html
        assert _href("meeting_pack", minutes) in html
        assert _href("meeting_ics", minutes) in html
        assert _href("invitations_send", minutes) not in html  # a held meeting: no invitation
        assert (_href("addendum_add", minutes) in html) == (actor == "manager"), actor
    coming = meeting_of(world, days=10, status=MeetingStatus.PLANNED, title="À venir")
    for actor in ("manager", "partner", "agent_e1"):
        html = login(world.users[actor]).get(coming.get_absolute_url()).content.decode()
        invite = f'"{reverse("governance:invitations_send", args=[coming.pk])}"'
        assert (invite in html) == (actor == "manager"), actor
    draft = svc.minutes_save(acting_user=None, meeting=meeting_of(world), text="…")
    svc.minutes_circulate(acting_user=None, minutes=draft)
    html = login(world.users["partner"]).get(draft.meeting.get_absolute_url()).content.decode()
    assert _href("minutes_comment", draft) in html
