from pilote.core.models import AuditEvent
from tests.factories import UserFactory


def test_changes_made_in_the_technical_admin_are_audited(world, login):
    superuser = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    client = login(superuser)
    organisation = world.orgs["state"]
    response = client.post(
        f"/admin/accounts/organisation/{organisation.pk}/change/",
        {
            "name": "Sous-préfecture de Valenciennes",
            "short_name": "SP",
            "kind": organisation.kind,
            "epci": "",
            "territories": [world.territory_a.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="admin.organisation.update")
    assert event.actor == superuser
    assert event.changes["name"] == ["Sous-préfecture A", "Sous-préfecture de Valenciennes"]


def test_the_audit_trail_cannot_be_edited_in_the_admin(world, login):
    superuser = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    client = login(superuser)
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403
