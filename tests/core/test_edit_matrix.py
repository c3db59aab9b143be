"""The edit matrix: who may change what — every actor × every editable follow-up case.

For each leak case whose object has an edit page (and a delete page where it has one), an actor
who may not see the object gets 404, one who sees it but may not change it gets 403, one who
may change it gets the form (200); a refused POST changes nothing. The write rule is spelled
out here from docs/permissions.md, independently of `pilote.accounts.access`:

- the TI manager of the territory edits every record of its EPCIs;
- an EPCI agent edits, on their own EPCI, their organisation's records and — for the kinds
  that are the EPCI team's shared work (campaigns, meetings and what they produce) — every
  record that is not private;
- partners, administrators, other territories and accounts without membership edit nothing.
"""

from importlib import import_module
from pathlib import Path

import pytest

from pilote.core.enums import Visibility
from tests.leak_matrix import REGISTRY, expected_visible
from tests.world import ACTORS

for path in sorted(Path(__file__).resolve().parent.parent.glob("*/leak_cases*.py")):
    import_module(f"tests.{path.parent.name}.{path.stem}")

# The kinds whose records are the shared work of an EPCI team, by model name.
SHARED_WORK = {
    "campaign",
    "interaction",
    "answer",
    "need",
    "project",
    "diagnostic",
    "referral",
    "action",
    "accompanimentlevel",
    "application",
    "territoryproject",
}
_ORG = {"agent_e1": "o1", "agent_e2": "o2", "manager": "cci"}

# The specimens of the leak matrix, plus a shared record written by the TI manager, which
# tells « own organisation » from « shared work » apart.
SPECIMENS = [
    ("e1", Visibility.EPCI, "agent_e1"),
    ("e1", Visibility.TERRITORY, "manager"),
    ("e1", Visibility.PRIVATE, "agent_e1"),
    ("e1", Visibility.PRIVATE, "manager"),
    ("e2", Visibility.TERRITORY, "agent_e2"),
]

# The follow-up records (cases with a rule of their own — governance, agreement — say in their
# own tests who edits them: the TI managers).
EDITABLE_CASES = sorted(
    name
    for name, case in REGISTRY.items()
    if "edit" in case.restricted_urls and case.visible is None
)


def expected_editable(actor, epci, visibility, author, *, shared_work: bool) -> bool:
    if actor == "manager":
        return True
    if actor not in {"agent_e1", "agent_e2"} or actor[-2:] != epci:
        return False
    if _ORG[author] == _ORG[actor]:
        return True
    return shared_work and visibility != Visibility.PRIVATE


def test_the_shared_work_kinds_are_the_ones_the_models_declare():
    from django.apps import apps

    declared = {
        model._meta.model_name
        for model in apps.get_models()
        if getattr(model, "shared_work", None) is not None and model.shared_work
    }
    assert declared == SHARED_WORK


def test_every_editable_kind_is_in_the_edit_matrix():
    assert {"note", "contact", "campaign", "interaction", "scheme_note"} <= set(EDITABLE_CASES)


@pytest.mark.parametrize("case_name", EDITABLE_CASES)
@pytest.mark.parametrize("actor", ACTORS)
def test_who_may_change_what(client, login, world, actor, case_name):
    case = REGISTRY[case_name]
    login(world.users[actor])
    wrong = []
    for spec in SPECIMENS:
        obj = case.make(world, epci=spec[0], visibility=spec[1], author=spec[2])
        shared = type(obj)._meta.model_name in SHARED_WORK
        if not expected_visible(actor, *spec):
            expected = 404
        elif expected_editable(actor, *spec, shared_work=shared):
            expected = 200
        else:
            expected = 403
        for url_name in ("edit", "delete"):
            url_of = case.restricted_urls.get(url_name)
            if url_of is None:
                continue
            status = client.get(url_of(obj)).status_code
            if status != expected:
                wrong.append(f"GET {url_name} {spec}: {status}, attendu {expected}")
        if expected != 200:
            stamp = type(obj).objects.get(pk=obj.pk).updated_at
            status = client.post(case.restricted_urls["edit"](obj), {}).status_code
            if status != expected:
                wrong.append(f"POST edit {spec}: {status}, attendu {expected}")
            assert type(obj).objects.get(pk=obj.pk).updated_at == stamp
    assert not wrong, f"{actor} / {case_name}:\n" + "\n".join(wrong)
