"""Personal API tokens: stored hashed, shown once, expiring, revocable, stamped when used."""

import datetime as dt
import hashlib
import io
import json

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from pilote.api import services
from pilote.api.models import ApiToken, Scope
from pilote.core.models import AuditEvent


def test_only_the_hash_of_the_key_is_stored_with_its_prefix(world):
    _token, key = services.token_create(
        acting_user=world.users["agent_e1"], user=world.users["agent_e1"], name="SIG",
        scope=Scope.READ,
    )  # fmt: skip
    stored = ApiToken.objects.get()
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert stored.prefix == key[:8]
    assert len(key) >= 40
    row = [str(v) for v in ApiToken.objects.values_list().get()]
    assert not any(key in value for value in row)
    assert stored.expires_at - timezone.now() > dt.timedelta(days=89)
    event = AuditEvent.objects.for_object(stored).get()
    assert event.action == "api_token.create"
    assert key not in json.dumps(event.changes)


def test_a_user_creates_tokens_for_themself_only(world):
    with pytest.raises(services.PermissionDenied):
        services.token_create(
            acting_user=world.users["manager"], user=world.users["agent_e1"], name="x"
        )


def test_the_settings_page_shows_the_key_once_and_lists_the_tokens(world, login):
    client = login(world.users["agent_e1"])
    response = client.post(
        "/comptes/jetons-api/", {"name": "CRM CCI", "scope": Scope.READ_WRITE, "days": 30}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=world.users["agent_e1"])
    page = response.content.decode()
    key = page.split('id="cle-jeton" type="text" readonly value="')[1].split('"')[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (token.name, token.scope) == ("CRM CCI", Scope.READ_WRITE)
    again = client.get("/comptes/jetons-api/").content.decode()
    assert key not in again
    assert token.prefix in again
    assert "CRM CCI" in again


def test_a_revoked_token_stops_at_once_and_others_cannot_revoke_it(world, login, api, key_for):
    key = key_for(world.users["agent_e1"])
    token = ApiToken.objects.get()
    assert api.get(key, "/notes").status_code == 200
    other = login(world.users["agent_e2"])
    assert other.post(f"/comptes/jetons-api/{token.pk}/revoquer/").status_code == 404
    assert api.get(key, "/notes").status_code == 200
    owner = login(world.users["agent_e1"])
    assert owner.post(f"/comptes/jetons-api/{token.pk}/revoquer/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.for_object(token).filter(action="api_token.revoke").count() == 1
    response = api.get(key, "/notes")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "Jeton inconnu, expiré ou révoqué."


def test_an_expired_token_answers_401(world, api, key_for):
    key = key_for(world.users["agent_e1"], days=1)
    assert api.get(key, "/notes").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert api.get(key, "/notes").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(world, api, key_for):
    key = key_for(world.users["agent_e1"])
    token = ApiToken.objects.get()
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        api.get(key, "/notes")
        first = ApiToken.objects.get().last_used_at
        assert first == start
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        api.get(key, "/notes")
        assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        api.get(key, "/notes")
        assert ApiToken.objects.get().last_used_at == start + dt.timedelta(seconds=61)


def test_the_command_prints_the_token_once_as_json(world, api):
    out = io.StringIO()
    call_command(
        "create_api_token", "Agent_E1@exemple.fr", "--days", "10", "--scope", "read_write",
        "--json", stdout=out,
    )  # fmt: skip
    printed = json.loads(out.getvalue())
    assert set(printed) == {"token", "expires_at", "scope"}
    assert printed["scope"] == "read_write"
    token = ApiToken.objects.get()
    assert token.user == world.users["agent_e1"]
    assert token.name == "Ligne de commande"
    assert dt.datetime.fromisoformat(printed["expires_at"]) == token.expires_at
    assert token.expires_at - timezone.now() < dt.timedelta(days=10, seconds=1)
    assert api.get(printed["token"], "/notes").status_code == 200
    with pytest.raises(CommandError):
        call_command("create_api_token", "personne@exemple.fr", "--json", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("create_api_token", "agent_e1@exemple.fr", "--days", "0", stdout=io.StringIO())


def test_an_inactive_account_answers_401_and_one_without_membership_403(world, api, key_for):
    inactive = key_for(world.users["agent_e2"])
    world.users["agent_e2"].is_active = False
    world.users["agent_e2"].save()
    response = api.get(inactive, "/notes")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    response = api.get(key_for(world.users["nobody"]), "/notes")
    assert response.status_code == 403
    assert response.json() == {
        "type": "about:blank", "title": "Accès refusé", "status": 403,
        "detail": "Ce compte n'est membre d'aucun territoire.",
    }  # fmt: skip
