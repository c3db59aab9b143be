"""The catalogue: read by every account, edited by TI managers and administrators through
audited services; the scheme form validates with the etalab rules."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from pilote.aids import services
from pilote.aids.models import AidScheme, CallWindow
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from tests.aids.factories import AidSchemeFactory

pytestmark = pytest.mark.django_db

FORM = {
    "titre": "Prêt industrie du futur",
    "promesse": "Modernisez votre outil de production",
    "description": "Un prêt sans garantie de 50 000 € à 5 M€.",
    "eligibilite": "• PME et ETI industrielles",
    "types_aides": "prêt",
    "porteurs": "BPIFRANCE ; 320252489 ; instructeur, financeur",
    "cibles": ["professionnels"],
    "eligibilite_geographique": "REG-32|DEP-02",
    "ciblage_secteur_activite": "industrie",
    "ciblage_naf": "C",
    "eligibilite_effectif_maximal": "4999",
    "date_ouverture": "2026-12-01",
    "date_cloture": "2027-03-31",
    "themes": ["industrie_du_futur"],
    "level": "national",
}


@pytest.mark.parametrize("actor", ["manager", "admin", "manager_b"])
def test_ti_managers_and_administrators_create_schemes(world, login, actor):
    response = login(world.users[actor]).post(reverse("aids:create"), FORM)
    scheme = AidScheme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == scheme.get_absolute_url()
    assert scheme.carriers == [
        {"nom": "BPIFRANCE", "siren": "320252489", "roles": ["instructeur", "financeur"]}
    ]
    assert scheme.geo_included == ["REG-32", "DEP-02"]
    assert scheme.theme_tags == "|industrie_du_futur|"
    event = AuditEvent.objects.for_object(scheme).get()
    assert (event.action, event.actor) == ("aid_scheme.create", world.users[actor])


@pytest.mark.parametrize("actor", ["agent_e1", "partner", "nobody"])
def test_others_may_not_edit_the_catalogue(world, login, actor):
    scheme = AidSchemeFactory()
    client = login(world.users[actor])
    assert client.get(reverse("aids:create")).status_code == 404
    assert client.post(reverse("aids:create"), FORM).status_code == 404
    assert client.get(reverse("aids:edit", args=[scheme.pk])).status_code == 404
    assert client.post(reverse("aids:delete", args=[scheme.pk])).status_code == 404
    assert client.get(reverse("aids:window_create", args=[scheme.pk])).status_code == 404
    assert client.get(reverse("aids:import")).status_code == 404
    with pytest.raises(PermissionDenied):
        services.scheme_update(acting_user=world.users[actor], scheme=scheme, title="x")
    # … but everyone reads it.
    assert client.get(scheme.get_absolute_url()).status_code == 200


def test_the_form_reports_the_schema_rules(world, login):
    data = {**FORM, "eligibilite_geographique": "Nord", "ciblage_naf": "29.3Z", "porteurs": ""}
    response = login(world.users["manager"]).post(reverse("aids:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"eligibilite_geographique", "ciblage_naf", "porteurs"}
    assert not AidScheme.objects.exists()


def test_an_edit_keeps_the_identifier_and_stamps_the_update(world, login):
    scheme = AidSchemeFactory(title="Ancien titre")
    client = login(world.users["manager"])
    form = client.get(reverse("aids:edit", args=[scheme.pk])).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, [])}
    data.update(titre="Nouveau titre", id="autre", version=form.fields["version"].initial)
    response = client.post(reverse("aids:edit", args=[scheme.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    scheme.refresh_from_db()
    assert scheme.title == "Nouveau titre"
    assert scheme.etalab_id != "autre"
    assert AuditEvent.objects.for_object(scheme).get().changes["title"] == [
        "Ancien titre",
        "Nouveau titre",
    ]


def test_windows_are_added_edited_and_deleted_with_an_audit_trail(world, login):
    scheme = AidSchemeFactory()
    client = login(world.users["manager"])
    url = reverse("aids:window_create", args=[scheme.pk])
    bad = {"kind": "vague", "label": "Vague 1", "opens_on": "2027-02-01", "closes_on": "2027-01-01"}
    assert client.post(url, bad).status_code == 200
    client.post(url, {**bad, "closes_on": "2027-03-01"})
    window = CallWindow.objects.get()
    client.post(
        reverse("aids:window_edit", args=[scheme.pk, window.pk]),
        {**bad, "label": "Vague 2", "closes_on": "2027-04-01", "version": version_of(window)},
    )
    window.refresh_from_db()
    assert window.label == "Vague 2"
    client.post(reverse("aids:window_delete", args=[scheme.pk, window.pk]))
    assert not CallWindow.objects.exists()
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["call_window.create", "call_window.update", "call_window.delete"]


def test_the_list_filters_by_theme_level_and_carrier_and_exports_etalab(world, login):
    AidSchemeFactory(title="Décarbonation", themes=["decarbonation"], level="national")
    AidSchemeFactory(
        title="Export régional",
        themes=["export"],
        level="regional",
        carriers=[{"nom": "Région Hauts-de-France", "siren": "", "roles": ["financeur"]}],
    )
    client = login(world.users["agent_e1"])

    def titles(query):
        page = client.get(reverse("aids:list") + query).context["page"]
        return [scheme.title for scheme, _ in page.object_list]

    assert titles("") == ["Décarbonation", "Export régional"]
    assert titles("?theme=decarbonation") == ["Décarbonation"]
    assert titles("?level=regional") == ["Export régional"]
    assert titles("?carrier=Région Hauts-de-France") == ["Export régional"]
    exported = client.get(reverse("aids:export") + "?theme=export").content.decode()
    assert exported.splitlines()[0].startswith("id,titre,promesse")
    assert "Export régional" in exported
    assert "Décarbonation" not in exported


def test_an_empty_catalogue_says_what_to_do(world, login):
    text = login(world.users["manager"]).get(reverse("aids:list")).content.decode()
    assert "Aucun dispositif ne correspond" in text
    assert "importez un catalogue" in text


def test_internal_notes_are_written_on_ones_own_epci(world, login):
    scheme = AidSchemeFactory()
    client = login(world.users["agent_e1"])
    url = reverse("aids:note_create", args=[scheme.pk])
    data = {"epci": world.epcis["e2"].pk, "body": "Contact Région", "visibility": "epci"}
    assert client.post(url, data).status_code == 200  # e2 is not offered
    client.post(url, {**data, "epci": world.epcis["e1"].pk})
    note = scheme.notes.get()
    assert note.author_organisation == world.orgs["o1"]
    assert login(world.users["partner"]).get(url).status_code == 404


def test_the_web_import_checks_before_it_writes(world, login):
    from pathlib import Path

    from django.core.files.uploadedfile import SimpleUploadedFile

    path = Path(__file__).parent / "data" / "catalogue-hauts-de-france.csv"
    client = login(world.users["admin"])

    def upload(action):
        file = SimpleUploadedFile("catalogue.csv", path.read_bytes(), content_type="text/csv")
        return client.post(reverse("aids:import"), {"file": file, "action": action})

    response = upload("check")
    assert response.context["report"].summary()["rejected"] == 13
    assert not AidScheme.objects.exists()
    assert "enregistrement" in response.content.decode().lower()
    upload("import")
    assert AidScheme.objects.count() == 10
