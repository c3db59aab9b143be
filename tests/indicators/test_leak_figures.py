"""The leak matrix of the programme's figures: every actor × the specimens of the leak matrix
(tests/leak_matrix.py: EPCI × visibility × author), through the live indicators, a frozen
month, the bilan, and the pages that show them (dashboard, bilan PDF and XLSX).

Figures are sums, not records, so a page cannot show a record's title: each specimen is an
accepted application of 1 000 000 € plus its own power of two in cents (requested = granted;
no investment, no payment). Any total of n specimens is n million euros and the sum of their
cents, whose binary digits say which ones it counts — the cents survive the PDF's text, where
a table's cells run into each other. Every figure a reader gets must count exactly the
specimens the rule (`expected_visible`, written from docs/rules.md independently of the code)
lets them see: an EPCI agent's figures and bilan never count another EPCI's confidential
follow-up.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from pilote.indicators import bilan, indicators, snapshots
from pilote.indicators.models import Snapshot
from tests.accompaniment.leak_cases_followup import pdf_text
from tests.applications.factories import accepted_of
from tests.leak_matrix import SPECIMENS, decode_any, expected_visible
from tests.world import ACTORS

pytestmark = pytest.mark.django_db

BASE = Decimal("1000000.00")
MONTH = dt.date(2026, 6, 1)  # the specimens are decided on 15/06/2026
AS_OF = dt.date(2026, 11, 30)
PERIOD = {"de": "2026-01-01", "a": "2026-11-30"}

_EUROS = re.compile(r"(\d[\d \u00a0\u202f]*),(\d{2})[ \u00a0\u202f]*€")
_XLSX_NUMBER = re.compile(r"<v>(\d+(?:\.\d+)?)</v>")


def amount_of(k: int) -> Decimal:
    return BASE + Decimal(2**k) / 100


def bits(amounts) -> set[int]:
    """The specimens a set of amounts adds up: the binary digits of the cents of each amount
    of a million euros or more (smaller ones, zeros included, count nothing)."""
    found = set()
    for amount in amounts:
        amount = abs(Decimal(amount))
        if amount < BASE:
            continue
        cents = int(amount % 1 * 100)
        found |= {k for k in range(7) if cents >> k & 1}
    return found


def amounts_in(text: str) -> list[Decimal]:
    """The amounts of a page: French ones (« 3 000 000,07 € ») and XLSX numbers."""
    found = [
        Decimal(re.sub(r"[ \u00a0\u202f]", "", whole) + "." + cents)
        for whole, cents in _EUROS.findall(text)
    ]
    found += [Decimal(n) for n in _XLSX_NUMBER.findall(text)]
    return found


@pytest.fixture
def specimens(world):
    """The leak matrix's specimens as accepted applications of 1 M€ + 2^k cents, June 2026 frozen
    with all of them (a snapshot, then a correction for each further specimen: the latest
    version counts them all)."""
    made = []
    for k, (epci, visibility, author) in enumerate(SPECIMENS):
        amount = amount_of(k)
        accepted_of(
            world, epci, author, visibility=visibility, title=f"Chiffres témoins {k}",
            filed_on=dt.date(2026, 3, 2), amount_requested=amount, amount_granted=amount,
            investment=None, jobs=None,
        )  # fmt: skip
        known = Snapshot.objects.of_month(world.territory_a, MONTH).exists()
        snapshots.freeze(world.territory_a, MONTH, reason=f"Témoin {k}" if known else "")
        made.append((epci, visibility, author))
    return made


def _figure_bits(figures) -> dict[str, set[int]]:
    """What each figure of `figures` counts: the supported applications' and the territory's
    amounts, and the union over the EPCIs (each EPCI's own only holds its specimens)."""
    by_epci = set()
    for values in figures.by_epci.values():
        by_epci |= bits([values["amount_granted"]])
    return {
        "granted": bits([figures.applications["amount_granted"]]),
        "requested": bits([figures.applications["amount_requested"]]),
        "territory": bits([figures.territory_wide["amount_granted"]]),
        "by EPCI": by_epci,
    }


def test_the_specimens_are_read_by_the_decoder(world, specimens):
    """The positive control: the TI manager sees every specimen, on every page."""
    everything = set(range(len(SPECIMENS)))
    figures = indicators.compute(world.territory_a, AS_OF, world.users["manager"])
    assert _figure_bits(figures) == dict.fromkeys(_figure_bits(figures), everything)
    assert bits([amount_of(0) + amount_of(1), Decimal("0.03"), -amount_of(2)]) == {0, 1, 2}
    assert bits(amounts_in("<td>5\u202f000\u202f000,05\xa0€</td><v>1000000.08</v>")) == {0, 2, 3}
    assert bits(amounts_in("Total61\u202f000\u202f000,02\xa0€")) == {1}  # PDF: cells run on


@pytest.mark.parametrize("actor", ACTORS)
def test_figures_count_exactly_what_the_reader_may_see(client, login, world, specimens, actor):
    expected = {k for k, spec in enumerate(specimens) if expected_visible(actor, *spec)}
    reader = world.users[actor]
    wrong = []

    def check(where: str, found: set[int]):
        if found != expected:
            wrong.append(f"{where}: compte {sorted(found)}, attendu {sorted(expected)}")

    live = indicators.compute(world.territory_a, AS_OF, reader)
    for name, found in _figure_bits(live).items():
        check(f"live {name}", found)
    frozen = indicators.at_month(world.territory_a, MONTH, reader)
    assert frozen.frozen
    assert frozen.snapshot.version == len(SPECIMENS)
    for name, found in _figure_bits(frozen).items():
        check(f"figé {name}", found)
    built = bilan.build(world.territory_a, dt.date(2026, 1, 1), AS_OF, reader)
    check("bilan, accordé sur la période", bits([built.period["amount_granted"]]))
    check("bilan, territoire", bits([built.end["t_amount_granted"]]))

    login(reader)
    pages = {
        "tableau de bord": client.get(reverse("indicators:dashboard")),
        "bilan XLSX": client.get(reverse("indicators:bilan_xlsx"), PERIOD),
        "bilan PDF": client.get(reverse("indicators:bilan_pdf"), PERIOD),
    }
    for name, response in pages.items():
        if response.status_code == 404:  # no programme page for this actor: nothing shown
            assert not expected, f"{actor}: {name} en 404 alors qu'il voit des dossiers"
            continue
        assert response.status_code == 200, (actor, name, response.status_code)
        content = response.content
        text = pdf_text(content) if content.startswith(b"%PDF") else decode_any(content)
        check(name, bits(amounts_in(text)))
    assert not wrong, f"{actor}:\n" + "\n".join(wrong)
