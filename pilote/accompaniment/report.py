"""The meeting report (compte rendu) of an interaction, as a PDF, in two versions:

- **entreprise**, to send to the company: the message written for it (`company_summary`),
  what it told us and what was agreed — its answers to the interview guide, needs,
  projects, diagnostics, referrals and actions, without the team's internal notes: no
  summary (written for the team), no diagnostic remarks, referral
  comments, action details, time spent or accompaniment level, and no record marked
  « Mon organisation seulement » (an internal note of its author's organisation);
- **interne**, for the EPCI and the TI team: everything the reader may see, with each
  record's visibility.

Both are built for one reader: every record comes through `visible_to(user)`, so a record
the reader may not see is never in either version, even on an interaction they see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from pilote.accompaniment.enums import Theme
from pilote.accompaniment.models import (
    AccompanimentLevel,
    Action,
    Answer,
    Diagnostic,
    Interaction,
    Need,
    Project,
    Referral,
)
from pilote.core.enums import Visibility

COMPANY = "entreprise"
INTERNAL = "interne"
VERSIONS = {COMPANY: "Version entreprise", INTERNAL: "Version interne (EPCI et équipe TI)"}
FONTS = {
    "regular": "dsfr/dist/fonts/Marianne-Regular.woff",
    "bold": "dsfr/dist/fonts/Marianne-Bold.woff",
}


@dataclass
class Report:
    interaction: Interaction
    version: str
    generated_on: dt.date
    participants: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    themes: list = field(default_factory=list)  # [(theme label, [answer, …])]
    needs: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    diagnostics: list = field(default_factory=list)
    referrals: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    level: AccompanimentLevel | None = None

    @property
    def is_internal(self) -> bool:
        return self.version == INTERNAL

    @property
    def version_label(self) -> str:
        return VERSIONS[self.version]

    @property
    def is_empty(self) -> bool:
        return (
            not (self.themes or self.needs or self.projects or self.diagnostics or self.referrals)
            and not self.actions
        )

    @property
    def filename(self) -> str:
        i = self.interaction
        return f"compte-rendu-{i.establishment.siret}-{i.occurred_on:%Y-%m-%d}-{self.version}.pdf"


def _shared(queryset, version: str):
    """In the company version, records marked private are internal notes: left out."""
    return queryset.exclude(visibility=Visibility.PRIVATE) if version == COMPANY else queryset


def build_report(user, interaction: Interaction, *, version: str) -> Report:
    """The report of `interaction` as `user` may see it. The caller has checked that `user`
    sees the interaction (`get_visible_or_404`)."""
    if version not in VERSIONS:
        raise ValueError(f"Version de compte rendu inconnue : {version}")

    def records(model):
        return _shared(model.objects.visible_to(user).filter(interaction=interaction), version)

    answers = (
        records(Answer).select_related("question").order_by("question__position", "question__pk")
    )
    theme_order = {value: n for n, value in enumerate(Theme.values)}
    answers = sorted(
        (a for a in answers if not a.is_empty),
        key=lambda a: (theme_order.get(a.question.theme, 99), a.question.position),
    )
    themes = [
        (Theme(theme).label, list(items))
        for theme, items in groupby(answers, key=lambda a: a.question.theme)
    ]
    report = Report(
        interaction=interaction,
        version=version,
        generated_on=timezone.localdate(),
        participants=list(interaction.participants.order_by("last_name", "first_name")),
        contacts=list(
            _shared(interaction.contacts.visible_to(user), version).order_by("last_name")
        ),
        themes=themes,
        needs=list(records(Need).order_by("theme", "pk")),
        projects=list(records(Project).order_by("pk")),
        diagnostics=list(records(Diagnostic).order_by("offered_on", "pk")),
        referrals=list(records(Referral).order_by("referred_on", "pk")),
        actions=list(records(Action).select_related("owner").order_by("due_date", "pk")),
    )
    if report.is_internal:
        report.level = (
            AccompanimentLevel.objects.visible_to(user)
            .filter(establishment=interaction.establishment)
            .order_by("-changed_on", "-pk")
            .first()
        )
    return report


def _font_urls() -> dict[str, str]:
    urls = {}
    for weight, path in FONTS.items():
        found = finders.find(path)
        if found:
            urls[weight] = f"file://{found}"
    return urls


def _url_fetcher(allowed: set[str]):
    """WeasyPrint may load the fonts, nothing else: no file or address named in user text."""
    from weasyprint.urls import URLFetcher

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise ValueError(f"Ressource refusée dans un compte rendu : {url}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols={"file"})


def render_pdf(report: Report) -> bytes:
    from weasyprint import CSS, HTML

    fonts = _font_urls()
    context = {"report": report, "fonts": fonts}
    fetcher = _url_fetcher(set(fonts.values()))
    stylesheet = CSS(
        string=render_to_string("accompaniment/report.css", context), url_fetcher=fetcher
    )
    html = render_to_string("accompaniment/report.html", context)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])
