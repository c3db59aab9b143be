"""The fixed sections of an issue, pre-filled from Pilote's own data, then edited by the team
(Markdown).

- « Appels à projets qui ferment »: the calls of the public catalogue closing in the next
  `CALLS_WEEKS` weeks (`pilote.aids.calendar`): title, funder, closing date in French. The
  scheme's page in Pilote is internal, so no link is written.
- « Agenda des événements »: what the functions of `event_sources` return (the events app's
  upcoming published events, registered by `OutreachConfig.ready`), or « Aucun événement
  programmé ».
- « Chiffres du programme »: territory-wide figures of `pilote.indicators.indicators.compute`
  (reader=None), only those fit to publish: laureate companies, accepted applications,
  amount granted, establishments met — counts, never a company's name.
- Édito, portrait, EPCI news: empty; `HINTS` says what to write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import dateformat, translation
from django.utils.numberformat import format as number_format

from pilote.core.markdown import render_markdown
from pilote.outreach.enums import SectionKind

CALLS_WEEKS = 6
NO_CALLS = (
    f"Aucun appel à projets du catalogue ne ferme dans les {CALLS_WEEKS} prochaines semaines."
)
NO_EVENTS = "Aucun événement programmé."

# Other apps append `(issue, today) -> list[str]` (Markdown lines, one per event, soonest
# first); their lines are joined in the agenda section.
event_sources: list[Callable[[object, dt.date], list[str]]] = []

HINTS = {
    SectionKind.EDITO: "Quelques lignes de l'équipe ou d'un élu : l'actualité du programme, "
    "ce que contient ce numéro.",
    SectionKind.CALLS: f"Pré-rempli avec les appels du catalogue qui ferment dans les "
    f"{CALLS_WEEKS} semaines ; ajoutez un mot sur ceux qui concernent le territoire.",
    SectionKind.EVENTS: "Les rencontres, visites et ateliers à venir : date, lieu, comment "
    "s'inscrire.",
    SectionKind.PORTRAIT: "Une entreprise du territoire : son activité, son projet, ce que le "
    "programme lui a apporté (avec son accord).",
    SectionKind.EPCI_NEWS: "Les nouvelles des intercommunalités : projets, zones d'activité, "
    "services aux entreprises.",
    SectionKind.FIGURES: "Pré-rempli avec les derniers chiffres du programme sur tout le "
    "territoire ; vérifiez-les avant l'envoi.",
}


def french_date(day: dt.date) -> str:
    """« 5 mars 2026 » (« 1er » on the first of the month)."""
    with translation.override("fr"):
        text = dateformat.format(day, "j F Y")
    return f"1er{text[1:]}" if day.day == 1 else text


def french_number(value, decimals: int = 0) -> str:
    """12345 → « 12 345 » (non-breaking space between thousands, comma for decimals)."""
    return number_format(
        value, ",", decimal_pos=decimals, grouping=3, thousand_sep="\xa0", force_grouping=True
    )


def french_euros(value) -> str:
    """Whole euros: 1234567.89 → « 1 234 568 € »."""
    from decimal import ROUND_HALF_UP, Decimal

    rounded = Decimal(value or 0).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{french_number(rounded)}\xa0€"


def _markdown_text(text: str) -> str:
    """Plain text safe inside Markdown (no emphasis, link or list started by accident)."""
    for char in "\\`*_[]<>#|":
        text = text.replace(char, f"\\{char}")
    return " ".join(text.split())


def calls(today: dt.date) -> str:
    from pilote.aids import calendar
    from pilote.aids.enums import CallStatus, WindowKind
    from pilote.aids.models import AidScheme

    end = today + dt.timedelta(weeks=CALLS_WEEKS)
    entries = sorted(
        (
            e
            for e in calendar.entries(AidScheme.objects.all(), today)
            if e.status == CallStatus.OPEN
            and e.window.closes_on
            and today <= e.window.closes_on < end
        ),
        key=lambda e: (e.window.closes_on, e.scheme.title, e.scheme.pk),
    )
    if not entries:
        return NO_CALLS
    lines = []
    for entry in entries:
        funders = ", ".join(n for n in entry.scheme.carrier_names if n)
        label = _markdown_text(entry.scheme.title)
        named = entry.window.label and entry.window.label not in WindowKind.labels
        if named and entry.window.label != entry.scheme.title:
            label += f" — {_markdown_text(entry.window.label)}"
        funder = f" ({_markdown_text(funders)})" if funders else ""
        lines.append(f"- **{label}**{funder} : clôture le {french_date(entry.window.closes_on)}")
    return "\n".join(lines)


def events(issue, today: dt.date) -> str:
    lines = [line for source in event_sources for line in source(issue, today)]
    return "\n".join(lines) if lines else NO_EVENTS


def _count(n: int, one: str, many: str) -> str:
    return f"**{french_number(n)}** {one if n == 1 else many}"


def figures(territory, today: dt.date) -> str:
    from pilote.indicators.indicators import compute

    found = compute(territory, today, reader=None)
    wide, activity = found.territory_wide, found.activity
    lines = []
    if activity["establishments_met"]:
        lines.append(
            _count(
                activity["establishments_met"],
                "établissement industriel rencontré par l'équipe",
                "établissements industriels rencontrés par l'équipe",
            )
        )
    if wide["accepted"]:
        lines.append(_count(wide["accepted"], "dossier d'aide accepté", "dossiers d'aide acceptés"))
    if wide["laureate_companies"]:
        lines.append(
            _count(wide["laureate_companies"], "entreprise lauréate", "entreprises lauréates")
        )
    if wide["amount_granted"]:
        lines.append(f"**{french_euros(wide['amount_granted'])}** d'aides accordées")
    if not lines:
        return ""
    return f"Depuis le début du programme, au {french_date(today)} :\n\n" + "\n".join(
        f"- {line}" for line in lines
    )


def prefill(issue, today: dt.date) -> dict[str, str]:
    """The pre-filled Markdown body of each section (kind → body; empty for those the team
    writes)."""
    territory = issue.mailing_list.territory
    return {
        SectionKind.EDITO: "",
        SectionKind.CALLS: calls(today),
        SectionKind.EVENTS: events(issue, today),
        SectionKind.PORTRAIT: "",
        SectionKind.EPCI_NEWS: "",
        SectionKind.FIGURES: figures(territory, today),
    }


def sections_of(issue) -> list[dict]:
    """The issue's sections with something written, in order: heading, Markdown source
    (the plain-text part) and sanitised HTML."""
    return [
        {
            "kind": section.kind,
            "heading": section.title or section.get_kind_display(),
            "text": section.body.strip(),
            "html": render_markdown(section.body),
        }
        for section in issue.sections.all()
        if section.body.strip()
    ]
