"""Subscribers: who manages them (TI managers of the list's territory, 404 for everyone
else), team entry with consent, the do-not-contact list, adding contacts, unsubscribe, RGPD
export and erasure, and the pages."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from pilote.core.locking import version_of
from pilote.core.models import AuditEvent
from pilote.outreach import perms, services, subscriptions
from pilote.outreach.enums import BlockReason, LegalBasis, Source, SubscriberStatus
from pilote.outreach.models import Delivery, DoNotContact, MailingList, Subscriber
from pilote.outreach.subscriptions import email_hash
from tests.contacts.factories import ContactFactory
from tests.factories import EstablishmentFactory
from tests.outreach.factories import (
    DoNotContactFactory,
    IssueFactory,
    MailingListFactory,
    SubscriberFactory,
)

PROOF = "Bulletin signé à l'atelier du 12/03/2026"
OUTSIDERS = ["agent_e1", "partner", "admin", "manager_b"]


@pytest.fixture
def mailing_list(world):
    return MailingListFactory(territory=world.territory_a)


@pytest.fixture
def manager(world):
    return world.users["manager"]


def _add(manager, mailing_list, email="Jeanne.Martin@Exemple.fr", **fields):
    return services.subscriber_create(
        acting_user=manager,
        mailing_list=mailing_list,
        email=email,
        legal_basis=LegalBasis.CONSENT,
        consent_proof=PROOF,
        first_name="Jeanne",
        last_name="Martin",
        **fields,
    )


# --- Services ---------------------------------------------------------------------------------


def test_the_team_adds_an_active_subscriber_with_its_consent_and_an_audit_event(
    manager, mailing_list
):
    subscriber = _add(manager, mailing_list)
    assert subscriber.email == "jeanne.martin@exemple.fr"
    assert subscriber.status == SubscriberStatus.ACTIVE
    assert subscriber.source == Source.TEAM
    assert subscriber.added_by == manager
    assert subscriber.consent_proof == PROOF
    event = AuditEvent.objects.for_object(subscriber).get()
    assert event.action == "outreach.subscriber.create"


def test_the_proof_of_consent_is_required(manager, mailing_list):
    with pytest.raises(ValidationError) as exc:
        services.subscriber_create(
            acting_user=manager, mailing_list=mailing_list, email="a@exemple.fr",
            legal_basis=LegalBasis.CONSENT, consent_proof="  ",
        )  # fmt: skip
    assert "consent_proof" in exc.value.error_dict


@pytest.mark.parametrize("who", OUTSIDERS)
def test_only_a_ti_manager_of_the_lists_territory_writes(world, mailing_list, who):
    user = world.users[who]
    assert not perms.can_manage(user, mailing_list)
    with pytest.raises(PermissionDenied):
        _add(user, mailing_list)
    subscriber = SubscriberFactory(mailing_list=mailing_list)
    with pytest.raises(PermissionDenied):
        services.subscriber_unsubscribe(acting_user=user, subscriber=subscriber)
    with pytest.raises(PermissionDenied):
        services.subscriber_erase(acting_user=user, subscriber=subscriber)
    with pytest.raises(PermissionDenied):
        services.subscriber_export_personal_data(acting_user=user, subscriber=subscriber)
    with pytest.raises(PermissionDenied):
        services.subscriber_block(acting_user=user, mailing_list=mailing_list, email="x@e.fr")


def test_a_blocked_address_is_refused_saying_why(manager, mailing_list):
    DoNotContactFactory(
        mailing_list=mailing_list, email="bloque@exemple.fr", reason=BlockReason.BOUNCED,
        note="550 boîte inconnue",
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        _add(manager, mailing_list, email="Bloque@Exemple.fr")
    message = " ".join(exc.value.message_dict["email"])
    assert "ne plus contacter" in message
    assert "adresse en échec" in message
    assert not Subscriber.objects.exists()


def test_an_address_already_in_the_list_is_refused(manager, mailing_list):
    _add(manager, mailing_list)
    with pytest.raises(ValidationError) as exc:
        _add(manager, mailing_list, email="JEANNE.martin@exemple.fr")
    assert "déjà dans la liste" in " ".join(exc.value.message_dict["email"])


def test_the_update_is_refused_when_someone_changed_the_subscriber_meanwhile(manager, mailing_list):
    from pilote.core.locking import StaleEdit

    subscriber = _add(manager, mailing_list)
    read_at = version_of(subscriber)
    services.subscriber_update(
        acting_user=manager, subscriber=subscriber, version=read_at, organisation="Forges"
    )
    with pytest.raises(StaleEdit):
        services.subscriber_update(
            acting_user=manager, subscriber=subscriber, version=read_at, organisation="Autre"
        )
    assert Subscriber.objects.get().organisation == "Forges"


def test_from_contacts_adds_only_the_visible_ones_and_reports_the_skipped(
    world, manager, mailing_list
):
    e1 = EstablishmentFactory(epci=world.epcis["e1"])
    visible = ContactFactory(main_establishment=e1, email="Visible@Exemple.fr")
    blocked = ContactFactory(main_establishment=e1, email="bloque@exemple.fr")
    existing = ContactFactory(main_establishment=e1, email="deja@exemple.fr")
    no_email = ContactFactory(main_establishment=e1, email="")
    # A contact of territory B: the manager of A does not see it.
    hidden = ContactFactory(
        main_establishment=EstablishmentFactory(epci=world.epcis["e3"]), email="cache@exemple.fr"
    )
    DoNotContactFactory(mailing_list=mailing_list, email="bloque@exemple.fr")
    SubscriberFactory(mailing_list=mailing_list, email="deja@exemple.fr")
    result = services.subscribers_from_contacts(
        acting_user=manager,
        mailing_list=mailing_list,
        contacts=[visible.pk, blocked.pk, existing.pk, no_email.pk, hidden.pk],
        legal_basis=LegalBasis.LEGITIMATE_INTEREST,
        consent_proof="Rencontrés au salon, accord oral",
    )
    assert [s.email for s in result.added] == ["visible@exemple.fr"]
    assert result.blocked == ["bloque@exemple.fr"]
    assert result.existing == ["deja@exemple.fr"]
    added = result.added[0]
    assert added.contact == visible
    assert added.source == Source.CONTACT
    assert added.legal_basis == LegalBasis.LEGITIMATE_INTEREST
    assert not Subscriber.objects.filter(email="cache@exemple.fr").exists()


def test_the_team_unsubscribes_and_the_address_is_blocked(manager, mailing_list):
    subscriber = _add(manager, mailing_list)
    assert services.subscriber_unsubscribe(acting_user=manager, subscriber=subscriber)
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    entry = DoNotContact.objects.get()
    assert entry.reason == BlockReason.UNSUBSCRIBED
    assert entry.note == "à la demande de la personne"
    assert not services.subscriber_unsubscribe(acting_user=manager, subscriber=subscriber)


def test_a_manual_block_stops_the_subscriber_and_keeps_the_reason(manager, mailing_list):
    subscriber = _add(manager, mailing_list)
    entry, created = services.subscriber_block(
        acting_user=manager, mailing_list=mailing_list, email=" JEANNE.martin@exemple.fr ",
        note="Demande par téléphone",
    )  # fmt: skip
    assert created
    assert entry.reason == BlockReason.MANUAL
    assert entry.note == "Demande par téléphone"
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    _, again = services.subscriber_block(
        acting_user=manager, mailing_list=mailing_list, email="jeanne.martin@exemple.fr"
    )
    assert not again


def test_three_soft_bounces_suspend_and_the_address_cannot_come_back(manager, mailing_list):
    subscriber = _add(manager, mailing_list)
    for _ in range(3):
        subscriptions.record_bounce(subscriber, permanent=False, reason="452 boîte pleine")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.SUSPENDED
    assert "452" in subscriber.suspended_reason
    subscriber.delete()
    with pytest.raises(ValidationError):
        _add(manager, mailing_list)


def test_the_rgpd_export_holds_the_record_consent_deliveries_and_history(manager, mailing_list):
    subscriber = _add(manager, mailing_list, organisation="Forges du Nord")
    issue = IssueFactory(mailing_list=mailing_list, title="Printemps")
    Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    data = services.subscriber_export_personal_data(acting_user=manager, subscriber=subscriber)
    json.dumps(data)  # JSON-ready
    assert data["personne"]["adresse_electronique"] == "jeanne.martin@exemple.fr"
    assert data["personne"]["organisation"] == "Forges du Nord"
    assert data["traitement"]["base_legale"] == "Consentement"
    assert data["traitement"]["preuve_du_consentement"] == PROOF
    assert data["envois"][0]["titre"] == "Printemps"
    assert [e["action"] for e in data["historique"]] == ["outreach.subscriber.create"]


def test_erasure_leaves_no_personal_value_in_the_database(manager, mailing_list):
    subscriber = _add(manager, mailing_list, organisation="Forges Secrètes")
    services.subscriber_update(
        acting_user=manager, subscriber=subscriber, version=version_of(subscriber),
        last_name="Martin-Durand",
    )  # fmt: skip
    issue = IssueFactory(mailing_list=mailing_list)
    Delivery.objects.create(
        issue=issue, subscriber=subscriber, email=subscriber.email,
        last_error="550 <jeanne.martin@exemple.fr> inconnue",
    )  # fmt: skip
    subscriptions.unsubscribe(subscriber, how="lien en un clic")
    pk = subscriber.pk
    services.subscriber_erase(acting_user=manager, subscriber=subscriber)

    assert not Subscriber.objects.filter(pk=pk).exists()
    entry = DoNotContact.objects.get()
    assert entry.email == ""
    assert entry.email_hash == email_hash("jeanne.martin@exemple.fr")
    dump = json.dumps(
        [
            list(AuditEvent.objects.values("object_repr", "changes")),
            list(DoNotContact.objects.values()),
            list(Delivery.objects.values()),
        ],
        default=str,
        ensure_ascii=False,
    ).lower()
    for value in ("jeanne", "martin", "forges secrètes", "exemple.fr", "atelier du 12/03"):
        assert value not in dump, value
    erase = AuditEvent.objects.filter(action="outreach.subscriber.erase").get()
    assert erase.object_id == str(pk)
    # The hash still refuses the address.
    with pytest.raises(ValidationError):
        _add(manager, mailing_list)


def test_the_list_is_created_on_first_use_with_the_managers_organisation(world, rf, manager):
    from django.conf import settings

    request = rf.get("/lettre/")
    request.user = manager
    request.territory = world.territory_a
    request.membership = manager.memberships.get()
    unsaved = services.mailing_list_of(request)  # a GET writes nothing
    assert unsaved.pk is None
    assert unsaved.sender_name == "CCI A"
    assert not MailingList.objects.exists()
    request.method = "POST"
    mailing_list = services.mailing_list_of(request)
    assert mailing_list.sender_name == "CCI A"
    assert mailing_list.sender_email in settings.DEFAULT_FROM_EMAIL
    assert services.mailing_list_of(request) == mailing_list
    assert MailingList.objects.count() == 1


def test_a_territory_without_a_list_shows_empty_pages_and_the_first_post_creates_it(world, login):
    client = login(world.users["manager"])
    for name in ("issues", "subscribers", "blocked", "subscriber_create", "issue_create",
                 "subscribers_from_contacts"):  # fmt: skip
        assert client.get(reverse(f"outreach:{name}")).status_code == 200, name
    assert not MailingList.objects.exists()
    client.post(reverse("outreach:blocked"), {"email": "non@exemple.fr"})
    assert MailingList.objects.get().territory == world.territory_a
    assert DoNotContact.objects.get().email == "non@exemple.fr"


# --- Pages ------------------------------------------------------------------------------------


def _pages(subscriber):
    pk = subscriber.pk
    return [
        reverse("outreach:subscribers"),
        reverse("outreach:subscriber_create"),
        reverse("outreach:subscribers_from_contacts"),
        reverse("outreach:blocked"),
        reverse("outreach:subscriber", args=[pk]),
        reverse("outreach:subscriber_edit", args=[pk]),
        reverse("outreach:subscriber_unsubscribe", args=[pk]),
        reverse("outreach:subscriber_export", args=[pk]),
        reverse("outreach:subscriber_erase", args=[pk]),
    ]


def test_the_manager_opens_every_page(world, login, mailing_list):
    subscriber = SubscriberFactory(mailing_list=mailing_list, email="lu@exemple.fr")
    client = login(world.users["manager"])
    for url in _pages(subscriber):
        response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("who", [*OUTSIDERS, "nobody"])
def test_everyone_else_gets_404_and_sees_no_address(world, login, mailing_list, who):
    subscriber = SubscriberFactory(mailing_list=mailing_list, email="secret@exemple.fr")
    client = login(world.users[who])
    for i, url in enumerate(_pages(subscriber)):
        response = client.get(url)
        # The TI manager of B reaches the lists of B's own newsletter, never A's subscriber.
        expected = 200 if who == "manager_b" and i < 4 else 404
        assert response.status_code == expected, (who, url)
        assert b"secret@exemple.fr" not in response.content
    response = client.post(reverse("outreach:subscriber_erase", args=[subscriber.pk]))
    assert response.status_code == 404
    assert Subscriber.objects.filter(pk=subscriber.pk).exists()


def test_the_list_searches_filters_sorts_and_counts(world, login, mailing_list):
    SubscriberFactory(mailing_list=mailing_list, email="alice@exemple.fr", last_name="Alpha")
    SubscriberFactory(
        mailing_list=mailing_list, email="bob@exemple.fr", last_name="Bravo",
        status=SubscriberStatus.PENDING,
    )  # fmt: skip
    client = login(world.users["manager"])
    url = reverse("outreach:subscribers")
    page = client.get(url).content.decode()
    assert "alice@exemple.fr" in page
    assert "bob@exemple.fr" in page
    assert "en attente de confirmation 1" in page
    page = client.get(url, {"q": "alic"}).content.decode()
    assert "alice@exemple.fr" in page
    assert "bob@exemple.fr" not in page
    page = client.get(url, {"status": "pending"}).content.decode()
    assert "bob@exemple.fr" in page
    assert "alice@exemple.fr" not in page
    page = client.get(url, {"tri": "-nom"}).content.decode()
    assert page.index("bob@exemple.fr") < page.index("alice@exemple.fr")
    fragment = client.get(url, {"q": "bob"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "bob@exemple.fr" in fragment


def test_add_page_creates_and_refuses_a_blocked_address(world, login, mailing_list):
    DoNotContactFactory(mailing_list=mailing_list, email="bloque@exemple.fr")
    client = login(world.users["manager"])
    data = {"email": "bloque@exemple.fr", "kind": "elu", "legal_basis": "consent",
            "consent_proof": PROOF}  # fmt: skip
    response = client.post(reverse("outreach:subscriber_create"), data)
    assert response.status_code == 400
    assert "ne plus contacter" in response.content.decode()
    data["email"] = "elu@exemple.fr"
    response = client.post(reverse("outreach:subscriber_create"), data)
    subscriber = Subscriber.objects.get()
    assert response.status_code == 302
    assert response.url == subscriber.get_absolute_url()


def test_from_contacts_page_lists_only_visible_contacts_with_an_email(world, login, mailing_list):
    seen = ContactFactory(
        main_establishment=EstablishmentFactory(epci=world.epcis["e1"]),
        email="vu@exemple.fr",
        last_name="Visible",
    )
    ContactFactory(
        main_establishment=EstablishmentFactory(epci=world.epcis["e3"]),
        email="autre@exemple.fr",
    )
    client = login(world.users["manager"])
    url = reverse("outreach:subscribers_from_contacts")
    page = client.get(url).content.decode()
    assert "vu@exemple.fr" in page
    assert "autre@exemple.fr" not in page
    assert "vu@exemple.fr" not in client.get(url, {"q": "zzz"}).content.decode()
    response = client.post(
        url,
        {"contacts": [seen.pk], "kind": "industriel", "legal_basis": "consent",
         "consent_proof": PROOF},
    )  # fmt: skip
    assert response.status_code == 302
    assert Subscriber.objects.get().contact == seen


def test_edit_page_refuses_a_stale_form(world, login, mailing_list):
    subscriber = SubscriberFactory(mailing_list=mailing_list, email="lu@exemple.fr")
    client = login(world.users["manager"])
    url = reverse("outreach:subscriber_edit", args=[subscriber.pk])
    data = {"email": "lu@exemple.fr", "first_name": "Lu", "last_name": "X", "organisation": "",
            "kind": "autre", "legal_basis": "consent", "consent_proof": PROOF,
            "version": version_of(subscriber)}  # fmt: skip
    services.subscriber_update(
        acting_user=world.users["manager"], subscriber=subscriber, organisation="Changée"
    )
    response = client.post(url, data)
    assert response.status_code == 400
    assert "a été modifiée" in response.content.decode()
    assert Subscriber.objects.get().first_name != "Lu"


def test_unsubscribe_export_and_erase_pages(world, login, mailing_list):
    subscriber = SubscriberFactory(mailing_list=mailing_list, email="lu@exemple.fr")
    client = login(world.users["manager"])
    export = client.get(reverse("outreach:subscriber_export", args=[subscriber.pk]))
    assert export["Content-Disposition"].startswith("attachment;")
    assert json.loads(export.content)["personne"]["adresse_electronique"] == "lu@exemple.fr"
    response = client.post(reverse("outreach:subscriber_unsubscribe", args=[subscriber.pk]))
    assert response.status_code == 302
    assert Subscriber.objects.get().status == SubscriberStatus.UNSUBSCRIBED
    page = client.get(reverse("outreach:blocked")).content.decode()
    assert "lu@exemple.fr" in page
    assert "Désabonnement" in page
    response = client.post(reverse("outreach:subscriber_erase", args=[subscriber.pk]))
    assert response.status_code == 302
    assert not Subscriber.objects.exists()
    page = client.get(reverse("outreach:blocked")).content.decode()
    assert "lu@exemple.fr" not in page
    assert "adresse effacée" in page


def test_the_blocked_page_adds_an_address_by_hand(world, login, mailing_list):
    client = login(world.users["manager"])
    response = client.post(
        reverse("outreach:blocked"), {"email": "Non@Exemple.fr", "note": "Courrier reçu"}
    )
    assert response.status_code == 302
    entry = DoNotContact.objects.get()
    assert (entry.email, entry.reason, entry.note) == ("non@exemple.fr", "manual", "Courrier reçu")
