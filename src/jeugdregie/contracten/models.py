"""Providers (aanbieders) and their single framework agreement (raamovereenkomst)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from jeugdregie.catalogus.models import Product

agb_validator = RegexValidator(r"^\d{8}$", "Een AGB-code bestaat uit 8 cijfers.")


class Categorie(models.TextChoices):
    A = "A", "A: systeembreed (intensief contractmanagement)"
    B = "B", "B: specialistisch (gemiddeld contractmanagement)"
    C = "C", "C: flexibele schil (signaalgestuurd)"


class Grootteklasse(models.TextChoices):
    MICRO = "micro", "Micro (< EUR 250.000)"
    KLEIN = "klein", "Klein (< EUR 1 mln)"
    GROOT = "groot", "Groot (>= EUR 1 mln)"


class Aanbieder(models.Model):
    agb_code = models.CharField("AGB-code", max_length=8, unique=True, validators=[agb_validator])
    naam = models.CharField("naam", max_length=200)
    categorie = models.CharField("categorie", max_length=1, choices=Categorie.choices, default=Categorie.C)
    grootteklasse = models.CharField(
        "grootteklasse",
        max_length=5,
        choices=Grootteklasse.choices,
        blank=True,
        help_text="Invoer; de KPI's leiden de grootteklasse af uit de regionale omzet per jaar.",
    )
    is_nga = models.BooleanField(
        "niet-gecontracteerd (NGA)", default=False, help_text="Ingekocht per cliënt, zonder raamovereenkomst."
    )

    class Meta:
        verbose_name = "aanbieder"
        verbose_name_plural = "aanbieders"
        ordering = ["naam"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.agb_code})"


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Raamovereenkomst(models.Model):
    """One framework agreement per provider (seed 000: from 121 agreements to one per provider)."""

    aanbieder = models.OneToOneField(Aanbieder, on_delete=models.PROTECT, related_name="raamovereenkomst")
    kenmerk = models.CharField("kenmerk", max_length=50, unique=True)
    ingangsdatum = models.DateField("ingangsdatum")
    looptijd_jaren = models.PositiveSmallIntegerField("initiële looptijd (jaren)", default=5)
    verlengingen = models.PositiveSmallIntegerField("aantal verlengingsopties", default=1)
    verlenging_jaren = models.PositiveSmallIntegerField("duur per verlenging (jaren)", default=4)
    verlengingen_benut = models.PositiveSmallIntegerField("benutte verlengingen", default=0)
    ondertekend_op = models.DateField("ondertekend op", null=True, blank=True)
    beeindigd_op = models.DateField("beëindigd op", null=True, blank=True)
    toegelaten_producten = models.ManyToManyField(
        Product, related_name="raamovereenkomsten", blank=True, verbose_name="toegelaten producten"
    )
    beslistermijn_maanden = models.PositiveSmallIntegerField(
        "beslistermijn verlenging (maanden)",
        default=6,
        help_text="Het besluit over een verlengingsoptie valt uiterlijk zoveel maanden voor het einde van de looptijd.",
    )
    contractmanager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="contractmanager",
    )
    contractwaarde_cent = models.BigIntegerField(
        "contractwaarde per jaar excl. btw (cent)",
        null=True,
        blank=True,
        help_text="Grondslag van de SROI-verplichting; leeg: de regionale omzet van het laatste volle jaar.",
    )

    class Meta:
        verbose_name = "raamovereenkomst"
        verbose_name_plural = "raamovereenkomsten"
        ordering = ["aanbieder__naam"]

    def __str__(self) -> str:
        return f"{self.kenmerk} {self.aanbieder.naam}"

    @property
    def einddatum(self) -> dt.date:
        """End of the current term: the initial term plus the extensions taken (the day before)."""
        years = self.looptijd_jaren + self.verlengingen_benut * self.verlenging_jaren
        return add_years(self.ingangsdatum, years) - dt.timedelta(days=1)

    @property
    def uiterste_einddatum(self) -> dt.date:
        years = self.looptijd_jaren + self.verlengingen * self.verlenging_jaren
        return add_years(self.ingangsdatum, years) - dt.timedelta(days=1)

    @property
    def tijdig_ondertekend(self) -> bool | None:
        """Norm voor Opdrachtgeverschap: signed at least 3 months before the start."""
        from jeugdregie.rules.contracts import sign_limit

        if self.ondertekend_op is None:
            return None
        return self.ondertekend_op <= sign_limit(self.ingangsdatum)

    def is_actief_op(self, datum: dt.date) -> bool:
        end = self.beeindigd_op or self.einddatum
        return self.ingangsdatum <= datum <= end

    def clean(self) -> None:
        if self.aanbieder_id and self.aanbieder.is_nga:
            raise ValidationError("Een niet-gecontracteerde aanbieder (NGA) heeft geen raamovereenkomst.")
        if self.verlengingen_benut > self.verlengingen:
            raise ValidationError({"verlengingen_benut": "Meer verlengingen benut dan er opties zijn."})


class KpiNorm(models.Model):
    """A stuuropdracht norm (SYSTEM.md section 13): a KPI with a minimum and/or maximum that an A or
    B provider is steered on. Without a provider it is the regional default for every A and B
    provider; a provider's own norm for the same KPI replaces that default."""

    aanbieder = models.ForeignKey(
        Aanbieder,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="kpi_normen",
        help_text="Leeg: regionale standaardnorm voor alle A- en B-aanbieders.",
    )
    kpi = models.CharField("KPI", max_length=40)
    minimum = models.FloatField("minimum", null=True, blank=True)
    maximum = models.FloatField("maximum", null=True, blank=True)
    toelichting = models.CharField("toelichting", max_length=300, blank=True)

    class Meta:
        verbose_name = "KPI-norm (stuuropdracht)"
        verbose_name_plural = "KPI-normen (stuuropdracht)"
        ordering = ["aanbieder__naam", "kpi"]

    def __str__(self) -> str:
        scope = self.aanbieder.naam if self.aanbieder_id else "regionaal"
        return f"{scope}: {self.kpi} {self.minimum if self.minimum is not None else '-'} .. " + (
            f"{self.maximum if self.maximum is not None else '-'}"
        )

    def clean(self) -> None:
        from jeugdregie.rules.kpi import REGISTRY

        if self.kpi not in REGISTRY:
            raise ValidationError({"kpi": f"Onbekende KPI '{self.kpi}'. Kies uit: {', '.join(REGISTRY)}."})
        if self.minimum is None and self.maximum is None:
            raise ValidationError("Geef een minimum, een maximum of beide.")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValidationError("Het minimum is groter dan het maximum.")
        if self.aanbieder_id and self.aanbieder.categorie not in (Categorie.A, Categorie.B):
            raise ValidationError("Een stuuropdracht geldt alleen voor A- en B-aanbieders.")
        # One norm per KPI and scope (checked here: SQLite cannot enforce NULLS NOT DISTINCT).
        same = KpiNorm.objects.filter(aanbieder_id=self.aanbieder_id, kpi=self.kpi).exclude(pk=self.pk)
        if same.exists():
            raise ValidationError("Voor deze KPI bestaat al een norm met dezelfde reikwijdte.")


