"""The PDFs of a meeting (docs/governance.md#minutes), printed by WeasyPrint like the other
PDFs of Pilote (Marianne fonts, nothing loaded but them):

- the **minutes** (`minutes_html` / `minutes_pdf`): the meeting, the attendance (present,
  excused, absent), each agenda item with its outcomes (decisions, actions with their owner
  and due date), the text, the addenda; « Projet » across every page until the minutes are
  locked;
- the **meeting pack** (`pack_html` / `pack_pdf`): the convocation (date, place), the agenda
  with presenters and durations and, for each item, a summary of the record it discusses —
  only when the reader sees that record (`visible_to`) —, the decisions and open actions of
  the previous meeting of the body that the reader reads, and the attendees.

Both are built for one reader, who reads the meeting (the view checks it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone

from pilote.governance import perms
from pilote.governance.enums import AttendanceStatus, MeetingStatus, OutcomeKind
from pilote.governance.models import Meeting, Minutes, Outcome


@dataclass
class Item:
    item: object
    outcomes: list = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # what the reader may see of its records


@dataclass
class Document:
    meeting: Meeting
    generated_on: dt.date
    minutes: Minutes | None = None
    items: list[Item] = field(default_factory=list)
    attendees: list = field(default_factory=list)
    present: list = field(default_factory=list)
    excused: list = field(default_factory=list)
    absent: list = field(default_factory=list)
    addenda: list = field(default_factory=list)
    previous: Meeting | None = None
    previous_decisions: list = field(default_factory=list)
    previous_actions: list = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.minutes is None or not self.minutes.is_locked


def _items(meeting: Meeting) -> list[Item]:
    items = meeting.agenda_items.prefetch_related("outcomes__owner").order_by("position", "pk")
    return [Item(item=i, outcomes=list(i.outcomes.all())) for i in items]


def _attendance(doc: Document) -> None:
    doc.attendees = list(meeting_attendees(doc.meeting))
    by_status = {s: [a for a in doc.attendees if a.status == s] for s in AttendanceStatus.values}
    doc.present = by_status[AttendanceStatus.PRESENT]
    doc.excused = by_status[AttendanceStatus.EXCUSED]
    doc.absent = by_status[AttendanceStatus.ABSENT]


def meeting_attendees(meeting: Meeting):
    return meeting.attendees.select_related("member__user", "member__organisation").order_by("pk")


def build_minutes(meeting: Meeting) -> Document:
    minutes = Minutes.objects.filter(meeting=meeting).select_related("author").first()
    doc = Document(
        meeting=meeting, generated_on=timezone.localdate(), minutes=minutes, items=_items(meeting)
    )
    _attendance(doc)
    if minutes is not None:
        doc.addenda = list(minutes.addenda.select_related("author"))
    return doc


def _money(value) -> str:
    from pilote.core.templatetags.pilote import euros

    return euros(value)


def links_for(item, user) -> list[str]:
    """What `user` may read of the records the agenda item discusses, one line each."""
    from pilote.accompaniment.models import Project
    from pilote.applications.models import Application

    lines = []
    if item.project_id:
        project = (
            Project.objects.visible_to(user)
            .select_related("establishment")
            .filter(pk=item.project_id)
            .first()
        )
        if project is not None:
            line = f"Projet : {project.title} — {project.establishment.display_name}"
            if project.investment_amount:
                line += f", investissement {_money(project.investment_amount)}"
            lines.append(line)
    if item.application_id:
        application = Application.objects.visible_to(user).filter(pk=item.application_id).first()
        if application is not None:
            line = f"{application.label} — {application.get_status_display().lower()}"
            if application.amount_requested:
                line += f", montant demandé {_money(application.amount_requested)}"
            lines.append(line)
    if item.call_id and item.call is not None:
        call = item.call
        line = f"Appel à projets : {call}"
        if call.closes_on:
            line += f", clôture le {call.closes_on:%d/%m/%Y}"
        lines.append(line)
    if item.indicator:
        from pilote.indicators.indicators import LABELS

        lines.append(f"Indicateur : {LABELS.get(item.indicator, item.indicator)}")
    return lines


def previous_meeting(meeting: Meeting, user) -> Meeting | None:
    return (
        Meeting.objects.filter(perms.meetings_q(user), body=meeting.body)
        .filter(starts_at__lt=meeting.starts_at)
        .exclude(status=MeetingStatus.CANCELLED)
        .exclude(pk=meeting.pk)
        .order_by("-starts_at", "-pk")
        .first()
    )


def build_pack(meeting: Meeting, user) -> Document:
    doc = Document(meeting=meeting, generated_on=timezone.localdate(), items=_items(meeting))
    for entry in doc.items:
        entry.links = links_for(entry.item, user)
    _attendance(doc)
    doc.previous = previous_meeting(meeting, user)
    if doc.previous is not None:
        outcomes = Outcome.objects.filter(item__meeting=doc.previous).select_related(
            "owner", "item"
        )
        doc.previous_decisions = list(outcomes.filter(kind=OutcomeKind.DECISION))
        doc.previous_actions = list(
            outcomes.filter(kind=OutcomeKind.ACTION, done_on__isnull=True).order_by("due_on", "pk")
        )
    return doc


def _render(template: str, doc: Document) -> tuple[str, str, set[str]]:
    from pilote.accompaniment.report import _font_urls

    fonts = _font_urls()
    context = {"doc": doc, "meeting": doc.meeting, "fonts": fonts}
    html = render_to_string(template, context)
    css = render_to_string("governance/pdf/document.css", context)
    return html, css, set(fonts.values())


def _pdf(html: str, css: str, fonts: set[str]) -> bytes:
    from weasyprint import CSS, HTML

    from pilote.accompaniment.report import _url_fetcher

    fetcher = _url_fetcher(fonts)
    stylesheet = CSS(string=css, url_fetcher=fetcher)
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])


def minutes_html(meeting: Meeting) -> str:
    return _render("governance/pdf/minutes.html", build_minutes(meeting))[0]


def minutes_pdf(meeting: Meeting) -> bytes:
    return _pdf(*_render("governance/pdf/minutes.html", build_minutes(meeting)))


def pack_html(meeting: Meeting, user) -> str:
    return _render("governance/pdf/pack.html", build_pack(meeting, user))[0]


def pack_pdf(meeting: Meeting, user) -> bytes:
    return _pdf(*_render("governance/pdf/pack.html", build_pack(meeting, user)))


def filename(meeting: Meeting, kind: str) -> str:
    return f"{kind}-{timezone.localtime(meeting.starts_at):%Y-%m-%d}-{meeting.pk}.pdf"
