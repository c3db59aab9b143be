import pytest

from pilote.core.enums import Visibility
from tests.factories import NoteFactory


@pytest.mark.parametrize(
    ("actor", "shown", "hidden"),
    [
        ("manager", ["Dernières notes", "Notes de suivi par EPCI", "Équipe"], []),
        ("agent_e1", ["Dernières notes", "Notes de suivi par EPCI"], ["Équipe"]),
        ("partner", ["Dernières notes", "Notes de suivi par EPCI"], ["Équipe", "Nouvelle note"]),
        ("admin", ["Équipe"], ["Dernières notes"]),
    ],
)
def test_each_role_sees_its_dashboard(world, login, actor, shown, hidden):
    html = login(world.users[actor]).get("/").content.decode()
    assert "Territoire d'industrie TI A" in html
    for title in shown:
        assert title in html
    for title in hidden:
        assert title not in html


def test_the_header_shows_territory_organisation_and_role(world, login):
    html = login(world.users["agent_e1"]).get("/").content.decode()
    assert "Agglo 1" in html
    assert "Agent de développement économique (EPCI)" in html
    assert "TI A" in html


def test_an_account_without_membership_is_told_what_to_do(world, login):
    html = login(world.users["nobody"]).get("/").content.decode()
    assert "rattaché à aucune organisation" in html


def test_note_counts_per_epci_count_only_the_notes_the_reader_may_see(world, login):
    NoteFactory.create_batch(
        3,
        epci=world.epcis["e2"],
        visibility=Visibility.PRIVATE,
        title="Secret de l'agglo 2",
        author_organisation=world.orgs["o2"],
    )
    NoteFactory(
        epci=world.epcis["e2"],
        visibility=Visibility.PARTNERS,
        title="Partagé",
        author_organisation=world.orgs["o2"],
    )

    def counts_for(actor):
        response = login(world.users[actor]).get("/")
        assert "Secret de l'agglo 2" not in response.content.decode() or actor == "agent_e2"
        panels = response.context["panels"]
        return dict(next(c for p, c in panels if p.name.endswith("notes_per_epci"))["rows"])

    # A private note tells nothing to whoever may not read it, not even that it exists.
    assert counts_for("partner")[world.epcis["e2"]] == 1
    assert counts_for("agent_e1")[world.epcis["e2"]] == 1
    assert counts_for("agent_e2")[world.epcis["e2"]] == 4
    assert counts_for("manager")[world.epcis["e2"]] == 4


def test_a_user_acting_for_two_organisations_can_switch(world, login):
    from tests.factories import MembershipFactory

    user = world.users["partner"]
    other = MembershipFactory(
        user=user, organisation=world.orgs["cci_b"], territory=world.territory_b, role="partner"
    )
    client = login(user)
    assert "Sous-préfecture A" in client.get("/").content.decode()
    response = client.post(f"/comptes/organisation/{other.pk}/choisir/")
    assert response.status_code == 302
    assert "Territoire d'industrie TI B" in client.get("/").content.decode()
    # Someone else's membership cannot be chosen.
    foreign = world.memberships["manager"]
    assert client.post(f"/comptes/organisation/{foreign.pk}/choisir/").status_code == 404
