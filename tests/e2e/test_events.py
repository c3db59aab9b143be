"""An event from its creation to the establishment's timeline, in real Chromium: the TI
manager creates a workshop; a visitor registers on the public page with the SIRET of an
establishment of the territory; the confirmation email carries a valid .ics; on the tablet
check-in page (800 px wide) the manager marks them present; the establishment's page shows
the participation. No page may raise a console error or a Content-Security-Policy violation."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import expect

from pilote.events.models import Attendance, Event, Registration
from tests.factories import CompanyFactory, EstablishmentFactory
from tests.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_event_registration_and_check_in_reach_the_timeline(
    page, browser_errors, login_as, context, new_context
):
    world = build_world()
    site = EstablishmentFactory(
        epci=world.epcis["e1"], company=CompanyFactory(name="Fonderie du Hainaut")
    )
    login_as(context, world.users["manager"])
    page.set_viewport_size({"width": 1280, "height": 800})
    today = timezone.localdate()
    now = timezone.localtime()
    start = max(now.hour - 1, 0)

    page.goto("/evenements/")
    page.get_by_role("link", name="Nouvel événement").click()
    page.get_by_label("Type").select_option(label="Atelier")
    page.get_by_label("Intitulé").fill("Atelier hydrogène vert")
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Heure de début").fill(f"{start:02d}:00")
    page.get_by_label("Heure de fin").fill("23:59")
    page.locator("#id_place").fill("CCI Grand Hainaut, salle Watteau")
    page.get_by_label("Nombre de places").fill("20")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("L'événement est enregistré.")).to_be_visible()
    event = Event.objects.get()
    assert event.starts_at.date() == today or event.starts_at.astimezone().date() == today

    # A visitor, without an account, registers on the public page.
    visitor = new_context().new_page()
    visitor_errors = []
    visitor.on("console", lambda m: m.type == "error" and visitor_errors.append(m.text))
    visitor.goto(event.public_path)
    expect(visitor.get_by_role("heading", level=1, name="Atelier hydrogène vert")).to_be_visible()
    visitor.locator("#id_first_name").fill("Camille")
    visitor.locator("#id_last_name").fill("Durand")
    visitor.locator("#id_email").fill("camille.durand@fonderie.example")
    visitor.locator("#id_organisation_name").fill("Fonderie du Hainaut")
    visitor.get_by_label("SIRET de l'établissement").fill(site.siret)
    visitor.locator("label[for=id_consent]").click()
    visitor.get_by_role("button", name="M'inscrire").click()
    expect(visitor.get_by_text("Inscription confirmée")).to_be_visible()
    assert visitor_errors == []
    registration = Registration.objects.get()
    assert registration.establishment == site
    assert registration.consent_at is not None

    # The confirmation email carries the invitation.
    (message,) = [m for m in mail.outbox if m.to == ["camille.durand@fonderie.example"]]
    (name, content, mimetype) = message.attachments[0]
    assert name == "invitation.ics"
    assert mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content if isinstance(content, bytes) else content.encode())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Atelier hydrogène vert"
    assert vevent["DTSTART"].params["TZID"] == "Europe/Paris"
    assert vevent.decoded("DTSTART") == event.starts_at

    # The timeline already shows the registration.
    page.goto(site.get_absolute_url())
    expect(page.get_by_text("Inscription : Atelier hydrogène vert")).to_be_visible()

    # Check-in on a tablet.
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(event.get_absolute_url())
    page.get_by_role("link", name="Émargement sur tablette").click()
    page.get_by_label("Chercher par nom ou organisation").fill("Dur")
    row = page.locator(f"#inscrit-{registration.pk}")
    expect(row).to_contain_text("DURAND Camille")
    row.get_by_role("button", name="Marquer Camille Durand présent").click()
    expect(row.get_by_role("button", name="Camille Durand : présent (annuler)")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 800, f"la page d'émargement déborde : {width} px"
    registration.refresh_from_db()
    assert registration.attended is True
    assert registration.checked_in_at is not None
    assert Attendance.objects.get().present is True

    # The establishment's timeline shows the participation.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(site.get_absolute_url())
    expect(page.get_by_text("Participation : Atelier hydrogène vert")).to_be_visible()
    expect(page.get_by_text("Inscription : Atelier hydrogène vert")).to_have_count(0)

    # The sign-in sheet is a PDF.
    response = page.request.get(f"/evenements/{event.pk}/emargement.pdf")
    assert response.ok
    assert response.body().startswith(b"%PDF")
    assert dt.timedelta(0) <= event.ends_at - event.starts_at
    browser_errors.assert_none()
