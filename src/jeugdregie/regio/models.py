from django.core.validators import RegexValidator
from django.db import models

cbs_code_validator = RegexValidator(r"^\d{4}$", "Een CBS-gemeentecode bestaat uit 4 cijfers.")


class Regio(models.Model):
    """The group of municipalities that buys youth care together (e.g. MGR Noord-Limburg)."""

    naam = models.CharField("naam", max_length=200, unique=True)

    class Meta:
        verbose_name = "regio"
        verbose_name_plural = "regio's"

    def __str__(self) -> str:
        return self.naam


class Gemeente(models.Model):
    regio = models.ForeignKey(Regio, on_delete=models.PROTECT, related_name="gemeenten")
    cbs_code = models.CharField("CBS-code", max_length=4, unique=True, validators=[cbs_code_validator])
    naam = models.CharField("naam", max_length=200)

    class Meta:
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"
        ordering = ["naam"]

    def __str__(self) -> str:
        return f"{self.naam} ({self.cbs_code})"


class JeugdigenAantal(models.Model):
    """Youth population of a municipality in a year: an input for overrun and solidarity keys."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.CASCADE, related_name="jeugdigen")
    jaar = models.PositiveSmallIntegerField("jaar")
    aantal = models.PositiveIntegerField("aantal jeugdigen (0-17 jaar)")

    class Meta:
        verbose_name = "aantal jeugdigen"
        verbose_name_plural = "aantallen jeugdigen"
        constraints = [
            models.UniqueConstraint(fields=["gemeente", "jaar"], name="jeugdigen_per_gemeente_jaar")
        ]
        ordering = ["gemeente__naam", "jaar"]

    def __str__(self) -> str:
        return f"{self.gemeente.naam} {self.jaar}: {self.aantal}"
