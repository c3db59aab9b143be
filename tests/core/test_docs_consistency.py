"""The docs stay true to the code: every app, URL namespace and leak case is documented, and
the docs stand on their own (no reference to a design document outside the repository)."""

import re
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.urls import URLResolver, get_resolver

from tests.leak_matrix import REGISTRY

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"

for _path in sorted((ROOT / "tests").glob("*/leak_cases*.py")):
    import_module(f"tests.{_path.parent.name}.{_path.stem}")


def _section(text: str, heading: str) -> str:
    """The body of the Markdown section whose heading line contains `heading`, up to the
    next heading of the same or a higher level."""
    match = re.search(rf"^(#+) [^\n]*{re.escape(heading)}[^\n]*$", text, re.MULTILINE)
    assert match, f"no section « {heading} »"
    level = len(match.group(1))
    rest = text[match.end() :]
    end = re.search(rf"^#{{1,{level}}} ", rest, re.MULTILINE)
    return rest[: end.start()] if end else rest


def _first_cells(section: str) -> set[str]:
    """The backticked first cell of every table row of a section."""
    return set(re.findall(r"^\| `([^`]+)` \|", section, re.MULTILINE))


def _namespaces(resolver, found=None) -> set[str]:
    found = set() if found is None else found
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace:
                found.add(pattern.namespace)
            _namespaces(pattern, found)
    return found


def test_every_pilote_app_is_in_the_apps_table_of_the_architecture_doc():
    apps = {app for app in settings.INSTALLED_APPS if app.startswith("pilote.")}
    table = _first_cells(_section((DOCS / "architecture.md").read_text(), "Apps"))
    assert apps, "no pilote.* app in INSTALLED_APPS"
    assert apps - table == set(), "apps missing from docs/architecture.md « Apps »"


def test_every_url_namespace_is_in_a_url_table_of_the_docs():
    namespaces = _namespaces(get_resolver())
    assert {"core", "notes", "accounts"} <= namespaces
    for doc, heading in (
        ("architecture.md", "URL namespaces"),
        ("permissions.md", "URL namespaces"),
    ):
        table = _first_cells(_section((DOCS / doc).read_text(), heading))
        missing = namespaces - table
        assert missing == set(), f"namespaces missing from docs/{doc} « {heading} »: {missing}"


def test_every_registered_leak_case_is_named_in_the_leak_matrix_cases_table():
    assert "note" in REGISTRY
    table = _first_cells(_section((DOCS / "permissions.md").read_text(), "Leak matrix cases"))
    missing = set(REGISTRY) - table
    assert missing == set(), f"leak cases missing from docs/permissions.md: {sorted(missing)}"


def test_no_doc_refers_to_a_design_document_outside_the_repository():
    files = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(r"DESIGN\.md|\.\./shared|STYLE\.md", line)
    ]
    assert offending == []
