import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from pilote.contacts import services
from pilote.contacts.models import Contact
from pilote.core.models import AuditEvent
from tests.contacts.factories import ContactFactory
from tests.factories import CompanyFactory, EstablishmentFactory

PERSON = {
    "first_name": "Zéphirine",
    "last_name": "Quennehen",
    "role": "Responsable des achats verts",
    "email": "zephirine.quennehen@forges.example",
    "phone": "03 53 01 47 11",
    "source": "Salon Quennehen-Industrie",
    "notes": "Allergique aux réunions du lundi.",
}


def whole_database() -> str:
    """Every row of every table, as JSON (non-ASCII characters kept as they are)."""
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


def test_erasure_leaves_no_personal_value_anywhere_in_the_database(world, login):
    site = EstablishmentFactory(epci=world.epcis["e1"], company=CompanyFactory(siren="552100554"))
    agent = world.users["agent_e1"]
    contact = services.contact_create(acting_user=agent, main_establishment=site, **PERSON)
    services.contact_update(
        acting_user=agent, contact=contact, email="z.quennehen@forges.example", role="DAF"
    )
    services.touch_contact(contact=contact, at=contact.last_activity_at + dt.timedelta(days=1))
    before = whole_database()
    assert all(value in before for value in PERSON.values())  # the check below can fail

    response = login(agent).post(f"/contacts/{contact.pk}/effacer/")

    assert response.status_code == 302
    after = whole_database()
    for value in [*PERSON.values(), "z.quennehen@forges.example", "Quennehen"]:
        assert value not in after, value
    events = AuditEvent.objects.for_object(Contact(pk=contact.pk)).order_by("id")
    assert [e.action for e in events] == [
        "contact.create",
        "contact.update",
        "contact.touch",
        "contact.erase",
    ]
    assert {e.object_repr for e in events} == {f"Contact n°{contact.pk}"}
    created = events[0].changes
    assert created["last_name"] == [None, "[effacé]"]
    assert created["email"] == [None, "[effacé]"]
    assert created["legal_basis"] == [None, "legitimate_interest"]  # not personal: kept
    assert created["company"] == [None, site.company.pk]
    assert events[1].changes["role"] == ["[effacé]", "[effacé]"]
    erased = events[3]
    assert erased.actor == agent
    assert erased.changes == {
        "siren": [None, "552100554"],
        "motif": [None, "demande de la personne"],
    }


def test_erasure_needs_the_right_to_edit_unless_it_is_the_system(world):
    contact = ContactFactory(main_establishment__epci=world.epcis["e1"])
    with pytest.raises(PermissionDenied):
        services.contact_erase(acting_user=world.users["partner"], contact=contact)
    services.contact_erase(acting_user=None, contact=contact, reason="durée dépassée")
    assert not Contact.objects.exists()
    assert AuditEvent.objects.get(action="contact.erase").actor_label == "Système"


def test_touch_only_moves_the_last_activity_forward(world):
    contact = ContactFactory(main_establishment__epci=world.epcis["e1"])
    start = contact.last_activity_at
    assert not services.touch_contact(contact=contact, at=start - dt.timedelta(days=30))
    later = start + dt.timedelta(days=30)
    assert services.touch_contact(contact=contact, at=later, acting_user=world.users["manager"])
    contact.refresh_from_db()
    assert contact.last_activity_at == later
    event = AuditEvent.objects.for_object(contact).get()
    assert (event.action, event.actor) == ("contact.touch", world.users["manager"])
    assert event.changes == {"last_activity_at": [start.isoformat(), later.isoformat()]}


def test_the_sites_belong_to_the_company_and_to_the_users_territories(world):
    agent = world.users["agent_e1"]
    site = EstablishmentFactory(epci=world.epcis["e1"])
    stranger = EstablishmentFactory(epci=world.epcis["e1"])  # another company
    far_site = EstablishmentFactory(epci=world.epcis["e3"], company=site.company)
    for others in ([stranger], [far_site]):
        with pytest.raises(ValidationError):
            services.contact_create(
                acting_user=agent,
                main_establishment=site,
                establishments=others,
                last_name="X",
                source="Salon",
            )
    with pytest.raises(ValidationError):
        services.contact_create(
            acting_user=agent, main_establishment=site, last_name="X", source=" "
        )
    with pytest.raises(PermissionDenied):
        services.contact_create(
            acting_user=agent,
            main_establishment=EstablishmentFactory(epci=world.epcis["e2"]),
            last_name="X",
            source="Salon",
        )
    assert not Contact.objects.exists()


def test_moving_the_main_establishment_moves_the_contact_to_its_epci(world):
    manager, agent = world.users["manager"], world.users["agent_e1"]
    site = EstablishmentFactory(epci=world.epcis["e1"])
    e2_site = EstablishmentFactory(epci=world.epcis["e2"], company=site.company)
    contact = services.contact_create(
        acting_user=agent, main_establishment=site, last_name="Caulier", source="Salon"
    )
    with pytest.raises(PermissionDenied):  # the agent may not write on e2
        services.contact_update(acting_user=agent, contact=contact, main_establishment=e2_site)
    services.contact_update(acting_user=manager, contact=contact, main_establishment=e2_site)
    contact.refresh_from_db()
    assert contact.epci == world.epcis["e2"]
    assert set(contact.establishments.all()) == {site, e2_site}
    with pytest.raises(ValueError, match="company"):
        services.contact_update(acting_user=manager, contact=contact, company=None)
