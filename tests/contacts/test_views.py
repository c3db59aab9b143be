import csv
import io
import json

import pytest

from pilote.contacts.enums import LegalBasis
from pilote.contacts.models import Contact
from pilote.core.enums import Visibility
from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from tests.contacts.factories import ContactFactory
from tests.factories import CompanyFactory, EstablishmentFactory


@pytest.fixture
def forge(world):
    """An establishment of e1 (territory A) with a second site on e2."""
    company = CompanyFactory(name="Forges de l'Escaut", siren="552100554")
    main = EstablishmentFactory(company=company, epci=world.epcis["e1"], own_name="")
    EstablishmentFactory(
        company=company, epci=world.epcis["e2"], own_name="Forges site 2", is_head_office=False
    )
    return main


def contact_form(establishment, **overrides):
    data = {
        "first_name": "Céline",
        "last_name": "Vandenbussche",
        "role": "Directrice de site",
        "email": "c.vandenbussche@forges.example",
        "phone": "03 53 01 12 34",
        "main_establishment": establishment.pk,
        "legal_basis": LegalBasis.LEGITIMATE_INTEREST,
        "source": "Salon Industrie Lille 2026",
        "notes": "Préfère être appelée le matin.",
        "visibility": Visibility.EPCI,
        "etablissement": establishment.siret,
    }
    return {**data, **overrides}


def create_url(establishment) -> str:
    return f"/contacts/nouveau/?etablissement={establishment.siret}"


