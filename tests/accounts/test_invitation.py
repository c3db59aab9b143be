import datetime as dt
import html
import re

import pytest
from django.core import mail
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.models import Invitation, Membership, User
from pilote.core.models import AuditEvent
from tests.factories import PASSWORD

NEW_PASSWORD = "Valenciennes-2026-industrie"


def invite(client, world, email="nouvel.agent@exemple.fr", org="o1", role=Role.EPCI_AGENT):
    return client.post(
        "/comptes/membres/inviter/",
        {"email": email, "organisation": world.orgs[org].pk, "role": role},
    )


def accept_link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/comptes/invitation/[\w-]+/)", body)[1]


def test_a_ti_manager_invites_and_the_link_creates_the_account(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, world)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvel.agent@exemple.fr"]
    assert "Agglo 1" in message.subject
    link = accept_link(message.body)
    assert Invitation.objects.get().token_hash not in message.body  # only the hash is stored

    client.post("/comptes/deconnexion/")
    page = client.get(link)
    assert page.status_code == 200
    assert "Agglo 1" in page.content.decode()
    response = client.post(
        link,
        {
            "first_name": "Lucie",
            "last_name": "Hennebert",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="nouvel.agent@exemple.fr")
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (world.orgs["o1"], Role.EPCI_AGENT)
    assert membership.territory == world.territory_a
    assert "Lucie" in client.get("/").content.decode()  # logged in, on the dashboard
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"invitation.create", "invitation.accept", "membership.grant"} <= actions

    # One time only.
    client.post("/comptes/deconnexion/")
    again = client.get(link)
    assert again.status_code == 404
    assert "n'est plus valable" in again.content.decode()


def test_the_invitation_email_goes_through_a_real_smtp_server(
    world, login, smtp_server, django_capture_on_commit_callbacks
):
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world, email="partenaire.bpi@exemple.fr", org="state", role=Role.PARTNER)
    assert len(smtp_server.messages) == 1
    recipients, message = smtp_server.messages[0]
    assert recipients == ["partenaire.bpi@exemple.fr"]
    assert "Sous-préfecture A" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "/comptes/invitation/" in text
    assert "/comptes/invitation/" in html


def test_nothing_is_sent_when_the_transaction_rolls_back(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    from pilote.accounts import services

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.invitation_create(
                    acting_user=world.users["manager"],
                    email="x@exemple.fr",
                    organisation=world.orgs["o1"],
                    territory=world.territory_a,
                    role=Role.EPCI_AGENT,
                )
                raise RuntimeError("échec après l'invitation")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []


def test_an_expired_link_is_refused(world, login, django_capture_on_commit_callbacks):
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world)
    link = accept_link(mail.outbox[0].body)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.post("/comptes/deconnexion/")
    assert client.get(link).status_code == 404
    response = client.post(
        link,
        {"first_name": "A", "last_name": "B", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 404
    assert not User.objects.filter(email="nouvel.agent@exemple.fr").exists()


def test_the_default_validity_is_seven_days(world):
    from pilote.accounts import services

    invitation = services.invitation_create(
        acting_user=world.users["manager"],
        email="x@exemple.fr",
        organisation=world.orgs["o1"],
        territory=world.territory_a,
        role=Role.EPCI_AGENT,
    )
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        dt.timedelta(days=7), abs=dt.timedelta(seconds=5)
    )


def test_an_existing_user_joins_another_organisation_without_a_new_password(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world, email="partner@exemple.fr", org="state", role=Role.PARTNER)
    assert (
        "déjà membre"
        in invite(
            client, world, email="partner@exemple.fr", org="state", role=Role.PARTNER
        ).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world, email="agent_e1@exemple.fr", org="state", role=Role.PARTNER)
    link = accept_link(mail.outbox[-1].body)
    client.post("/comptes/deconnexion/")
    assert "Un compte existe déjà" in client.get(link).content.decode()
    assert client.post(link).status_code == 302
    user = world.users["agent_e1"]
    assert user.check_password(PASSWORD)
    assert Membership.objects.filter(user=user).count() == 2


@pytest.mark.parametrize("actor", ["agent_e1", "partner"])
def test_only_managers_and_administrators_of_the_territory_invite(world, login, actor):
    client = login(world.users[actor])
    assert client.get("/comptes/membres/inviter/").status_code == 403
    assert invite(client, world).status_code == 403
    assert not Invitation.objects.exists()


def test_a_manager_cannot_invite_into_another_territory(world, login):
    client = login(world.users["manager_b"])
    response = invite(client, world, org="o1")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_role_that_does_not_fit_the_organisation_is_refused_in_french(world, login):
    client = login(world.users["manager"])
    response = invite(client, world, org="state", role=Role.EPCI_AGENT)
    assert response.status_code == 200
    assert "Ce rôle n'existe pas pour Sous-préfecture A" in html.unescape(response.content.decode())
    assert not Invitation.objects.exists()


def test_only_an_administrator_grants_the_administrator_role(world, login):
    client = login(world.users["manager"])
    response = invite(client, world, org="operator", role=Role.ADMIN)
    assert response.status_code == 200
    assert not Invitation.objects.exists()
    client = login(world.users["admin"])
    assert invite(client, world, org="operator", role=Role.ADMIN).status_code == 302
    assert Invitation.objects.get().role == Role.ADMIN


def test_an_organisation_of_another_territory_cannot_be_chosen(world, login):
    client = login(world.users["manager"])
    response = invite(client, world, org="o3")
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_a_weak_password_is_refused_with_the_reason(
    world, django_capture_on_commit_callbacks, client
):
    from pilote.accounts import services

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            acting_user=world.users["manager"],
            email="x@exemple.fr",
            organisation=world.orgs["o1"],
            territory=world.territory_a,
            role=Role.EPCI_AGENT,
        )
    link = accept_link(mail.outbox[0].body)
    response = client.post(
        link, {"first_name": "A", "last_name": "B", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    assert not User.objects.filter(email="x@exemple.fr").exists()


def test_a_pending_invitation_can_be_revoked(world, login, django_capture_on_commit_callbacks):
    client = login(world.users["manager"])
    with django_capture_on_commit_callbacks(execute=True):
        invite(client, world)
    invitation = Invitation.objects.get()
    link = accept_link(mail.outbox[0].body)
    assert client.post(f"/comptes/invitations/{invitation.pk}/annuler/").status_code == 302
    client.post("/comptes/deconnexion/")
    assert client.get(link).status_code == 404
