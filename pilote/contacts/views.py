from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pilote.accounts import access
from pilote.accounts.access import get_visible_or_404
from pilote.companies.forms import SiretLookupForm
from pilote.contacts import services
from pilote.contacts.forms import ContactFilterForm, ContactForm
from pilote.contacts.models import Contact
from pilote.core.csv import csv_response
from pilote.core.htmx import render_list
from pilote.core.locking import StaleEdit

PAGE_SIZE = 25
SOURCES = ["Salon", "Site web de l'entreprise", "Carte de visite", "Recommandation", "Annuaire"]

# The sortable columns of the list (`?tri=`), by their public name.
SORTS = {
    "nom": ("last_name", "first_name"),
    "fonction": ("role",),
    "entreprise": ("company__name",),
    "epci": ("epci__name",),
    "visibilite": ("visibility",),
    "activite": ("last_activity_at",),
}


def _filtered_contacts(request: HttpRequest):
    territory = request.territory
    form = ContactFilterForm(request.GET or None, territory=territory)
    contacts = form.filter(
        Contact.objects.visible_to(request.user).select_related(
            "company", "epci", "main_establishment"
        )
    )
    return form, contacts


@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    form, contacts = _filtered_contacts(request)
    return render_list(
        request, contacts, template="contacts/list.html", results="contacts/_results.html",
        page_size=PAGE_SIZE, sorts=SORTS, default_sort="nom", form=form,
        can_create=access.can_write_on(request.user),
    )  # fmt: skip


@login_required
@never_cache
def contact_export(request: HttpRequest) -> HttpResponse:
    _, contacts = _filtered_contacts(request)

    def local(moment) -> str:
        return timezone.localtime(moment).strftime("%d/%m/%Y")

    rows = (
        (
            contact.pk,
            contact.last_name,
            contact.first_name,
            contact.role,
            contact.email,
            contact.phone,
            contact.company.display_name,
            contact.company.siren,
            contact.main_establishment.siret,
            contact.epci.name,
            contact.get_legal_basis_display(),
            contact.source,
            contact.get_visibility_display(),
            local(contact.created_at),
            local(contact.last_activity_at),
        )
        for contact in contacts.iterator(chunk_size=500)
    )
    header = [
        "N°", "Nom", "Prénom", "Fonction", "Adresse électronique", "Téléphone", "Entreprise",
        "SIREN", "SIRET de l'établissement principal", "EPCI", "Base légale", "Source",
        "Visibilité", "Créé le", "Dernière activité",
    ]  # fmt: skip
    return csv_response("contacts", header, rows)


@login_required
def contact_create(request: HttpRequest) -> HttpResponse:
    if not access.can_write_on(request.user):
        raise Http404
    siret = (request.GET.get("etablissement") or request.POST.get("etablissement") or "").strip()
    lookup = SiretLookupForm(
        {"etablissement": siret} if siret else None, territory=request.territory
    )
    if not lookup.is_valid():
        return render(request, "contacts/choose_establishment.html", {"lookup": lookup})
    establishment = lookup.cleaned_data["etablissement"]
    if establishment.epci is None or not access.can_write_on(request.user, establishment.epci):
        lookup.add_error(
            "etablissement",
            "Cet établissement relève d'un EPCI pour lequel vous ne pouvez pas ajouter de contact.",
        )
        return render(request, "contacts/choose_establishment.html", {"lookup": lookup})
    form = ContactForm(
        request.POST or None,
        user=request.user,
        company=establishment.company,
        initial={"main_establishment": establishment.pk},
    )
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(
            acting_user=request.user,
            establishments=form.sites(),
            **{
                field: form.cleaned_data[field]
                for field in services.EDITABLE_FIELDS
                if field in form.cleaned_data
            },
        )
        messages.success(request, "Le contact est enregistré.")
        return redirect(contact)
    return render(
        request,
        "contacts/form.html",
        {"form": form, "establishment": establishment, "sources": SOURCES},
    )


@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(
        Contact.objects.select_related(
            "company", "epci", "main_establishment", "author", "author_organisation"
        ),
        request.user,
        pk=pk,
    )
    sites = contact.establishments.select_related("company", "commune").order_by(
        "-is_head_office", "siret"
    )
    return render(
        request,
        "contacts/detail.html",
        {
            "contact": contact,
            "sites": sites,
            "can_edit": access.can_edit(request.user, contact),
        },
    )


def _editable_or_404(request: HttpRequest, pk: int) -> Contact:
    """The contact this user may edit, export or erase; 404 for whoever may not see it, 403
    for whoever sees it but may not change it."""
    return access.get_editable_or_404(
        Contact.objects.select_related("company", "epci"), request.user, pk=pk
    )


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _editable_or_404(request, pk)
    form = ContactForm(
        request.POST or None, instance=contact, user=request.user, company=contact.company
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(
                acting_user=request.user,
                contact=Contact.objects.select_related("company").get(pk=pk),
                version=form.version,
                establishments=form.sites(),
                **{
                    field: value
                    for field, value in form.changes().items()
                    if field in services.EDITABLE_FIELDS
                },
            )
        except StaleEdit as stale:
            form.refuse(stale)
        else:
            messages.success(request, "Le contact est modifié.")
            return redirect(contact)
    return render(
        request, "contacts/form.html", {"form": form, "contact": contact, "sources": SOURCES}
    )


@login_required
@never_cache
def contact_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's data as JSON, to answer a right-of-access request (RGPD art. 15)."""
    contact = _editable_or_404(request, pk)
    data = services.contact_export_personal_data(acting_user=request.user, contact=contact)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    filename = f"contact-{contact.pk}-donnees-personnelles-{stamp}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    contact = _editable_or_404(request, pk)
    if request.method == "POST":
        services.contact_erase(acting_user=request.user, contact=contact)
        messages.success(request, "Les données de cette personne ont été effacées.")
        return redirect("contacts:list")
    return render(request, "contacts/erase.html", {"contact": contact})
