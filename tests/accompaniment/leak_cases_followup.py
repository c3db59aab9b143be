"""Follow-up pages in the leak matrix: « mes actions », the weekly digest, the meeting report.

Registered in the generated matrix (tests/core/test_leak_matrix.py imports every
`tests/<app>/leak_cases*.py`).

The digest and « mes actions » only show what the reader owns or takes part in, so each
specimen is made once per actor (every actor owns a copy of the action, is assigned a visit of
the campaign, takes part in the interaction): the marker must then appear exactly for the
actors who may see the specimen — an owner who may not see an object never gets it.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib

from django.urls import reverse
from django.utils import timezone

from pilote.accompaniment.enums import InteractionKind, Partner
from pilote.core.enums import Visibility
from tests.accompaniment.factories import (
    ActionFactory,
    DiagnosticFactory,
    NeedFactory,
    ProjectFactory,
    ReferralFactory,
    answer_to,
    meeting_of,
    site_of,
    written_by,
)
from tests.factories import CompanyFactory
from tests.leak_matrix import LeakCase, register
from tests.prospecting.factories import campaign_of, planned
from tests.world import ACTORS

# --- Reading the text of a WeasyPrint PDF ---------------------------------------------------


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Every object of the file, object streams unpacked, streams inflated."""
    objects: dict[int, bytes] = {}
    for match in re.finditer(rb"(\d+) 0 obj\s*(.*?)\s*endobj", pdf, re.S):
        objects[int(match.group(1))] = _inflate(match.group(2))
    for body in list(objects.values()):
        head = body.split(b"stream", 1)[0]
        if b"/Type /ObjStm" not in head:
            continue
        first = int(re.search(rb"/First (\d+)", head).group(1))
        data = body.split(b"\0STREAM\0", 1)[1]
        numbers = [int(n) for n in data[:first].split()]
        pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
        for n, (number, offset) in enumerate(pairs):
            end = pairs[n + 1][1] if n + 1 < len(pairs) else len(data) - first
            objects[number] = data[first + offset : first + end]
    return objects


def _inflate(body: bytes) -> bytes:
    if b"stream" not in body:
        return body
    head, rest = body.split(b"stream", 1)
    raw = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
    if b"/FlateDecode" in head:
        try:
            raw = zlib.decompress(raw)
        except zlib.error:
            return head
    return head + b"\0STREAM\0" + raw


