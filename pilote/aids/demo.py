"""Demo catalogue: the schemes and calls the roadmap names, marked as demonstration data.

Their texts summarise the public programmes; their criteria and dates are illustrative,
not official. Windows are computed around today, so the calendar, the dashboard and the
alerts always have something to show; a later run on another day moves them, a run on the
same day changes nothing. Identifiers are stable (UUID 5 of the title).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone

from pilote.aids import services
from pilote.aids.enums import Level, Theme, WindowKind
from pilote.aids.models import AidScheme, CallWindow

NAMESPACE = uuid.UUID("7d1c3f0e-5b8a-4c8e-9a51-3f2f6a1d0c42")
HDC_EPCIS = ["EPCI-245901160", "EPCI-200042190", "EPCI-200043396", "EPCI-200068500",
             "EPCI-200030633", "EPCI-200044618"]  # fmt: skip

ADEME = {"nom": "ADEME", "siren": "385290309", "roles": ["financeur", "instructeur"]}
BPI = {"nom": "BPIFRANCE", "siren": "320252489", "roles": ["instructeur"]}
ETAT = {"nom": "État — SGPI (France 2030)", "siren": "", "roles": ["financeur"]}
REGION = {
    "nom": "Région Hauts-de-France",
    "siren": "200053742",
    "roles": ["financeur", "instructeur"],
}
ANCT = {"nom": "ANCT — Territoires d'industrie", "siren": "130026032", "roles": ["financeur"]}
CCI = {"nom": "CCI Grand Hainaut", "siren": "", "roles": ["diffuseur"]}
CDC = {
    "nom": "Banque des Territoires (Caisse des Dépôts)",
    "siren": "180020026",
    "roles": ["financeur"],
}
EEN = {"nom": "Enterprise Europe Network", "siren": "", "roles": ["diffuseur"]}
HDFID = {
    "nom": "Hauts-de-France Industrie du futur (HDFID)",
    "siren": "",
    "roles": ["instructeur"],
}
EU = {"nom": "Union européenne — Fonds de transition juste", "siren": "", "roles": ["financeur"]}

# title, promise, carriers, programmes, themes, level, criteria, windows as
# (kind, label, opens in days from today, closes in days from today).
SCHEMES = [
    (
        "Fonds d'accélération des investissements industriels dans les territoires",
        "Financez vos investissements productifs dans un Territoire d'industrie",
        [ETAT, BPI, REGION],
        ["France 2030", "Territoires d'industrie"],
        [Theme.OUTIL_PRODUCTIF, Theme.INDUSTRIE_DU_FUTUR],
        Level.NATIONAL,
        {
            "geo_included": ["REG-32"],
            "naf_codes": ["B", "C", "D", "E"],
            "headcount_max": 4999,
            "aid_types": ["financement"],
        },
        [(WindowKind.WAVE, "Vague 1", -120, -40), (WindowKind.WAVE, "Vague 2", -10, 21)],
    ),
    (
        "Zones industrielles bas carbone (ZIBAC)",
        "Engagez votre zone industrielle dans la décarbonation collective",
        [ADEME],
        ["France 2030"],
        [Theme.DECARBONATION, Theme.ECOLOGIE_INDUSTRIELLE, Theme.CHALEUR_FATALE, Theme.HYDROGENE],
        Level.NATIONAL,
        {
            "geo_included": ["PAYS-99100"],
            "naf_codes": ["C", "D", "E"],
            "aid_types": ["financement", "ingénierie"],
        },
        [(WindowKind.WINDOW, "Appel à projets", 15, 120)],
    ),
    (
        "Fonds de transition juste (FTJ) — Hauts-de-France",
        "Diversifiez et décarbonez votre activité dans les territoires en transition",
        [EU, REGION],
        ["FTJ 2021-2027"],
        [Theme.DECARBONATION, Theme.TRANSITION_ECOLOGIQUE, Theme.COMPETENCES],
        Level.EUROPEAN,
        {
            "geo_included": ["DEP-59", "DEP-62"],
            "naf_codes": ["C", "D", "E", "F"],
            "aid_types": ["financement"],
            "min_years": 2,
        },
        [(WindowKind.RELEVE, "Relève 1", -60, 12), (WindowKind.RELEVE, "Relève 2", 75, 150)],
    ),
    (
        "France 2030 — Diversification de la filière automobile",
        "Diversifiez votre activité de sous-traitant automobile vers de nouveaux marchés",
        [ETAT, BPI],
        ["France 2030"],
        [Theme.INNOVATION, Theme.OUTIL_PRODUCTIF, Theme.INDUSTRIE_DU_FUTUR],
        Level.NATIONAL,
        {
            "geo_included": ["PAYS-99100"],
            "naf_codes": ["29", "22.29", "25", "28"],
            "headcount_max": 4999,
            "size_categories": ["PME", "ETI"],
            "aid_types": ["financement"],
        },
        [(WindowKind.WINDOW, "Appel à projets", -30, 45)],
    ),
    (
        "AMI Compétences et métiers d'avenir",
        "Anticipez les besoins en compétences de votre filière",
        [ETAT],
        ["France 2030"],
        [Theme.EMPLOI_COMPETENCES, Theme.COMPETENCES],
        Level.NATIONAL,
        {
            "geo_included": ["PAYS-99100"],
            "aid_types": ["financement", "ingénierie"],
            "targets": ["professionnels", "associations", "secteur public"],
        },
        [(WindowKind.WINDOW, "Appel à manifestation d'intérêt", -200, -20)],
    ),
    (
        "VTE Territoires d'industrie",
        "Recrutez un jeune diplômé en volontariat territorial en entreprise",
        [BPI, ANCT],
        ["Territoires d'industrie"],
        [Theme.EMPLOI_COMPETENCES, Theme.COMPETENCES],
        Level.NATIONAL,
        {
            "geo_included": ["PAYS-99100"],
            "headcount_max": 4999,
            "size_categories": ["PME", "ETI"],
            "aid_types": ["financement"],
        },
        [],
    ),
    (
        "Territoires d'industrie 4.0 : anticiper les compétences de demain",
        "Formez vos équipes aux métiers de l'industrie du futur",
        [ANCT, REGION],
        ["Territoires d'industrie"],
        [Theme.INDUSTRIE_DU_FUTUR, Theme.COMPETENCES, Theme.ROBOTIQUE],
        Level.NATIONAL,
        {"geo_included": ["REG-32"], "naf_codes": ["C"], "aid_types": ["financement"]},
        [(WindowKind.WINDOW, "Appel à projets", 40, 130)],
    ),
    (
        "Diagnostic industrie du futur (IDF)",
        "Faites le point sur la modernisation de votre outil de production",
        [HDFID, REGION],
        ["Rev3"],
        [Theme.INDUSTRIE_DU_FUTUR, Theme.ROBOTIQUE],
        Level.REGIONAL,
        {
            "geo_included": ["REG-32"],
            "naf_codes": ["C"],
            "headcount_min": 10,
            "headcount_max": 249,
            "aid_types": ["conseil", "diagnostic"],
        },
        [],
    ),
    (
        "Diagnostic transition écologique (TE)",
        "Réduisez vos consommations d'énergie, de matières et vos déchets",
        [CCI, ADEME],
        ["Rev3"],
        [Theme.TRANSITION_ECOLOGIQUE, Theme.DECARBONATION, Theme.DECHETS],
        Level.REGIONAL,
        {"geo_included": ["REG-32"], "headcount_max": 249, "aid_types": ["conseil", "diagnostic"]},
        [],
    ),
    (
        "Enterprise Europe Network — accompagnement à l'international",
        "Trouvez des partenaires et des financements européens",
        [EEN, CCI],
        ["Programme pour le marché unique"],
        [Theme.EXPORT, Theme.INNOVATION],
        Level.EUROPEAN,
        {
            "geo_included": ["PAYS-99100"],
            "size_categories": ["MIC", "PME"],
            "aid_types": ["conseil", "information"],
        },
        [],
    ),
    (
        "Offre HDFID — accompagnement industrie du futur",
        "Robotisez et numérisez votre production avec un accompagnement régional",
        [HDFID, REGION],
        ["Rev3"],
        [Theme.INDUSTRIE_DU_FUTUR, Theme.ROBOTIQUE],
        Level.REGIONAL,
        {
            "geo_included": ["REG-32"],
            "naf_codes": ["C"],
            "headcount_max": 499,
            "aid_types": ["conseil", "financement"],
        },
        [(WindowKind.WINDOW, "Session de printemps", 60, 160)],
    ),
    (
        "Sociétés de projets — Banque des Territoires",
        "Cofinancez en fonds propres un projet industriel structurant du territoire",
        [CDC],
        ["Caisse des Dépôts"],
        [Theme.FONCIER, Theme.CHALEUR_FATALE, Theme.HYDROGENE, Theme.ECOLOGIE_INDUSTRIELLE],
        Level.NATIONAL,
        {
            "geo_included": HDC_EPCIS,
            "aid_types": ["investissement en fonds propres"],
            "targets": ["professionnels", "secteur public"],
        },
        [],
    ),
]

DESCRIPTION = (
    "Donnée de démonstration de Pilote, rédigée d'après la feuille de route du Territoire "
    "d'industrie Hainaut-Douaisis-Cambrésis : « {title} ». Les critères et les dates sont "
    "illustratifs ; consultez la page officielle du porteur avant toute démarche."
)
ELIGIBILITY = (
    "• Critères illustratifs, voir la fiche du dispositif.\n• Projet situé dans la zone couverte."
)


def _window_dates(today: dt.date, opens: int, closes: int) -> tuple[dt.date, dt.date]:
    return today + dt.timedelta(days=opens), today + dt.timedelta(days=closes)


def load(*, out) -> int:
    today = timezone.localdate()
    created = moved = 0
    for title, promise, carriers, programmes, themes, level, criteria, windows in SCHEMES:
        etalab_id = str(uuid.uuid5(NAMESPACE, title))
        scheme = AidScheme.objects.filter(etalab_id=etalab_id).first()
        if scheme is None:
            values = {
                "aid_types": ["financement"],
                "targets": ["professionnels"],
                **criteria,
            }
            scheme = services.scheme_create(
                acting_user=None,
                etalab_id=etalab_id,
                title=title,
                promise=promise,
                description=DESCRIPTION.format(title=title),
                eligibility=ELIGIBILITY,
                carriers=carriers,
                parent_programmes=programmes,
                themes=[str(t) for t in themes],
                level=level,
                is_demo=True,
                **values,
            )
            created += 1
        stored = {w.label: w for w in CallWindow.objects.filter(scheme=scheme)}
        for kind, label, opens, closes in windows:
            opens_on, closes_on = _window_dates(today, opens, closes)
            window = stored.get(label)
            if window is None:
                services.window_create(
                    acting_user=None,
                    scheme=scheme,
                    kind=kind,
                    label=label,
                    opens_on=opens_on,
                    closes_on=closes_on,
                )
                created += 1
            elif scheme.is_demo and (window.opens_on, window.closes_on) != (opens_on, closes_on):
                services.window_update(
                    acting_user=None, window=window, opens_on=opens_on, closes_on=closes_on
                )
                moved += 1
    out.write(
        f"Dispositifs de démonstration : {len(SCHEMES)} au catalogue"
        + (f", {moved} fenêtre(s) recalée(s) sur la date du jour" if moved else "")
        + "."
    )
    return created
