from django.db import models


class Visibility(models.TextChoices):
    """Who sees a follow-up record (docs/rules.md). The rule lives in `accounts/access.py`."""

    EPCI = "epci", "EPCI concerné"
    TERRITORY = "territory", "Tout le territoire"
    PARTNERS = "partners", "Territoire et partenaires"
    PRIVATE = "private", "Mon organisation seulement"

    @classmethod
    def help_texts(cls) -> dict[str, str]:
        return {
            cls.EPCI: "Les agents de l'EPCI concerné et le chef de projet TI.",
            cls.TERRITORY: "Toutes les organisations membres du Territoire d'industrie.",
            cls.PARTNERS: "Le territoire, plus les partenaires État, Région et opérateurs.",
            cls.PRIVATE: "Votre organisation et le chef de projet TI.",
        }

    @classmethod
    def explained_choices(cls) -> list[tuple[str, str]]:
        """Choices with who sees what, for the radio buttons of follow-up forms."""
        texts = cls.help_texts()
        return [(value, f"{label} — {texts[value]}") for value, label in cls.choices]
