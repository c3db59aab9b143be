"""The CCI – EPCIs partnership agreement that funds the TI manager's post (docs/agreement.md):
its parties, years, forecast budget (expense lines by nature, resources by financer with their
rule), amendments, the statement of actual expenses, the calls for funds and their payments."""

from django.conf import settings
from django.db import models

from pilote.agreement.enums import Basis, Nature, PartyKind, Rule
from pilote.core.models import TimeStampedModel


class Agreement(TimeStampedModel):
    territory = models.ForeignKey(
        "territories.Territory", on_delete=models.CASCADE, related_name="agreements",
        verbose_name="territoire",
    )  # fmt: skip
    title = models.CharField("intitulé", max_length=250)
    signed_on = models.DateField("date de signature")
    starts_on = models.DateField("prise d'effet")
    duration_years = models.PositiveSmallIntegerField("durée (années)")
    roadmap = models.TextField("feuille de route servie", blank=True)
    roadmap_url = models.URLField("adresse de la feuille de route", blank=True)
    payee = models.CharField(
        "bénéficiaire des appels de fonds", max_length=250, blank=True,
        help_text="L'organisation qui émet les appels de fonds et reçoit les paiements.",
    )  # fmt: skip
    payment_details = models.TextField(
        "modalités de paiement", blank=True,
        help_text="Coordonnées bancaires (IBAN, BIC), références à rappeler, comptable.",
    )  # fmt: skip
    payment_days = models.PositiveSmallIntegerField(
        "délai de paiement (jours)", default=30,
        help_text="Échéance d'un appel de fonds : tant de jours après son émission.",
    )  # fmt: skip

    class Meta:
        verbose_name = "convention de partenariat"
        verbose_name_plural = "conventions de partenariat"
        constraints = [
            models.UniqueConstraint(fields=["territory", "title"], name="agreement_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class Party(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField("organisation", max_length=250)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    kind = models.CharField("type", max_length=10, choices=PartyKind.choices)
    epci = models.ForeignKey(
        "territories.Epci", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name="EPCI",
    )  # fmt: skip

    class Meta:
        verbose_name = "partie"
        ordering = ["kind", "siren", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "name"], name="party_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Amendment(models.Model):
    """An avenant: a dated version of the agreement; forecast lines point to the one they
    come from (none: the original agreement)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments")
    date = models.DateField("date")
    label = models.CharField("intitulé", max_length=250)
    changes = models.TextField("ce qu'il change", blank=True)

    class Meta:
        verbose_name = "avenant"
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.label


class Year(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="years")
    number = models.PositiveSmallIntegerField("année n°")
    start = models.DateField("début")
    end = models.DateField("fin (incluse)")

    class Meta:
        verbose_name = "année de la convention"
        verbose_name_plural = "années de la convention"
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="year_unique_number"),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                   name="year_end_after_start"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Année {self.number} ({self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"


class ForecastExpense(models.Model):
    year = models.ForeignKey(Year, on_delete=models.CASCADE, related_name="forecast_expenses")
    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="avenant",
    )  # fmt: skip

    class Meta:
        verbose_name = "dépense prévisionnelle"
        constraints = [
            models.UniqueConstraint(fields=["year", "nature"], name="forecast_expense_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} : {self.amount} €"


class Resource(models.Model):
    """What a financer brings in a year: a fixed amount, or an equal share of what remains
    capped at `amount` (its quote-part in the forecast)."""

    year = models.ForeignKey(Year, on_delete=models.CASCADE, related_name="resources")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="resources")
    rule = models.CharField("règle", max_length=10, choices=Rule.choices)
    amount = models.DecimalField(
        "montant (fixe) ou plafond (part)", max_digits=12, decimal_places=2
    )
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="avenant",
    )  # fmt: skip

    class Meta:
        verbose_name = "ressource prévisionnelle"
        constraints = [
            models.UniqueConstraint(fields=["year", "party"], name="resource_unique_party")
        ]

    def __str__(self) -> str:
        return f"{self.party} : {self.amount} € ({self.get_rule_display()})"


class AmendedLine(models.Model):
    """One forecast line an amendment changed, with its amount before and after: the version
    history of the forecast budget (the forecast « as signed » and after each amendment is
    rebuilt from these rows). `amount_before` is None when the amendment added the line."""

    class Kind(models.TextChoices):
        EXPENSE = "expense", "Dépense"
        RESOURCE = "resource", "Ressource"

    amendment = models.ForeignKey(Amendment, on_delete=models.CASCADE, related_name="lines")
    year = models.ForeignKey(Year, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("type de ligne", max_length=10, choices=Kind.choices)
    nature = models.CharField("nature", max_length=20, choices=Nature.choices, blank=True)
    party = models.ForeignKey(
        Party, on_delete=models.CASCADE, null=True, blank=True, related_name="+",
        verbose_name="financeur",
    )  # fmt: skip
    amount_before = models.DecimalField(
        "montant avant", max_digits=12, decimal_places=2, null=True, blank=True
    )
    amount_after = models.DecimalField("montant après", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "ligne modifiée par un avenant"
        verbose_name_plural = "lignes modifiées par un avenant"
        ordering = ["amendment", "year__number", "kind", "nature", "party__name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="expense", party__isnull=True) & ~models.Q(nature=""))
                | (models.Q(kind="resource", nature="") & models.Q(party__isnull=False)),
                name="amended_line_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.subject}, année {self.year.number} : {self.amount_before} → {self.amount_after}"
        )

    @property
    def subject(self) -> str:
        """« Salaires et charges » or the financer's name."""
        return self.get_nature_display() if self.kind == self.Kind.EXPENSE else str(self.party)


class ActualExpense(TimeStampedModel):
    """A line of the statement of actual expenses (import_depenses), keyed by date, nature
    and label."""

    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="actual_expenses"
    )
    year = models.ForeignKey(Year, on_delete=models.CASCADE, related_name="actual_expenses")
    date = models.DateField("date")
    nature = models.CharField("nature", max_length=20, choices=Nature.choices)
    label = models.CharField("libellé", max_length=250)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "dépense réalisée"
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "date", "nature", "label"],
                                    name="actual_expense_unique_key"),
        ]  # fmt: skip


