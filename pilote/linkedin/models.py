"""The statistics of the territory's LinkedIn page, as its administrator exports them
(docs/linkedin.md): one row per territory and day for the followers, the visitors and the
content, one row per post. Public-page statistics, not follow-up: no EPCI, no visibility.

Every daily row is unique per (territory, date): an import creates the days it does not
know, updates the ones it knows when the file's figures differ (the newer export wins) and
keeps the others. A figure the file does not give stays as it was (None when never given).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

COUNT = {"null": True, "blank": True}
RATE = {"max_digits": 9, "decimal_places": 6, "null": True, "blank": True}


class DayModel(models.Model):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField("date")
    imported_at = models.DateTimeField("importé le", auto_now=True)

    FIGURES: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = ("date",)

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} du {self.date:%d/%m/%Y}"


class FollowerDay(DayModel):
    """The page's new followers of a day (organic, sponsored, all) and, when the export
    gives it, the number of followers that day."""

    organic = models.PositiveIntegerField("nouveaux abonnés organiques", **COUNT)
    sponsored = models.PositiveIntegerField("nouveaux abonnés sponsorisés", **COUNT)
    new_total = models.PositiveIntegerField("nouveaux abonnés (total)", **COUNT)
    total_followers = models.PositiveIntegerField("nombre d'abonnés", **COUNT)

    FIGURES = ("organic", "sponsored", "new_total", "total_followers")

    class Meta(DayModel.Meta):
        verbose_name = "abonnés LinkedIn d'un jour"
        verbose_name_plural = "abonnés LinkedIn par jour"
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "date"], name="linkedin_followerday_unique_date"
            )
        ]


class VisitorDay(DayModel):
    page_views = models.PositiveIntegerField("pages vues", **COUNT)
    unique_visitors = models.PositiveIntegerField("visiteurs uniques", **COUNT)

    FIGURES = ("page_views", "unique_visitors")

    class Meta(DayModel.Meta):
        verbose_name = "visiteurs LinkedIn d'un jour"
        verbose_name_plural = "visiteurs LinkedIn par jour"
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "date"], name="linkedin_visitorday_unique_date"
            )
        ]


class ContentDay(DayModel):
    impressions = models.PositiveIntegerField("impressions", **COUNT)
    unique_impressions = models.PositiveIntegerField("impressions uniques", **COUNT)
    clicks = models.PositiveIntegerField("clics", **COUNT)
    reactions = models.PositiveIntegerField("réactions", **COUNT)
    comments = models.PositiveIntegerField("commentaires", **COUNT)
    reposts = models.PositiveIntegerField("republications", **COUNT)
    engagement_rate = models.DecimalField("taux d'engagement", **RATE)

    FIGURES = (
        "impressions", "unique_impressions", "clicks", "reactions", "comments", "reposts",
        "engagement_rate",
    )  # fmt: skip

    class Meta(DayModel.Meta):
        verbose_name = "contenu LinkedIn d'un jour"
        verbose_name_plural = "contenus LinkedIn par jour"
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "date"], name="linkedin_contentday_unique_date"
            )
        ]


class PostQuerySet(models.QuerySet):
    def with_engagements(self) -> PostQuerySet:
        """`engagements`: clicks + reactions + comments + reposts (what LinkedIn's engagement
        rate divides by the impressions, follows aside)."""
        zero = Value(0)
        return self.annotate(
            engagements=Coalesce(F("clicks"), zero) + Coalesce(F("reactions"), zero)
            + Coalesce(F("comments"), zero) + Coalesce(F("reposts"), zero)
        )  # fmt: skip

    def best(self, by: str = "engagements") -> PostQuerySet:
        """The posts that did best: by engagements (then impressions), or by impressions."""
        queryset = self.with_engagements()
        if by == "impressions":
            return queryset.order_by(
                F("impressions").desc(nulls_last=True), "-engagements", "-created_on", "pk"
            )
        return queryset.order_by(
            "-engagements", F("impressions").desc(nulls_last=True), "-created_on", "pk"
        )


class Post(models.Model):
    """A post of the page with its figures at the export's date. `key` identifies it across
    exports: its URN (urn:li:activity:…) or cleaned link, else its date and title."""

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("clé", max_length=600)
    link = models.URLField("lien", max_length=500, blank=True)
    title = models.CharField("titre", max_length=500, blank=True)
    post_type = models.CharField("type", max_length=100, blank=True)
    created_on = models.DateField("publié le", null=True, blank=True)
    impressions = models.PositiveIntegerField("impressions", **COUNT)
    clicks = models.PositiveIntegerField("clics", **COUNT)
    reactions = models.PositiveIntegerField("réactions", **COUNT)
    comments = models.PositiveIntegerField("commentaires", **COUNT)
    reposts = models.PositiveIntegerField("republications", **COUNT)
    ctr = models.DecimalField("taux de clics", **RATE)
    engagement_rate = models.DecimalField("taux d'engagement", **RATE)
    imported_at = models.DateTimeField("importé le", auto_now=True)

    FIGURES = (
        "link", "title", "post_type", "created_on", "impressions", "clicks", "reactions",
        "comments", "reposts", "ctr", "engagement_rate",
    )  # fmt: skip

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = "publication LinkedIn"
        verbose_name_plural = "publications LinkedIn"
        ordering = ("-created_on", "pk")
        constraints = [
            models.UniqueConstraint(fields=["territory", "key"], name="linkedin_post_unique_key")
        ]

    def __str__(self) -> str:
        return self.title or self.link or self.key