def effective_kpi_norms() -> dict[str, dict[str, tuple[float | None, float | None]]]:
    """{AGB code: {kpi id: (min, max)}} for every A and B provider (not NGA): the regional defaults
    with the provider's own norms over them."""
    regional: dict[str, tuple[float | None, float | None]] = {}
    own: dict[str, dict[str, tuple[float | None, float | None]]] = {}
    for agb, kpi, low, high in KpiNorm.objects.values_list(
        "aanbieder__agb_code", "kpi", "minimum", "maximum"
    ):
        if agb is None:
            regional[kpi] = (low, high)
        else:
            own.setdefault(agb, {})[kpi] = (low, high)
    steered = Aanbieder.objects.filter(categorie__in=[Categorie.A, Categorie.B], is_nga=False)
    return {agb: {**regional, **own.get(agb, {})} for agb in steered.values_list("agb_code", flat=True)}


from .admission_models import (  # noqa: E402,F401
    Aanvraag,
    Beoordeling,
    Toetredingscriterium,
    Toetredingsvenster,
)
from .register_models import (  # noqa: E402,F401  (models of the register, in their own module)
    Categoriebesluit,
    ContractDocument,
    Evaluatiemoment,
    Verlengingsbesluit,
)
from .talk_models import (  # noqa: E402,F401
    Actiepunt,
    Contractgesprek,
    Tertiaalevaluatie,
    Uitkomstmeting,
)
