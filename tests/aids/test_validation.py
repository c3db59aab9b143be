"""Plausible call windows: from 1990 to ten years ahead, on the page and in the services."""

import datetime as dt
import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from pilote.aids import services
from pilote.aids.forms import SchemeForm
from pilote.aids.models import CallWindow
from tests.aids.factories import AidSchemeFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def test_the_window_page_refuses_an_implausible_window(world, login):
    scheme = AidSchemeFactory()
    client = login(world.users["manager"])
    url = reverse("aids:window_create", args=[scheme.pk])
    response = client.post(
        url, {"kind": "vague", "label": "V1", "opens_on": "0001-01-01", "closes_on": "2099-12-31"}
    )
    page = html.unescape(response.content.decode())
    assert "La date d'ouverture ne peut pas précéder le 01/01/1990." in page
    assert "La date de clôture ne peut pas dépasser le" in page
    assert "(10 ans après aujourd'hui)" in page
    assert not CallWindow.objects.exists()
    last = years_after(TODAY, 10).isoformat()
    client.post(url, {"kind": "vague", "label": "V1", "opens_on": "1990-01-01", "closes_on": last})
    assert CallWindow.objects.get().closes_on == years_after(TODAY, 10)


def test_the_window_services_refuse_it(world):
    scheme = AidSchemeFactory()
    with pytest.raises(ValidationError) as exc:
        services.window_create(
            acting_user=world.users["manager"], scheme=scheme, kind="vague",
            opens_on=dt.date(1, 1, 1),
        )  # fmt: skip
    assert exc.value.message_dict == {
        "opens_on": ["La date d'ouverture ne peut pas précéder le 01/01/1990."]
    }


def test_the_scheme_form_refuses_an_implausible_opening(world):
    form = SchemeForm({"titre": "Aide", "date_ouverture": "0001-01-01"})
    assert not form.is_valid()
    assert form.errors["date_ouverture"] == [
        "La date d'ouverture ne peut pas précéder le 01/01/1990."
    ]
