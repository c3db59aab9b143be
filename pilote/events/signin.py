"""The sign-in sheet (« feuille d'émargement ») of an event as a PDF (WeasyPrint): one line
per registered person — name, organisation, a signature column — in alphabetical order,
with blank lines for walk-ins. WeasyPrint loads nothing but the fonts
(`accompaniment.report._url_fetcher`)."""

from __future__ import annotations

from django.template.loader import render_to_string

from pilote.accompaniment.report import _font_urls, _url_fetcher

BLANK_LINES = 5


def render_pdf(event) -> bytes:
    from weasyprint import CSS, HTML

    fonts = _font_urls()
    fetcher = _url_fetcher(set(fonts.values()))
    stylesheet = CSS(
        string=render_to_string("events/signin.css", {"fonts": fonts}), url_fetcher=fetcher
    )
    rows = event.registrations.registered().order_by("last_name", "first_name", "pk")
    html = render_to_string(
        "events/signin.html",
        {"event": event, "rows": rows, "blank": range(BLANK_LINES), "fonts": fonts},
    )
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
