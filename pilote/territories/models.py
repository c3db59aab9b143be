"""Official geography (COG) and Territoires d'industrie.

Régions, départements, communes and EPCI come from `data/geo/` (see data/SOURCES.md) and are
loaded by `manage.py load_geography`. A Territory groups member EPCIs; its communes derive
from them.
"""

from django.db import models

from pilote.core.models import TimeStampedModel


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class EpciQuerySet(models.QuerySet):
    def in_territory(self, territory) -> "EpciQuerySet":
        return self.filter(territories=territory)


class Epci(models.Model):
    """Établissement public de coopération intercommunale à fiscalité propre."""

    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=8)  # CA, CC, CU, METRO, MET69
    population = models.PositiveIntegerField("population", null=True, blank=True)

    objects = EpciQuerySet.as_manager()

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100, db_index=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    postcodes = models.CharField("codes postaux", max_length=200, blank=True)
    population = models.PositiveIntegerField("population", null=True, blank=True)
    epci = models.ForeignKey(
        Epci, null=True, blank=True, on_delete=models.SET_NULL, related_name="communes"
    )

    class Meta:
        verbose_name = "commune"
        ordering = ["name"]
        # The directory's « commune » sort walks the communes in name order (then each
        # commune's establishments by companies' estab_commune_sorted_idx) instead of sorting
        # an EPCI's rows.
        indexes = [models.Index(fields=["name", "code"], name="commune_name_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TerritoryQuerySet(models.QuerySet):
    def in_history_territories(self, territory_ids) -> "TerritoryQuerySet":
        return self.filter(pk__in=territory_ids)


class Territory(TimeStampedModel):
    """A Territoire d'industrie: member EPCIs run a shared industrial programme."""

    name = models.CharField("nom", max_length=200, unique=True)
    slug = models.SlugField("identifiant", max_length=80, unique=True)
    epcis = models.ManyToManyField(Epci, verbose_name="EPCI membres", related_name="territories")

    objects = TerritoryQuerySet.as_manager()

    class Meta:
        verbose_name = "Territoire d'industrie"
        verbose_name_plural = "Territoires d'industrie"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def communes(self) -> models.QuerySet:
        return Commune.objects.filter(epci__territories=self)
