"""The publisher's settings (`LEGAL_*`, from the environment: README), with the demo values
shown while they are empty. Production must set them: `manage.py check --deploy` warns."""

from django.conf import settings

DEMO: dict[str, str] = {
    "LEGAL_PUBLISHER": "CCI Grand Hainaut (exemple de démonstration)",
    "LEGAL_HOST": "L'hébergeur choisi par l'éditeur (exemple de démonstration)",
    "LEGAL_PUBLICATION_DIRECTOR": "Le président de la CCI Grand Hainaut (exemple de démonstration)",
    "LEGAL_CONTACT_EMAIL": "contact@pilote.example",
    "LEGAL_DPO_EMAIL": "dpo@pilote.example",
}


def missing() -> list[str]:
    """The `LEGAL_*` settings left empty (their demo value is shown)."""
    return [name for name in DEMO if not getattr(settings, name, "")]


def legal() -> dict[str, str]:
    """Every `LEGAL_*` value, lower-cased without the prefix (`publisher`, `dpo_email`…)."""
    return {
        name.removeprefix("LEGAL_").lower(): getattr(settings, name, "") or demo
        for name, demo in DEMO.items()
    }
