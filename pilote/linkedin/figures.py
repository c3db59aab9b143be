"""The figures of the LinkedIn page, read by the `/linkedin/` page, the programme's dashboard
and the bilan (docs/linkedin.md#les-chiffres). Public-page statistics: the same for every
reader of the territory.

Followers at a date: the last « nombre d'abonnés » known on or before it plus the new
followers of the days after it; without any known total, the sum of the new followers
imported up to the date (so the first followers export should start at the page's creation).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from pilote.linkedin.models import ContentDay, FollowerDay, Post, VisitorDay

TOP = 5


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def has_data(territory) -> bool:
    return any(
        model.objects.filter(territory=territory).exists()
        for model in (FollowerDay, ContentDay, Post, VisitorDay)
    )


class Followers:
    """The territory's follower days, read once: followers at any date."""

    def __init__(self, territory):
        self.rows = list(
            FollowerDay.objects.filter(territory=territory)
            .order_by("date")
            .values_list("date", "new_total", "total_followers")
        )

    def at(self, day: dt.date) -> int | None:
        """The followers on `day` (None before any data)."""
        count, known = 0, False
        for date, new, total in self.rows:
            if date > day:
                break
            known = True
            count = total if total is not None else count + (new or 0)
        return count if known else None

    def gained(self, first: dt.date, last: dt.date) -> int:
        """New followers from `first` to `last` (the days' « nouveaux abonnés »)."""
        return sum(new or 0 for date, new, _ in self.rows if first <= date <= last)

    def monthly(self, months: list[dt.date]) -> list[tuple[int | None, int]]:
        """(followers at the month's end, new followers in the month) for each month."""
        return [(self.at(month_end(m)), self.gained(m, month_end(m))) for m in months]


def content_between(territory, first: dt.date, last: dt.date) -> dict[str, int]:
    days = ContentDay.objects.filter(territory=territory, date__gte=first, date__lte=last)
    sums = days.aggregate(
        impressions=Sum("impressions"), clicks=Sum("clicks"), reactions=Sum("reactions"),
        comments=Sum("comments"), reposts=Sum("reposts"),
    )  # fmt: skip
    return {k: v or 0 for k, v in sums.items()}


def content_monthly(territory, months: list[dt.date]) -> list[dict[str, int]]:
    if not months:
        return []
    rows = ContentDay.objects.filter(
        territory=territory, date__gte=months[0], date__lte=month_end(months[-1])
    ).values_list("date", "impressions", "clicks")
    sums = {m: {"impressions": 0, "clicks": 0} for m in months}
    for date, impressions, clicks in rows:
        month = sums.get(month_start(date))
        if month is not None:
            month["impressions"] += impressions or 0
            month["clicks"] += clicks or 0
    return [sums[m] for m in months]


def top_posts(territory, first: dt.date | None = None, last: dt.date | None = None,
              by: str = "engagements", limit: int = TOP) -> list[Post]:  # fmt: skip
    """The posts that did best (published from `first` to `last` when given)."""
    queryset = Post.objects.filter(territory=territory)
    if first:
        queryset = queryset.filter(created_on__gte=first)
    if last:
        queryset = queryset.filter(created_on__lte=last)
    return list(queryset.best(by)[:limit])


def posts_between(territory, first: dt.date, last: dt.date) -> int:
    return Post.objects.filter(territory=territory, created_on__gte=first,
                               created_on__lte=last).count()  # fmt: skip


def engagement_of(post: Post) -> int:
    return (post.clicks or 0) + (post.reactions or 0) + (post.comments or 0) + (post.reposts or 0)


MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")  # fmt: skip


def month_label(month: dt.date) -> str:
    return f"{MONTHS_FR[month.month - 1]} {month.year}"


def chart(caption: str, series: list[tuple[str, list]], months: list[dict], kind: str = "bar"):
    """A chart over months in the shape `templates/indicators/_dash_chart.html` draws (the
    dsfr-chart element and its data table); `months`: dicts with `label` and `current`."""
    import json

    top = max((v or 0 for _, values in series for v in values), default=0)
    return {
        "caption": caption, "legend": [{"label": label} for label, _ in series],
        "columns": [
            {"month": month, "bars": [{"label": label, "value": values[i]}
                                      for label, values in series]}
            for i, month in enumerate(months)
        ],
        "money": False, "empty": not top, "kind": kind,
        "x": json.dumps([[m["label"] for m in months]], ensure_ascii=False),
        "y": json.dumps([[int(v or 0) for v in values] for _, values in series]),
        "names": json.dumps([label for label, _ in series], ensure_ascii=False),
    }  # fmt: skip


def overview(territory, months: list[dt.date], today: dt.date) -> dict:
    """Followers and content month by month over `months`, and their charts."""
    followers = Followers(territory)
    by_month = followers.monthly(months)
    content = content_monthly(territory, months)
    month_dicts = [
        {"label": month_label(m), "short": f"{m:%m/%y}", "current": m == month_start(today),
         "month": m}
        for m in months
    ]  # fmt: skip
    rows = [
        {"month": d, "followers": f, "gained": g, "impressions": c["impressions"],
         "clicks": c["clicks"]}
        for d, (f, g), c in zip(month_dicts, by_month, content, strict=True)
    ]  # fmt: skip
    charts = [
        chart("Abonnés de la page LinkedIn en fin de mois",
              [("Abonnés", [f or 0 for f, _ in by_month])], month_dicts, kind="line"),
        chart("Impressions et clics des publications, par mois",
              [("Impressions", [c["impressions"] for c in content]),
               ("Clics", [c["clicks"] for c in content])], month_dicts),
    ]  # fmt: skip
    return {"rows": rows, "charts": charts, "followers": followers}


def first_month(territory) -> dt.date | None:
    dates = [
        model.objects.filter(territory=territory).order_by("date").values_list("date", flat=True)
        .first()
        for model in (FollowerDay, ContentDay)
    ]  # fmt: skip
    dates = [d for d in dates if d]
    return month_start(min(dates)) if dates else None


def dashboard(territory, as_of: dt.date, months: list[dt.date], today: dt.date) -> dict | None:
    """The programme dashboard's LinkedIn block (None when nothing is imported): followers at
    `as_of`, gained and impressions over the 90 days before, month by month, best posts."""
    if not has_data(territory):
        return None
    block = overview(territory, months, today)
    followers = block["followers"]
    since = as_of - dt.timedelta(days=89)
    content = content_between(territory, since, as_of)
    top = top_posts(territory, since, as_of, limit=3)
    return {
        "followers": followers.at(as_of), "gained_90": followers.gained(since, as_of),
        "impressions_90": content["impressions"], "clicks_90": content["clicks"],
        "since": since, "charts": block["charts"], "rows": block["rows"],
        "top": [(post, engagement_of(post)) for post in top],
    }  # fmt: skip


def json_summary(territory, day: dt.date) -> dict | None:
    """`manage.py indicators --json`'s « linkedin » key: followers on `day` and impressions
    of the 90 days up to it; None when nothing is imported."""
    if not has_data(territory):
        return None
    since = day - dt.timedelta(days=89)
    return {
        "followers": Followers(territory).at(day),
        "impressions_90_days": content_between(territory, since, day)["impressions"],
    }
