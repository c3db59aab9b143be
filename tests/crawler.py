"""A small same-site crawler for the acceptance tests: it follows every link of every page an
actor reaches (GET only), submits every search form, and reports the pages holding a word.

Bounded: at most `max_pages` requests, and at most `per_route` distinct addresses per URL name
(so ten thousand establishments or a paginated list cost a few requests, not thousands);
searches have their own allowance, so the lists' search boxes are always tried.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.http import StreamingHttpResponse
from django.urls import Resolver404, resolve

# Never followed: they end the session or are not pages of the application.
SKIPPED_URL_NAMES = {"accounts:logout", "admin:logout"}
SKIPPED_PREFIXES = ("/static/", "/media/")
TEXT_INPUT_TYPES = {"text", "search", ""}


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, value) as sent
    text_inputs: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """The links (`href`, `hx-get`) and the forms of a page, each form with the values a
    browser would send (checked boxes, each select's selected or first option)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._selected: tuple[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "hx-get"):
            if attrs.get(name):
                self.links.append(attrs[name])
        if tag == "form":
            self._form = Form(action=attrs.get("action") or "", method=attrs.get("method") or "get")
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            self._option(attrs)
        elif not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "").lower()
            if kind in TEXT_INPUT_TYPES:
                self._form.text_inputs.append(attrs["name"])
            elif kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self._form.fields.append((attrs["name"], attrs.get("value") or "on"))
            elif kind not in {"submit", "button", "reset", "file", "image"}:
                self._form.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select":
            self._select, self._selected = attrs["name"], None
        elif tag == "textarea":
            self._form.text_inputs.append(attrs["name"])

    def _option(self, attrs) -> None:
        if self._selected is not None and "selected" not in attrs:
            return
        if self._selected is not None:
            self._form.fields.remove(self._selected)
        self._selected = (self._select, attrs.get("value") or "")
        self._form.fields.append(self._selected)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def body_text(response) -> str:
    """The response as text: HTML, CSV and iCalendar as they are, a spreadsheet's XML, a PDF's
    text."""
    if isinstance(response, StreamingHttpResponse):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if content.startswith(b"%PDF"):
        from tests.accompaniment.leak_cases_followup import pdf_text

        return pdf_text(content)
    if content.startswith(b"PK") or "spreadsheet" in kind:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist()
            )
    return content.decode("utf-8", errors="replace")


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Crawl:
    visited: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    found: dict[str, list[str]] = field(default_factory=dict)  # word → addresses showing it
    statuses: Counter = field(default_factory=Counter)
    truncated: bool = False


def crawl(
    client,
    *,
    start: list[str],
    words: list[str],
    search_terms: list[str],
    max_pages: int = 400,
    per_route: int = 4,
    searches_per_route: int = 12,
) -> Crawl:
    """Visit from `start` every same-site address (GET only); fill each text input of each
    GET form with each of `search_terms` in turn and submit it; report where each of `words` shows
    (case-insensitively, in HTML, CSV, iCalendar, XLSX or PDF responses)."""
    result = Crawl()
    queue: deque[tuple[str, bool]] = deque((url, False) for url in start)
    seen: set[str] = set()
    per_name: Counter = Counter()

    def enqueue(base: str, href: str, *, search: bool = False) -> None:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https", ""} or parts.netloc not in {"", "testserver"}:
            return
        path = parts.path or "/"
        if path.startswith(SKIPPED_PREFIXES):
            return
        name = url_name(path)
        if name is None or name in SKIPPED_URL_NAMES:
            return
        # The admin's « preserved filters » only bring back to a list: the same page.
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if k != "_changelist_filters"]  # fmt: skip
        address = path + (f"?{urlencode(query)}" if query else "")
        if address in seen:
            return
        limit = searches_per_route if search else per_route
        if per_name[name, search] >= limit:
            return
        per_name[name, search] += 1
        seen.add(address)
        queue.append((address, search))

    for url in start:
        seen.add(url)
    while queue:
        if len(result.visited) >= max_pages:
            result.truncated = True
            break
        url, search = queue.popleft()
        response = client.get(url)
        result.visited.append(url)
        result.statuses[response.status_code] += 1
        if search:
            result.searches.append(url)
        if response.status_code in {301, 302, 303, 307, 308}:
            enqueue(url, response["Location"])
            continue
        if response.status_code != 200:
            continue
        text = body_text(response)
        lowered = text.lower()
        for word in words:
            if word.lower() in lowered:
                result.found.setdefault(word, []).append(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        page = parse(text)
        for href in page.links:
            enqueue(url, href)
        for form in page.forms:
            if form.method.lower() != "get" or not form.text_inputs:
                continue
            action = urljoin(url, form.action or url).split("?")[0]
            for name in form.text_inputs:  # one search per box and term, the others empty
                for term in search_terms:
                    others = [(other, "") for other in form.text_inputs if other != name]
                    query = urlencode([*form.fields, *others, (name, term)])
                    enqueue(url, f"{action}?{query}", search=True)
    return result
