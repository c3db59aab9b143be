"""Factories of applications (dossiers). `application_of(world, ...)` builds one of territory
A written by a world actor, the way the leak matrix and most tests need them."""

import datetime as dt
from decimal import Decimal

import factory

from pilote.applications.enums import Status
from pilote.applications.models import Application, Payment, StatusChange
from tests.accompaniment.factories import RecordFactory, site_of, written_by


class ApplicationFactory(RecordFactory):
    class Meta:
        model = Application

    reference = factory.Sequence(lambda n: f"DS-{100000 + n}")
    funder = "Région Hauts-de-France — Rev3"
    status = Status.REVIEW
    filed_on = dt.date(2026, 3, 2)
    amount_requested = Decimal("150000.00")
    investment = Decimal("900000.00")
    jobs = 12

    @factory.post_generation
    def history(self, create, extracted, **kwargs):
        if create:
            StatusChange.objects.create(
                application=self, to_status=self.status,
                effective_on=self.decided_on or self.filed_on or dt.date(2026, 1, 1),
                reason="Création du dossier",
            )  # fmt: skip


def application_of(world, epci="e1", author="agent_e1", **fields):
    fields.setdefault("establishment", site_of(world, epci))
    return ApplicationFactory(**written_by(world, author), **fields)


def accepted_of(world, epci="e1", author="agent_e1", **fields):
    fields = {
        "status": Status.ACCEPTED, "decided_on": dt.date(2026, 6, 15),
        "amount_granted": Decimal("120000.00"), **fields,
    }  # fmt: skip
    return application_of(world, epci, author, **fields)


def payment_of(application, amount="40000.00", paid_on=dt.date(2026, 9, 1)):
    return Payment.objects.create(application=application, amount=Decimal(amount),
                                  paid_on=paid_on, label="Avance")  # fmt: skip
