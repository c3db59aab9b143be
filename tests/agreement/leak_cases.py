"""The partnership agreement in the leak matrix, under its own rule (docs/agreement.md
#permissions), not the follow-up one:

- « agreement »: its pages (overview, year, and the TI managers' import, issue and amendment
  forms) are read by the TI manager and the EPCI agents of the territory — nobody else;
- « funds call »: a call for funds to an EPCI is read by the TI manager and that EPCI's
  agents only: its page, its PDF letter, the calls list and its XLSX export; recording a
  payment and sending a reminder are POSTs refused (404) to whoever does not see it;
- « funds call payment »: a payment (its reference) shows where its call shows: the call's
  page and the export.
"""

from django.urls import reverse
from django.utils import timezone

from tests.agreement.factories import agreement_of, call_of, payment_of
from tests.leak_matrix import LeakCase, register

AGREEMENT_READERS = {"manager", "agent_e1", "agent_e2"}


def agreement_visible(actor, epci, visibility, author) -> bool:
    return actor in AGREEMENT_READERS


def call_visible(actor, epci, visibility, author) -> bool:
    """The TI manager of territory A, and the agents of the called EPCI."""
    return actor == "manager" or actor == f"agent_{epci}"


def _with_agreement(name: str, agreement) -> str:
    return f"{reverse(name)}?convention={agreement.pk}"


register(
    LeakCase(
        name="agreement",
        make=lambda world, *, epci, visibility, author: agreement_of(
            world.territory_a, epcis=[world.epcis["e1"], world.epcis["e2"]]
        ),
        marker=lambda a: a.title,
        read_urls={
            "overview": lambda a: _with_agreement("agreement:overview", a),
            "year": lambda a: reverse("agreement:year", args=[1]) + f"?convention={a.pk}",
        },
        restricted_urls={
            "expenses_import": lambda a: _with_agreement("agreement:expenses_import", a),
            "calls_issue": lambda a: _with_agreement("agreement:calls_issue", a),
            "amendment_create": lambda a: _with_agreement("agreement:amendment_create", a),
        },
        visible=agreement_visible,
    )
)


def _payment_data(call, form):
    return {
        "received_on": timezone.localdate().isoformat(),
        "amount": "10,00",
        "reference": "Virement témoin",
    }


register(
    LeakCase(
        name="funds call",
        make=lambda world, *, epci, visibility, author: call_of(
            world.epcis[epci], world.territory_a
        ),
        marker=lambda c: c.number,
        read_urls={
            "call": lambda c: reverse("agreement:call", args=[c.pk]),
            "call_letter": lambda c: reverse("agreement:call_letter", args=[c.pk]),
        },
        collection_urls={
            "calls": lambda world: reverse("agreement:calls"),
            "calls_export": lambda world: reverse("agreement:calls_export"),
        },
        post_urls={
            "payment_add": (lambda c: reverse("agreement:payment_add", args=[c.pk]), _payment_data),
            "call_remind": (
                lambda c: reverse("agreement:call_remind", args=[c.pk]),
                lambda c, form: {},
            ),
        },
        visible=call_visible,
    )
)


register(
    LeakCase(
        name="funds call payment",
        make=lambda world, *, epci, visibility, author: payment_of(
            call_of(world.epcis[epci], world.territory_a)
        ),
        marker=lambda p: p.reference,
        read_urls={"call": lambda p: reverse("agreement:call", args=[p.call_id])},
        collection_urls={"calls_export": lambda world: reverse("agreement:calls_export")},
        visible=call_visible,
    )
)
