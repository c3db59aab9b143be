"""Governance services of a meeting: the agenda (linked records checked against the access
layer), attendance, outcomes (an action has an owner and a due date), the freeze once the
minutes are locked, who may write what, and one audit event per write."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from pilote.core import locking
from pilote.core.models import AuditEvent
from pilote.governance import services
from pilote.governance.enums import AttendanceStatus, BodyKind, MinutesStatus, OutcomeKind
from pilote.governance.models import AgendaItem, Attendee, Minutes, Outcome
from tests.accompaniment.factories import ProjectFactory, site_of, written_by
from tests.aids.factories import CallWindowFactory
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def copil(world):
    body = services.body_create(
        acting_user=None, territory=world.territory_a, name="COPIL convention",
        kind=BodyKind.STEERING, required_per_year=3,
    )  # fmt: skip
    services.member_add(acting_user=None, body=body, name="Jeanne Élue", role="Présidente")
    services.member_add(
        acting_user=None, body=body, user=world.users["agent_e1"], role="Directrice DEV",
        organisation=world.orgs["o1"],
    )  # fmt: skip
    return body


@pytest.fixture
def meeting(copil):
    return services.meeting_create(
        acting_user=None, body=copil, title="COPIL n°1", starts_at=at(dt.date(2026, 3, 10))
    )


def project_of(world, epci="e1", author="agent_e1", **fields):
    return ProjectFactory(establishment=site_of(world, epci), **written_by(world, author), **fields)


def events(action):
    return AuditEvent.objects.filter(action=action).count()


def test_agenda_items_are_numbered_in_order_linked_and_audited(world, meeting):
    manager = world.users["manager"]
    project = project_of(world, title="Extension de l'atelier")
    application = ApplicationFactory(
        establishment=site_of(world, "e2"), **written_by(world, "manager")
    )
    call = CallWindowFactory(label="Vague 2")
    first = services.agenda_item_create(
        acting_user=manager, meeting=meeting, title="Projets", project=project,
        application=application, call=call, indicator="projects", duration_minutes=20,
    )  # fmt: skip
    second = services.agenda_item_create(acting_user=manager, meeting=meeting, title="Divers")
    assert (first.position, second.position) == (1, 2)
    assert (first.project, first.call, first.indicator) == (project, call, "projects")
    assert events("governance_agenda_item.create") == 2
    services.agenda_item_update(acting_user=manager, item=second, title="Questions diverses")
    second.refresh_from_db()
    assert second.title == "Questions diverses"
    assert events("governance_agenda_item.update") == 1
    services.agenda_item_delete(acting_user=manager, item=first)
    assert list(meeting.agenda_items.values_list("title", flat=True)) == ["Questions diverses"]
    assert events("governance_agenda_item.delete") == 1


def test_only_the_managers_write_the_agenda(world, meeting):
    item = services.agenda_item_create(acting_user=None, meeting=meeting, title="Bilan")
    for actor in ("agent_e1", "partner", "admin", "manager_b", "nobody"):
        user = world.users[actor]
        with pytest.raises(PermissionDenied):
            services.agenda_item_create(acting_user=user, meeting=meeting, title="X")
        with pytest.raises(PermissionDenied):
            services.agenda_item_update(acting_user=user, item=item, title="X")
        with pytest.raises(PermissionDenied):
            services.agenda_item_delete(acting_user=user, item=item)
        with pytest.raises(PermissionDenied):
            services.attendee_add(acting_user=user, meeting=meeting, name="Invité")
        with pytest.raises(PermissionDenied):
            services.outcome_create(
                acting_user=user, item=item, kind=OutcomeKind.INFORMATION, text="X"
            )
    assert AgendaItem.objects.get().title == "Bilan"
    assert not Outcome.objects.exists()
    assert not Attendee.objects.exists()


def test_linked_records_must_be_visible_and_of_the_territory(world, meeting):
    manager = world.users["manager"]
    other_territory = project_of(world, "e3", "agent_e3", visibility="territory")
    other_application = ApplicationFactory(
        establishment=site_of(world, "e3"), **written_by(world, "agent_e3")
    )
    for field, record in (("project", other_territory), ("application", other_application)):
        for actor in (manager, None):  # not visible to the manager; not of the territory
            with pytest.raises(ValidationError) as exc:
                services.agenda_item_create(
                    acting_user=actor, meeting=meeting, title="X", **{field: record}
                )
            assert field in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.agenda_item_create(
            acting_user=manager, meeting=meeting, title="X", indicator="not_an_indicator"
        )
    assert "indicator" in exc.value.message_dict
    assert not AgendaItem.objects.exists()
    # The TI manager sees every record of the EPCIs they manage, a private one too.
    private_e2 = project_of(world, "e2", "agent_e2", visibility="private")
    item = services.agenda_item_create(
        acting_user=manager, meeting=meeting, title="X", project=private_e2
    )
    with pytest.raises(ValidationError):
        services.agenda_item_update(acting_user=manager, item=item, project=other_territory)
    item.refresh_from_db()
    assert item.project == private_e2


def test_a_stale_agenda_edit_is_refused(world, meeting):
    manager = world.users["manager"]
    item = services.agenda_item_create(acting_user=manager, meeting=meeting, title="Bilan")
    version = locking.version_of(item)
    services.agenda_item_update(acting_user=manager, item=item, version=version, title="A")
    with pytest.raises(locking.StaleEdit):
        services.agenda_item_update(acting_user=manager, item=item, version=version, title="B")
    item.refresh_from_db()
    assert item.title == "A"


def test_attendance_from_members_guests_and_marks(world, meeting):
    manager = world.users["manager"]
    assert services.attendees_from_members(acting_user=manager, meeting=meeting) == 2
    assert services.attendees_from_members(acting_user=manager, meeting=meeting) == 0
    assert events("governance_meeting.invite_members") == 1
    agent = meeting.attendees.get(member__user=world.users["agent_e1"])
    assert agent.email == "agent_e1@exemple.fr"
    assert agent.organisation_name == str(world.orgs["o1"])
    guest = services.attendee_add(
        acting_user=manager, meeting=meeting, name="M. Industriel", organisation_name="Usine"
    )
    with pytest.raises(ValidationError):
        services.attendee_add(acting_user=manager, meeting=meeting, name="  ")
    with pytest.raises(ValidationError):
        services.attendee_add(acting_user=manager, meeting=meeting, member=agent.member)
    services.attendance_mark(acting_user=manager, attendee=guest, status=AttendanceStatus.PRESENT)
    with pytest.raises(ValidationError):
        services.attendance_mark(acting_user=manager, attendee=guest, status="peut-être")
    with pytest.raises(PermissionDenied):
        services.attendance_mark(
            acting_user=world.users["agent_e1"], attendee=guest, status=AttendanceStatus.ABSENT
        )
    guest.refresh_from_db()
    assert guest.status == AttendanceStatus.PRESENT
    assert events("governance_attendee.update") == 1
    assert events("governance_attendee.create") == 1


def test_an_action_needs_an_owner_of_the_territory_and_a_due_date(world, meeting):
    manager = world.users["manager"]
    item = services.agenda_item_create(acting_user=manager, meeting=meeting, title="Suites")
    with pytest.raises(ValidationError) as exc:
        services.outcome_create(acting_user=manager, item=item, kind="action", text="Relancer")
    assert set(exc.value.message_dict) == {"owner", "due_on"}
    due = dt.date(2026, 4, 30)
    for outsider in ("agent_e3", "nobody", "admin"):
        with pytest.raises(ValidationError) as exc:
            services.outcome_create(
                acting_user=manager, item=item, kind="action", text="Relancer",
                owner=world.users[outsider], due_on=due,
            )  # fmt: skip
        assert "owner" in exc.value.message_dict, outsider
    with pytest.raises(ValidationError):
        services.outcome_create(
            acting_user=manager, item=item, kind="decision", text="Validé",
            owner=world.users["agent_e1"],
        )  # fmt: skip
    action = services.outcome_create(
        acting_user=manager, item=item, kind="action", text="Relancer la Région",
        owner=world.users["agent_e1"], due_on=due,
    )  # fmt: skip
    decision = services.outcome_create(
        acting_user=manager, item=item, kind="decision", text="Le plan est validé."
    )
    assert action.author == manager
    assert decision.owner is None
    assert events("governance_outcome.create") == 2
    services.outcome_update(acting_user=manager, outcome=decision, text="Plan validé.")
    assert events("governance_outcome.update") == 1
    with pytest.raises(ValidationError):
        services.outcome_update(acting_user=manager, outcome=action, due_on=None)


def test_an_action_owner_on_a_bilateral_meeting_must_read_it(world, copil):
    bilateral = services.meeting_create(
        acting_user=None, body=copil, title="Point e1", starts_at=at(dt.date(2026, 3, 1)),
        epci=world.epcis["e1"],
    )  # fmt: skip
    item = services.agenda_item_create(acting_user=None, meeting=bilateral, title="Suites")
    with pytest.raises(ValidationError):
        services.outcome_create(
            acting_user=world.users["manager"], item=item, kind="action", text="X",
            owner=world.users["agent_e2"], due_on=dt.date(2026, 4, 1),
        )  # fmt: skip


def test_the_owner_marks_their_own_action_done_and_no_one_else(world, meeting):
    manager = world.users["manager"]
    item = services.agenda_item_create(acting_user=manager, meeting=meeting, title="Suites")
    action = services.outcome_create(
        acting_user=manager, item=item, kind="action", text="Relancer la Région",
        owner=world.users["agent_e1"], due_on=dt.date(2026, 4, 30),
    )  # fmt: skip
    for actor in ("agent_e2", "partner", "manager_b"):
        with pytest.raises(PermissionDenied):
            services.outcome_mark_done(acting_user=world.users[actor], outcome=action)
    action.refresh_from_db()
    assert action.done_on is None
    services.outcome_mark_done(
        acting_user=world.users["agent_e1"], outcome=action, done_on=dt.date(2026, 4, 2)
    )
    action.refresh_from_db()
    assert action.done_on == dt.date(2026, 4, 2)
    assert AuditEvent.objects.get(action="governance_outcome.done").actor == world.users["agent_e1"]
    decision = services.outcome_create(acting_user=manager, item=item, kind="decision", text="D")
    with pytest.raises(ValidationError):
        services.outcome_mark_done(acting_user=manager, outcome=decision)


def test_locked_minutes_freeze_the_agenda_attendance_and_outcomes(world, meeting):
    manager = world.users["manager"]
    item = services.agenda_item_create(acting_user=manager, meeting=meeting, title="Suites")
    action = services.outcome_create(
        acting_user=manager, item=item, kind="action", text="Relancer",
        owner=world.users["agent_e1"], due_on=dt.date(2026, 4, 30),
    )  # fmt: skip
    guest = services.attendee_add(acting_user=manager, meeting=meeting, name="Invité")
    minutes = Minutes.objects.create(meeting=meeting, text="CR", status=MinutesStatus.APPROVED)
    services.agenda_item_update(acting_user=manager, item=item, description="Avant verrou")
    minutes.status = MinutesStatus.LOCKED
    minutes.save()
    writes = [
        lambda: services.agenda_item_create(acting_user=manager, meeting=meeting, title="X"),
        lambda: services.agenda_item_update(acting_user=manager, item=item, title="X"),
        lambda: services.agenda_item_delete(acting_user=manager, item=item),
        lambda: services.outcome_create(acting_user=manager, item=item, kind="decision", text="X"),
        lambda: services.outcome_update(acting_user=manager, outcome=action, text="X"),
        lambda: services.attendee_add(acting_user=manager, meeting=meeting, name="Autre"),
        lambda: services.attendees_from_members(acting_user=manager, meeting=meeting),
        lambda: services.attendance_mark(acting_user=manager, attendee=guest, status="present"),
    ]
    for write in writes:
        with pytest.raises(ValidationError) as exc:
            write()
        assert exc.value.messages == ["Le compte rendu est verrouillé : ajoutez un addendum."]
    item.refresh_from_db()
    action.refresh_from_db()
    assert (item.title, action.text) == ("Suites", "Relancer")
    assert meeting.agenda_items.count() == 1
    assert meeting.attendees.count() == 1
    # The follow-up of an action is still recorded, by its owner too.
    services.outcome_mark_done(acting_user=world.users["agent_e1"], outcome=action)
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()


def test_a_stale_meeting_edit_is_refused(world, meeting):
    manager = world.users["manager"]
    version = locking.version_of(meeting)
    services.meeting_update(acting_user=manager, meeting=meeting, version=version, place="CCI")
    with pytest.raises(locking.StaleEdit):
        services.meeting_update(acting_user=manager, meeting=meeting, version=version, place="X")
    meeting.refresh_from_db()
    assert meeting.place == "CCI"
    with pytest.raises(ValidationError):
        services.meeting_update(
            acting_user=manager, meeting=meeting, ends_at=meeting.starts_at - dt.timedelta(hours=1)
        )
