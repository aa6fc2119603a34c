"""The product catalogue: product books with their validity, segments, product groups (percelen),
products with iJw codes, yearly tariffs with indexation runs, norms, and the legacy -> new mapping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

# WJ756 units and frequencies of the iJw standard (basisschema LDT_Eenheid / LDT_Frequentie).
EENHEDEN = [
    ("01", "Minuut"),
    ("04", "Uur"),
    ("14", "Etmaal"),
    ("16", "Dagdeel (4 uur)"),
    ("82", "Stuks (output)"),
    ("83", "Euro's"),
    ("84", "Stuks (inspanning)"),
]
FREQUENTIES = [
    ("1", "Per dag"),
    ("2", "Per week"),
    ("4", "Per maand"),
    ("6", "Totaal binnen geldigheidsduur"),
]


class ProductBoek(models.Model):
    naam = models.CharField("naam", max_length=200, unique=True)
    geldig_van = models.DateField("geldig van")
    geldig_tot = models.DateField("geldig tot en met", null=True, blank=True)

    class Meta:
        verbose_name = "productboek"
        verbose_name_plural = "productboeken"
        ordering = ["geldig_van"]

    def __str__(self) -> str:
        return self.naam

    def is_geldig_op(self, datum: dt.date) -> bool:
        return self.geldig_van <= datum and (self.geldig_tot is None or datum <= self.geldig_tot)

    def clean(self) -> None:
        if self.geldig_tot is not None and self.geldig_tot < self.geldig_van:
            raise ValidationError({"geldig_tot": "De einddatum ligt voor de begindatum."})
        # Books may not overlap: on every date exactly one book prices the care.
        overlapping = ProductBoek.objects.exclude(pk=self.pk)
        if self.geldig_tot is not None:
            overlapping = overlapping.filter(geldig_van__lte=self.geldig_tot)
        overlapping = overlapping.filter(Q(geldig_tot__isnull=True) | Q(geldig_tot__gte=self.geldig_van))
        if overlapping.exists():
            raise ValidationError(f"De geldigheid overlapt met productboek '{overlapping.first()}'.")

    @classmethod
    def geldig_op(cls, datum: dt.date) -> ProductBoek | None:
        return (
            cls.objects.filter(geldig_van__lte=datum)
            .filter(Q(geldig_tot__isnull=True) | Q(geldig_tot__gte=datum))
            .first()
        )


class Segment(models.Model):
    """Noord-Limburg: 2 Wonen, 3 Dagbesteding/Dagbehandeling, 4 Ambulant."""

    code = models.CharField("code", max_length=10, unique=True)
    naam = models.CharField("naam", max_length=200)

    class Meta:
        verbose_name = "segment"
        verbose_name_plural = "segmenten"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.naam}"


class ProductGroep(models.Model):
    """A perceel: the level at which a provider's ceiling is set and products may be traded."""

    boek = models.ForeignKey(ProductBoek, on_delete=models.CASCADE, related_name="groepen")
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="groepen"
    )
    code = models.CharField("code", max_length=20)
    naam = models.CharField("naam", max_length=200)

    class Meta:
        verbose_name = "productgroep"
        verbose_name_plural = "productgroepen"
        constraints = [models.UniqueConstraint(fields=["boek", "code"], name="groep_uniek_per_boek")]
        ordering = ["boek__geldig_van", "code"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.boek})"


class Bekostigingsvorm(models.TextChoices):
    INSPANNING = "inspanning", "Inspanningsgericht (P x Q)"
    OUTPUT = "output", "Outputgericht (traject)"
    TAAK = "taak", "Taakgericht"
    PLEK = "plek", "Plekbekostiging"
    SUBSIDIE = "subsidie", "Subsidie"


class MeerwerkMaatwerk(models.TextChoices):
    GEEN = "", "Geen"
    MEERWERK = "meerwerk", "Meerwerk"
    MAATWERK = "maatwerk", "Maatwerk"


