from django.db import models


class OrganisationKind(models.TextChoices):
    CCI = "cci", "Chambre de commerce et d'industrie"
    EPCI = "epci", "Intercommunalité (EPCI)"
    PREFECTURE = "prefecture", "Préfecture"
    SOUS_PREFECTURE = "sous_prefecture", "Sous-préfecture"
    SGAR = "sgar", "SGAR"
    REGION = "region", "Conseil régional"
    OPERATOR = "operator", "Opérateur (Bpifrance, ADEME, Banque des Territoires…)"
    OTHER = "other", "Autre"


class Role(models.TextChoices):
    TI_MANAGER = "ti_manager", "Chef de projet TI"
    EPCI_AGENT = "epci_agent", "Agent de développement économique (EPCI)"
    PARTNER = "partner", "Partenaire (État, Région, opérateur)"
    ADMIN = "admin", "Administrateur de la plateforme"


# Which roles an organisation of each kind may hold, so that an invitation cannot make a
# Bpifrance employee an "EPCI agent".
ROLES_BY_KIND = {
    OrganisationKind.CCI: [Role.TI_MANAGER, Role.PARTNER, Role.ADMIN],
    OrganisationKind.EPCI: [Role.EPCI_AGENT],
    OrganisationKind.PREFECTURE: [Role.PARTNER],
    OrganisationKind.SOUS_PREFECTURE: [Role.PARTNER],
    OrganisationKind.SGAR: [Role.PARTNER],
    OrganisationKind.REGION: [Role.PARTNER],
    OrganisationKind.OPERATOR: [Role.PARTNER],
    OrganisationKind.OTHER: [Role.PARTNER, Role.ADMIN],
}
