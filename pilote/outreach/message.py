"""One recipient's message of an issue (docs/outreach.md#envoi).

The issue is rendered once per sending run (`prepare`: subject, plain text, HTML, headers
shared by every recipient) with a placeholder where each recipient's unsubscription link
goes; `build` then only puts the recipient's link in and adds their headers:

- `List-Unsubscribe: <https://…/lettre/desabonnement/TOKEN/>, <mailto:…?subject=…>` and
  `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 2369, RFC 8058);
- a deterministic `Message-ID` per delivery, `<newsletter-{issue}-{delivery}@{host}>`: a
  message sent again after an ambiguous crash carries the same id, and mail clients drop
  the duplicate;
- `List-Id` (RFC 2919), `Reply-To`.

With the list's `tracking` on (off by default), the HTML part also carries a 1×1 pixel and
the sections' links point to the click-counting URL (`tracking.py`): each is a placeholder in
the prepared message, filled with the recipient's signed tokens by `build`. The plain-text
part, the unsubscription and web-version links are never rewritten.

The e-mail HTML may carry inline styles (mail clients ignore style sheets; an e-mail is
not served under the site's CSP); the web version (`public_web.html`) carries none.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from email.header import Header
from email.utils import formataddr, formatdate
from html import escape, unescape
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from pilote.outreach import subscriptions, tracking
from pilote.outreach.models import Issue, Subscriber
from pilote.outreach.sections import sections_of

UNSUBSCRIBE_PLACEHOLDER = "__PILOTE_LIEN_DE_DESABONNEMENT__"
TEST_PREFIX = "[TEST] "
# The token of the test message's links: no subscriber has it, the page answers 404.
TEST_TOKEN = "essai"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def subject_of(issue: Issue) -> str:
    return f"{issue.mailing_list.name} n° {issue.number} — {issue.title}"


def unsubscribe_mailto(issue: Issue) -> str:
    mailing_list = issue.mailing_list
    return (
        getattr(settings, "OUTREACH_UNSUBSCRIBE_MAILTO", "")
        or mailing_list.reply_to
        or mailing_list.sender_email
    )


def list_id(issue: Issue) -> str:
    mailing_list = issue.mailing_list
    ident = f"<lettre-{mailing_list.pk}.{site_host()}>"
    name = str(mailing_list).replace('"', "'")
    phrase = f'"{name}"' if name.isascii() else Header(name, "utf-8").encode()
    return f"{phrase} {ident}"


# Placeholders of the serialised message shared by every recipient (`Prepared.raw`): plain
# ASCII without spaces, so that the MIME serialisation (8-bit bodies, headers folded at spaces)
# leaves them intact; `prepare` checks it and falls back to serialising each message otherwise.
_PH_TO = "destinataire-pilote@placeholder.invalid"
_PH_MAILTO_SUBJECT = "__PILOTE_SUJET_DE_DESABONNEMENT__"
_PH_MESSAGE_ID = "<__PILOTE_MESSAGE_ID__@placeholder.invalid>"
_PH_DATE = "__PILOTE_DATE__"
# With tracking on: the pixel's token, and each link of the sections (the whole href value).
PIXEL_PLACEHOLDER = "__PILOTE_PIXEL__"


def link_placeholder(index: int) -> str:
    return f"__PILOTE_LIEN_{index}__"


def _tracked_sections(sections: list[dict]) -> tuple[list[dict], list[str]]:
    """The sections with each http(s) link replaced by its placeholder (the href alone on
    its line, so that a long tracked URL never makes a line too long), and the links."""
    links: list[str] = []

    def swap(match):
        url = unescape(match.group(2))
        if url not in links:
            links.append(url)
        opening = match.group(1)[: -len('href="')]
        return f'{opening}\nhref="{link_placeholder(links.index(url))}"\n'

    tracked = [
        # the sanitised HTML, links swapped for placeholders: still safe
        {**section, "html": mark_safe(tracking.HREF.sub(swap, str(section["html"])))}
        for section in sections
    ]
    return tracked, links


@dataclass(frozen=True)
class Prepared:
    """What every recipient's message of one issue shares, rendered once."""

    issue_id: int
    subject: str
    text: str  # with UNSUBSCRIBE_PLACEHOLDER
    html: str  # with UNSUBSCRIBE_PLACEHOLDER
    from_email: str
    reply_to: tuple[str, ...]
    list_id: str
    mailto: str
    host: str
    unsubscribe_prefix: str  # the unsubscription URL up to its token
    raw: bytes | None = None  # the whole message, serialised once, with placeholders
    tracking: bool = False  # the list's tracking was on: pixel and link placeholders
    links: tuple[str, ...] = ()  # the sections' links, in the order of their placeholders


