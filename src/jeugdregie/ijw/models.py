"""The message log: delivered files, ingested messages (for idempotence) and the quarantine."""

from django.db import models

SOORTEN = [(k, k) for k in ("JW301", "JW305", "JW307", "JW315", "JW317", "JW319", "JW323", "JW325")]


class Aanlevering(models.Model):
    """One delivered file, identified by the SHA-256 of its bytes (a re-delivered file is a duplicate)."""

    class Status(models.TextChoices):
        VERWERKT = "verwerkt", "Verwerkt"
        DEELS = "deels", "Deels verwerkt (zie quarantaine)"
        GEWEIGERD = "geweigerd", "Geweigerd (zie quarantaine)"

    bestandsnaam = models.CharField("bestandsnaam", max_length=500)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    ontvangen_op = models.DateTimeField("ontvangen op", auto_now_add=True)
    status = models.CharField("status", max_length=10, choices=Status.choices)
    berichten = models.PositiveIntegerField("berichten", default=0)
    regels = models.PositiveIntegerField("regels", default=0)
    geaccepteerd = models.PositiveIntegerField("geaccepteerd", default=0)
    in_quarantaine = models.PositiveIntegerField("in quarantaine", default=0)
    dubbel = models.PositiveIntegerField("dubbel", default=0)

    class Meta:
        verbose_name = "aanlevering"
        verbose_name_plural = "aanleveringen"
        ordering = ["-ontvangen_op"]

    def __str__(self) -> str:
        return self.bestandsnaam


class Bericht(models.Model):
    """An accepted message. Sender + BerichtIdentificatie make it unique: ingesting it again is a no-op."""

    aanlevering = models.ForeignKey(Aanlevering, on_delete=models.PROTECT, related_name="berichten_set")
    soort = models.CharField("soort", max_length=5, choices=SOORTEN)
    afzender = models.CharField("afzender", max_length=8)
    ontvanger = models.CharField("ontvanger", max_length=8)
    identificatie = models.CharField("berichtidentificatie", max_length=20)
    dagtekening = models.DateField("dagtekening")
    verwerkt_op = models.DateTimeField("verwerkt op", auto_now_add=True)

    class Meta:
        verbose_name = "bericht"
        verbose_name_plural = "berichten"
        constraints = [
            models.UniqueConstraint(fields=["afzender", "identificatie"], name="bericht_uniek_per_afzender")
        ]
        # The newest dagtekening is how far the data is complete: every screen asks it.
        indexes = [models.Index(fields=["dagtekening"], name="bericht_dagtekening")]
        ordering = ["-verwerkt_op"]

    def __str__(self) -> str:
        return f"{self.soort} {self.afzender}/{self.identificatie}"


class QuarantaineItem(models.Model):
    """A rejected file, message or claim line, kept with the reason and a redacted payload.

    The payload never holds a BSN, name, address or contact data: the BSN is replaced by its
    pseudonym (``P:<hmac>``), which the reader accepts, so the item can be reprocessed.
    """

    class Niveau(models.TextChoices):
        BESTAND = "bestand", "Bestand"
        BERICHT = "bericht", "Bericht"
        REGEL = "regel", "Declaratieregel"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HERVERWERKT = "herverwerkt", "Opnieuw verwerkt"
        AFGEHANDELD = "afgehandeld", "Afgehandeld zonder verwerking"

    aanlevering = models.ForeignKey(
        Aanlevering, on_delete=models.PROTECT, null=True, blank=True, related_name="quarantaine"
    )
    bestandsnaam = models.CharField("bestand", max_length=500)
    niveau = models.CharField("niveau", max_length=7, choices=Niveau.choices)
    soort = models.CharField("soort bericht", max_length=5, blank=True)
    afzender = models.CharField("afzender", max_length=8, blank=True)
    bericht_identificatie = models.CharField("bericht", max_length=20, blank=True)
    element = models.CharField("element", max_length=300, blank=True)
    regel_referentie = models.CharField(
        "referentienummer prestatie",
        max_length=36,
        blank=True,
        help_text="Alleen bij een afgewezen declaratieregel.",
    )
    regel = models.CharField("regel", max_length=60)
    tr = models.CharField(
        "iJw-regel",
        max_length=10,
        blank=True,
        db_index=True,
        help_text="De officiële technische regel van iJw 3.2 (bijv. TR319), als die er is.",
    )
    retourcode = models.CharField(
        "retourcode",
        max_length=4,
        blank=True,
        help_text="Retourcode uit WJ001 (bijv. 9319; 0001 = technisch afgekeurd).",
    )
    melding = models.TextField("melding")
    regelnummer = models.PositiveIntegerField("regelnummer in bestand", null=True, blank=True)
    payload = models.BinaryField("inhoud (geredigeerd)")
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.OPEN)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)
    afgehandeld_op = models.DateTimeField("afgehandeld op", null=True, blank=True)
    pogingen = models.PositiveIntegerField("aantal verwerkingspogingen", default=1)

    class Meta:
        verbose_name = "quarantaine-item"
        verbose_name_plural = "quarantaine"
        ordering = ["-aangemaakt_op"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        official = f" ({self.tr} / {self.retourcode})" if self.tr else ""
        return f"{self.bestandsnaam}: {self.regel}{official}"
