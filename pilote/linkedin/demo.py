"""Demo statistics of the Hainaut – Douaisis – Cambrésis page: every day from 1 January 2020
to yesterday (followers and content) and its posts, as if its exports had been imported.

Calibrated on the roadmap's bilan: on 30/06/2022 the page has just crossed 500 followers
(`FOLLOWERS_AT_BILAN`) after 77 000 impressions (`IMPRESSIONS_AT_BILAN`) of 90 posts
(`POSTS_AT_BILAN`); it keeps growing since, a little faster. Deterministic (a seeded random
generator walked day by day from the start), so a second load adds only the days since the
last one (idempotent: nothing is created twice).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from pilote.linkedin.models import ContentDay, FollowerDay, Post
from pilote.territories.models import Territory

HDC_SLUG = "hainaut-douaisis-cambresis"
START = dt.date(2020, 1, 1)
BILAN = dt.date(2022, 6, 30)
FOLLOWERS_AT_BILAN = 512
IMPRESSIONS_AT_BILAN = 77_000
POSTS_AT_BILAN = 90
SEED = 2020

SUBJECTS = (
    "Visite de l'usine {company} avec les élus du territoire",
    "Lancement de l'appel à projets « {theme} »",
    "Retour en images sur le petit-déjeuner des industriels de {place}",
    "{company} recrute : {jobs} postes ouverts",
    "Comité de pilotage du Territoire d'industrie à {place}",
    "Atelier « {theme} » : les inscriptions sont ouvertes",
    "Portrait d'industriel : {company}",
    "Semaine de l'industrie : les portes ouvertes à {place}",
)  # fmt: skip
COMPANIES = ("Forges de Denain", "Verrerie du Cambrésis", "Ateliers de Douai",
             "Mécanique de l'Ostrevent", "Textiles du Caudrésis", "Fonderie de Somain")  # fmt: skip
THEMES = ("industrie du futur", "décarbonation", "compétences", "foncier industriel",
          "économie circulaire", "cybersécurité des PME")  # fmt: skip
PLACES = ("Douai", "Cambrai", "Valenciennes", "Caudry", "Somain", "Denain")


def _days(last: dt.date) -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range((last - START).days + 1)]


def _scaled(weights: list[float], upto: int, target: int) -> list[int]:
    """Integers following `weights` whose first `upto` sum exactly to `target`: the floor
    differences of the cumulative, scaled series."""
    scale = target / sum(weights[:upto])
    values, running, previous = [], 0.0, 0
    for weight in weights:
        running += weight * scale
        current = int(running + 1e-9)
        values.append(current - previous)
        previous = current
    return values


def series(last: dt.date) -> dict:
    """The demo's figures from START to `last` (deterministic)."""
    rng = random.Random(SEED)
    days = _days(max(last, BILAN))
    upto = (BILAN - START).days + 1
    follow_w, impress_w = [], []
    for i, day in enumerate(days):
        trend = 1 + i / 700  # the page grows
        weekday = 0.35 if day.weekday() >= 5 else 1.0
        follow_w.append(trend * weekday * rng.uniform(0.3, 1.7))
        impress_w.append(trend * weekday * rng.uniform(0.4, 1.6))
    followers = _scaled(follow_w, upto, FOLLOWERS_AT_BILAN)
    impressions = _scaled(impress_w, upto, IMPRESSIONS_AT_BILAN)
    ratios = [(rng.uniform(0.012, 0.025), rng.uniform(0.015, 0.03), rng.uniform(0.001, 0.004),
               rng.uniform(0.001, 0.003), rng.uniform(0.75, 0.9)) for _ in days]  # fmt: skip
    # Posts: 90 until the bilan (about one every ten days), then about five a month.
    post_days = [START + dt.timedelta(days=int(i * (upto - 5) / POSTS_AT_BILAN) + 3)
                 for i in range(POSTS_AT_BILAN)]  # fmt: skip
    day = BILAN + dt.timedelta(days=6)
    while day <= days[-1]:
        post_days.append(day)
        day += dt.timedelta(days=rng.randint(4, 8))
    weights = [rng.uniform(0.3, 2.5) for _ in post_days]
    post_impressions = _scaled(weights, POSTS_AT_BILAN, IMPRESSIONS_AT_BILAN)
    posts = []
    for n, (posted, shown) in enumerate(zip(post_days, post_impressions, strict=True)):
        title = rng.choice(SUBJECTS).format(
            company=rng.choice(COMPANIES), theme=rng.choice(THEMES), place=rng.choice(PLACES),
            jobs=rng.randint(3, 40),
        )  # fmt: skip
        clicks = int(shown * rng.uniform(0.01, 0.04))
        reactions = int(shown * rng.uniform(0.015, 0.04))
        comments = int(shown * rng.uniform(0.0, 0.005))
        reposts = int(shown * rng.uniform(0.0, 0.004))
        urn = f"urn:li:activity:{6620000000000000000 + n * 7919 * 10**9}"
        posts.append({
            "key": urn, "link": f"https://www.linkedin.com/feed/update/{urn}/",
            "title": title, "post_type": "Organique", "created_on": posted,
            "impressions": shown, "clicks": clicks, "reactions": reactions,
            "comments": comments, "reposts": reposts,
            "ctr": Decimal(clicks / shown if shown else 0).quantize(Decimal("0.000001")),
            "engagement_rate": Decimal((clicks + reactions + comments + reposts) / shown
                                       if shown else 0).quantize(Decimal("0.000001")),
        })  # fmt: skip
    return {"days": days, "followers": followers, "impressions": impressions,
            "ratios": ratios, "posts": posts}  # fmt: skip


def load(*, out) -> int:
    territory = Territory.objects.filter(slug=HDC_SLUG).first()
    if territory is None:
        return 0
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    data = series(yesterday)
    known_f = set(FollowerDay.objects.filter(territory=territory).values_list("date", flat=True))
    known_c = set(ContentDay.objects.filter(territory=territory).values_list("date", flat=True))
    known_p = set(Post.objects.filter(territory=territory).values_list("key", flat=True))
    follower_rows, content_rows, total = [], [], 0
    for day, new, shown, ratio in zip(data["days"], data["followers"], data["impressions"],
                                      data["ratios"], strict=True):  # fmt: skip
        total += new
        if day > yesterday:
            break
        if day not in known_f:
            sponsored = new // 10 if day.month in (3, 10) else 0
            follower_rows.append(FollowerDay(
                territory=territory, date=day, organic=new - sponsored, sponsored=sponsored,
                new_total=new, total_followers=total,
            ))  # fmt: skip
        if day not in known_c:
            clicks, reactions = int(shown * ratio[0]), int(shown * ratio[1])
            comments, reposts = int(shown * ratio[2]), int(shown * ratio[3])
            content_rows.append(ContentDay(
                territory=territory, date=day, impressions=shown,
                unique_impressions=int(shown * ratio[4]), clicks=clicks, reactions=reactions,
                comments=comments, reposts=reposts,
                engagement_rate=Decimal((clicks + reactions + comments + reposts) / shown
                                        if shown else 0).quantize(Decimal("0.000001")),
            ))  # fmt: skip
    post_rows = [
        Post(territory=territory, **post)
        for post in data["posts"]
        if post["created_on"] <= yesterday and post["key"] not in known_p
    ]
    FollowerDay.objects.bulk_create(follower_rows, batch_size=1000)
    ContentDay.objects.bulk_create(content_rows, batch_size=1000)
    Post.objects.bulk_create(post_rows, batch_size=1000)
    return len(follower_rows) + len(content_rows) + len(post_rows)
