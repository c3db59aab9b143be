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


# The fifth visibility, « EPCI choisis »: a record shared with the EPCIs its carrier names
# (their agents, the TI managers and the author's organisation see it). Only records that
# list those EPCIs (territory projects) offer it; the rule lives in `accounts/access.py`.
CHOSEN = "chosen"
CHOSEN_LABEL = "EPCI choisis"
CHOSEN_HELP = "Les EPCI porteurs et ceux que vous choisissez, et le chef de projet TI."


def shared_visibility_choices() -> list[tuple[str, str]]:
    """The five visibilities, narrowest first, for the records that can be shared with chosen
    EPCIs."""
    return [Visibility.choices[0], (CHOSEN, CHOSEN_LABEL), *Visibility.choices[1:]]


def shared_visibility_explained() -> list[tuple[str, str]]:
    texts = {**Visibility.help_texts(), CHOSEN: CHOSEN_HELP}
    return [(value, f"{label} — {texts[value]}") for value, label in shared_visibility_choices()]
