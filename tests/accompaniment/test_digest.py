"""The weekly digest: built per user through `visible_to`, queued after commit, sent once a
week through a real SMTP server, `send_digests` dry by default."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from pilote.accompaniment import digest, tasks
from pilote.accompaniment.enums import ActionStatus, InteractionKind
from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from tests.accompaniment.factories import ActionFactory, meeting_of, site_of, written_by
from tests.factories import CompanyFactory
from tests.prospecting.factories import campaign_of, planned

pytestmark = pytest.mark.django_db


def _site(world, epci, name):
    return site_of(world, epci, company=CompanyFactory(name=name))


def _action(world, title, *, owner, author="agent_e1", epci="e1", days=2, **fields):
    return ActionFactory(
        establishment=_site(world, epci, "Usine témoin"), title=title, owner=world.users[owner],
        due_date=timezone.localdate() + dt.timedelta(days=days), **written_by(world, author),
        **fields,
    )  # fmt: skip


@pytest.fixture
def week(world):
    """agent_e1's week, and another EPCI's confidential follow-up that names agent_e1."""
    today = timezone.localdate()
    _action(world, "Envoyer la fiche AAP ZIBAC", owner="agent_e1")
    _action(world, "Relancer pour le devis robot", owner="agent_e1", days=-5)
    _action(world, "Action déjà faite", owner="agent_e1", status=ActionStatus.DONE)
    _action(world, "Action du mois prochain", owner="agent_e1", days=30)
    visits = campaign_of(world, "e1", "agent_e1", name="Campagne Valenciennes 2027")
    planned(days=1, hour=10, campaign=visits, assigned_to=world.users["agent_e1"],
            establishment=_site(world, "e1", "Verrerie du Hainaut"))  # fmt: skip
    meeting = meeting_of(
        world, "e1", "agent_e1", kind=InteractionKind.MEETING,
        occurred_on=today + dt.timedelta(days=3),
        establishment=_site(world, "e1", "Forges Delattre"),
    )  # fmt: skip
    meeting.participants.set([world.users["agent_e1"]])
    # e2's confidential follow-up, wrongly naming agent_e1 (set directly: the services refuse).
    _action(world, "Dossier confidentiel e2", owner="agent_e1", author="agent_e2", epci="e2")
    _action(world, "Note privée CCI", owner="agent_e1", author="manager",
            visibility=Visibility.PRIVATE)  # fmt: skip
    secret = campaign_of(world, "e2", "agent_e2", name="Campagne secrète e2")
    planned(days=1, campaign=secret, assigned_to=world.users["agent_e1"],
            establishment=_site(world, "e2", "Sucrerie confidentielle"))  # fmt: skip
    hidden = meeting_of(
        world, "e2", "agent_e2", kind=InteractionKind.MEETING,
        occurred_on=today + dt.timedelta(days=2),
        establishment=_site(world, "e2", "Fonderie confidentielle"),
    )  # fmt: skip
    hidden.participants.set([world.users["agent_e1"], world.users["agent_e2"]])
    _action(world, "Préparer le COTECH e2", owner="agent_e2", author="agent_e2", epci="e2")
    return today


CONFIDENTIAL = [
    "Dossier confidentiel e2", "Note privée CCI", "Campagne secrète e2",
    "Sucrerie confidentielle", "Fonderie confidentielle", "Préparer le COTECH e2",
]  # fmt: skip


def test_the_digest_holds_only_what_the_user_may_see(world, week):
    d = digest.digest_for(world.users["agent_e1"], today=week)
    assert [a.title for a in d.overdue] == ["Relancer pour le devis robot"]
    assert [a.title for a in d.due] == ["Envoyer la fiche AAP ZIBAC"]
    assert [t.campaign.name for t in d.visits] == ["Campagne Valenciennes 2027"]
    assert [i.establishment.company.name for i in d.interactions] == ["Forges Delattre"]


def test_an_epci_agents_digest_never_mentions_another_epcis_confidential_follow_up(
    world, week, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--wet-run", stdout=StringIO())

    received = {tuple(rcpt): message for rcpt, message in smtp_server.messages}
    assert set(received) == {("agent_e1@exemple.fr",), ("agent_e2@exemple.fr",)}
    message = received[("agent_e1@exemple.fr",)]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for body in (text, html, message["Subject"]):
        for secret in CONFIDENTIAL:
            assert secret not in body
    expected = ["Envoyer la fiche AAP ZIBAC", "Relancer pour le devis robot",
                "Campagne Valenciennes 2027", "Verrerie du Hainaut", "Forges Delattre"]  # fmt: skip
    for shown in expected:
        assert shown in text
        assert shown in html
    assert "Action déjà faite" not in text
    assert "Action du mois prochain" not in text
    assert "1 action en retard" in message["Subject"]
    assert "http://testserver/accompagnement/actions/" in text
    # agent_e2 gets their own, with e2's follow-up they may see (not agent_e1's).
    other = received[("agent_e2@exemple.fr",)].get_body(("plain",)).get_content()
    assert "Préparer le COTECH e2" in other
    assert "Fonderie confidentielle" in other
    assert "Envoyer la fiche AAP ZIBAC" not in other


def test_it_is_sent_once_a_week_and_audited(world, week, smtp_server,
                                            django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--wet-run", stdout=StringIO())
        call_command("send_digests", "--wet-run", stdout=StringIO())
    assert len(smtp_server.messages) == 2
    event = AuditEvent.objects.get(action=digest.SENT_ACTION, object_id=world.users["agent_e1"].pk)
    assert event.changes["week"] == [None, digest.week_key(week)]
    assert event.changes["overdue"] == [None, 1]
    # The next week, again.
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_digests(today=week + dt.timedelta(days=7), dry_run=False)
    assert len(smtp_server.messages) >= 3


def test_without_wet_run_nothing_is_sent(world, week, smtp_server,
                                         django_capture_on_commit_callbacks, capsys):  # fmt: skip

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=out)
    assert smtp_server.messages == []
    counts = json.loads(out.getvalue().splitlines()[-1])
    assert counts["queued"] == 2  # agent_e1 and agent_e2; the others have nothing this week
    assert not AuditEvent.objects.filter(action=digest.SENT_ACTION).exists()


def test_a_rolled_back_transaction_sends_nothing(world, week, mailoutbox):
    from django.db import transaction

    def queue_then_fail():
        with transaction.atomic():
            tasks.send_digests(today=week, dry_run=False)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        queue_then_fail()
    assert mailoutbox == []


def test_the_task_skips_inactive_users_and_empty_weeks(world, week, mailoutbox):
    from pilote.accompaniment.tasks import send_digest

    assert send_digest.call(user_id=world.users["manager"].pk, day=week.isoformat()) == "empty"
    user = world.users["agent_e1"]
    user.is_active = False
    user.save()
    assert send_digest.call(user_id=user.pk, day=week.isoformat()) == "inactive"
    assert send_digest.call(user_id=world.users["admin"].pk, day=week.isoformat()) == "inactive"
    assert mailoutbox == []


def test_the_preview_page_shows_the_digest(world, week, client, login):
    html = login(world.users["agent_e1"]).get("/accompagnement/actions/recapitulatif/")
    content = html.content.decode()
    assert "Envoyer la fiche AAP ZIBAC" in content
    assert "En retard" in content
    for secret in CONFIDENTIAL:
        assert secret not in content
    empty = login(world.users["partner"]).get("/accompagnement/actions/recapitulatif/")
    assert "vous ne recevrez pas de courriel cette semaine" in empty.content.decode()
