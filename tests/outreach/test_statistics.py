"""Statistics of the newsletter (docs/outreach.md#statistiques): per-issue counts from the
delivery rows; opens and clicks only while the list's tracking is on (off by default) —
the pixel records the first open, a click redirects only to a link of that issue; clicks
tied to the company, its EPCI and what followed, read through the access layer; the
settings change audited, for the TI manager only."""

import datetime as dt
import json
import re

import pytest
from django.core import signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pilote.core.enums import Visibility
from pilote.core.models import AuditEvent
from pilote.outreach import message, stats, tracking
from pilote.outreach.enums import DeliveryStatus, IssueStatus, SectionKind, SubscriberStatus
from pilote.outreach.models import Click, Delivery
from tests.accompaniment.factories import NeedFactory
from tests.factories import EstablishmentFactory
from tests.outreach.factories import IssueFactory, MailingListFactory, SubscriberFactory

LINK = "https://www.exemple.fr/appel?a=1&b=2"


@pytest.fixture
def mailing_list(world):
    return MailingListFactory(territory=world.territory_a)


def _track(mailing_list):
    mailing_list.tracking = True
    mailing_list.save()


def _issue(mailing_list, **kwargs):
    issue = IssueFactory(mailing_list=mailing_list, status=IssueStatus.SENT, **kwargs)
    issue.sections.filter(kind=SectionKind.EDITO).update(
        body=f"Lisez [l'appel]({LINK}) et [le site](https://pilote.example.fr/)."
    )
    return issue


def _delivery(issue, status=DeliveryStatus.SENT, **subscriber):
    person = SubscriberFactory(mailing_list=issue.mailing_list, **subscriber)
    return Delivery.objects.create(
        issue=issue, subscriber=person, email=person.email, status=status
    )


def test_counts_per_issue_from_the_deliveries_and_the_unsubscriptions(mailing_list, world, login):
    start = timezone.now() - dt.timedelta(days=60)
    issue = _issue(mailing_list, number=1, sending_started_at=start, sent_at=start)
    later = _issue(mailing_list, number=2, sending_started_at=start + dt.timedelta(days=30))
    for status in (DeliveryStatus.SENT, DeliveryStatus.SENT, DeliveryStatus.FAILED):
        _delivery(issue, status)
    _delivery(issue, DeliveryStatus.RETRY)
    _delivery(issue, DeliveryStatus.SKIPPED)
    gone = _delivery(issue).subscriber
    gone.status = SubscriberStatus.UNSUBSCRIBED
    gone.unsubscribed_at = start + dt.timedelta(days=2)
    gone.save()
    # unsubscribed after the next issue went out: counted for the next one, not this one
    late = _delivery(issue).subscriber
    Delivery.objects.create(issue=later, subscriber=late, email=late.email, status="sent")
    late.unsubscribed_at = start + dt.timedelta(days=40)
    late.status = SubscriberStatus.UNSUBSCRIBED
    late.save()

    counts = stats.issue_stats(issue)
    assert counts == {
        "recipients": 7,
        "delivered": 4,
        "bounced": 2,
        "unsubscribed": 1,
        "opened": None,
        "clicks": None,
        "clickers": None,
    }
    assert stats.unsubscribed_since(later) == 1

    client = login(world.users["manager"])
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "Statistiques" in page
    assert "4 remis" in page
    assert "2 en échec" in page
    assert "1 désabonné depuis" in page
    assert "non mesurés" in page
    listing = client.get(reverse("outreach:issues")).content.decode()
    assert "4 · 2 · 1" in listing


def test_list_newsletters_json_has_the_statistics(mailing_list, capsys):
    issue = _issue(mailing_list)
    _delivery(issue)
    _delivery(issue, DeliveryStatus.FAILED)
    call_command("list_newsletters", "--json")
    row = json.loads(capsys.readouterr().out)[0]
    assert (row["sent"], row["delivered"], row["bounced"], row["unsubscribed"]) == (1, 1, 1, 0)
    assert {"id", "number", "title", "status", "territory", "mailing_list", "sent_at"} <= set(row)


def _html(delivery):
    email = message.build(
        message.prepare(delivery.issue),
        to=delivery.email,
        token="t",
        delivery_id=delivery.pk,
    )
    return email.alternatives[0].content, email.message().as_bytes().decode()


def test_tracking_off_no_pixel_no_rewritten_link_and_the_urls_record_nothing(mailing_list):
    issue = _issue(mailing_list)
    delivery = _delivery(issue)
    html, raw = _html(delivery)
    assert "/lettre/o/" not in html + raw
    assert "/lettre/c/" not in html + raw
    assert 'href="https://www.exemple.fr/appel?a=1&amp;b=2"' in html
    client = Client()
    pixel = reverse("outreach:open", args=[tracking.open_token(delivery.pk)])
    click = reverse("outreach:click", args=[tracking.click_token(delivery.pk, 0)])
    assert client.get(pixel).status_code == 404
    assert client.get(click).status_code == 404
    delivery.refresh_from_db()
    assert delivery.opened_at is None
    assert not Click.objects.exists()


