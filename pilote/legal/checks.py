from django.core.checks import Tags, Warning, register

from pilote.legal import conf


@register(Tags.security, deploy=True)
def legal_settings_are_set(app_configs, **kwargs):
    names = conf.missing()
    if not names:
        return []
    return [
        Warning(
            "Les mentions légales affichent des valeurs de démonstration.",
            hint="Définir " + ", ".join(names) + " (README, « Variables d'environnement »).",
            id="legal.W001",
        )
    ]
