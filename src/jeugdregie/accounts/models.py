"""Roles (SYSTEM.md section 1) and the audit log of client-level views (section 6)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Rol(models.TextChoices):
    REGIO = "regio", "Regio (contractmanagement, analyse, inkoop)"
    GEMEENTE = "gemeente", "Gemeente (beleid, financiën, toegang)"
    AANBIEDER = "aanbieder", "Aanbieder"
    VERWIJZER = "verwijzer", "Verwijzer (toegang, huisarts, jeugdarts)"
    BEHEER = "beheer", "Beheer (gebruikers, rollen, configuratie)"


class Profiel(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiel")
    rol = models.CharField("rol", max_length=10, choices=Rol.choices)
    gemeente = models.ForeignKey(
        "regio.Gemeente", on_delete=models.PROTECT, null=True, blank=True, verbose_name="gemeente"
    )
    aanbieder = models.ForeignKey(
        "contracten.Aanbieder", on_delete=models.PROTECT, null=True, blank=True, verbose_name="aanbieder"
    )

    class Meta:
        verbose_name = "profiel"
        verbose_name_plural = "profielen"

    def __str__(self) -> str:
        return f"{self.user} ({self.get_rol_display()})"

    def clean(self) -> None:
        if self.rol == Rol.GEMEENTE and self.gemeente_id is None:
            raise ValidationError({"gemeente": "Een gemeentegebruiker hoort bij een gemeente."})
        if self.rol == Rol.AANBIEDER and self.aanbieder_id is None:
            raise ValidationError({"aanbieder": "Een aanbiedergebruiker hoort bij een aanbieder."})
        if self.rol != Rol.GEMEENTE and self.gemeente_id is not None:
            raise ValidationError({"gemeente": "Alleen een gemeentegebruiker hoort bij een gemeente."})
        if self.rol != Rol.AANBIEDER and self.aanbieder_id is not None:
            raise ValidationError({"aanbieder": "Alleen een aanbiedergebruiker hoort bij een aanbieder."})


class AuditRegel(models.Model):
    """Every view of client-level data: who, what, when."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moment = models.DateTimeField("moment", auto_now_add=True)
    actie = models.CharField("actie", max_length=100)
    object_omschrijving = models.CharField("wat", max_length=300)

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "auditlog"
        ordering = ["-moment"]

    def __str__(self) -> str:
        return f"{self.moment:%Y-%m-%d %H:%M} {self.user}: {self.actie} {self.object_omschrijving}"
