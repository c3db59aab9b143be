"""Events in the leak matrix: the participation an establishment's registration leaves on its
timeline (`Attendance`), under the event's attendance visibility. The event itself is public
information of the territory and its registrations are read by who runs it
(tests/events/test_views.py), so the only follow-up page is the establishment's."""

from django.utils import timezone

from pilote.events.models import Attendance
from tests.events.factories import at
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.leak_matrix import LeakCase, register


def make_attendance(world, *, epci, visibility, author):
    from pilote.accounts import access
    from pilote.events.models import Event, Registration

    user = world.users[author]
    site = EstablishmentFactory(epci=world.epcis[epci], company=CompanyFactory(name="Usine témoin"))
    event = Event.objects.create(
        territory=world.territory_a,
        kind="workshop",
        place="Salle",
        title=f"Atelier-{epci}-{visibility}-{author}",
        starts_at=at(-3, 9),
        ends_at=at(-3, 12),
        status="published",
        attendance_visibility=visibility,
        organiser=user,
        organisation_id=access.writing_organisation_id(user, world.epcis[epci]),
    )
    registration = Registration.objects.create(
        event=event,
        first_name="Anne",
        last_name="Témoin",
        email="anne@exemple.fr",
        establishment=site,
        attended=True,
        checked_in_at=timezone.now(),
    )
    return Attendance.objects.create(
        event=event,
        establishment=site,
        registration=registration,
        present=True,
        epci=world.epcis[epci],
        visibility=visibility,
        author=user,
        author_organisation_id=event.organisation_id,
    )


register(
    LeakCase(
        name="event attendance",
        make=make_attendance,
        marker=lambda a: a.event.title,
        related_urls={"establishment": lambda a: a.establishment.get_absolute_url()},
    )
)
