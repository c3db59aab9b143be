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
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.http import StreamingHttpResponse
from django.urls import Resolver404, resolve

from tests.html_forms import parse

# Never followed: they end the session or are not pages of the application.
SKIPPED_URL_NAMES = {"accounts:logout", "admin:logout"}
SKIPPED_PREFIXES = ("/static/", "/media/")


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
            sent = form.data()
            for name in form.text_inputs:  # one search per box and term, the others empty
                for term in search_terms:
                    query = [(k, "" if k in form.text_inputs else v) for k, v in sent if k != name]
                    enqueue(url, f"{action}?{urlencode([*query, (name, term)])}", search=True)
    return result
