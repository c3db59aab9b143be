"""Campaigns (and their targets) in the leak matrix.

Every specimen campaign has one target with a visit tomorrow, on an establishment shared by
the campaigns of its EPCI: the calendar, the dashboard and the establishment page's timeline
must only ever show the campaigns the actor may see. The iCalendar feed is per user, so it is
checked in test_feed.py (the LeakCase API has no actor-dependent URL); test_followup.py also
checks that the establishment page shows every campaign the actor may see.
"""

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from tests.factories import CompanyFactory, EstablishmentFactory
from tests.leak_matrix import LeakCase, register
from tests.prospecting.factories import campaign_of, planned


def site(world, epci: str):
    """One establishment per EPCI, shared by that EPCI's specimen campaigns."""
    sites = world.__dict__.setdefault("prospecting_sites", {})
    if epci not in sites:
        sites[epci] = EstablishmentFactory(
            epci=world.epcis[epci], company=CompanyFactory(name=f"Usine témoin {epci}")
        )
    return sites[epci]


def make_campaign(world, *, epci, visibility, author):
    campaign = campaign_of(
        world,
        epci,
        author,
        visibility=visibility,
        owner=world.users[author],
        name=f"Campagne-{epci}-{visibility}-{author}",
    )
    planned(campaign=campaign, establishment=site(world, epci))
    return campaign


def _one_more_establishment(campaign, form) -> dict:
    """A new establishment of the campaign's EPCI, that the directory's default search (sent
    as the add-targets form sends it) finds."""
    EstablishmentFactory(epci=campaign.epci)
    return {"filtres": "industrial=on&state=open"}


def _history(obj) -> str:
    return reverse("core:history", args=[ContentType.objects.get_for_model(obj).pk, obj.pk])


register(
    LeakCase(
        name="campaign",
        make=make_campaign,
        marker=lambda campaign: campaign.name,
        read_urls={
            "detail": lambda c: reverse("prospecting:detail", args=[c.pk]),
            "next targets": lambda c: reverse("prospecting:next", args=[c.pk]),
            "targets export": lambda c: reverse("prospecting:export", args=[c.pk]),
        },
        restricted_urls={
            "edit": lambda c: reverse("prospecting:edit", args=[c.pk]),
            "add targets": lambda c: reverse("prospecting:add_targets", args=[c.pk]),
            "history": _history,
            "target history": lambda c: _history(c.targets.get()),
            "target status form": lambda c: reverse(
                "prospecting:target_status", args=[c.targets.get().pk]
            ),
        },
        collection_urls={
            "list": lambda world: reverse("prospecting:list"),
            "search": lambda world: reverse("prospecting:list") + "?q=Campagne-",
            "calendar (everything visible)": lambda world: (
                reverse("prospecting:calendar") + "?perimetre=tout"
            ),
        },
        sample_urls={
            "dashboard": lambda world: reverse("core:home"),
            "calendar": lambda world: reverse("prospecting:calendar"),
        },
        related_urls={
            "establishment page": lambda c: c.targets.get().establishment.get_absolute_url(),
            # The campaigns an establishment or a directory search may be added to.
            "add the establishment to a campaign": lambda c: reverse(
                "prospecting:target_establishment", args=[c.targets.get().establishment.siret]
            ),
            "add a directory search to a campaign": lambda c: (
                reverse("prospecting:from_directory") + f"?epci={c.epci_id}"
            ),
            "new campaign": lambda c: reverse("prospecting:create"),
        },
        post_urls={
            "edit": (lambda c: reverse("prospecting:edit", args=[c.pk]), None),
            "add targets": (
                lambda c: reverse("prospecting:add_targets", args=[c.pk]),
                _one_more_establishment,
            ),
            "target status": (
                lambda c: reverse("prospecting:target_status", args=[c.targets.get().pk]),
                lambda c, form: {
                    k: ["Rappeler en juin"] if k.endswith("-note") else v for k, v in form.items()
                },
            ),
        },
    )
)
