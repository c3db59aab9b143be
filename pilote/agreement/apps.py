from django.apps import AppConfig


class AgreementConfig(AppConfig):
    name = "pilote.agreement"
    label = "agreement"
    verbose_name = "Convention de financement"

    def ready(self) -> None:
        # The bilan (pilote.indicators, an earlier app) shows the budget follow-up through its
        # registry of extra sections.
        from pilote.agreement.bilan_section import section
        from pilote.indicators import bilan

        if section not in bilan.EXTRA_SECTIONS:
            bilan.EXTRA_SECTIONS.append(section)
