import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from pilote.contacts.models import Contact
from pilote.core.models import AuditEvent
from tests.contacts.factories import ContactFactory
from tests.factories import CompanyFactory, EstablishmentFactory

PARIS = dt.timezone(dt.timedelta(hours=1))


@pytest.fixture
def contacts(world, time_machine):
    """Now is 15/03/2026. One contact per age: well past 3 years, just past, just within."""
    time_machine.move_to(dt.datetime(2026, 3, 15, 12, 0, tzinfo=PARIS), tick=False)
    forges = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Forges de l'Escaut", siren="552100554")
    )

    def contact(name, at):
        return ContactFactory(main_establishment=forges, last_name=name, last_activity_at=at)

    return {
        "ancient": contact("Ancien", dt.datetime(2021, 6, 1, 9, 0, tzinfo=PARIS)),
        "stale": contact("Périmé", dt.datetime(2023, 3, 14, 9, 0, tzinfo=PARIS)),
        "recent": contact("Récent", dt.datetime(2023, 3, 16, 9, 0, tzinfo=PARIS)),
    }


def purge(*args) -> str:
    out = io.StringIO()
    call_command("purge_contacts", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_the_old_contacts_and_writes_nothing(contacts):
    output = purge()
    ancient, stale = contacts["ancient"], contacts["stale"]
    assert output.splitlines() == [
        f"contact n°{ancient.pk} — Forges de l'Escaut (SIREN 552100554) — "
        "dernière activité le 01/06/2021",
        f"contact n°{stale.pk} — Forges de l'Escaut (SIREN 552100554) — "
        "dernière activité le 14/03/2023",
        "2 contact(s) sans activité depuis le 15/03/2023 à effacer "
        "(simulation : rien n'est effacé ; relancez avec --wet-run).",
    ]
    assert "Ancien" not in output  # the operator's terminal gets no names
    assert Contact.objects.count() == 3
    assert not AuditEvent.objects.exists()


def test_the_wet_run_erases_only_the_old_contacts_through_the_erasure_service(contacts):
    output = purge("--wet-run")
    assert output.splitlines()[-1] == "2 contact(s) sans activité depuis le 15/03/2023 effacé(s)."
    assert list(Contact.objects.values_list("last_name", flat=True)) == ["Récent"]
    events = AuditEvent.objects.filter(action="contact.erase")
    assert events.count() == 2
    assert {e.actor_label for e in events} == {"Système"}
    assert {e.changes["motif"][1] for e in events} == {"durée de conservation dépassée"}
    assert purge("--wet-run").splitlines() == [
        "0 contact(s) sans activité depuis le 15/03/2023 effacé(s)."
    ]


def test_the_retention_period_is_configurable(contacts):
    purge("--wet-run", "--years", "4")
    assert Contact.objects.count() == 2
    assert not Contact.objects.filter(last_name="Ancien").exists()


def test_new_activity_postpones_the_purge(contacts):
    from pilote.contacts.services import touch_contact

    touch_contact(contact=contacts["stale"], at=timezone.now() - dt.timedelta(days=10))
    purge("--wet-run")
    assert sorted(Contact.objects.values_list("last_name", flat=True)) == ["Périmé", "Récent"]
