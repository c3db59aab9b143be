"""The accessibility statement is honest: « non conforme » without a full RGAA audit, at best
« partiellement conforme », and the pages it says are audited are audited."""

import re
from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from pilote.legal.accessibility import AUDITED_PAGES, statement

pytestmark = pytest.mark.django_db

E2E = Path(__file__).resolve().parent.parent / "e2e" / "test_accessibility.py"


def page(client) -> str:
    return unescape(client.get(reverse("legal:accessibility")).content.decode())


def footer(client) -> str:
    html = unescape(client.get(reverse("legal:legal_notice")).content.decode())
    return html[html.index('<footer class="fr-footer"') :]


def test_without_an_audit_the_statement_says_non_conforme(client):
    assert statement().level == "non conforme"
    html = page(client)
    assert re.search(r"est <strong>non conforme</strong>", html)
    assert "Aucun audit de conformité complet" in html
    assert "Accessibilité : non conforme" in footer(client)


def test_an_automated_audit_date_alone_does_not_raise_the_level(client, settings):
    settings.ACCESSIBILITY_AUDIT_DATE = "2026-03-02"
    assert statement().level == "non conforme"
    assert "2 mars 2026" in page(client)


def test_a_full_audit_of_50_percent_or_more_is_partiellement_conforme_at_best(client, settings):
    settings.ACCESSIBILITY_AUDIT_DATE = "2026-03-02"
    settings.ACCESSIBILITY_COMPLIANCE_RATE = "100"
    assert statement().level == "partiellement conforme"
    html = page(client)
    assert "est <strong>partiellement conforme</strong>" in html
    assert "<strong>100 %</strong> des critères" in html
    assert "Accessibilité : partiellement conforme" in footer(client)
    settings.ACCESSIBILITY_COMPLIANCE_RATE = "42"
    assert statement().level == "non conforme"


def test_a_rate_without_an_audit_date_is_ignored(settings):
    settings.ACCESSIBILITY_COMPLIANCE_RATE = "80"
    assert statement().level == "non conforme"
    assert statement().rate is None


def test_the_statement_lists_derogations_non_compliant_content_and_a_contact(client):
    html = page(client)
    assert "Dérogations pour charge disproportionnée" in html
    assert "PDF" in html
    assert 'href="mailto:contact@pilote.example"' in html
    assert "Défenseur des droits" in html


def test_every_page_the_statement_says_is_audited_is_in_the_axe_audit():
    source = E2E.read_text()
    missing = [path for _, path in AUDITED_PAGES if f'"{path}"' not in source]
    assert missing == []
