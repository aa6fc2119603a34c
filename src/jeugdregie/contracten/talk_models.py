"""Contract talks and tertial evaluations of the stuuropdracht (seed 000 ch. 8): date, who, the
agreements made and follow-up actions with owner and due date. Imported by contracten.models."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

tertial_validator = RegexValidator(r"^\d{4}-T[123]$", "Een tertiaal schrijft u als JJJJ-T1, -T2 of -T3.")


class Contractgesprek(models.Model):
    aanbieder = models.ForeignKey("contracten.Aanbieder", on_delete=models.CASCADE, related_name="gesprekken")
    datum = models.DateField("datum")
    deelnemers = models.CharField("deelnemers", max_length=300)
    afspraken = models.TextField("gemaakte afspraken")
    vastgelegd_door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "contractgesprek"
        verbose_name_plural = "contractgesprekken"
        ordering = ["-datum", "-pk"]

    def __str__(self) -> str:
        return f"{self.aanbieder.naam} {self.datum:%d-%m-%Y}"


class Actiepunt(models.Model):
    gesprek = models.ForeignKey(Contractgesprek, on_delete=models.CASCADE, related_name="acties")
    omschrijving = models.CharField("actie", max_length=300)
    eigenaar = models.CharField("eigenaar", max_length=100)
    deadline = models.DateField("uiterlijk")
    afgerond_op = models.DateField("afgerond op", null=True, blank=True)

    class Meta:
        verbose_name = "actiepunt"
        verbose_name_plural = "actiepunten"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.omschrijving} ({self.eigenaar}, {self.deadline:%d-%m-%Y})"


class Oordeel(models.TextChoices):
    OP_KOERS = "op koers", "Op koers"
    AANDACHT = "aandacht", "Aandacht nodig"
    BIJSTUREN = "bijsturen", "Bijsturen"


class Tertiaalevaluatie(models.Model):
    aanbieder = models.ForeignKey("contracten.Aanbieder", on_delete=models.CASCADE, related_name="evaluaties")
    tertiaal = models.CharField("tertiaal", max_length=7, validators=[tertial_validator])
    oordeel = models.CharField("oordeel", max_length=10, choices=Oordeel.choices)
    toelichting = models.TextField("toelichting")
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "tertiaalevaluatie"
        verbose_name_plural = "tertiaalevaluaties"
        ordering = ["-tertiaal", "-op"]
        constraints = [
            models.UniqueConstraint(fields=["aanbieder", "tertiaal"], name="een_evaluatie_per_tertiaal")
        ]

    def __str__(self) -> str:
        return f"{self.aanbieder.naam} {self.tertiaal}: {self.oordeel}"


class Uitkomstmeting(models.Model):
    """An outcome the messages do not carry (Outcome in Zicht), reported by an A or B provider per
    tertial: how many clients were measured and how many were satisfied / reached their goals."""

    aanbieder = models.ForeignKey("contracten.Aanbieder", on_delete=models.CASCADE, related_name="uitkomsten")
    tertiaal = models.CharField("tertiaal", max_length=7, validators=[tertial_validator])
    indicator = models.CharField(
        "indicator",
        max_length=20,
        choices=[("clienttevredenheid", "Cliënttevredenheid"), ("doelrealisatie", "Doelrealisatie")],
    )
    gemeten = models.PositiveIntegerField("aantal gemeten")
    positief = models.PositiveIntegerField("aantal positief")
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("aangeleverd op", auto_now=True)

    class Meta:
        verbose_name = "uitkomstmeting"
        verbose_name_plural = "uitkomstmetingen"
        ordering = ["aanbieder", "-tertiaal", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "tertiaal", "indicator"], name="een_meting_per_tertiaal"
            ),
            models.CheckConstraint(
                condition=models.Q(positief__lte=models.F("gemeten")), name="positief_niet_meer_dan_gemeten"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.aanbieder.naam} {self.tertiaal} {self.indicator}: {self.positief}/{self.gemeten}"

    @property
    def share(self) -> float | None:
        return self.positief / self.gemeten if self.gemeten else None
