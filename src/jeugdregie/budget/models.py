"""Ceilings (prestatieafspraken) per provider, product group and year, their split to the
municipalities, manual overrides with who/when/why, policy adjustments and the regional C budget;
for the settlement: approved overruns and the rule sets (versioned, activated per year)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from jeugdregie.catalogus.models import ProductGroep, Segment
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.settlement import RuleSet, RuleSetError, parse_rule_set


class Beleidsaanpassing(models.Model):
    """A policy percentage on the ceilings (e.g. -3% afbouw), for the region, a segment or a
    provider. The most specific one applies: provider before segment before region."""

    jaar = models.PositiveSmallIntegerField("jaar")
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, null=True, blank=True)
    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, null=True, blank=True)
    percentage = models.DecimalField("percentage", max_digits=6, decimal_places=3)
    toelichting = models.CharField("toelichting", max_length=300, blank=True)

    class Meta:
        verbose_name = "beleidsaanpassing"
        verbose_name_plural = "beleidsaanpassingen"

    def __str__(self) -> str:
        scope = self.aanbieder or self.segment or "regio"
        return f"{self.jaar} {scope}: {self.percentage}%"

    def clean(self) -> None:
        if self.segment_id and self.aanbieder_id:
            raise ValidationError("Kies een segment of een aanbieder, niet beide.")
        # One adjustment per scope and year (checked here: SQLite cannot enforce NULLS NOT DISTINCT).
        same = Beleidsaanpassing.objects.filter(
            jaar=self.jaar, segment_id=self.segment_id, aanbieder_id=self.aanbieder_id
        ).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError("Voor dit jaar en deze reikwijdte bestaat al een beleidsaanpassing.")


class Plafond(models.Model):
    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="plafonds")
    groep = models.ForeignKey(ProductGroep, on_delete=models.PROTECT, related_name="plafonds")
    jaar = models.PositiveSmallIntegerField("jaar")
    referentiejaar = models.PositiveSmallIntegerField("referentiejaar")
    referentie_cent = models.BigIntegerField("productie referentiejaar (cent)")
    berekend_cent = models.BigIntegerField("berekend plafond (cent)")
    bedrag_cent = models.BigIntegerField("plafond (cent)")
    basis = models.CharField("basis", max_length=40)
    handmatig = models.BooleanField("handmatig vastgesteld", default=False)

    class Meta:
        verbose_name = "budgetplafond"
        verbose_name_plural = "budgetplafonds"
        constraints = [models.UniqueConstraint(fields=["aanbieder", "groep", "jaar"], name="plafond_uniek")]
        ordering = ["jaar", "aanbieder__naam", "groep__code"]

    def __str__(self) -> str:
        return f"{self.aanbieder.naam} {self.groep.naam} {self.jaar}: EUR {self.bedrag_cent / 100:,.2f}"


class PlafondVerdeling(models.Model):
    plafond = models.ForeignKey(Plafond, on_delete=models.CASCADE, related_name="verdeling")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT)
    bedrag_cent = models.BigIntegerField("bedrag (cent)")

    class Meta:
        verbose_name = "verdeling over gemeenten"
        verbose_name_plural = "verdeling over gemeenten"
        constraints = [models.UniqueConstraint(fields=["plafond", "gemeente"], name="verdeling_uniek")]

    def __str__(self) -> str:
        return f"{self.gemeente.naam}: {self.bedrag_cent}"


class PlafondWijziging(models.Model):
    """A manual override of a ceiling: who, when and why (the amount is re-split automatically)."""

    plafond = models.ForeignKey(Plafond, on_delete=models.CASCADE, related_name="wijzigingen")
    oud_cent = models.BigIntegerField("oud plafond (cent)")
    nieuw_cent = models.BigIntegerField("nieuw plafond (cent)")
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="door")
    op = models.DateTimeField("op", auto_now_add=True)
    reden = models.TextField("reden")

    class Meta:
        verbose_name = "plafondwijziging"
        verbose_name_plural = "plafondwijzigingen"
        ordering = ["-op"]

    def __str__(self) -> str:
        return f"{self.plafond}: {self.oud_cent} -> {self.nieuw_cent} ({self.door})"


class CBudget(models.Model):
    """The regional budget shared by the category C providers (no individual ceilings)."""

    jaar = models.PositiveSmallIntegerField("jaar", unique=True)
    referentiejaar = models.PositiveSmallIntegerField("referentiejaar")
    bedrag_cent = models.BigIntegerField("budget (cent)")

    class Meta:
        verbose_name = "regionaal C-budget"
        verbose_name_plural = "regionale C-budgetten"

    def __str__(self) -> str:
        return f"C-budget {self.jaar}: EUR {self.bedrag_cent / 100:,.2f}"


class GoedgekeurdeOverschrijding(models.Model):
    """An approved overrun: an amount above the ceiling the region agreed to pay a provider for a
    product group in a year, with who, when and why. Several approvals for the same provider x
    group x year add up; a rule set with overruns "recorded" pays up to the ceiling plus their sum."""

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="overschrijdingen")
    groep = models.ForeignKey(ProductGroep, on_delete=models.PROTECT, related_name="overschrijdingen")
    jaar = models.PositiveSmallIntegerField("jaar")
    bedrag_cent = models.BigIntegerField(
        "bedrag (cent)",
        validators=[MinValueValidator(0, "Een goedgekeurde overschrijding is niet negatief.")],
    )
    door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="goedgekeurd door"
    )
    op = models.DateTimeField("goedgekeurd op", auto_now_add=True)
    reden = models.TextField("reden")

    class Meta:
        verbose_name = "goedgekeurde overschrijding"
        verbose_name_plural = "goedgekeurde overschrijdingen"
        ordering = ["-jaar", "aanbieder__naam", "groep__code", "-op"]

    def __str__(self) -> str:
        return f"{self.aanbieder.naam} {self.groep.code} {self.jaar}: EUR {self.bedrag_cent / 100:,.2f}"

    def clean(self) -> None:
        if not (self.reden or "").strip():
            raise ValidationError({"reden": "Een goedgekeurde overschrijding vraagt om een reden."})


class Regelset(models.Model):
    """A settlement rule set as TOML (docs/settlement.md), versioned: a change is a new version
    with the same name, so what was used for a year stays readable."""

    naam = models.CharField("naam", max_length=100)
    versie = models.PositiveIntegerField("versie", editable=False)
    toml = models.TextField("regels (TOML)")
    toelichting = models.CharField("toelichting", max_length=300, blank=True)
    door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="vastgelegd door",
    )
    op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "afrekenregelset"
        verbose_name_plural = "afrekenregelsets"
        constraints = [models.UniqueConstraint(fields=["naam", "versie"], name="regelset_versie_uniek")]
        ordering = ["naam", "-versie"]

    def __str__(self) -> str:
        return f"{self.naam} v{self.versie}"

    def save(self, *args, **kwargs) -> None:
        if not self.versie:
            latest = Regelset.objects.filter(naam=self.naam).aggregate(m=models.Max("versie"))["m"]
            self.versie = (latest or 0) + 1
        super().save(*args, **kwargs)

    @property
    def source(self) -> str:
        return f"database: {self.naam} v{self.versie}"

    def rule_set(self) -> RuleSet:
        """The parsed rule set."""
        return parse_rule_set(self.toml, source=self.source)

    def clean(self) -> None:
        try:
            parse_rule_set(self.toml or "", source=f"regelset '{self.naam}'")
        except RuleSetError as exc:
            raise ValidationError({"toml": str(exc)}) from exc


class RegelsetActivering(models.Model):
    """Which rule set settles a year. The newest activation for a year counts; older ones stay
    as the history of who chose what, when."""

    jaar = models.PositiveSmallIntegerField("jaar")
    regelset = models.ForeignKey(Regelset, on_delete=models.PROTECT, related_name="activeringen")
    door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="geactiveerd door",
    )
    op = models.DateTimeField("geactiveerd op", auto_now_add=True)
    toelichting = models.CharField("toelichting", max_length=300, blank=True)

    class Meta:
        verbose_name = "activering van een regelset"
        verbose_name_plural = "activeringen van regelsets"
        ordering = ["-jaar", "-op", "-pk"]

    def __str__(self) -> str:
        return f"{self.jaar}: {self.regelset}"

    @classmethod
    def active_for(cls, year: int) -> Regelset | None:
        activation = cls.objects.filter(jaar=year).select_related("regelset").order_by("-op", "-pk").first()
        return activation.regelset if activation else None
