"""The territory's companies (SIRENE): public data, seen by every member of the territory."""

from __future__ import annotations

import unicodedata

from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.urls import reverse

from pilote.companies.enums import (
    CORE_TARGET_BANDS,
    CompanySize,
    EstablishmentState,
    HeadcountBand,
    LegalUnitState,
)
from pilote.core.models import TimeStampedModel

MASKED = "[ND]"


def prefix_q(field: str, prefix: str) -> models.Q:
    """`field` starts with `prefix`, as a range that an index serves on every backend.

    SQLite uses no index for LIKE 'x%' (its LIKE ignores case). NAF codes and SIRET numbers are
    ASCII: [prefix, prefix with its last character incremented) is the same set.
    """
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return models.Q(**{f"{field}__gte": prefix, f"{field}__lt": upper})


def normalise(text: str) -> str:
    """Upper case without accents or punctuation, for accent-insensitive search."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    kept = (c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(kept).upper().split())


class Naf(models.Model):
    """NAF rév. 2, every level (section C, division 29, groupe 29.3, classe 29.32, 29.32Z)."""

    code = models.CharField("code", max_length=6, primary_key=True)
    level = models.CharField("niveau", max_length=12)
    label = models.CharField("libellé", max_length=255)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = "code NAF"
        verbose_name_plural = "nomenclature NAF"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.label}"


class Sector(TimeStampedModel):
    """A filière of a territory, defined by NAF codes at any level (prefixes)."""

    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="sectors"
    )
    slug = models.SlugField("identifiant", max_length=60)
    name = models.CharField("nom", max_length=100)
    naf_prefixes = models.JSONField("codes NAF", default=list)
    strategic = models.BooleanField("filière stratégique", default=False)

    class Meta:
        verbose_name = "filière"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["territory", "slug"], name="unique_sector_slug")
        ]

    def __str__(self) -> str:
        return self.name

    def matches(self, naf_code: str) -> bool:
        return any(naf_code.startswith(prefix) for prefix in self.naf_prefixes)

    def naf_q(self, field: str = "naf_code") -> models.Q:
        q = models.Q(pk__in=[])
        for prefix in self.naf_prefixes:
            q |= models.Q(**{f"{field}__startswith": prefix})
        return q


class Company(TimeStampedModel):
    """Unité légale (SIREN). `name` is None for a natural person who refused diffusion."""

    siren = models.CharField("SIREN", max_length=9, unique=True)
    name = models.CharField("dénomination", max_length=255, null=True, blank=True)
    is_person = models.BooleanField("entrepreneur individuel", default=False)
    diffusion = models.CharField("statut de diffusion", max_length=1, default="O")
    legal_category = models.CharField("catégorie juridique", max_length=4, blank=True)
    size_category = models.CharField(
        "catégorie d'entreprise", max_length=3, choices=CompanySize.choices, blank=True
    )
    headcount_band = models.CharField(
        "tranche d'effectif", max_length=2, choices=HeadcountBand.choices, blank=True
    )
    created_on = models.DateField("date de création", null=True, blank=True)
    state = models.CharField(
        "état", max_length=1, choices=LegalUnitState.choices, default=LegalUnitState.ACTIVE
    )

    class Meta:
        verbose_name = "entreprise"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.is_person and self.diffusion != "O":
            return "Entrepreneur individuel (non diffusible)"
        return f"SIREN {self.siren}"


class EstablishmentQuerySet(models.QuerySet):
    def in_territory(self, territory) -> EstablishmentQuerySet:
        return self.filter(epci__territories=territory)

    def active(self) -> EstablishmentQuerySet:
        return self.filter(state=EstablishmentState.ACTIVE)

    def search(self, text: str) -> EstablishmentQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        digits = text.replace(" ", "")
        if digits.isdigit() and len(digits) == 14:
            return self.filter(siret=digits)
        if digits.isdigit() and len(digits) == 9:
            return self.filter(prefix_q("siret", digits))
        words = normalise(text)
        if connections[self.db].vendor == "sqlite" and len(words) >= 3:
            # The FTS5 trigram index (migration 0004): a phrase is a substring, like LIKE '%…%'.
            phrase = RawSQL(
                "SELECT rowid FROM estab_search_fts WHERE estab_search_fts MATCH %s", [f'"{words}"']
            )
            return self.filter(pk__in=phrase)
        return self.filter(search_text__contains=words)  # pg_trgm index on PostgreSQL


class Establishment(TimeStampedModel):
    """Établissement (SIRET) of the territory, kept up to date by the SIRENE import."""

    siret = models.CharField("SIRET", max_length=14, unique=True)
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="establishments", verbose_name="entreprise"
    )
    nic = models.CharField("NIC", max_length=5)
    # The establishment's own name (enseigne, usual name); the company's name otherwise.
    own_name = models.CharField("enseigne", max_length=255, blank=True)
    search_text = models.CharField(max_length=600, editable=False)  # see estab_sorted_idx
    commune = models.ForeignKey(
        "territories.Commune", on_delete=models.PROTECT, related_name="+", verbose_name="commune"
    )
    epci = models.ForeignKey(
        "territories.Epci",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="establishments",
        verbose_name="EPCI",
    )
    address = models.CharField("adresse", max_length=255, blank=True)
    address_complement = models.CharField("complément d'adresse", max_length=255, blank=True)
    postcode = models.CharField("code postal", max_length=10, blank=True)
    city = models.CharField("libellé de la commune", max_length=100, blank=True)
    naf_code = models.CharField("code NAF", max_length=6, blank=True, db_index=True)
    naf_section = models.CharField("section NAF", max_length=1, blank=True)
    headcount_band = models.CharField(
        "tranche d'effectif", max_length=2, choices=HeadcountBand.choices, blank=True
    )
    headcount_year = models.PositiveSmallIntegerField("année de l'effectif", null=True, blank=True)
    created_on = models.DateField("date de création", null=True, blank=True)
    is_head_office = models.BooleanField("siège", default=False)
    state = models.CharField(
        "état", max_length=1, choices=EstablishmentState.choices, default=EstablishmentState.ACTIVE
    )
    state_since = models.DateField("état depuis le", null=True, blank=True)
    diffusion = models.CharField("statut de diffusion", max_length=1, default="O")
    employer = models.CharField("caractère employeur", max_length=1, blank=True)
    # « Effectif décroissant » sorts on this: the band, « unité non employeuse » (NN) ranked
    # with the unknown. A stored column can be indexed; an ORDER BY CASE … cannot.
    band_rank = models.GeneratedField(
        expression=models.Case(
            models.When(headcount_band="NN", then=models.Value("")),
            default=models.F("headcount_band"),
        ),
        output_field=models.CharField(max_length=2),
        db_persist=True,
    )

    objects = EstablishmentQuerySet.as_manager()

    # Fields the SIRENE import writes (and compares, to stay idempotent).
    SIRENE_FIELDS = [
        "company_id", "nic", "own_name", "search_text", "commune_id", "epci_id", "address",
        "address_complement", "postcode", "city", "naf_code", "naf_section", "headcount_band",
        "headcount_year", "created_on", "is_head_office", "state", "state_since", "diffusion",
        "employer",
    ]  # fmt: skip

    class Meta:
        verbose_name = "établissement"
        ordering = ["search_text"]
        indexes = [
            # Every directory filter, and the id, is in both indexes: the count and the page's
            # ids are read from an index alone, never from the table (SQLite has no statistics
            # on value distributions to choose well otherwise; PostgreSQL does index-only
            # scans). Counts and one EPCI's pages read estab_directory_idx, the territory's
            # pages walk estab_sorted_idx in name order and stop at the page.
            models.Index(
                fields=[
                    "epci",
                    "state",
                    "search_text",
                    "naf_section",
                    "headcount_band",
                    "naf_code",
                    "commune",
                    "id",
                ],
                name="estab_directory_idx",
            ),
            models.Index(
                fields=[
                    "search_text",
                    "state",
                    "epci",
                    "naf_section",
                    "headcount_band",
                    "naf_code",
                    "commune",
                    "id",
                ],
                name="estab_sorted_idx",
            ),
            models.Index(fields=["-band_rank", "search_text"], name="estab_band_rank_idx"),
            # The API's synchronisation order (updated_at, id): its pages walk this index and
            # stop at the page instead of sorting the territory (bench/bench_api.py).
            models.Index(fields=["updated_at", "id"], name="estab_updated_idx"),
            models.Index(fields=["commune", "naf_code"], name="estab_commune_naf_idx"),
            # One commune's establishments in name order, every filter column included: the
            # commune filter, and the « commune » sort (communes walked in name order).
            models.Index(
                fields=[
                    "commune",
                    "state",
                    "search_text",
                    "naf_section",
                    "headcount_band",
                    "naf_code",
                    "epci",
                    "id",
                ],
                name="estab_commune_sorted_idx",
            ),
            models.Index(fields=["headcount_band"], name="estab_band_idx"),
            models.Index(fields=["company"], name="estab_company_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.siret})"

    def get_absolute_url(self) -> str:
        return reverse("companies:establishment", kwargs={"siret": self.siret})

    @property
    def display_name(self) -> str:
        return self.own_name or self.company.display_name

    @property
    def is_closed(self) -> bool:
        return self.state == EstablishmentState.CLOSED

    @property
    def is_core_target(self) -> bool:
        """A PME of 30 to 200 people, the roadmap's core target."""
        return self.headcount_band in CORE_TARGET_BANDS


class TerritoryProfile(TimeStampedModel):
    """What a territory calls industry: the NAF sections of its directory's default scope."""

    territory = models.OneToOneField(
        "territories.Territory", on_delete=models.CASCADE, related_name="company_profile"
    )
    industrial_sections = models.JSONField("sections NAF industrielles", default=list)

    class Meta:
        verbose_name = "profil économique du territoire"

    def __str__(self) -> str:
        return f"Profil de {self.territory}"


class ImportJob(TimeStampedModel):
    """A SIRENE import started from the administration page and run by the task worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "Échec"

    territory = models.ForeignKey(
        "territories.Territory", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    etablissements = models.CharField("fichier des établissements", max_length=500)
    unites_legales = models.CharField("fichier des unités légales", max_length=500, blank=True)
    wet_run = models.BooleanField("écriture réelle", default=False)
    whole_file = models.BooleanField("diagnostic de tout le fichier", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    summary = models.JSONField("bilan", default=dict, blank=True)
    rejects = models.JSONField("lignes rejetées (extrait)", default=list, blank=True)
    error = models.TextField("erreur", blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "import SIRENE"
        verbose_name_plural = "imports SIRENE"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import SIRENE n° {self.pk} ({self.get_status_display()})"
