"""The /linkedin/ page: who reads, who imports, the figures in French formats."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilote.linkedin.models import ContentDay, FollowerDay, Post
from tests.linkedin.exports import content_xlsx, followers_xlsx
from tests.linkedin.test_imports import CONTENT_DAYS, FOLLOWER_DAYS, POSTS

pytestmark = pytest.mark.django_db

URL = "/linkedin/"


def test_the_url():
    assert reverse("linkedin:page") == URL


def upload(client, data: bytes, name: str, dry_run: bool):
    form = {"file": SimpleUploadedFile(name, data)}
    if dry_run:
        form["dry_run"] = "on"
    return client.post(URL, form)


@pytest.mark.parametrize("actor", ["admin", "nobody"])
def test_administrators_and_non_members_get_404(world, login, actor):
    client = login(world.users[actor])
    assert client.get(URL).status_code == 404
    assert upload(client, b"x", "x.csv", dry_run=True).status_code == 404


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("actor", ["agent_e1", "partner"])
def test_readers_see_the_figures_but_may_not_import(world, login, actor):
    client = login(world.users[actor])
    response = client.get(URL)
    assert response.status_code == 200
    assert 'data-testid="linkedin-form"' not in response.content.decode()
    response = upload(client, followers_xlsx(FOLLOWER_DAYS), "f.xlsx", dry_run=False)
    assert response.status_code == 403
    assert FollowerDay.objects.count() == 0


def test_the_manager_simulates_then_imports_and_everyone_reads_the_figures(world, login):
    client = login(world.users["manager"])
    html = client.get(URL).content.decode()
    assert 'data-testid="linkedin-form"' in html
    assert 'data-testid="linkedin-empty"' in html
    response = upload(client, followers_xlsx(FOLLOWER_DAYS), "abonnes.xlsx", dry_run=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bilan de la simulation de abonnes.xlsx" in html
    assert "Location, Job function" in html
    assert FollowerDay.objects.count() == 0
    upload(client, followers_xlsx(FOLLOWER_DAYS), "abonnes.xlsx", dry_run=False)
    response = upload(client, content_xlsx(CONTENT_DAYS, POSTS), "contenu.xlsx", dry_run=False)
    assert "Bilan de l'import de contenu.xlsx" in response.content.decode()
    assert (FollowerDay.objects.count(), ContentDay.objects.count(), Post.objects.count()) == (
        20, 20, 3
    )  # fmt: skip
    client = login(world.users["agent_e1"])
    html = client.get(URL, {"au": "2026-03-10"}).content.decode()
    assert 'data-testid="linkedin-followers">44<' in html  # the new followers of 10 days
    assert "mars 2026" in html
    top = html.split('data-testid="linkedin-top"', 1)[1]
    assert top.index("Visite des Forges de Denain") < top.index("Appel à projets")
    assert "03/03/2026" in top
    assert "1\u202f500" in top or "1\xa0500" in top  # French thousands
    by_impressions = client.get(URL, {"tri": "impressions"}).content.decode()
    assert "classer par interactions" in by_impressions
    # Territory B sees none of A's figures.
    html = login(world.users["manager_b"]).get(URL).content.decode()
    assert 'data-testid="linkedin-empty"' in html


def test_an_unreadable_file_is_refused_and_nothing_is_written(world, login):
    client = login(world.users["manager"])
    response = upload(client, b"nom;prenom\nDupont;Jean\n", "x.csv", dry_run=False)
    assert response.status_code == 400
    assert "Rien n&#x27;a été importé" in response.content.decode()
    response = upload(client, b"x", "x.pdf", dry_run=False)
    assert response.status_code == 400


def test_followers_at_a_date(world, login):
    day = dt.date(2026, 3, 1)
    FollowerDay.objects.create(territory=world.territory_a, date=day, new_total=3,
                               total_followers=1200)  # fmt: skip
    FollowerDay.objects.create(territory=world.territory_a, date=day + dt.timedelta(days=1),
                               new_total=4)  # fmt: skip
    html = login(world.users["partner"]).get(URL, {"au": "02/03/2026"}).content.decode()
    assert 'data-testid="linkedin-followers">1\u202f204<' in html or (
        'data-testid="linkedin-followers">1\xa0204<' in html
    )