class FundsCall(TimeStampedModel):
    """An appel de fonds issued to one sharing partner for one year, on the forecast or on the
    actual expenses, for the amount the rule gives (funds.compute). Its balance is the amount
    less the payments received; overdue once past `due_on` with a balance left."""

    year = models.ForeignKey(Year, on_delete=models.PROTECT, related_name="funds_calls")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="funds_calls")
    basis = models.CharField("base", max_length=10, choices=Basis.choices)
    number = models.CharField("numéro", max_length=40)
    amount = models.DecimalField("montant appelé", max_digits=12, decimal_places=2)
    issued_on = models.DateField("émis le")
    due_on = models.DateField("échéance")
    reminders_sent = models.PositiveSmallIntegerField("relances envoyées", default=0)
    last_reminded_at = models.DateTimeField("dernière relance", null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="émis par", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "appel de fonds"
        verbose_name_plural = "appels de fonds"
        ordering = ["year", "basis", "party__siren", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "party", "basis"],
                                    name="funds_call_unique_per_basis"),
            models.UniqueConstraint(fields=["year", "number"], name="funds_call_unique_number"),
            models.CheckConstraint(condition=models.Q(amount__gte=0),
                                   name="funds_call_amount_positive"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Appel de fonds {self.number} — {self.party}"


class Payment(TimeStampedModel):
    """A payment received against a call for funds."""

    call = models.ForeignKey(FundsCall, on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField("reçu le")
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2)
    reference = models.CharField("référence (mandat, virement)", max_length=120, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="enregistré par", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "paiement reçu"
        verbose_name_plural = "paiements reçus"
        ordering = ["call", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="payment_amount_positive"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.amount} € le {self.received_on:%d/%m/%Y}"