def render_bodies(
    issue: Issue, *, unsubscribe_url: str, tracked: bool = False
) -> tuple[str, str, list[str]]:
    """The plain-text and HTML bodies, and the links replaced by placeholders in the HTML
    when `tracked`."""
    sections = sections_of(issue)
    html_sections, links = _tracked_sections(sections) if tracked else (sections, [])
    context = {
        "issue": issue,
        "mailing_list": issue.mailing_list,
        "territory": issue.mailing_list.territory,
        "sections": sections,
        "web_url": absolute(issue.get_web_url()),
        "unsubscribe_url": unsubscribe_url,
        "site_url": settings.SITE_URL,
        "site_name": settings.SITE_NAME,
    }
    html_context = {
        **context,
        "sections": html_sections,
        "pixel_url": absolute(tracking.open_path(PIXEL_PLACEHOLDER)) if tracked else "",
    }
    return (
        render_to_string("outreach/email/issue.txt", context),
        render_to_string("outreach/email/issue.html", html_context),
        links,
    )


def prepare(issue: Issue, *, test: bool = False) -> Prepared:
    mailing_list = issue.mailing_list
    tracked = bool(mailing_list.tracking) and not test
    text, html, links = render_bodies(
        issue, unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER, tracked=tracked
    )
    marker = "JETON"
    prefix = unsubscribe_url(marker)
    prepared = Prepared(
        issue_id=issue.pk,
        subject=(TEST_PREFIX if test else "") + subject_of(issue),
        text=text,
        html=html,
        from_email=formataddr((mailing_list.sender_name, mailing_list.sender_email)),
        reply_to=(mailing_list.reply_to,) if mailing_list.reply_to else (),
        list_id=list_id(issue),
        mailto=unsubscribe_mailto(issue),
        host=site_host(),
        unsubscribe_prefix=prefix[: prefix.rindex(marker)],
        tracking=tracked,
        links=tuple(links),
    )
    return replace(prepared, raw=_serialise_once(prepared))


def _tracking_values(prepared: Prepared, delivery_id: int | None) -> dict[str, str]:
    """What each tracking placeholder becomes in one recipient's message: their signed
    tokens; without a delivery (a message built outside a sending), the original links and
    a pixel that records nothing."""
    if not prepared.tracking:
        return {}
    if delivery_id is None:
        values = {link_placeholder(i): escape(url) for i, url in enumerate(prepared.links)}
        values[PIXEL_PLACEHOLDER] = TEST_TOKEN
        return values
    values = {
        link_placeholder(i): absolute(tracking.click_path(tracking.click_token(delivery_id, i)))
        for i in range(len(prepared.links))
    }
    values[PIXEL_PLACEHOLDER] = tracking.open_token(delivery_id)
    return values


def _serialise_once(prepared: Prepared) -> bytes | None:
    """The message with placeholders where each recipient's values go, or None if the
    serialisation did not keep them verbatim (a body line over 998 characters is sent
    quoted-printable, for instance)."""
    email = _email(
        prepared,
        to=_PH_TO,
        url=UNSUBSCRIBE_PLACEHOLDER,
        mailto_subject=_PH_MAILTO_SUBJECT,
        headers={"Message-ID": _PH_MESSAGE_ID, "Date": _PH_DATE},
    )
    raw = email.message().as_bytes(linesep="\r\n")
    expected = {
        _PH_TO: 1,
        UNSUBSCRIBE_PLACEHOLDER: 1
        + prepared.text.count(UNSUBSCRIBE_PLACEHOLDER)
        + prepared.html.count(UNSUBSCRIBE_PLACEHOLDER),
        _PH_MAILTO_SUBJECT: 1,
        _PH_MESSAGE_ID: 1,
        _PH_DATE: 1,
        **{ph: prepared.html.count(ph) for ph in _tracking_values(prepared, None)},
    }
    if any(raw.count(ph.encode()) != n for ph, n in expected.items()):
        return None
    return raw


