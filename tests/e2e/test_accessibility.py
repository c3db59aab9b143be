"""Automated accessibility audit (axe-core, vendored in tests/e2e/vendor) of the pages every
user sees first: the login page and the dashboard of each role.

axe finds only part of the RGAA criteria; a clean run is a floor, not a conformity audit.
"""

import datetime as dt

import pytest

from pilote.core.enums import Visibility
from tests.applications.factories import accepted_of
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BLOCKING_IMPACTS = {"serious", "critical"}
ROLES = ["manager", "agent_e1", "partner", "admin"]
# Results axe could not decide ("incomplete") are blocking too, except this rule: axe cannot
# compute a contrast over the background images and gradients DSFR draws on links, cards and
# form controls, and reports them as undecided (the DSFR palette itself is contrast-checked).
UNDECIDABLE = {"color-contrast"}


def audit(context, axe_js, path: str) -> list[dict]:
    page = context.new_page()
    response = page.goto(path)
    assert response is not None
    assert response.ok, f"{path} → HTTP {response.status}"
    page.wait_for_load_state("networkidle")  # DSFR's JS has finished decorating the page
    page.add_script_tag(path=str(axe_js))
    results = page.evaluate(
        """async () => await axe.run(document, {resultTypes: ["violations"]})"""
    )
    undecided = [r for r in results["incomplete"] if r["id"] not in UNDECIDABLE]
    return [r for r in results["violations"] + undecided if r["impact"] in BLOCKING_IMPACTS]


def report(path: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} violation(s) axe bloquante(s) sur {path} :"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"][:3]:
            summary = (node.get("failureSummary") or "").strip().splitlines()
            lines.append(f"    {node['target']} : {summary[-1].strip() if summary else ''}")
    return "\n".join(lines)


def assert_accessible(context, axe_js, path: str):
    violations = audit(context, axe_js, path)
    message = report(path, violations)
    if violations:
        print(message)
    assert not violations, message


@pytest.fixture
def audit_context(new_context):
    # axe is injected as a script tag, which the app's CSP (script-src 'self') would refuse.
    return new_context(bypass_csp=True)


def test_login_page(audit_context, axe_js):
    assert_accessible(audit_context, axe_js, "/comptes/connexion/")


@pytest.mark.parametrize("role", ROLES)
def test_dashboard(role, audit_context, axe_js, login_as):
    world = build_world()
    login_as(audit_context, world.users[role])
    assert_accessible(audit_context, axe_js, "/")


@pytest.mark.parametrize("path", ["/notes/", "/notes/nouvelle/"])
def test_notes_pages(path, audit_context, axe_js, login_as):
    world = build_world()
    login_as(audit_context, world.users["agent_e1"])
    assert_accessible(audit_context, axe_js, path)


@pytest.mark.parametrize(
    "path",
    ["/mentions-legales/", "/donnees-personnelles/", "/accessibilite/", "/gestion-des-cookies/"],
)
def test_legal_pages(path, audit_context, axe_js):
    assert_accessible(audit_context, axe_js, path)


def test_programme_dashboard(audit_context, axe_js, login_as):
    """With its DSFR charts drawn (an accepted application in the period)."""
    world = build_world()
    accepted_of(world, visibility=Visibility.TERRITORY, filed_on=dt.date(2026, 2, 10),
                decided_on=dt.date(2026, 4, 15))  # fmt: skip
    login_as(audit_context, world.users["manager"])
    assert_accessible(audit_context, axe_js, "/programme/?de=2026-01&a=2026-06")