class Product(models.Model):
    boek = models.ForeignKey(ProductBoek, on_delete=models.CASCADE, related_name="producten")
    groep = models.ForeignKey(ProductGroep, on_delete=models.PROTECT, related_name="producten")
    categorie = models.CharField(
        "productcategorie",
        max_length=2,
        validators=[RegexValidator(r"^\d{2}$", "Een productcategorie bestaat uit 2 cijfers.")],
    )
    code = models.CharField(
        "productcode",
        max_length=5,
        validators=[
            RegexValidator(
                r"^[0-9A-Z]{5}$", "Een productcode bestaat uit 5 tekens (cijfers of hoofdletters)."
            )
        ],
    )
    naam = models.CharField("naam", max_length=200)
    eenheid = models.CharField("eenheid", max_length=2, choices=EENHEDEN)
    frequentie = models.CharField("standaardfrequentie", max_length=1, choices=FREQUENTIES, default="4")
    standaard_volume = models.PositiveIntegerField("standaardvolume", null=True, blank=True)
    standaard_duur_maanden = models.PositiveSmallIntegerField(
        "standaardduur (maanden)", null=True, blank=True
    )
    bekostigingsvorm = models.CharField(
        "bekostigingsvorm",
        max_length=12,
        choices=Bekostigingsvorm.choices,
        default=Bekostigingsvorm.INSPANNING,
    )
    meerwerk_maatwerk = models.CharField(
        "meerwerk/maatwerk", max_length=10, choices=MeerwerkMaatwerk.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "product"
        verbose_name_plural = "producten"
        constraints = [
            models.UniqueConstraint(fields=["boek", "categorie", "code"], name="productcode_uniek_per_boek")
        ]
        ordering = ["boek__geldig_van", "categorie", "code"]

    def __str__(self) -> str:
        return f"{self.categorie}/{self.code} {self.naam}"

    def clean(self) -> None:
        if self.groep_id and self.boek_id and self.groep.boek_id != self.boek_id:
            raise ValidationError({"groep": "De productgroep hoort bij een ander productboek."})

    @property
    def segment(self) -> Segment | None:
        return self.groep.segment

    def tarief_op(self, datum: dt.date) -> Tarief:
        """The tariff in force on a date (tariffs are set per calendar year)."""
        try:
            return self.tarieven.get(jaar=datum.year)
        except Tarief.DoesNotExist:
            raise Tarief.DoesNotExist(f"Geen tarief voor {self} in {datum.year}.") from None

    def nieuw_product(self) -> Product:
        """This product in the current book: itself when it is in the newest book, else the mapping."""
        mapping = ProductMapping.objects.filter(oud_product=self).select_related("nieuw_product").first()
        return mapping.nieuw_product if mapping else self


class Indexering(models.Model):
    """An indexation run: tariffs of `van_jaar` times (1 + percentage) become the tariffs of `naar_jaar`."""

    van_jaar = models.PositiveSmallIntegerField("van jaar")
    naar_jaar = models.PositiveSmallIntegerField("naar jaar")
    percentage = models.DecimalField("percentage", max_digits=6, decimal_places=3)
    toelichting = models.TextField("toelichting", blank=True)
    uitgevoerd_op = models.DateTimeField("uitgevoerd op", auto_now_add=True)
    uitgevoerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="uitgevoerd door",
    )

    class Meta:
        verbose_name = "indexering"
        verbose_name_plural = "indexeringen"
        ordering = ["naar_jaar"]

    def __str__(self) -> str:
        return f"{self.van_jaar} -> {self.naar_jaar}: {self.percentage}%"

    @property
    def factor(self) -> Decimal:
        return 1 + self.percentage / 100


class Tarief(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tarieven")
    jaar = models.PositiveSmallIntegerField("jaar")
    bedrag_cent = models.PositiveIntegerField("tarief (cent per eenheid)")
    indexering = models.ForeignKey(
        Indexering, on_delete=models.SET_NULL, null=True, blank=True, related_name="tarieven"
    )

    class Meta:
        verbose_name = "tarief"
        verbose_name_plural = "tarieven"
        constraints = [models.UniqueConstraint(fields=["product", "jaar"], name="tarief_uniek_per_jaar")]
        ordering = ["product", "jaar"]

    def __str__(self) -> str:
        return f"{self.product} {self.jaar}: EUR {self.bedrag_cent / 100:.2f}"


class Norm(models.Model):
    """Norms for a product: duration and intensity ranges, and the tariff factor after the norm duration."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="norm")
    duur_min_maanden = models.PositiveSmallIntegerField("duur minimaal (maanden)", null=True, blank=True)
    duur_max_maanden = models.PositiveSmallIntegerField("duur maximaal (maanden)", null=True, blank=True)
    intensiteit_min = models.DecimalField(
        "intensiteit minimaal (eenheden per maand)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    intensiteit_max = models.DecimalField(
        "intensiteit maximaal (eenheden per maand)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    tarieffactor_na_normduur = models.DecimalField(
        "tarieffactor na normduur", max_digits=4, decimal_places=3, null=True, blank=True
    )
    wachttijd_norm_dagen = models.PositiveSmallIntegerField("wachttijdnorm (dagen)", null=True, blank=True)

    class Meta:
        verbose_name = "norm"
        verbose_name_plural = "normen"

    def __str__(self) -> str:
        return f"Norm {self.product}"

    def clean(self) -> None:
        pairs = [("duur_min_maanden", "duur_max_maanden"), ("intensiteit_min", "intensiteit_max")]
        for low, high in pairs:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValidationError({high: "Het maximum ligt onder het minimum."})
        factor = self.tarieffactor_na_normduur
        if factor is not None and not (0 < factor <= 1):
            raise ValidationError({"tarieffactor_na_normduur": "De factor ligt tussen 0 en 1."})


class ProductMapping(models.Model):
    """Legacy product -> product in the new book, so that history stays comparable."""

    oud_product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="mapping")
    nieuw_product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="gemapt_van")
    toelichting = models.CharField("toelichting", max_length=300, blank=True)

    class Meta:
        verbose_name = "productvertaling"
        verbose_name_plural = "productvertalingen (oud -> nieuw)"

    def __str__(self) -> str:
        return f"{self.oud_product} -> {self.nieuw_product}"

    def clean(self) -> None:
        if self.oud_product_id and self.nieuw_product_id:
            if self.oud_product.boek_id == self.nieuw_product.boek_id:
                raise ValidationError(
                    "Een vertaling verbindt producten uit twee verschillende productboeken."
                )
            if self.nieuw_product.boek.geldig_van <= self.oud_product.boek.geldig_van:
                raise ValidationError("Het nieuwe product hoort in een later productboek dan het oude.")
