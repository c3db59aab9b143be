"""The public pages of the newsletter: one-click unsubscription (RFC 8058) and the web
version of a sent issue — no account, no CSRF token for the POST, French pages under the
site's CSP."""

import pytest
from django.test import Client

from pilote.outreach import message, sending, subscriptions
from pilote.outreach.enums import BlockReason, IssueStatus, SubscriberStatus
from pilote.outreach.models import DoNotContact
from pilote.outreach.views_public import mask_email
from tests.outreach.factories import IssueFactory, MailingListFactory, SubscriberFactory


@pytest.fixture
def subscriber(db):
    mailing_list = MailingListFactory(name="Lettre TI")
    return SubscriberFactory(mailing_list=mailing_list, email="jeanne.dupont@exemple.fr")


def url_of(subscriber) -> str:
    return f"/lettre/desabonnement/{subscriptions.unsubscribe_token(subscriber)}/"


def test_mask_email():
    assert mask_email("jeanne.dupont@exemple.fr") == "j***@exemple.fr"


def test_the_link_shows_the_masked_address_and_a_button_and_unsubscribes_nobody(subscriber):
    response = Client().get(url_of(subscriber))
    assert response.status_code == 200
    page = response.content.decode()
    assert "j***@exemple.fr" in page
    assert "jeanne.dupont" not in page
    assert "Me désabonner" in page
    assert 'method="post"' in page
    assert "csrfmiddlewaretoken" not in page
    assert response["X-Robots-Tag"] == "noindex"
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE


