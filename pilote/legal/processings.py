"""The processings of personal data Pilote carries out (RGPD article 30), written once: the
« Données personnelles » page shows them and the register export lists them, with the same
words. A capability that adds personal data adds its processing here (docs/legal.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from pilote.contacts.models import RETENTION_YEARS

IN_SERVICE = "en service"
PLANNED = "prévu"

# Measures every processing benefits from (docs/architecture.md, « How a request flows »).
COMMON_SECURITY = (
    "HTTPS seul (HSTS) ; mots de passe hachés, verrouillage après 5 échecs de connexion ; "
    "en-têtes de sécurité (CSP sans script ni ressource externe, pas de mise en cache des "
    "pages connectées) ; sauvegardes de la base"
)


@dataclass(frozen=True)
class Processing:
    name: str
    status: str
    purpose: str  # finalité
    legal_basis: str
    persons: str  # catégories de personnes concernées
    data: str  # catégories de données
    recipients: str
    retention: str
    security: str
    transfers: str = "Aucun : Pilote n'appelle aucun service tiers"


def processings() -> list[Processing]:
    invitation_days = settings.INVITATION_VALIDITY.days
    return [
        Processing(
            name="Comptes des utilisateurs",
            status=IN_SERVICE,
            purpose="Donner accès à Pilote aux équipes du Territoire d'industrie (comptes, "
            "invitations, rattachements à une organisation) et sécuriser la connexion",
            legal_basis="Intérêt légitime de l'éditeur à gérer les accès de ses partenaires "
            "(art. 6.1.f)",
            persons="Chefs de projet TI, agents de développement économique des EPCI, "
            "partenaires (État, Région, opérateurs), administrateurs de la plateforme ; "
            "personnes invitées",
            data="Nom, prénom, adresse électronique professionnelle, organisation, "
            "territoire et rôle ; journal des connexions (adresse électronique saisie, "
            "adresse IP, navigateur, date)",
            recipients="Les membres du même territoire (page « Membres ») ; les "
            "administrateurs de la plateforme",
            retention="Pendant le rattachement à une organisation ; invitation non acceptée : "
            f"expire après {invitation_days} jours ; journal des connexions : 90 jours "
            "(commande axes_reset_logs --age 90, quotidienne)",
            security=COMMON_SECURITY,
        ),
        Processing(
            name="Contacts des entreprises",
            status=IN_SERVICE,
            purpose="Suivre les relations du Territoire d'industrie avec les entreprises "
            "industrielles : prospection, accompagnement, orientation vers les aides",
            legal_basis="Intérêt légitime (prospection B2B, art. 6.1.f) par défaut ; chaque "
            "fiche enregistre sa base légale (consentement, mission d'intérêt public ou "
            "contrat possibles) et sa source",
            persons="Dirigeants et salariés des entreprises du territoire",
            data="Nom, prénom, fonction, adresse électronique et téléphone professionnels, "
            "remarques, entreprise et établissements, source de la donnée",
            recipients="Les membres habilités du Territoire d'industrie, selon la visibilité "
            "de la fiche : agents de l'EPCI concerné et chefs de projet TI, et les "
            "partenaires seulement si la fiche leur est partagée ; jamais les "
            "administrateurs de la plateforme",
            retention=f"{RETENTION_YEARS} ans après le dernier contact, puis effacement "
            "automatique (commande purge_contacts, quotidienne)",
            security=COMMON_SECURITY + " ; règle de confidentialité par EPCI et visibilité, "
            "journal d'audit, export et effacement à la demande de la personne",
        ),
        Processing(
            name="Dossiers de candidature",
            status=IN_SERVICE,
            purpose="Suivre les demandes d'aide et les candidatures aux appels à projets des "
            "entreprises du territoire, de leur montage à leur décision et à leur versement, "
            "et en tirer les indicateurs et le bilan du programme",
            legal_basis="Mission d'intérêt public de développement économique des EPCI et "
            "de la CCI (art. 6.1.e)",
            persons="Dirigeants et salariés des entreprises nommés dans les pièces déposées ; "
            "membres de l'équipe qui saisissent les dossiers et le temps passé",
            data="Pièces déposées (dossier, devis, conventions : elles peuvent nommer des "
            "personnes), montants, dates, motifs des changements de statut, auteur et temps "
            "passé",
            recipients="Les membres habilités du Territoire d'industrie, selon la visibilité "
            "du dossier ; les indicateurs ne comptent que ce que chacun peut voir ; jamais les "
            "administrateurs de la plateforme",
            retention="Tant que le dossier est suivi ; les pièces sont supprimées avec leur "
            "dossier. Pas de purge automatique : la durée est à fixer avec le délégué à la "
            "protection des données",
            security=COMMON_SECURITY + " ; pièces hors de la racine statique, servies après "
            "contrôle des droits, type vérifié d'après leur contenu ; journal d'audit",
        ),
        Processing(
            name="Alertes sur les dispositifs d'aide",
            status=IN_SERVICE,
            purpose="Envoyer chaque semaine par courriel les dispositifs d'aide qui "
            "correspondent à une recherche enregistrée",
            legal_basis="Consentement (art. 6.1.a) : confirmation par lien pour une adresse "
            "extérieure, désabonnement en un clic",
            persons="Utilisateurs et personnes qu'ils abonnent à une recherche",
            data="Adresse électronique ; dates de confirmation, d'envoi et de désabonnement",
            recipients="Le propriétaire de la recherche enregistrée",
            retention="Tant que la recherche enregistrée existe ; après un désabonnement, "
            "plus aucun envoi et l'adresse reste marquée désabonnée",
            security=COMMON_SECURITY + " ; jetons de confirmation stockés hachés",
        ),
        Processing(
            name="Lettre d'information",
            status=IN_SERVICE,
            purpose="Envoyer la lettre d'information du territoire à ses abonnés",
            legal_basis="Consentement (art. 6.1.a) : confirmation par lien pour une adresse "
            "inscrite sur le formulaire public ; pour une adresse saisie par l'équipe, la base "
            "légale et la preuve du consentement sont enregistrées avec elle ; désabonnement "
            "en un clic",
            persons="Abonnés à la lettre d'information : industriels, élus, équipes des EPCI, "
            "partenaires",
            data="Adresse électronique, nom, organisation, catégorie ; base légale, date et "
            "preuve du consentement (pour le formulaire public : date, heure et adresse IP de "
            "l'inscription, date de la confirmation) ; envois et échecs de remise. Les "
            "ouvertures et les clics ne sont mesurés que si l'équipe l'active (désactivé par "
            "défaut) : alors la date de la première ouverture de chaque lettre (image d'un "
            "pixel) et chaque clic sur ses liens (lien, date), rattachés à l'entreprise de "
            "l'abonné et à son EPCI",
            recipients="Les chefs de projet TI du territoire ; jamais les agents des EPCI, les "
            "partenaires ni les administrateurs de la plateforme",
            retention="Jusqu'au désabonnement ou à l'effacement demandé ; après un "
            "désabonnement ou un échec de remise, l'adresse reste sur la liste des adresses à "
            "ne plus contacter (après un effacement, sous forme d'empreinte seulement) ; "
            "inscription non confirmée : effacée 7 jours après l'envoi du lien (commande "
            "purge_subscribers, quotidienne) ; ouvertures et clics : conservés avec l'envoi "
            "auquel ils se rattachent, effacés avec lui (à l'effacement de l'abonné, ils "
            "ne sont plus rattachés à personne)",
            security=COMMON_SECURITY + " ; jetons de confirmation stockés hachés, liens de "
            "désabonnement signés ; journal d'audit, export et effacement à la demande de la "
            "personne",
        ),
        Processing(
            name="Événements",
            status=IN_SERVICE,
            purpose="Inscrire et accueillir les participants aux événements du territoire "
            "(ateliers, clubs d'entreprises, réunions d'information, permanences, visites "
            "d'usine) : confirmation avec invitation d'agenda, liste d'attente, rappel la "
            "veille, émargement, courriel de suite ; rattacher la participation d'une "
            "entreprise à la fiche de son établissement",
            legal_basis="Consentement (art. 6.1.a) recueilli sur la page d'inscription publique "
            "(texte et date conservés) ; intérêt légitime (art. 6.1.f) pour une personne "
            "inscrite par l'équipe",
            persons="Participants aux événements et personnes en liste d'attente",
            data="Nom, prénom, adresse électronique, entreprise ou organisation, SIRET de "
            "l'établissement (facultatif), consentement, présence, dates des courriels envoyés",
            recipients="L'équipe qui organise l'événement : chefs de projet TI du territoire et, "
            "pour l'événement d'un EPCI, ses agents ; jamais les partenaires ni les "
            "administrateurs de la plateforme",
            retention="Un an après l'événement, puis anonymisation (commande "
            "purge_event_registrations, quotidienne) ; la participation rattachée à "
            "l'établissement, sans donnée personnelle, reste au suivi",
            security=COMMON_SECURITY + " ; limitation des inscriptions par adresse IP, champ "
            "piège contre les robots, lien d'annulation signé",
        ),
        Processing(
            name="Journal d'audit",
            status=IN_SERVICE,
            purpose="Tracer qui a modifié quoi et quand, pour la sécurité du traitement et "
            "la résolution des litiges",
            legal_basis="Obligation légale de sécurité du traitement (art. 6.1.c et art. 32) "
            "et intérêt légitime (art. 6.1.f)",
            persons="Utilisateurs (auteurs des modifications) et personnes dont la fiche est "
            "modifiée",
            data="Auteur, date, action, objet et valeurs avant et après la modification",
            recipients="Les chefs de projet TI et les administrateurs de la plateforme, pour "
            "ce qu'ils ont le droit de voir",
            retention="Aussi longtemps que l'objet tracé, sans purge automatique à ce jour ; "
            "à l'effacement d'un contact, ses valeurs personnelles deviennent « [effacé] »",
            security=COMMON_SECURITY + " ; journal en ajout seul, lecture seule dans "
            "l'administration",
        ),
    ]


REGISTER_COLUMNS = [
    "Traitement",
    "État",
    "Finalité",
    "Base légale",
    "Catégories de personnes",
    "Catégories de données",
    "Destinataires",
    "Transferts hors UE",
    "Durée de conservation",
    "Mesures de sécurité",
    "Responsable de traitement",
    "Contact du délégué à la protection des données",
]


def register_rows(*, controller: str, dpo: str) -> list[list[str]]:
    return [
        [
            p.name,
            p.status,
            p.purpose,
            p.legal_basis,
            p.persons,
            p.data,
            p.recipients,
            p.transfers,
            p.retention,
            p.security,
            controller,
            dpo,
        ]
        for p in processings()
    ]