def _cmap(data: bytes) -> dict[bytes, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, start in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            first = int(start, 16)
            for n, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code.to_bytes(len(lo) // 2, "big")] = chr(first + n)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as WeasyPrint writes it (Type 0 fonts with a ToUnicode map). Text
    pieces are joined without separators, so a word cut at the end of a line reads whole."""
    if not pdf.startswith(b"%PDF"):
        return pdf.decode("utf-8", errors="replace")
    objects = _objects(pdf)
    fonts = {}
    for body in objects.values():
        for name, number in re.findall(rb"/([\w.+-]+) (\d+) 0 R", body):
            font = objects.get(int(number), b"")
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if to_unicode and b"/Font" in font:
                stream = objects.get(int(to_unicode.group(1)), b"")
                fonts[name] = _cmap(stream.split(b"\0STREAM\0")[-1])
    text = []
    for body in objects.values():
        if b"\0STREAM\0" not in body or b" Tf" not in body:
            continue
        content = body.split(b"\0STREAM\0", 1)[1]
        current: dict[bytes, str] = {}
        for font, hexa in re.findall(rb"/([\w.+-]+) [\d.]+ Tf|<([0-9a-fA-F]*)>", content):
            if font:
                current = fonts.get(font, {})
                continue
            raw = bytes.fromhex(hexa.decode())
            text.extend(current.get(raw[i : i + 2], "") for i in range(0, len(raw), 2))
    return "".join(text)


# --- Specimens --------------------------------------------------------------------------------


def _tag(prefix: str, epci, visibility, author) -> str:
    return f"{prefix}-{epci}-{visibility}-{author}"


def _owners(world):
    return [world.users[actor] for actor in ACTORS]


def make_owned_actions(world, *, epci, visibility, author):
    """The same action, one copy owned by each actor, due in three days."""
    tag = _tag("Action", epci, visibility, author)
    establishment = site_of(world, epci, company=CompanyFactory(name="Usine témoin"))
    due = timezone.localdate() + dt.timedelta(days=3)
    copies = [
        ActionFactory(
            establishment=establishment,
            visibility=visibility,
            title=tag,
            owner=owner,
            due_date=due,
            **written_by(world, author),
        )
        for owner in _owners(world)
    ]
    return copies[0]


def make_assigned_visits(world, *, epci, visibility, author):
    """A campaign whose targets have a visit in two days, one assigned to each actor."""
    campaign = campaign_of(
        world, epci, author, visibility=visibility, owner=world.users[author],
        name=_tag("Visite", epci, visibility, author),
    )  # fmt: skip
    for owner in _owners(world):
        planned(
            days=2, campaign=campaign, assigned_to=owner,
            establishment=site_of(world, epci, company=CompanyFactory(name="Usine témoin")),
        )  # fmt: skip
    return campaign


def make_planned_interaction(world, *, epci, visibility, author):
    """A meeting in four days that every actor takes part in (set directly: the service would
    refuse most of them)."""
    tag = _tag("Rendez-vous", epci, visibility, author)
    interaction = meeting_of(
        world, epci, author, visibility=visibility,
        kind=InteractionKind.MEETING,
        occurred_on=timezone.localdate() + dt.timedelta(days=4),
        establishment=site_of(world, epci, company=CompanyFactory(name=tag)),
    )  # fmt: skip
    interaction.participants.set(_owners(world))
    return interaction


def make_reported_interaction(world, *, epci, visibility, author):
    tag = _tag("Entretien", epci, visibility, author)
    interaction = meeting_of(
        world, epci, author, visibility=visibility, summary=f"{tag} : visite de l'atelier",
        establishment=site_of(world, epci, company=CompanyFactory(name="Usine témoin")),
    )  # fmt: skip
    answer_to(interaction, "zones_export", text=f"Réponse {tag}")
    return interaction


def make_reported_records(world, *, epci, visibility, author):
    """A meeting every member of the territory sees, with a need, a project, a diagnostic, a
    referral and an action of the specimen's visibility, all carrying the marker."""
    tag = _tag("Suite", epci, visibility, author)
    meeting = meeting_of(
        world, epci, author, visibility=Visibility.TERRITORY, summary="Entretien partagé",
        establishment=site_of(world, epci, company=CompanyFactory(name="Usine témoin")),
    )  # fmt: skip
    common = {
        "establishment": meeting.establishment,
        "interaction": meeting,
        "visibility": visibility,
        **written_by(world, author),
    }
    NeedFactory(description=tag, **common)
    ProjectFactory(title=tag, **common)
    DiagnosticFactory(operator=tag, **common)
    ReferralFactory(partner=Partner.OTHER, partner_name=tag, **common)
    ActionFactory(title=tag, **common)
    meeting.marker = tag
    return meeting


def _report(version: str):
    return lambda interaction: reverse("accompaniment:report", args=[interaction.pk, version])


MY_ACTIONS = reverse("accompaniment:my_actions")
DIGEST = reverse("accompaniment:digest_preview")
MY_WEEK = reverse("accompaniment:my_week")

FOLLOWUP_CASES = [
    LeakCase(
        name="owned action (mes actions, récapitulatif)",
        make=make_owned_actions,
        marker=lambda action: action.title,
        collection_urls={
            "mes actions": lambda world: MY_ACTIONS,
            "mes actions, toutes": lambda world: MY_ACTIONS + "?statut=toutes",
            "récapitulatif": lambda world: DIGEST,
        },
        # « Ma semaine » lists only the overdue ones: never another's, never an invisible one.
        sample_urls={"ma semaine": lambda world: MY_WEEK},
    ),
    LeakCase(
        name="assigned visit (récapitulatif)",
        make=make_assigned_visits,
        marker=lambda campaign: campaign.name,
        collection_urls={
            "récapitulatif": lambda world: DIGEST,
            "ma semaine": lambda world: MY_WEEK,
        },
    ),
    LeakCase(
        name="planned interaction (récapitulatif)",
        make=make_planned_interaction,
        marker=lambda interaction: interaction.establishment.company.name,
        collection_urls={
            "récapitulatif": lambda world: DIGEST,
            "ma semaine": lambda world: MY_WEEK,
        },
    ),
    LeakCase(
        name="interaction report",
        make=make_reported_interaction,
        marker=lambda interaction: interaction.summary.split(" ")[0],
        read_urls={
            "compte rendu entreprise": _report("entreprise"),
            "compte rendu interne": _report("interne"),
        },
    ),
    LeakCase(
        name="records in a report",
        make=make_reported_records,
        marker=lambda meeting: meeting.marker,
        related_urls={
            "compte rendu entreprise": _report("entreprise"),
            "compte rendu interne": _report("interne"),
        },
        decode=pdf_text,
    ),
]

for _case in FOLLOWUP_CASES:
    register(_case)
