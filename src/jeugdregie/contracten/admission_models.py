"""Open-house admission (seed 000 ch. 8, seed 002): admission windows and criteria per category,
applications with their checklist and a decision with reasons. Imported by contracten.models."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

CATEGORIEEN = [("A", "A"), ("B", "B"), ("C", "C")]


class Toetredingsvenster(models.Model):
    categorie = models.CharField("categorie", max_length=1, choices=CATEGORIEEN)
    opent_op = models.DateField("open vanaf")
    sluit_op = models.DateField("open tot en met")
    omschrijving = models.CharField("omschrijving", max_length=200, blank=True)

    class Meta:
        verbose_name = "toetredingsmoment"
        verbose_name_plural = "toetredingsmomenten"
        ordering = ["opent_op", "categorie"]

    def __str__(self) -> str:
        return f"Categorie {self.categorie}: {self.opent_op:%d-%m-%Y} t/m {self.sluit_op:%d-%m-%Y}"

    def clean(self) -> None:
        if self.opent_op and self.sluit_op and self.sluit_op < self.opent_op:
            raise ValidationError({"sluit_op": "Het moment sluit voordat het opent."})


class Toetredingscriterium(models.Model):
    categorie = models.CharField("categorie", max_length=1, choices=CATEGORIEEN)
    omschrijving = models.CharField("criterium", max_length=300)
    volgorde = models.PositiveSmallIntegerField("volgorde", default=0)

    class Meta:
        verbose_name = "toetredingscriterium"
        verbose_name_plural = "toetredingscriteria"
        ordering = ["categorie", "volgorde", "pk"]

    def __str__(self) -> str:
        return f"{self.categorie}: {self.omschrijving}"


class Aanvraag(models.Model):
    class Soort(models.TextChoices):
        NIEUW = "nieuw", "Nieuwe raamovereenkomst"
        UITBREIDING = "uitbreiding", "Uitbreiding met producten"

    class Status(models.TextChoices):
        INGEDIEND = "ingediend", "Ingediend"
        TOEGELATEN = "toegelaten", "Toegelaten"
        AFGEWEZEN = "afgewezen", "Afgewezen"

    agb_code = models.CharField("AGB-code", max_length=8)
    organisatienaam = models.CharField("naam aanbieder", max_length=200)
    categorie = models.CharField("categorie", max_length=1, choices=CATEGORIEEN)
    soort = models.CharField("soort", max_length=12, choices=Soort.choices)
    producten = models.ManyToManyField("catalogus.Product", related_name="+", verbose_name="producten")
    ingediend_op = models.DateField("ingediend op")
    venster = models.ForeignKey(Toetredingsvenster, on_delete=models.PROTECT, related_name="aanvragen")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.INGEDIEND)
    motivering = models.TextField("motivering besluit", blank=True)
    besloten_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    besloten_op = models.DateTimeField("besloten op", null=True, blank=True)
    raamovereenkomst = models.ForeignKey(
        "contracten.Raamovereenkomst",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="aanvragen",
    )
    geregistreerd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "toetredingsaanvraag"
        verbose_name_plural = "toetredingsaanvragen"
        ordering = ["-ingediend_op", "-pk"]

    def __str__(self) -> str:
        return f"{self.organisatienaam} ({self.agb_code}) {self.get_soort_display().lower()}: {self.get_status_display().lower()}"


class Beoordeling(models.Model):
    aanvraag = models.ForeignKey(Aanvraag, on_delete=models.CASCADE, related_name="beoordelingen")
    criterium = models.ForeignKey(Toetredingscriterium, on_delete=models.PROTECT, related_name="+")
    voldaan = models.BooleanField("voldaan", null=True)
    toelichting = models.CharField("toelichting", max_length=300, blank=True)

    class Meta:
        verbose_name = "beoordeling"
        verbose_name_plural = "beoordelingen"
        ordering = ["criterium__volgorde", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["aanvraag", "criterium"], name="een_oordeel_per_criterium")
        ]

    def __str__(self) -> str:
        state = (
            "nog niet beoordeeld" if self.voldaan is None else ("voldaan" if self.voldaan else "niet voldaan")
        )
        return f"{self.criterium.omschrijving}: {state}"
