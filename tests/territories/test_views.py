def test_members_see_their_territory_with_its_epcis_and_communes(world, login):
    response = login(world.users["partner"]).get("/territoire/ti-a/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "CA du Premier" in html
    assert "CA du Deuxième" in html
    assert "CA du Troisième" not in html


def test_another_territory_answers_404(world, login):
    client = login(world.users["agent_e1"])
    assert client.get("/territoire/ti-b/").status_code == 404
    e3 = world.epcis["e3"]
    assert client.get(f"/territoire/ti-a/epci/{e3.siren}/").status_code == 404


def test_an_epci_page_lists_its_communes(world, login):
    e1 = world.epcis["e1"]
    response = login(world.users["agent_e1"]).get(f"/territoire/ti-a/epci/{e1.siren}/")
    assert response.status_code == 200
    assert e1.communes.get().name in response.content.decode()
