"""The accessibility statement (RGAA 4.1), computed from settings: nothing is stored at
runtime.

`ACCESSIBILITY_AUDIT_DATE` is the date of the last audit; `ACCESSIBILITY_COMPLIANCE_RATE`
the share of RGAA criteria it found respected, which only a full (manual) RGAA audit
measures. The automated audit of the test suite (axe-core in Chromium,
tests/e2e/test_accessibility.py, on `AUDITED_PAGES`) covers only part of the criteria: alone
it supports no rate, so the statement says « non conforme ». With a rate of 50 % or more it
says « partiellement conforme », and never more while the known non-conformities below
remain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.dateparse import parse_date

NOT_COMPLIANT = "non conforme"
PARTIALLY_COMPLIANT = "partiellement conforme"

# The pages tests/e2e/test_accessibility.py audits (tests/legal/ checks the two agree).
AUDITED_PAGES: list[tuple[str, str]] = [
    ("Connexion", "/comptes/connexion/"),
    ("Tableau de bord, pour chaque rôle", "/"),
    ("Notes de suivi", "/notes/"),
    ("Nouvelle note", "/notes/nouvelle/"),
    ("Mentions légales", "/mentions-legales/"),
    ("Données personnelles", "/donnees-personnelles/"),
    ("Déclaration d'accessibilité", "/accessibilite/"),
    ("Gestion des cookies", "/gestion-des-cookies/"),
]

NON_COMPLIANT_CONTENT = [
    "Le compte rendu de rencontre au format PDF n'est pas balisé pour les technologies "
    "d'assistance ; les informations qu'il reprend se lisent en HTML sur la page de l'échange.",
    "L'administration technique (/admin/), réservée aux administrateurs de la plateforme, "
    "n'utilise pas le Système de design de l'État et n'a pas été auditée.",
    "Les pages qui ne figurent pas dans la liste ci-dessus n'ont fait l'objet d'aucun audit.",
]

DEROGATIONS = ["Aucune dérogation pour charge disproportionnée n'est invoquée."]
EXEMPT_CONTENT = [
    "Les fichiers d'export (CSV, XLSX, iCalendar) sont des données destinées à d'autres "
    "logiciels, pas des pages de contenu.",
]


@dataclass(frozen=True)
class Statement:
    level: str
    audit_date: dt.date | None
    rate: int | None  # share of RGAA criteria respected, in %


def statement() -> Statement:
    audit_date = parse_date(str(getattr(settings, "ACCESSIBILITY_AUDIT_DATE", "") or ""))
    raw_rate = getattr(settings, "ACCESSIBILITY_COMPLIANCE_RATE", None)
    rate = int(raw_rate) if raw_rate not in (None, "") else None
    if audit_date is None:
        rate = None  # a rate without the date of its audit is not a measure
    level = PARTIALLY_COMPLIANT if rate is not None and rate >= 50 else NOT_COMPLIANT
    return Statement(level=level, audit_date=audit_date, rate=rate)
