"""The contract register (seed 003, Bijlage 2; Norm voor Opdrachtgeverschap): the documents of an
agreement, its extension decisions and its evaluation dates. Imported by contracten.models."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class DocumentSoort(models.TextChoices):
    OVEREENKOMST = "overeenkomst", "Raamovereenkomst"
    PVE = "pve", "Programma van eisen"
    PROTOCOL = "protocol", "Administratie- en controleprotocol"
    CONTINUITEIT = "continuiteit", "Continuïteitsplan"
    SROI = "sroi", "SROI-plan"
    MVI = "mvi", "MVI-plan"
    WIJZIGING = "wijziging", "Wijziging of aanvulling"
    OVERIG = "overig", "Overig"


class ContractDocument(models.Model):
    raamovereenkomst = models.ForeignKey(
        "contracten.Raamovereenkomst", on_delete=models.CASCADE, related_name="documenten"
    )
    soort = models.CharField("soort", max_length=20, choices=DocumentSoort.choices)
    titel = models.CharField("titel", max_length=200)
    ondertekend_op = models.DateField("ondertekend op", null=True, blank=True)
    geldig_vanaf = models.DateField("geldig vanaf", null=True, blank=True)
    geldig_tot = models.DateField("geldig tot", null=True, blank=True)
    vindplaats = models.CharField("vindplaats", max_length=300, blank=True, help_text="Zaaknummer of map.")

    class Meta:
        verbose_name = "contractdocument"
        verbose_name_plural = "contractdocumenten"
        ordering = ["raamovereenkomst", "soort", "geldig_vanaf"]

    def __str__(self) -> str:
        return f"{self.get_soort_display()}: {self.titel}"

    def clean(self) -> None:
        if self.geldig_vanaf and self.geldig_tot and self.geldig_tot < self.geldig_vanaf:
            raise ValidationError({"geldig_tot": "De einddatum ligt voor de begindatum."})


class Besluit(models.TextChoices):
    VERLENGD = "verlengd", "Verlengen"
    NIET_VERLENGD = "niet verlengd", "Niet verlengen"


class Verlengingsbesluit(models.Model):
    """The decision on one extension option, with who, when and why (kept; a correction is a new
    agreement amendment, not an edit)."""

    raamovereenkomst = models.ForeignKey(
        "contracten.Raamovereenkomst", on_delete=models.CASCADE, related_name="verlengingsbesluiten"
    )
    optie = models.PositiveSmallIntegerField("verlengingsoptie")
    besluit = models.CharField("besluit", max_length=15, choices=Besluit.choices)
    reden = models.TextField("reden")
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "verlengingsbesluit"
        verbose_name_plural = "verlengingsbesluiten"
        ordering = ["raamovereenkomst", "optie"]
        constraints = [
            models.UniqueConstraint(fields=["raamovereenkomst", "optie"], name="een_besluit_per_optie")
        ]

    def __str__(self) -> str:
        return f"{self.raamovereenkomst.kenmerk} optie {self.optie}: {self.besluit}"


class Evaluatiemoment(models.Model):
    raamovereenkomst = models.ForeignKey(
        "contracten.Raamovereenkomst", on_delete=models.CASCADE, related_name="evaluaties"
    )
    datum = models.DateField("gepland op")
    gehouden_op = models.DateField("gehouden op", null=True, blank=True)
    verslag = models.TextField("verslag", blank=True)

    class Meta:
        verbose_name = "evaluatiemoment"
        verbose_name_plural = "evaluatiemomenten"
        ordering = ["raamovereenkomst", "datum"]

    def __str__(self) -> str:
        return f"{self.raamovereenkomst.kenmerk} evaluatie {self.datum:%d-%m-%Y}"


class Categoriebesluit(models.Model):
    """A decided provider category beside the advice of the market analysis: who, when, why."""

    aanbieder = models.ForeignKey(
        "contracten.Aanbieder", on_delete=models.CASCADE, related_name="categoriebesluiten"
    )
    jaar = models.PositiveSmallIntegerField("marktanalyse van jaar")
    oud = models.CharField("categorie was", max_length=1)
    categorie = models.CharField("besloten categorie", max_length=1, choices=[(c, c) for c in "ABC"])
    advies = models.CharField("advies", max_length=1)
    reden = models.TextField("reden")
    door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    op = models.DateTimeField("besloten op", auto_now_add=True)

    class Meta:
        verbose_name = "categoriebesluit"
        verbose_name_plural = "categoriebesluiten"
        ordering = ["-op", "-pk"]

    def __str__(self) -> str:
        return f"{self.aanbieder}: {self.oud} -> {self.categorie} ({self.op:%d-%m-%Y})"
