"""Members and pending invitations (`/comptes/membres/`): sortable headers (`?tri=`
whitelisted, `aria-sort`), each list with its numbered pages, and who sees what unchanged."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone

from pilote.accounts.enums import Role
from pilote.accounts.models import Invitation
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MEMBERS = "/comptes/membres/"
BY_ORGANISATION = [  # the default order: Agglo 1, Agglo 2, CCI A, Exploitant, Sous-préfecture A
    "agent_e1@exemple.fr",
    "agent_e2@exemple.fr",
    "manager@exemple.fr",
    "admin@exemple.fr",
    "partner@exemple.fr",
]


def emails(response) -> list[str]:
    return [m.user.email for m in response.context["page"]]


def invited(response) -> list[str]:
    return [i.email for i in response.context["invitations"]]


def aria_sort(html: str, label: str) -> list[str | None]:
    """The aria-sort of every header whose link reads `label` (None: not sorted on)."""
    found = []
    for th in re.findall(r"<th [^>]*>.*?</th>", html, flags=re.S):
        if f">{label}<span" in th:
            state = re.search(r'aria-sort="(\w+)"', th)
            found.append(state.group(1) if state else None)
    assert found, f"no sortable header {label!r}"
    return found


def invite(world, email: str, *, org="o1", role=Role.EPCI_AGENT, days=7):
    return Invitation.objects.create(
        email=email,
        organisation=world.orgs[org],
        territory=world.territory_a,
        role=role,
        invited_by=world.users["manager"],
        token_hash=uuid.uuid4().hex,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


def test_members_open_by_organisation_and_sort_both_ways(world, login):
    client = login(world.users["manager"])
    response = client.get(MEMBERS)
    assert emails(response) == BY_ORGANISATION
    assert aria_sort(response.content.decode(), "Organisation") == ["ascending"]

    response = client.get(MEMBERS + "?tri=-organisation")
    assert emails(response) == BY_ORGANISATION[::-1]
    assert aria_sort(response.content.decode(), "Organisation")[0] == "descending"

    response = client.get(MEMBERS + "?tri=adresse")
    assert emails(response) == sorted(BY_ORGANISATION)
    html = response.content.decode()
    assert aria_sort(html, "Adresse électronique") == ["ascending"]
    assert aria_sort(html, "Organisation")[0] is None
    assert 'href="?tri=-adresse"' in html
    assert emails(client.get(MEMBERS + "?tri=-adresse")) == sorted(BY_ORGANISATION, reverse=True)

    # roles in the schema's order: chef de projet TI, agents, partner, administrator
    by_role = emails(client.get(MEMBERS + "?tri=role"))
    assert by_role[0] == "manager@exemple.fr"
    assert by_role[-2:] == ["partner@exemple.fr", "admin@exemple.fr"]
    assert emails(client.get(MEMBERS + "?tri=-role"))[0] == "admin@exemple.fr"


def test_members_sort_by_name(world, login):
    for last in ("Zola", "Abel"):
        MembershipFactory(
            user=UserFactory(last_name=last, email=f"{last.lower()}@exemple.fr"),
            organisation=world.orgs["o2"],
            territory=world.territory_a,
            role=Role.EPCI_AGENT,
        )
    client = login(world.users["agent_e1"])
    names = [m.user.last_name for m in client.get(MEMBERS + "?tri=nom").context["page"]]
    assert names == sorted(names)
    assert names.index("Abel") < names.index("Zola")
    names = [m.user.last_name for m in client.get(MEMBERS + "?tri=-nom").context["page"]]
    assert names.index("Zola") < names.index("Abel")


def test_an_unknown_sort_is_ignored(world, login):
    invite(world, "b@exemple.fr", days=3)
    invite(world, "a@exemple.fr", days=6)
    client = login(world.users["manager"])
    for forged in ("user__password", "-token_hash", "expiration_", "-"):
        response = client.get(MEMBERS, {"tri": forged})
        assert response.status_code == 200
        assert emails(response) == BY_ORGANISATION
        assert invited(response) == ["a@exemple.fr", "b@exemple.fr"]  # latest expiry first
    # a column only the invitations have leaves the members in their order
    response = client.get(MEMBERS + "?tri=expiration")
    assert emails(response) == BY_ORGANISATION
    assert invited(response) == ["b@exemple.fr", "a@exemple.fr"]
    assert aria_sort(response.content.decode(), "Expire le") == ["ascending"]


def test_invitations_sort_both_ways(world, login):
    invite(world, "zoe@exemple.fr", org="o1", role=Role.EPCI_AGENT)
    invite(world, "alain@exemple.fr", org="state", role=Role.PARTNER)
    invite(world, "marc@exemple.fr", org="cci", role=Role.TI_MANAGER)
    client = login(world.users["manager"])
    response = client.get(MEMBERS + "?tri=adresse")
    assert invited(response) == ["alain@exemple.fr", "marc@exemple.fr", "zoe@exemple.fr"]
    assert aria_sort(response.content.decode(), "Adresse") == ["ascending"]
    assert invited(client.get(MEMBERS + "?tri=-adresse"))[0] == "zoe@exemple.fr"
    assert invited(client.get(MEMBERS + "?tri=organisation")) == [
        "zoe@exemple.fr",  # Agglo 1
        "marc@exemple.fr",  # CCI A
        "alain@exemple.fr",  # Sous-préfecture A
    ]
    assert invited(client.get(MEMBERS + "?tri=role")) == [
        "marc@exemple.fr",
        "zoe@exemple.fr",
        "alain@exemple.fr",
    ]


def test_each_list_has_its_numbered_pages(world, login):
    for n in range(26):
        MembershipFactory(
            user=UserFactory(last_name=f"Membre {n:02d}", email=f"membre{n:02d}@exemple.fr"),
            organisation=world.orgs["o2"],
            territory=world.territory_a,
            role=Role.EPCI_AGENT,
        )
    for n in range(27):
        invite(world, f"invite{n:02d}@exemple.fr")
    client = login(world.users["manager"])
    html = client.get(MEMBERS + "?tri=adresse").content.decode()
    assert 'aria-label="Pagination : membres"' in html
    assert 'aria-label="Pagination : invitations en attente"' in html
    assert 'href="?tri=adresse&amp;page=2"' in html
    assert 'href="?tri=adresse&amp;page_invitations=2"' in html
    assert "31 membres" in html

    response = client.get(MEMBERS + "?tri=adresse&page=2&page_invitations=2")
    assert len(response.context["page"]) == 6  # 31 members
    assert invited(response) == ["invite25@exemple.fr", "invite26@exemple.fr"]
    html = response.content.decode()
    # one list's page link keeps the other's page and the sort
    assert 'href="?tri=adresse&amp;page=2&amp;page_invitations=1"' in html
    # a header goes back to both lists' first page
    assert 'href="?tri=-adresse"' in html


def test_each_role_sees_what_it_saw_before(world, login):
    invite(world, "secret.invite@exemple.fr")
    MembershipFactory(
        user=UserFactory(email="ailleurs@exemple.fr"),
        organisation=world.orgs["cci_b"],
        territory=world.territory_b,
    )
    for user in ("agent_e1", "partner", "manager"):
        for query in (
            "",
            "?tri=-adresse",
            "?tri=role",
            "?tri=expiration&page=2",
            "?page_invitations=2",
        ):
            response = login(world.users[user]).get(MEMBERS + query)
            assert response.status_code == 200, (user, query)
            html = response.content.decode()
            assert "ailleurs@exemple.fr" not in html, (user, query)  # territory B
            assert ("secret.invite@exemple.fr" in html) == (user == "manager"), (user, query)
    assert login(world.users["nobody"]).get(MEMBERS).status_code == 404
    html = login(world.users["manager_b"]).get(MEMBERS + "?tri=adresse").content.decode()
    assert "ailleurs@exemple.fr" in html
    assert "agent_e1@exemple.fr" not in html
    assert "secret.invite@exemple.fr" not in html