def test_tracking_on_pixel_records_the_first_open_and_clicks_redirect(mailing_list):
    _track(mailing_list)
    issue = _issue(mailing_list)
    delivery = _delivery(issue)
    html, raw = _html(delivery)
    pixels = re.findall(r'<img src="http://testserver(/lettre/o/[^"]+\.gif)"', html)
    assert len(pixels) == 1
    links = re.findall(r'href="http://testserver(/lettre/c/[^"]+/)"', html)
    assert len(links) == 2
    assert LINK not in html  # rewritten in the HTML part…
    assert "/lettre/desabonnement/t/" in html  # …but not the unsubscription link
    assert f"/lettre/en-ligne/{issue.web_key}/" in html
    assert pixels[0] in raw
    assert links[0] in raw
    assert message.PIXEL_PLACEHOLDER not in raw
    assert "__PILOTE_LIEN_" not in raw

    client = Client()
    response = client.get(pixels[0])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"GIF89a")
    assert not response.cookies
    delivery.refresh_from_db()
    first = delivery.opened_at
    assert first is not None
    client.get(pixels[0])
    delivery.refresh_from_db()
    assert delivery.opened_at == first  # the first open only

    response = client.get(links[0])
    assert response.status_code == 302
    assert response["Location"] == LINK
    click = Click.objects.get()
    assert (click.delivery, click.url) == (delivery, LINK)
    assert stats.issue_stats(issue)["clicks"] == 1


def test_forged_or_foreign_click_tokens_answer_404(mailing_list):
    _track(mailing_list)
    issue = _issue(mailing_list)
    delivery = _delivery(issue)
    client = Client()
    token = tracking.click_token(delivery.pk, 0)
    forged = [
        token[:-2] + ("aa" if not token.endswith("aa") else "bb"),
        tracking.click_token(delivery.pk, 2),  # signed, but the issue has 2 links
        tracking.click_token(delivery.pk + 99, 0),
        # signed with the right salt, yet naming a URL instead of one of the issue's links
        signing.dumps(
            {"d": delivery.pk, "u": "https://malveillant.example/"}, salt=tracking.CLICK_SALT
        ),
        tracking.open_token(delivery.pk),  # another salt
    ]
    for bad in forged:
        assert client.get(reverse("outreach:click", args=[bad])).status_code == 404, bad
    assert client.get(reverse("outreach:open", args=["faux"])).status_code == 404
    assert not Click.objects.exists()


def test_what_followed_a_click_is_read_as_the_reader_sees_it(mailing_list, world, login):
    _track(mailing_list)
    issue = _issue(mailing_list)
    establishment = EstablishmentFactory(epci=world.epcis["e1"], own_name="Forges du Nord")
    delivery = _delivery(issue, establishment=establishment)
    clicked = timezone.now() - dt.timedelta(days=10)
    Click.objects.create(delivery=delivery, url=LINK, clicked_at=clicked)
    need = NeedFactory(
        establishment=establishment, visibility=Visibility.EPCI, description="Recruter"
    )
    client = login(world.users["manager"])
    page = client.get(issue.get_absolute_url()).content.decode()
    assert "Forges du Nord" in page
    assert str(world.epcis["e1"]) in page
    assert need.get_absolute_url() in page
    rows = stats.click_rows(issue, world.users["manager"])
    assert [item["url"] for item in rows[0].followed] == [need.get_absolute_url()]
    # read through the access layer: an agent of another EPCI sees no follow-up there
    assert stats.click_rows(issue, world.users["agent_e2"])[0].followed == []
    # a need created before the click, or more than 90 days after, did not follow it
    need.created_at = clicked - dt.timedelta(days=1)
    need.save(update_fields=["created_at"])
    assert stats.click_rows(issue, world.users["manager"])[0].followed == []


def test_the_settings_are_audited_and_for_the_ti_manager_only(mailing_list, world, login):
    url = reverse("outreach:settings")
    for who in ("agent_e1", "partner", "admin", "nobody"):
        client = login(world.users[who])
        assert client.get(url).status_code == 404
        assert client.post(url, {"tracking": "on"}).status_code == 404
    mailing_list.refresh_from_db()
    assert mailing_list.tracking is False
    client = login(world.users["manager"])
    assert client.get(url).status_code == 200
    response = client.post(url, {"tracking": "on"})
    assert response.status_code == 302
    mailing_list.refresh_from_db()
    assert mailing_list.tracking is True
    event = AuditEvent.objects.get(action="outreach.list.tracking")
    assert event.actor == world.users["manager"]
    client.post(url, {})
    mailing_list.refresh_from_db()
    assert mailing_list.tracking is False
    assert AuditEvent.objects.filter(action="outreach.list.tracking").count() == 2


def test_the_privacy_page_says_opens_and_clicks_are_measured_only_if_turned_on(client, db):
    page = client.get(reverse("legal:personal_data"))
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert "ne sont mesurés que si l&#x27;équipe l&#x27;active (désactivé par défaut)" in text
    assert MailingListFactory().tracking is False  # the model's default, not the factory's