def unsubscribe_url(token: str) -> str:
    return absolute(reverse("outreach:unsubscribe", kwargs={"token": token}))


def message_id(issue_id: int, delivery_id: int, host: str | None = None) -> str:
    return f"<newsletter-{issue_id}-{delivery_id}@{host or site_host()}>"


class _Serialised:
    """What `EmailMessage.message()` returns, for a message already serialised."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, unixfrom=False, linesep="\r\n") -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom=False, linesep="\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8", "replace")

    def get_charset(self):
        return None


class NewsletterEmail(EmailMultiAlternatives):
    """A recipient's message. Its attributes are those of any Django e-mail (the test
    backends read them); `message()` fills the issue's serialised message in when there is
    one, instead of building and serialising the MIME tree again for each recipient."""

    serialised: bytes | None = None

    def message(self):
        if self.serialised is None:
            return super().message()
        return _Serialised(self.serialised)


def _email(
    prepared, *, to, url, mailto_subject, headers, connection=None, personal=None
) -> NewsletterEmail:
    email = NewsletterEmail(
        subject=prepared.subject,
        body=prepared.text.replace(UNSUBSCRIBE_PLACEHOLDER, url),
        from_email=prepared.from_email,
        to=[to],
        reply_to=list(prepared.reply_to),
        headers={
            "List-Unsubscribe": f"<{url}>, <mailto:{prepared.mailto}?subject={mailto_subject}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": prepared.list_id,
            "Precedence": "bulk",
            **headers,
        },
        connection=connection,
    )
    html = prepared.html.replace(UNSUBSCRIBE_PLACEHOLDER, url)
    for placeholder, value in (personal or {}).items():
        html = html.replace(placeholder, value)
    email.attach_alternative(html, "text/html")
    return email


def build(
    prepared: Prepared,
    *,
    to: str,
    token: str,
    delivery_id: int | None,
    connection=None,
) -> NewsletterEmail:
    """The message of one recipient: `token` is their `subscriptions.unsubscribe_token`;
    `delivery_id` None (the test message) leaves the Message-ID to the mail library."""
    url = f"{prepared.unsubscribe_prefix}{token}/"
    mailto_subject = quote(f"desabonnement-{token}")
    headers = {}
    if delivery_id is not None:
        headers["Message-ID"] = message_id(prepared.issue_id, delivery_id, prepared.host)
    personal = _tracking_values(prepared, delivery_id)
    email = _email(
        prepared,
        to=to,
        url=url,
        mailto_subject=mailto_subject,
        headers=headers,
        connection=connection,
        personal=personal,
    )
    if prepared.raw is not None and delivery_id is not None and to.isascii():
        raw = prepared.raw
        # the longest placeholders first: none is then a part of another
        for placeholder in sorted(personal, key=len, reverse=True):
            raw = raw.replace(placeholder.encode(), personal[placeholder].encode())
        email.serialised = (
            raw.replace(_PH_TO.encode(), to.encode())
            .replace(UNSUBSCRIBE_PLACEHOLDER.encode(), url.encode())
            .replace(_PH_MAILTO_SUBJECT.encode(), mailto_subject.encode())
            .replace(_PH_MESSAGE_ID.encode(), headers["Message-ID"].encode())
            .replace(
                _PH_DATE.encode(),
                formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode(),
            )
        )
    return email


def build_for(issue: Issue, subscriber: Subscriber, *, delivery_id: int | None):
    """One subscriber's message, rendering the issue for them alone (previews, tests)."""
    return build(
        prepare(issue),
        to=subscriber.email,
        token=subscriptions.unsubscribe_token(subscriber),
        delivery_id=delivery_id,
    )


def build_test(issue: Issue, to: str) -> EmailMultiAlternatives:
    """The test message sent to a team member: « [TEST] » subject, links that unsubscribe
    nobody."""
    return build(prepare(issue, test=True), to=to, token=TEST_TOKEN, delivery_id=None)
