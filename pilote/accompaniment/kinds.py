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
        return {"need": "un besoin", "project": "un projet", "diagnostic": "un diagnostic",
                "referral": "une mise en relation", "action": "une action"}[self.slug]  # fmt: skip

    @property
    def the_label(self) -> str:
        return {"need": "le besoin", "project": "le projet", "diagnostic": "le diagnostic",
                "referral": "la mise en relation", "action": "l'action"}[self.slug]  # fmt: skip

    @property
    def deleted(self) -> str:
        """The success message of a deletion."""
        return {"need": "Le besoin est supprimé.", "project": "Le projet est supprimé.",
                "diagnostic": "Le diagnostic est supprimé.",
                "referral": "La mise en relation est supprimée.",
                "action": "L'action est supprimée."}[self.slug]  # fmt: skip


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
