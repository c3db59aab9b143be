"""The default interview guide: the six themes of the roadmap's « sensibilisation et
information » meeting, with questions of every type. A territory's guide starts from it
(`services.guide_install_default`); the TI manager then edits it."""

from pilote.accompaniment.enums import QuestionType as T
from pilote.accompaniment.enums import Theme

YES_NO, SINGLE, MULTIPLE, NUMBER, TEXT = (
    T.YES_NO, T.SINGLE_CHOICE, T.MULTIPLE_CHOICE, T.NUMBER, T.TEXT,
)  # fmt: skip

# (theme, key, type, text, choices, help text)
DEFAULT_QUESTIONS = [
    # Emploi et compétences
    (Theme.EMPLOYMENT, "effectif", NUMBER, "Effectif actuel du site", [], "Salariés, CDI et CDD."),
    (Theme.EMPLOYMENT, "recrutements_prevus", YES_NO,
     "Des recrutements sont-ils prévus dans les 12 mois ?", [], ""),
    (Theme.EMPLOYMENT, "metiers_en_tension", MULTIPLE,
     "Sur quels métiers rencontrez-vous des difficultés de recrutement ?",
     ["Production / opérateurs", "Maintenance", "Soudure / chaudronnerie", "Usinage",
      "Logistique", "Bureau d'études", "Encadrement", "Aucun"], ""),
    (Theme.EMPLOYMENT, "besoins_formation", TEXT,
     "Quels besoins de formation ou de compétences identifiez-vous ?", [], ""),
    # Développement de l'outil productif
    (Theme.PRODUCTION, "projet_investissement", YES_NO,
     "Un investissement productif est-il envisagé (machines, bâtiment, extension) ?", [], ""),
    (Theme.PRODUCTION, "taux_utilisation", SINGLE, "Taux d'utilisation de l'outil de production",
     ["Moins de 50 %", "50 à 80 %", "Plus de 80 %", "Saturé"], ""),
    (Theme.PRODUCTION, "besoin_foncier", YES_NO,
     "Avez-vous besoin de foncier ou de locaux supplémentaires ?", [], ""),
    # Innovation
    (Theme.INNOVATION, "activite_rd", SINGLE, "Activité de recherche et développement",
     ["Aucune", "Ponctuelle", "Régulière, sans service dédié", "Service R&D dédié"], ""),
    (Theme.INNOVATION, "projet_innovation", TEXT,
     "Projet d'innovation (produit, procédé, organisation) en cours ou envisagé", [], ""),
    (Theme.INNOVATION, "partenaires_innovation", MULTIPLE,
     "Avec qui travaillez-vous sur l'innovation ?",
     ["Laboratoire ou université", "Centre technique", "Pôle de compétitivité",
      "Bpifrance", "Aucun"], ""),
    # Export
    (Theme.EXPORT, "part_export", NUMBER, "Part du chiffre d'affaires réalisée à l'export (%)",
     [], ""),
    (Theme.EXPORT, "projet_export", YES_NO, "Un développement à l'international est-il envisagé ?",
     [], ""),
    (Theme.EXPORT, "zones_export", TEXT, "Zones ou pays visés", [], ""),
    # Transition écologique
    (Theme.ECOLOGICAL_TRANSITION, "bilan_carbone", YES_NO,
     "Un bilan carbone ou un audit énergétique a-t-il été réalisé ?", [], ""),
    (Theme.ECOLOGICAL_TRANSITION, "facture_energie", NUMBER,
     "Facture énergétique annuelle (en euros)", [], "Ordre de grandeur."),
    (Theme.ECOLOGICAL_TRANSITION, "leviers_te", MULTIPLE,
     "Leviers de transition écologique envisagés",
     ["Efficacité énergétique", "Chaleur fatale", "Électrification des procédés",
      "Énergies renouvelables", "Économie circulaire / déchets", "Eau", "Mobilité"], ""),
    (Theme.ECOLOGICAL_TRANSITION, "interet_diagnostic_te", YES_NO,
     "Intéressé par un diagnostic transition écologique ?", [], ""),
    # Industrie du futur
    (Theme.INDUSTRY_OF_THE_FUTURE, "maturite_numerique", SINGLE,
     "Maturité numérique de la production",
     ["Débutant", "Intermédiaire", "Avancé"], ""),
    (Theme.INDUSTRY_OF_THE_FUTURE, "technologies_idf", MULTIPLE,
     "Technologies déjà utilisées ou envisagées",
     ["Robotique / cobotique", "ERP / MES", "Capteurs et données de production",
      "Fabrication additive", "Réalité augmentée", "Cybersécurité"], ""),
    (Theme.INDUSTRY_OF_THE_FUTURE, "interet_diagnostic_idf", YES_NO,
     "Intéressé par un diagnostic industrie du futur ?", [], ""),
]  # fmt: skip

# The plausible answers of the number questions: (minimum, maximum), None for no bound.
NUMBER_BOUNDS = {
    "effectif": (0, None),
    "part_export": (0, 100),
    "facture_energie": (0, None),
}