def test_an_agent_adds_a_contact_from_the_establishment_page(world, login, forge):
    client = login(world.users["agent_e1"])
    page = client.get(forge.get_absolute_url()).content.decode()
    assert f'href="{create_url(forge)}"' in page
    assert "Ajouter un contact" in page
    form = client.get(create_url(forge))
    assert form.status_code == 200
    assert "Forges site 2" in form.content.decode()  # the other site may be ticked
    second_site = forge.company.establishments.exclude(pk=forge.pk).get()
    response = client.post(
        "/contacts/nouveau/", contact_form(forge, establishments=[second_site.pk])
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert (contact.company, contact.epci) == (forge.company, world.epcis["e1"])
    assert (contact.author, contact.author_organisation) == (
        world.users["agent_e1"],
        world.orgs["o1"],
    )
    assert set(contact.establishments.all()) == {forge, second_site}
    assert contact.last_activity_at is not None
    event = AuditEvent.objects.for_object(contact).get()
    assert event.action == "contact.create"
    assert event.changes["email"] == [None, "c.vandenbussche@forges.example"]
    assert sorted(event.changes["establishments"][1]) == sorted([forge.pk, second_site.pk])
    timeline = client.get(forge.get_absolute_url()).content.decode()
    assert "Céline Vandenbussche, Directrice de site" in timeline
    assert f'href="/contacts/{contact.pk}/"' in timeline


def test_the_establishment_must_be_in_the_current_territory(world, login):
    elsewhere = EstablishmentFactory(epci=world.epcis["e3"])
    client = login(world.users["manager"])
    outside = "Aucun établissement du territoire ne porte ce SIRET"
    for response in (
        client.get(create_url(elsewhere)),
        client.post("/contacts/nouveau/", contact_form(elsewhere)),
        client.get("/contacts/nouveau/?etablissement=00000000000000"),
    ):
        assert response.status_code == 200
        assert outside in response.content.decode()
    assert not Contact.objects.exists()


def test_a_siret_with_a_wrong_checksum_is_a_form_error_not_a_404(world, login, forge):
    client = login(world.users["manager"])
    wrong = forge.siret[:-1] + str((int(forge.siret[-1]) + 1) % 10)
    response = client.get(f"/contacts/nouveau/?etablissement={wrong[:5]} {wrong[5:]}")
    assert response.status_code == 200
    html = response.content.decode()
    assert "sa clé de contrôle est fausse" in html
    assert 'name="etablissement"' in html  # the form again, with what was typed
    spaced = f"{forge.siret[:3]} {forge.siret[3:6]} {forge.siret[6:9]} {forge.siret[9:]}"
    form = client.get(f"/contacts/nouveau/?etablissement={spaced}").content.decode()
    assert 'name="last_name"' in form  # a SIRET typed with spaces opens the contact form
    assert not Contact.objects.exists()


def test_an_agent_cannot_add_a_contact_on_another_epci(world, login, forge):
    other = EstablishmentFactory(epci=world.epcis["e2"])
    client = login(world.users["agent_e1"])
    refused = "pour lequel vous ne pouvez pas ajouter de contact"
    assert refused in client.get(create_url(other)).content.decode()
    assert refused in client.post("/contacts/nouveau/", contact_form(other)).content.decode()
    assert "Ajouter un contact" not in client.get(other.get_absolute_url()).content.decode()
    # Nor choose, as main establishment, the company's site on e2.
    e2_site = forge.company.establishments.exclude(pk=forge.pk).get()
    response = client.post("/contacts/nouveau/", contact_form(forge, main_establishment=e2_site.pk))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Contact.objects.exists()


@pytest.mark.parametrize("actor", ["partner", "admin", "nobody"])
def test_readers_cannot_add_contacts(world, login, forge, actor):
    client = login(world.users[actor])
    assert client.get(create_url(forge)).status_code == 404
    assert client.post("/contacts/nouveau/", contact_form(forge)).status_code == 404
    assert "Ajouter un contact" not in client.get(forge.get_absolute_url()).content.decode()
    assert not Contact.objects.exists()


def test_without_an_establishment_the_form_asks_for_one(world, login):
    response = login(world.users["manager"]).get("/contacts/nouveau/")
    assert response.status_code == 200
    assert 'name="etablissement"' in response.content.decode()


def test_validation_messages_are_in_french_and_nothing_is_saved(world, login, forge):
    client = login(world.users["agent_e1"])
    response = client.post(
        "/contacts/nouveau/",
        contact_form(forge, email="pas-une-adresse", source="  ", phone="appelez-moi"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in html
    assert "Ce champ est obligatoire." in html  # the source
    assert "Saisissez un numéro de téléphone valide" in html
    assert not Contact.objects.exists()


def test_the_detail_shows_the_legal_basis_and_the_source(world, login):
    contact = ContactFactory(
        main_establishment__epci=world.epcis["e1"],
        legal_basis=LegalBasis.CONSENT,
        source="Formulaire de l'atelier robotique",
    )
    html = login(world.users["manager"]).get(f"/contacts/{contact.pk}/").content.decode()
    assert "Base légale" in html
    assert "Consentement" in html
    assert "Formulaire de l&#x27;atelier robotique" in html


def test_the_edit_is_audited_and_bumps_the_last_activity(world, login, forge, time_machine):
    time_machine.move_to("2026-01-05 10:00 +01:00", tick=False)
    login(world.users["agent_e1"]).post("/contacts/nouveau/", contact_form(forge))
    contact = Contact.objects.get()
    time_machine.move_to("2026-03-02 09:00 +01:00", tick=False)
    client = login(world.users["agent_e1"])  # the first session has expired meanwhile
    response = client.post(
        f"/contacts/{contact.pk}/modifier/",
        {
            **contact_form(forge, role="Directrice générale", email="celine@forges.example"),
            "version": version_of(contact),
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.role == "Directrice générale"
    assert contact.last_activity_at.isoformat() == "2026-03-02T08:00:00+00:00"
    event = AuditEvent.objects.for_object(contact).get(action="contact.update")
    assert event.actor == world.users["agent_e1"]
    assert event.changes == {
        "role": ["Directrice de site", "Directrice générale"],
        "email": ["c.vandenbussche@forges.example", "celine@forges.example"],
        "last_activity_at": ["2026-01-05T09:00:00+00:00", "2026-03-02T08:00:00+00:00"],
    }


def test_a_visible_contact_of_another_organisation_is_read_only(world, login):
    contact = ContactFactory(
        main_establishment__epci=world.epcis["e1"],
        visibility=Visibility.TERRITORY,
        author_organisation=world.orgs["o1"],
    )
    client = login(world.users["agent_e2"])
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Effacer cette personne" not in html
    assert "Exporter les données de cette personne" not in html
    for url in ("modifier/", "effacer/", "donnees-personnelles/"):  # seen, not writable: 403
        assert client.get(f"/contacts/{contact.pk}/{url}").status_code == 403
    assert client.post(f"/contacts/{contact.pk}/effacer/").status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_personal_data_export_holds_the_record_and_its_history(world, login, forge):
    client = login(world.users["agent_e1"])
    client.post("/contacts/nouveau/", contact_form(forge))
    contact = Contact.objects.get()
    client.post(
        f"/contacts/{contact.pk}/modifier/",
        {**contact_form(forge, phone="03 53 01 99 99"), "version": version_of(contact)},
    )
    response = client.get(f"/contacts/{contact.pk}/donnees-personnelles/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="contact-{contact.pk}-donnees-personnelles-'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["personne"] == {
        "numero": contact.pk,
        "prenom": "Céline",
        "nom": "Vandenbussche",
        "fonction": "Directrice de site",
        "adresse_electronique": "c.vandenbussche@forges.example",
        "telephone": "03 53 01 99 99",
        "remarques": "Préfère être appelée le matin.",
    }
    assert data["traitement"]["base_legale"] == "Intérêt légitime (prospection B2B)"
    assert data["traitement"]["source"] == "Salon Industrie Lille 2026"
    assert data["traitement"]["entreprise"] == {"siren": "552100554", "nom": "Forges de l'Escaut"}
    assert data["traitement"]["etablissements"] == [
        {"siret": forge.siret, "nom": "Forges de l'Escaut", "principal": True}
    ]
    assert data["traitement"]["organisation_responsable"] == "Agglo 1"
    assert [e["action"] for e in data["historique"]] == ["contact.create", "contact.update"]
    assert data["historique"][1]["modifications"]["phone"] == ["03 53 01 12 34", "03 53 01 99 99"]


def test_erasure_asks_for_confirmation_then_deletes(world, login):
    contact = ContactFactory(
        main_establishment__epci=world.epcis["e2"], last_name="Dequeker", first_name="Olivier"
    )
    client = login(world.users["manager"])
    confirmation = client.get(f"/contacts/{contact.pk}/effacer/")
    assert confirmation.status_code == 200
    assert "Effacer Olivier Dequeker ?" in confirmation.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
    response = client.post(f"/contacts/{contact.pk}/effacer/")
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert "Dequeker" not in client.get("/contacts/").content.decode()
    assert client.get(f"/contacts/{contact.pk}/").status_code == 404


def test_a_forged_contact_url_answers_404(world, login):
    client = login(world.users["manager"])
    assert client.get("/contacts/999999/").status_code == 404
    assert client.get("/contacts/abc/").status_code == 404


def test_the_list_searches_by_name_and_company_and_filters_by_epci(world, login):
    ContactFactory(
        main_establishment=EstablishmentFactory(
            epci=world.epcis["e1"], company=CompanyFactory(name="Verrerie du Hainaut")
        ),
        first_name="Jérôme",
        last_name="Caulier",
    )
    ContactFactory(
        main_establishment=EstablishmentFactory(
            epci=world.epcis["e2"], company=CompanyFactory(name="Rail Composants")
        ),
        first_name="Hélène",
        last_name="Ramette",
    )
    client = login(world.users["manager"])

    def names(url):
        return [c.last_name for c in client.get(url).context["page"].object_list]

    assert names("/contacts/?q=caulier") == ["Caulier"]
    assert names("/contacts/?q=rail") == ["Ramette"]
    assert names("/contacts/?q=hélène rail") == ["Ramette"]
    assert names("/contacts/?q=hélène verrerie") == []
    assert names(f"/contacts/?epci={world.epcis['e1'].pk}") == ["Caulier"]
    assert names("/contacts/") == ["Caulier", "Ramette"]


def test_the_list_answers_htmx_with_a_fragment(world, login):
    ContactFactory(main_establishment__epci=world.epcis["e1"], last_name="Caulier")
    response = login(world.users["manager"]).get("/contacts/?q=cau", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "Caulier" in html
    assert "<html" not in html


def test_the_list_uses_a_fixed_number_of_queries(world, login, django_assert_num_queries):
    client = login(world.users["manager"])
    ContactFactory.create_batch(3, main_establishment__epci=world.epcis["e1"])
    client.get("/contacts/")  # warm the session and content types
    # session, user, current membership, scope (2), count, page, EPCI filter choices
    with django_assert_num_queries(8) as few:
        client.get("/contacts/")
    ContactFactory.create_batch(20, main_establishment__epci=world.epcis["e2"])
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/contacts/")


def test_the_csv_export_holds_exactly_the_filtered_visible_contacts(world, login):
    ContactFactory(
        main_establishment__epci=world.epcis["e1"],
        last_name="Duquesne; « Nathalie »",
        email="n.duquesne@exemple.fr",
        legal_basis=LegalBasis.CONTRACT,
    )
    ContactFactory(main_establishment__epci=world.epcis["e1"], last_name="Autre")
    ContactFactory(main_establishment__epci=world.epcis["e3"], last_name="Duquesne ailleurs")
    response = login(world.users["manager"]).get("/contacts/export.csv?q=duquesne")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw[1:]), delimiter=";"))
    assert rows[0][:5] == ["N°", "Nom", "Prénom", "Fonction", "Adresse électronique"]
    assert [r[1] for r in rows[1:]] == ["Duquesne; « Nathalie »"]
    assert rows[1][4] == "n.duquesne@exemple.fr"
    assert rows[1][rows[0].index("Base légale")] == "Contrat"
