"""Derived state never tells a reader about follow-up they may not see.

A private site visit entered by the TI manager must change nothing an EPCI agent sees: not the
campaign target's status, not the prospecting score, not the directory's « suivis » filters.
Neither may a level, a count on a confirmation page, or an edit reveal or drop what the
reader cannot see.
"""

import pytest
from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment import services
from pilote.accompaniment.enums import InteractionKind, Level
from pilote.accompaniment.models import AccompanimentLevel
from pilote.core.enums import Visibility
from pilote.prospecting.enums import TargetStatus
from pilote.prospecting.scoring import explain
from tests.accompaniment.factories import NeedFactory, meeting_of, site_of, written_by
from tests.contacts.factories import ContactFactory
from tests.prospecting.factories import TargetFactory, campaign_of

pytestmark = pytest.mark.django_db


def _visit(world, actor, site, visibility):
    return services.interaction_create(
        acting_user=world.users[actor],
        establishment=site,
        kind=InteractionKind.SITE_VISIT,
        occurred_on=timezone.localdate(),
        summary="Visite du site",
        visibility=visibility,
    )


def _directory_sirets(client, followed: str) -> str:
    return client.get(reverse("companies:directory"), {"followed": followed}).content.decode()


def test_a_private_visit_of_the_manager_changes_nothing_an_agent_sees(world, login):
    site = site_of(world, "e1")
    target = TargetFactory(campaign=campaign_of(world, "e1", "agent_e1"), establishment=site)
    agent = world.users["agent_e1"]
    score_before = sum(r.points for r in explain(site, territory=world.territory_a, user=agent))
    client = login(agent)
    assert site.siret in _directory_sirets(client, "never")

    _visit(world, "manager", site, Visibility.PRIVATE)

    target.refresh_from_db()
    assert target.status == TargetStatus.TO_CONTACT
    page = client.get(reverse("prospecting:detail", args=[target.campaign.pk])).content.decode()
    assert "Rencontré depuis" not in page
    score_after = sum(r.points for r in explain(site, territory=world.territory_a, user=agent))
    assert score_after == score_before
    assert site.siret in _directory_sirets(client, "never")
    assert site.siret not in _directory_sirets(client, "followed")
    # The manager, who sees the visit, sees the company as followed and met.
    manager = world.users["manager"]
    manager_score = sum(r.points for r in explain(site, territory=world.territory_a, user=manager))
    assert manager_score < score_before
    assert site.siret in _directory_sirets(login(manager), "followed")


def test_a_visit_shared_with_the_epci_marks_its_campaign_targets_met(world):
    site = site_of(world, "e1")
    target = TargetFactory(campaign=campaign_of(world, "e1", "agent_e1"), establishment=site)
    _visit(world, "manager", site, Visibility.EPCI)
    target.refresh_from_db()
    assert target.status == TargetStatus.MET


def test_a_private_visit_marks_only_the_private_campaigns_of_its_own_organisation(world):
    site = site_of(world, "e1")
    own = TargetFactory(
        campaign=campaign_of(world, "e1", "manager", visibility=Visibility.PRIVATE),
        establishment=site,
    )
    shared = TargetFactory(campaign=campaign_of(world, "e1", "agent_e1"), establishment=site)
    _visit(world, "manager", site, Visibility.PRIVATE)
    own.refresh_from_db()
    shared.refresh_from_db()
    assert (own.status, shared.status) == (TargetStatus.MET, TargetStatus.TO_CONTACT)


def test_a_level_the_agent_cannot_see_does_not_answer_already_at_this_level(world, login):
    site = site_of(world, "e1")
    services.level_set(
        acting_user=world.users["manager"],
        establishment=site,
        level=Level.REINFORCED,
        visibility=Visibility.PRIVATE,
    )
    created = services.level_set(
        acting_user=world.users["agent_e1"], establishment=site, level=Level.REINFORCED
    )
    assert created is not None
    assert created.visibility == Visibility.EPCI
    assert AccompanimentLevel.objects.visible_to(world.users["agent_e1"]).count() == 1


def test_the_current_level_is_the_latest_one_the_reader_may_see(world):
    site = site_of(world, "e1")
    services.level_set(
        acting_user=world.users["agent_e1"], establishment=site, level=Level.AWARENESS
    )
    services.level_set(
        acting_user=world.users["manager"],
        establishment=site,
        level=Level.REINFORCED,
        visibility=Visibility.PRIVATE,
    )
    seen_by_agent = AccompanimentLevel.objects.visible_to(world.users["agent_e1"]).current()
    seen_by_manager = AccompanimentLevel.objects.visible_to(world.users["manager"]).current()
    assert [lvl.level for lvl in seen_by_agent] == [Level.AWARENESS]
    assert [lvl.level for lvl in seen_by_manager] == [Level.REINFORCED]


def test_the_delete_page_of_an_interaction_counts_only_what_the_reader_may_see(world, login):
    meeting = meeting_of(world, "e1", "agent_e1")
    NeedFactory(
        establishment=meeting.establishment,
        interaction=meeting,
        epci=meeting.epci,
        visibility=Visibility.PRIVATE,
        **written_by(world, "manager"),
    )
    url = reverse("accompaniment:interaction_delete", args=[meeting.pk])
    agent_page = login(world.users["agent_e1"]).get(url).content.decode()
    assert "saisis lors de cet échange" not in agent_page
    manager_page = login(world.users["manager"]).get(url).content.decode()
    assert "cet échange (1)" in manager_page


def test_editing_an_interaction_keeps_the_contacts_the_editor_cannot_see(world):
    meeting = meeting_of(world, "e1", "agent_e1")
    site = meeting.establishment
    hidden = ContactFactory(
        main_establishment=site,
        visibility=Visibility.PRIVATE,
        **written_by(world, "manager"),
    )
    seen = ContactFactory(
        main_establishment=site,
        visibility=Visibility.EPCI,
        **written_by(world, "agent_e1"),
    )
    meeting.contacts.set([hidden])
    services.interaction_update(
        acting_user=world.users["agent_e1"], interaction=meeting, contacts=[seen]
    )
    assert set(meeting.contacts.all()) == {hidden, seen}


def test_a_meeting_before_a_campaign_started_does_not_mark_its_target_met(world):
    import datetime as dt

    site = site_of(world, "e1")
    later = campaign_of(
        world,
        "e1",
        "agent_e1",
        starts_on=timezone.localdate() + dt.timedelta(days=10),
        ends_on=timezone.localdate() + dt.timedelta(days=200),
    )
    target = TargetFactory(campaign=later, establishment=site)
    _visit(world, "agent_e1", site, Visibility.EPCI)
    target.refresh_from_db()
    assert target.status == TargetStatus.TO_CONTACT