def test_one_click_post_without_session_or_csrf_unsubscribes_at_once(subscriber):
    issue = IssueFactory(mailing_list=subscriber.mailing_list, status=IssueStatus.READY)
    other = SubscriberFactory(mailing_list=subscriber.mailing_list)
    assert sending.plan(issue)["recipients"] == 2

    client = Client(enforce_csrf_checks=True)
    response = client.post(
        url_of(subscriber),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Désabonnement enregistré" in response.content.decode()
    assert not response.cookies.get("sessionid")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    entry = DoNotContact.objects.get(mailing_list=subscriber.mailing_list)
    assert entry.reason == BlockReason.UNSUBSCRIBED
    assert entry.note == "lien en un clic"
    assert sending.plan(issue) == {"recipients": 1, "already_sent": 0, "to_send": 1}
    other.refresh_from_db()
    assert other.status == SubscriberStatus.ACTIVE

    # again (the provider retries, the person clicks twice): still 200, nothing changes
    again = client.post(url_of(subscriber), {"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    page = client.get(url_of(subscriber)).content.decode()
    assert "déjà désabonnée" in page


def test_the_pages_button_posts_the_same_way(subscriber):
    client = Client(enforce_csrf_checks=True)
    assert client.post(url_of(subscriber)).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED


@pytest.mark.parametrize(
    "token",
    [
        "pas-un-jeton",
        message.TEST_TOKEN,
        "eyJzIjoxLCJoIjoiMDAwMDAwMDAwMDAwMDAwMCJ9:1xa85f:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_a_forged_token_is_a_french_404(subscriber, token):
    client = Client(enforce_csrf_checks=True)
    for response in (
        client.get(f"/lettre/desabonnement/{token}/"),
        client.post(f"/lettre/desabonnement/{token}/", "List-Unsubscribe=One-Click",
                    content_type="application/x-www-form-urlencoded"),
    ):  # fmt: skip
        assert response.status_code == 404
        assert "Page non trouvée" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.ACTIVE


def test_a_token_stops_working_when_the_address_changes(subscriber):
    url = url_of(subscriber)
    subscriber.email = "jeanne@ailleurs.fr"
    subscriber.save()
    assert Client().post(url).status_code == 404


@pytest.mark.parametrize("status", [IssueStatus.DRAFT, IssueStatus.READY, IssueStatus.SENDING])
def test_the_web_version_of_an_issue_not_sent_is_404(db, status):
    issue = IssueFactory(status=status)
    assert Client().get(f"/lettre/en-ligne/{issue.web_key}/").status_code == 404


def test_the_web_version_of_a_sent_issue_without_personal_link_under_the_csp(db):
    issue = IssueFactory(status=IssueStatus.SENT, number=3, title="Automne")
    response = Client().get(f"/lettre/en-ligne/{issue.web_key}/")
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert "style-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "N° 3 — Automne" in page
    assert "Appels à projets qui ferment" in page
    assert "<strong>nouveau numéro</strong>" in page  # the Markdown, rendered
    assert "desabonnement" not in page
    assert "style=" not in page
    assert "<style" not in page
    assert Client().get("/lettre/en-ligne/inconnue/").status_code == 404


def test_the_emails_html_and_text_carry_the_sections_and_the_links(db):
    mailing_list = MailingListFactory(name="Lettre TI")
    subscriber = SubscriberFactory(mailing_list=mailing_list)
    issue = IssueFactory(mailing_list=mailing_list, status=IssueStatus.READY, number=2)
    email = message.build_for(issue, subscriber, delivery_id=41)
    token = subscriptions.unsubscribe_token(subscriber)
    html = email.alternatives[0].content
    assert f"http://testserver/lettre/desabonnement/{token}/" in html
    assert f"http://testserver/lettre/en-ligne/{issue.web_key}/" in html
    assert "<table" in html
    assert "<strong>nouveau numéro</strong>" in html
    assert f"Se désabonner : http://testserver/lettre/desabonnement/{token}/" in email.body
    assert "Bienvenue dans ce **nouveau numéro**." in email.body
    assert message.UNSUBSCRIBE_PLACEHOLDER not in html + email.body
    assert email.extra_headers["Message-ID"] == f"<newsletter-{issue.pk}-41@testserver>"
    assert email.from_email == f"Territoire d'industrie <{mailing_list.sender_email}>"
    assert email.reply_to == [mailing_list.reply_to]


def test_the_mailto_address_is_a_setting(db, settings):
    settings.OUTREACH_UNSUBSCRIBE_MAILTO = "desabonnement@exemple.fr"
    subscriber = SubscriberFactory()
    issue = IssueFactory(mailing_list=subscriber.mailing_list)
    email = message.build_for(issue, subscriber, delivery_id=1)
    assert (
        "<mailto:desabonnement@exemple.fr?subject=desabonnement-"
        in (email.extra_headers["List-Unsubscribe"])
    )


def test_the_message_serialised_once_per_issue_equals_the_one_built_for_each_recipient(db):
    """`build` fills the recipient's values into the issue's message serialised once
    (`Prepared.raw`); the result is the message Django would have serialised itself."""
    from email import message_from_bytes, policy

    subscriber = SubscriberFactory(first_name="Zoé", email="zoe@exemple.fr")
    issue = IssueFactory(mailing_list=subscriber.mailing_list, title="Été « chaud »")
    prepared = message.prepare(issue)
    assert prepared.raw is not None
    token = subscriptions.unsubscribe_token(subscriber)
    fast = message.build(prepared, to=subscriber.email, token=token, delivery_id=5)
    assert fast.serialised is not None
    slow = message.build(prepared, to=subscriber.email, token=token, delivery_id=5)
    slow.serialised = None

    def parsed(email):
        return message_from_bytes(email.message().as_bytes(linesep="\r\n"), policy=policy.default)

    a, b = parsed(fast), parsed(slow)
    names = ["From", "To", "Subject", "Reply-To", "Message-ID", "List-Unsubscribe",
             "List-Unsubscribe-Post", "List-Id", "Precedence"]  # fmt: skip
    # (folded at other places: the placeholders are shorter than the values)
    assert {n: a[n].strip() for n in names} == {n: b[n].strip() for n in names}
    assert a["Subject"].strip() == f"Lettre d'information n° {issue.number} — Été « chaud »"
    assert a["Date"]
    for kind in ("plain", "html"):
        assert a.get_body((kind,)).get_content() == b.get_body((kind,)).get_content()
    assert f"/lettre/desabonnement/{token}/" in a.get_body(("html",)).get_content()


def test_a_placeholder_cut_by_quoted_printable_falls_back_to_serialising_each_message(db):
    from dataclasses import replace

    subscriber = SubscriberFactory()
    issue = IssueFactory(mailing_list=subscriber.mailing_list)
    prepared = message.prepare(issue)
    # a line over 998 characters sends the part quoted-printable, cut every 76 characters
    text = "y" * 1000 + "\n" + "x" * 60 + message.UNSUBSCRIBE_PLACEHOLDER + "\n"
    assert message._serialise_once(replace(prepared, text=text, raw=None)) is None
    broken = replace(prepared, text=text, raw=None)
    email = message.build(broken, to=subscriber.email, token="t", delivery_id=1)
    assert email.serialised is None
    assert b"List-Unsubscribe-Post" in email.message().as_bytes()
