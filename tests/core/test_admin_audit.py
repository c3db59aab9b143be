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


def test_an_account_created_in_the_admin_leaves_no_password_hash_in_the_trail(world, login):
    superuser = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    client = login(superuser)
    secret = "Un-mot-de-passe-solide-2026"
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "nouveau@exemple.fr",
            "password1": secret,
            "password2": secret,
            "usable_password": "true",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    from pilote.accounts.models import User

    user = User.objects.get(email="nouveau@exemple.fr")
    event = AuditEvent.objects.for_object(user).get(action="admin.user.create")
    assert user.password not in str(event.changes)
    assert event.changes["password"][1].startswith("masqué (")


def test_many_to_many_and_inline_changes_in_the_admin_are_audited(world, login):
    superuser = UserFactory(email="root@exemple.fr", is_staff=True, is_superuser=True)
    client = login(superuser)
    organisation = world.orgs["state"]
    client.post(
        f"/admin/accounts/organisation/{organisation.pk}/change/",
        {
            "name": organisation.name,
            "short_name": "",
            "kind": organisation.kind,
            "epci": "",
            "territories": [world.territory_a.pk, world.territory_b.pk],
        },
    )
    event = AuditEvent.objects.get(action="admin.organisation.update")
    both = sorted([world.territory_a.pk, world.territory_b.pk])
    assert event.changes["territories"] == [[world.territory_a.pk], both]

    user = world.users["partner"]
    membership = world.memberships["partner"]
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": "",
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "30/11/2026",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": membership.pk,
            "memberships-0-user": user.pk,
            "memberships-0-organisation": membership.organisation.pk,
            "memberships-0-territory": membership.territory.pk,
            "memberships-0-role": "partner",
            "memberships-0-DELETE": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    deleted = AuditEvent.objects.get(action="admin.membership.delete")
    assert deleted.object_id == str(membership.pk)
    assert deleted.changes["role"] == ["partner", None]
