"""Opens and clicks of the newsletter, measured only while the list's `tracking` is on (off
by default; docs/outreach.md#statistiques, the « Lettre d'information » processing of
pilote/legal/processings.py).

- open: a 1×1 transparent GIF at `/lettre/o/<token>.gif` in the HTML part, `token` the
  signed delivery id; the first open only is kept (`Delivery.opened_at`);
- click: each link of the sections' HTML points to `/lettre/c/<token>/`, `token` the signed
  (delivery id, index of the link among the issue's links, `issue_links`); the view records a
  `Click` and redirects to the URL it looks up in that issue's links — the token carries no
  URL, so it can never send anyone elsewhere (no open redirect).

The tokens are signed (SECRET_KEY, their own salts), never stored; with the list's tracking
off, the pages answer 404 and record nothing.
"""

from __future__ import annotations

import base64
import html
import re

from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from pilote.outreach.models import Click, Delivery, Issue
from pilote.outreach.sections import sections_of

OPEN_SALT = "pilote.outreach.open"
CLICK_SALT = "pilote.outreach.click"

# The smallest transparent GIF (1×1).
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

# A link of the sanitised Markdown (nh3 keeps only href and title, double-quoted).
HREF = re.compile(r'(<a\b[^>]*?\bhref=")(https?://[^"]+)(")', re.IGNORECASE)


def links_of_html(fragment: str) -> list[str]:
    """The http(s) links of an HTML fragment, unescaped, in order, each once."""
    seen: dict[str, None] = {}
    for match in HREF.finditer(fragment):
        seen.setdefault(html.unescape(match.group(2)), None)
    return list(seen)


def issue_links(issue: Issue) -> list[str]:
    """Every link of the issue's sections as the e-mail renders them."""
    links: dict[str, None] = {}
    for section in sections_of(issue):
        for url in links_of_html(section["html"]):
            links.setdefault(url, None)
    return list(links)


def open_token(delivery_id: int) -> str:
    return signing.dumps(delivery_id, salt=OPEN_SALT)


def click_token(delivery_id: int, index: int) -> str:
    return signing.dumps({"d": delivery_id, "i": index}, salt=CLICK_SALT)


def open_path(token: str) -> str:
    return reverse("outreach:open", kwargs={"token": token})


def click_path(token: str) -> str:
    return reverse("outreach:click", kwargs={"token": token})


def _tracked(delivery_id) -> Delivery | None:
    """The delivery, if its list measures opens and clicks now."""
    return (
        Delivery.objects.select_related("issue__mailing_list")
        .filter(pk=delivery_id, issue__mailing_list__tracking=True)
        .first()
    )


def record_open(token: str) -> bool:
    """The first open of a delivery; False for a forged token or tracking off."""
    try:
        delivery_id = signing.loads(token, salt=OPEN_SALT)
    except signing.BadSignature:
        return False
    if not isinstance(delivery_id, int) or _tracked(delivery_id) is None:
        return False
    Delivery.objects.filter(pk=delivery_id, opened_at__isnull=True).update(opened_at=timezone.now())
    return True


def record_click(token: str) -> str | None:
    """The URL to redirect to, the click recorded; None (404) for a forged token, tracking
    off, or an index that is not one of the issue's links. A click counts as an open too."""
    try:
        data = signing.loads(token, salt=CLICK_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    delivery_id, index = data.get("d"), data.get("i")
    if not isinstance(delivery_id, int) or not isinstance(index, int) or index < 0:
        return None
    delivery = _tracked(delivery_id)
    if delivery is None:
        return None
    links = issue_links(delivery.issue)
    if index >= len(links):
        return None
    url = links[index]
    now = timezone.now()
    Click.objects.create(delivery=delivery, url=url, clicked_at=now)
    Delivery.objects.filter(Q(pk=delivery.pk), Q(opened_at__isnull=True)).update(opened_at=now)
    return url
