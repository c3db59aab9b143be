"""The kinds of records a meeting produces, as the pages show them: their model, form,
services, labels and the columns of their lists and exports."""

from __future__ import annotations

from dataclasses import dataclass

from pilote.accompaniment import forms, services
from pilote.accompaniment.models import Action, Diagnostic, Need, Project, Referral


@dataclass(frozen=True)
class RecordKind:
    slug: str  # URL and form prefix
    model: type
    form: type
    create: object  # services.<kind>_create
    update: object  # services.<kind>_update
    update_arg: str  # the keyword of the record in `update`
    label: str  # « besoin »
    plural: str  # « Besoins et difficultés »
    created: str  # success message
    list_name: str | None  # URL name of the list, None when the kind has none
    columns: tuple[str, ...]  # fields shown in lists and exports

    @property
    def create_url_name(self) -> str:
        return f"accompaniment:{self.slug}_create"

    @property
    def edit_url_name(self) -> str:
        return f"accompaniment:{self.slug}_edit"

    @property
    def delete_url_name(self) -> str:
        return f"accompaniment:{self.slug}_delete"

    @property
    def add_label(self) -> str:
        """« un besoin »."""
        return _WORDS[self.slug][0]

    @property
    def the_label(self) -> str:
        """« le besoin »."""
        return _WORDS[self.slug][1]

    @property
    def deleted(self) -> str:
        """The success message of a deletion: « Le besoin est supprimé. »"""
        definite, feminine = _WORDS[self.slug][1:]
        return f"{definite[0].upper()}{definite[1:]} est supprimé{'e' if feminine else ''}."


# slug: (with an indefinite article, with a definite article, feminine)
_WORDS = {
    "need": ("un besoin", "le besoin", False),
    "project": ("un projet", "le projet", False),
    "diagnostic": ("un diagnostic", "le diagnostic", False),
    "referral": ("une mise en relation", "la mise en relation", True),
    "action": ("une action", "l'action", True),
}


RECORD_KINDS: dict[str, RecordKind] = {
    "need": RecordKind(
        "need", Need, forms.NeedForm, services.need_create, services.need_update, "need",
        "besoin", "Besoins et difficultés", "Le besoin est enregistré.",
        "accompaniment:need_list", ("theme", "description", "urgency", "resolved_on"),
    ),
    "project": RecordKind(
        "project", Project, forms.ProjectForm, services.project_create,
        services.project_update, "project", "projet", "Projets d'entreprise",
        "Le projet est enregistré.", "accompaniment:project_list",
        ("title", "kind", "investment_amount", "jobs_created", "jobs_kept", "horizon",
         "maturity"),
    ),
    "diagnostic": RecordKind(
        "diagnostic", Diagnostic, forms.DiagnosticForm, services.diagnostic_create,
        services.diagnostic_update, "diagnostic", "diagnostic", "Diagnostics TE et IDF",
        "Le diagnostic est enregistré.", "accompaniment:diagnostic_list",
        ("kind", "status", "operator", "offered_on", "accepted_on", "done_on", "report_on"),
    ),
    "referral": RecordKind(
        "referral", Referral, forms.ReferralForm, services.referral_create,
        services.referral_update, "referral", "mise en relation", "Mises en relation",
        "La mise en relation est enregistrée.", "accompaniment:referral_list",
        ("partner", "partner_name", "subject", "referred_on", "outcome"),
    ),
    "action": RecordKind(
        "action", Action, forms.ActionForm, services.action_create, services.action_update,
        "action", "action", "Actions de suivi", "L'action est enregistrée.", None,
        ("title", "owner", "due_date", "status", "done_on"),
    ),
}  # fmt: skip
