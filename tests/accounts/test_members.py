from tests.factories import MembershipFactory


def test_members_of_the_territory_are_listed_with_their_role(world, login):
    html = login(world.users["agent_e1"]).get("/comptes/membres/").content.decode()
    assert "agent_e2@exemple.fr" in html
    assert "Chef de projet TI" in html
    assert "agent_e3@exemple.fr" not in html  # territory B
    assert "Invitations en attente" not in html  # agents do not invite


def test_the_member_list_uses_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.users["manager"])
    client.get("/comptes/membres/")
    # session, user, current membership, scope (2), memberships, invitations
    with django_assert_num_queries(7):
        client.get("/comptes/membres/")
    for _ in range(5):
        MembershipFactory(organisation=world.orgs["o2"], territory=world.territory_a)
    with django_assert_num_queries(7):
        client.get("/comptes/membres/")
