"""Governance in the leak matrix, under its own rule (docs/governance.md#permissions), not the
follow-up one: bodies are read by every member organisation of the territory (TI manager,
EPCI agents, partner), never by an administrator without another role, another territory or
an account without membership; a meeting (and its agenda, outcomes, minutes) likewise, except
a bilateral meeting with one EPCI — the specimens with visibility EPCI — read only by the TI
managers and that EPCI's agents. Other visibilities stand for an open meeting."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from pilote.core.enums import Visibility
from pilote.governance import minutes as minutes_services
from pilote.governance import services
from pilote.governance.enums import BodyKind, MeetingStatus, OutcomeKind
from pilote.governance.models import Body
from tests.leak_matrix import LeakCase, register

READERS = {"manager", "agent_e1", "agent_e2", "partner"}


def body_visible(actor, epci, visibility, author) -> bool:
    return actor in READERS


def meeting_visible(actor, epci, visibility, author) -> bool:
    if actor not in READERS:
        return False
    if visibility == Visibility.EPCI:  # a bilateral meeting with that EPCI
        return actor in {"manager", f"agent_{epci}"}
    return True


def _tag(epci, visibility, author) -> str:
    return f"{epci}-{visibility}-{author}"


def make_body(world, *, epci, visibility, author):
    body = services.body_create(
        acting_user=None, territory=world.territory_a, kind=BodyKind.TECHNICAL,
        name=f"Instance-{_tag(epci, visibility, author)}", required_per_year=2,
        organisations=[world.orgs["cci"]],
    )  # fmt: skip
    services.member_add(acting_user=None, body=body, name="Membre témoin", role="Directeur")
    return body


def _shared_body(world) -> Body:
    found = Body.objects.filter(territory=world.territory_a, name="Instance témoin").first()
    return found or services.body_create(
        acting_user=None, territory=world.territory_a, name="Instance témoin",
        kind=BodyKind.STEERING, required_per_year=3,
    )  # fmt: skip


def _meeting(world, title, *, epci, visibility):
    return services.meeting_create(
        acting_user=None, body=_shared_body(world), title=title,
        starts_at=timezone.now() - dt.timedelta(days=2), status=MeetingStatus.PLANNED,
        epci=world.epcis[epci] if visibility == Visibility.EPCI else None,
    )  # fmt: skip


def _outcome(world, meeting, kind, text, **fields):
    item = services.agenda_item_create(acting_user=None, meeting=meeting, title="Point témoin")
    return services.outcome_create(acting_user=None, item=item, kind=kind, text=text, **fields)


def make_meeting(world, *, epci, visibility, author):
    meeting = _meeting(
        world, f"Réunion-{_tag(epci, visibility, author)}", epci=epci, visibility=visibility
    )
    _outcome(world, meeting, OutcomeKind.DECISION, "Décision sans nom")
    return meeting


def make_minutes(world, *, epci, visibility, author):
    tag = _tag(epci, visibility, author)
    meeting = _meeting(world, "Réunion du compte rendu", epci=epci, visibility=visibility)
    manager = world.users["manager"]  # the TI manager drafts and circulates
    minutes = minutes_services.minutes_save(
        acting_user=manager, meeting=meeting, text=f"Compte-rendu-{tag} : accord des partenaires."
    )
    return minutes_services.minutes_circulate(acting_user=manager, minutes=minutes)


def make_decision(world, *, epci, visibility, author):
    meeting = _meeting(world, "Réunion des décisions", epci=epci, visibility=visibility)
    return _outcome(
        world, meeting, OutcomeKind.DECISION, f"Décision-{_tag(epci, visibility, author)}"
    )


def make_action(world, *, epci, visibility, author):
    meeting = _meeting(world, "Réunion des actions", epci=epci, visibility=visibility)
    return _outcome(
        world, meeting, OutcomeKind.ACTION, f"Action-{_tag(epci, visibility, author)}",
        owner=world.users[author], due_on=timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip


def _url(name, *args) -> str:
    return reverse(f"governance:{name}", args=args)


def _decisions(**params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return lambda world: _url("decisions") + (f"?{query}" if query else "")


register(
    LeakCase(
        name="governance body",
        make=make_body,
        marker=lambda body: body.name,
        visible=body_visible,
        read_urls={"body": lambda body: _url("body", body.pk)},
        restricted_urls={
            "edit": lambda body: _url("body_edit", body.pk),
            "member add": lambda body: _url("member_add", body.pk),
            "member edit": lambda body: _url("member_edit", body.members.first().pk),
            "meeting create": lambda body: _url("meeting_create", body.pk),
        },
        # The list answers 404 to who reads no governance here: not a collection of the matrix
        # (200 for everyone), but it must never show a body to them.
        related_urls={"list": lambda body: _url("list")},
        post_urls={
            "body_edit": (lambda body: _url("body_edit", body.pk), None),
            "member_remove": (lambda body: _url("member_remove", body.members.first().pk), None),
        },
    )
)

register(
    LeakCase(
        name="governance meeting",
        make=make_meeting,
        marker=lambda meeting: meeting.title,
        visible=meeting_visible,
        read_urls={
            "meeting": lambda m: _url("meeting", m.pk),
            "pack": lambda m: _url("meeting_pack", m.pk),
            "ics": lambda m: _url("meeting_ics", m.pk),
        },
        restricted_urls={
            "edit": lambda m: _url("meeting_edit", m.pk),
            "agenda add": lambda m: _url("agenda_add", m.pk),
            "attendance": lambda m: _url("attendance", m.pk),
            "attendee add": lambda m: _url("attendee_add", m.pk),
            "minutes edit": lambda m: _url("minutes_edit", m.pk),
        },
        collection_urls={"decisions": _decisions(nature="tout")},
        related_urls={"body": lambda m: _url("body", m.body_id), "list": lambda m: _url("list")},
        post_urls={
            "meeting_cancel": (lambda m: _url("meeting_cancel", m.pk), None),
            "meeting_held": (lambda m: _url("meeting_held", m.pk), None),
            "agenda_add": (lambda m: _url("agenda_add", m.pk), None),
        },
    )
)

register(
    LeakCase(
        name="governance minutes",
        make=make_minutes,
        marker=lambda minutes: minutes.text.split(" ")[0],
        visible=meeting_visible,
        read_urls={"pdf": lambda mn: _url("minutes_pdf", mn.meeting_id)},
        restricted_urls={"edit": lambda mn: _url("minutes_edit", mn.meeting_id)},
        related_urls={"meeting": lambda mn: _url("meeting", mn.meeting_id)},
        post_urls={
            "minutes_comment": (
                lambda mn: _url("minutes_comment", mn.meeting_id),
                lambda mn, form: {"text": "Une précision sur le point 2."},
            ),
            "minutes_approve": (lambda mn: _url("minutes_approve", mn.meeting_id), None),
        },
    )
)

register(
    LeakCase(
        name="governance decision",
        make=make_decision,
        marker=lambda outcome: outcome.text,
        visible=meeting_visible,
        read_urls={"meeting": lambda o: _url("meeting", o.item.meeting_id)},
        restricted_urls={
            "outcome edit": lambda o: _url("outcome_edit", o.pk),
            "agenda edit": lambda o: _url("agenda_edit", o.item_id),
            "outcome add": lambda o: _url("outcome_add", o.item_id),
        },
        collection_urls={
            "decisions": _decisions(),
            "decisions search": _decisions(q="Décision"),
            "global search": lambda world: reverse("search:results") + "?q=Décision&type=decisions",
        },
        post_urls={
            "outcome_edit": (lambda o: _url("outcome_edit", o.pk), None),
            "agenda_delete": (lambda o: _url("agenda_delete", o.item_id), None),
        },
    )
)

register(
    LeakCase(
        name="governance action",
        make=make_action,
        marker=lambda outcome: outcome.text,
        visible=meeting_visible,
        read_urls={"meeting": lambda o: _url("meeting", o.item.meeting_id)},
        collection_urls={"actions": _decisions(nature="actions")},
        post_urls={"outcome_done": (lambda o: _url("outcome_done", o.pk), None)},
    )
)
