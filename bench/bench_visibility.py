"""Confidentiality rule: a filtered, paginated note list through visible_to() vs no rule.

Target: the rule costs at most 1.5x the unfiltered query on 100,000 notes (same page size).
"""

import random
import statistics
import time

from django.db import transaction

N_NOTES = 100_000
RUNS = 30


def populate():
    from pilote.accounts.enums import OrganisationKind, Role
    from pilote.accounts.models import Membership, Organisation, User
    from pilote.core.enums import Visibility
    from pilote.notes.models import Note
    from pilote.territories.models import Epci, Territory

    rng = random.Random(42)
    with transaction.atomic():
        epcis = [Epci.objects.create(siren=f"2000000{i:02d}", name=f"CA {i}", kind="CA")
                 for i in range(6)]  # fmt: skip
        territory = Territory.objects.create(name="Bench", slug="bench")
        territory.epcis.set(epcis)
        orgs = []
        for i, epci in enumerate(epcis):
            org = Organisation.objects.create(name=f"Agglo {i}", kind=OrganisationKind.EPCI,
                                              epci=epci)  # fmt: skip
            org.territories.add(territory)
            orgs.append(org)
        agent = User.objects.create_user(email="agent@bench.fr", password=None)
        Membership.objects.create(
            user=agent, organisation=orgs[0], territory=territory, role=Role.EPCI_AGENT
        )
        visibilities = list(Visibility.values)
        Note.objects.bulk_create(
            (
                Note(
                    epci=epcis[k % 6],
                    author_organisation=orgs[k % 6],
                    visibility=rng.choice(visibilities),
                    title=f"Note {k}",
                    body="texte",
                )
                for k in range(N_NOTES)
            ),
            batch_size=5000,
        )
    return agent, epcis


def timed(fn) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main() -> None:
    from pilote.notes.models import Note

    agent, epcis = populate()

    def page(qs):
        return lambda: (qs.count(), list(qs.order_by("-created_at", "-id")[:25]))

    baseline = timed(page(Note.objects.filter(epci__in=epcis)))
    ruled = timed(page(Note.objects.visible_to(agent)))
    for label, samples in (("baseline (no rule)", baseline), ("visible_to(agent)", ruled)):
        p50, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
        print(f"  {label:<20} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms")
    ratio = statistics.median(ruled) / statistics.median(baseline)
    verdict = "OK" if ratio <= 1.5 else "AU-DESSUS DE LA CIBLE"
    print(f"  ratio p50 {ratio:.2f} (cible ≤ 1.5) {verdict}")
