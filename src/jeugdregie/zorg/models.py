"""Care facts as the iJw messages carry them, keyed by a pseudonymised client id.

There is no BSN, name, address or contact field anywhere in this app (SYSTEM.md section 6);
a test walks every model of the project to keep it that way.
"""

from __future__ import annotations

from django.db import models

from jeugdregie.catalogus.models import EENHEDEN, FREQUENTIES, Product
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente

GESLACHTEN = [("0", "Onbekend"), ("1", "Man"), ("2", "Vrouw")]
VERWIJZERS = [
    ("01", "Gemeente"),
    ("02", "Huisarts"),
    ("03", "Jeugdarts"),
    ("04", "Gecertificeerde instelling"),
    ("05", "Medisch specialist"),
    ("06", "Zelfverwijzer / geen verwijzer"),
    ("08", "Rechter, officier van justitie"),
]


class Client(models.Model):
    pseudoniem = models.CharField("pseudoniem", max_length=64, unique=True)
    geboortejaar = models.PositiveSmallIntegerField("geboortejaar", null=True, blank=True)
    geboortemaand = models.PositiveSmallIntegerField("geboortemaand", null=True, blank=True)
    geslacht = models.CharField("geslacht", max_length=1, choices=GESLACHTEN, default="0")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "cliënt (gepseudonimiseerd)"
        verbose_name_plural = "cliënten (gepseudonimiseerd)"

    def __str__(self) -> str:
        return f"cliënt {self.pseudoniem[:10]}…"


class Toewijzing(models.Model):
    """The current state of an allocation (JW301); its history is in ToewijzingWijziging."""

    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="toewijzingen")
    toewijzingnummer = models.CharField("toewijzingnummer", max_length=20)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="toewijzingen")
    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="toewijzingen")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product_categorie = models.CharField("productcategorie", max_length=2, blank=True)
    product_code = models.CharField("productcode", max_length=5, blank=True)
    toewijzingsdatum = models.DateField("toewijzingsdatum")
    ingangsdatum = models.DateField("ingangsdatum")
    einddatum = models.DateField("einddatum", null=True, blank=True)
    volume = models.PositiveIntegerField("volume", null=True, blank=True)
    eenheid = models.CharField("eenheid", max_length=2, choices=EENHEDEN, blank=True)
    frequentie = models.CharField("frequentie", max_length=1, choices=FREQUENTIES, blank=True)
    budget_cent = models.BigIntegerField("budget (cent)", null=True, blank=True)
    reden_wijziging = models.CharField("reden wijziging", max_length=2, blank=True)
    referentie_aanbieder = models.CharField(
        "referentie aanbieder",
        max_length=36,  # LDT_Referentie
        blank=True,
        help_text="Koppelt de toewijzing aan het verzoek (JW315).",
    )
    verwijderd = models.BooleanField("verwijderd", default=False)
    versie = models.PositiveIntegerField("versie", default=1)

    class Meta:
        verbose_name = "toewijzing"
        verbose_name_plural = "toewijzingen"
        constraints = [
            models.UniqueConstraint(
                fields=["gemeente", "toewijzingnummer"], name="toewijzingnummer_uniek_per_gemeente"
            )
        ]
        indexes = [models.Index(fields=["client", "product"]), models.Index(fields=["ingangsdatum"])]

    def __str__(self) -> str:
        return f"toewijzing {self.gemeente.cbs_code}/{self.toewijzingnummer}"


class ToewijzingWijziging(models.Model):
    """One received version of an allocation: the change history."""

    toewijzing = models.ForeignKey(Toewijzing, on_delete=models.CASCADE, related_name="wijzigingen")
    bericht = models.ForeignKey("ijw.Bericht", on_delete=models.PROTECT, related_name="+")
    volgnummer = models.PositiveIntegerField("volgnummer")
    toewijzingsdatum = models.DateField("toewijzingsdatum")
    ingangsdatum = models.DateField("ingangsdatum")
    einddatum = models.DateField("einddatum", null=True, blank=True)
    volume = models.PositiveIntegerField("volume", null=True, blank=True)
    eenheid = models.CharField("eenheid", max_length=2, blank=True)
    frequentie = models.CharField("frequentie", max_length=1, blank=True)
    budget_cent = models.BigIntegerField("budget (cent)", null=True, blank=True)
    reden_wijziging = models.CharField("reden wijziging", max_length=2, blank=True)
    referentie_aanbieder = models.CharField(
        "referentie aanbieder",
        max_length=36,
        blank=True,
        help_text="ReferentieAanbieder van deze versie: de versie kent het verzoek (JW315/JW317) toe.",
    )

    class Meta:
        verbose_name = "wijziging van een toewijzing"
        verbose_name_plural = "wijzigingen van toewijzingen"
        ordering = ["toewijzing", "volgnummer"]
        constraints = [
            models.UniqueConstraint(fields=["toewijzing", "volgnummer"], name="wijziging_volgnummer_uniek")
        ]

    def __str__(self) -> str:
        return f"{self.toewijzing} versie {self.volgnummer}"


class VerzoekOmToewijzing(models.Model):
    """JW315: a provider asks for an allocation after a referral; carries the referrer type."""

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="verzoeken")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="verzoeken")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="verzoeken")
    bericht = models.ForeignKey("ijw.Bericht", on_delete=models.PROTECT, related_name="+")
    referentie_aanbieder = models.CharField("referentie aanbieder", max_length=36)  # LDT_Referentie
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product_categorie = models.CharField("productcategorie", max_length=2, blank=True)
    product_code = models.CharField("productcode", max_length=5, blank=True)
    aangevraagd_op = models.DateField("aangevraagd op")
    toewijzing_ingangsdatum = models.DateField("gevraagde ingangsdatum")
    toewijzing_einddatum = models.DateField("gevraagde einddatum", null=True, blank=True)
    volume = models.PositiveIntegerField("volume", null=True, blank=True)
    eenheid = models.CharField("eenheid", max_length=2, blank=True)
    frequentie = models.CharField("frequentie", max_length=1, blank=True)
    verwijzer_type = models.CharField("type verwijzer", max_length=2, choices=VERWIJZERS)
    verwijzer_zorgverlenercode = models.CharField("AGB verwijzer", max_length=8, blank=True)

    class Meta:
        verbose_name = "verzoek om toewijzing"
        verbose_name_plural = "verzoeken om toewijzing"
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "referentie_aanbieder"], name="verzoek_referentie_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"verzoek {self.referentie_aanbieder} ({self.aanbieder.agb_code})"


class ZorgStart(models.Model):
    toewijzing = models.ForeignKey(Toewijzing, on_delete=models.PROTECT, related_name="starts")
    bericht = models.ForeignKey("ijw.Bericht", on_delete=models.PROTECT, related_name="+")
    begindatum = models.DateField("begindatum")
    status_aanlevering = models.CharField("status aanlevering", max_length=1, default="1")

    class Meta:
        verbose_name = "start zorg"
        verbose_name_plural = "starts zorg"

    def __str__(self) -> str:
        return f"start {self.toewijzing} op {self.begindatum}"


class ZorgStop(models.Model):
    toewijzing = models.ForeignKey(Toewijzing, on_delete=models.PROTECT, related_name="stops")
    bericht = models.ForeignKey("ijw.Bericht", on_delete=models.PROTECT, related_name="+")
    begindatum = models.DateField("begindatum")
    einddatum = models.DateField("einddatum")
    reden_beeindiging = models.CharField("reden beëindiging", max_length=2)
    status_aanlevering = models.CharField("status aanlevering", max_length=1, default="1")

    class Meta:
        verbose_name = "stop zorg"
        verbose_name_plural = "stops zorg"

    def __str__(self) -> str:
        return f"stop {self.toewijzing} op {self.einddatum}"


class Declaratie(models.Model):
    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="declaraties")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="declaraties")
    bericht = models.OneToOneField("ijw.Bericht", on_delete=models.PROTECT, related_name="declaratie")
    declaratienummer = models.CharField("declaratienummer", max_length=12)
    periode_begin = models.DateField("periode begin")
    periode_eind = models.DateField("periode eind")
    dagtekening = models.DateField("dagtekening")
    totaal_cent = models.BigIntegerField("totaal ingediend (cent, netto)")

    class Meta:
        verbose_name = "declaratie"
        verbose_name_plural = "declaraties"

    def __str__(self) -> str:
        return f"declaratie {self.declaratienummer} {self.aanbieder.agb_code} -> {self.gemeente.cbs_code}"


class DeclaratieRegel(models.Model):
    """One claim line (prestatie). `bedrag_cent` is signed: debet positive, credit negative, so a
    plain SUM is the net claimed amount. Gemeente, aanbieder and product are denormalised for the
    KPI queries."""

    declaratie = models.ForeignKey(Declaratie, on_delete=models.CASCADE, related_name="regels")
    toewijzing = models.ForeignKey(Toewijzing, on_delete=models.PROTECT, related_name="declaratieregels")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="+")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    referentienummer = models.CharField("referentienummer", max_length=36)
    vorig_referentienummer = models.CharField("vorig referentienummer", max_length=36, blank=True)
    periode_begin = models.DateField("productperiode begin")
    periode_eind = models.DateField("productperiode eind")
    volume = models.IntegerField("geleverd volume (netto)")
    eenheid = models.CharField("eenheid", max_length=2)
    tarief_cent = models.IntegerField("producttarief (cent)", null=True, blank=True)
    bedrag_cent = models.BigIntegerField("bedrag (cent, debet + / credit -)")
    debet_credit = models.CharField("debet/credit", max_length=1, choices=[("D", "Debet"), ("C", "Credit")])
    # Set when the municipality's claim answer (JW325) rejects the line: accepted claims are the
    # lines with afgewezen False. db_default so the bulk insert of ingest need not name them.
    afgewezen = models.BooleanField("afgewezen (JW325)", default=False, db_default=False)
    afgewezen_retourcode = models.CharField(
        "retourcode afwijzing", max_length=4, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = "declaratieregel"
        verbose_name_plural = "declaratieregels"
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "referentienummer", "debet_credit"], name="regel_referentie_uniek"
            )
        ]
        indexes = [
            models.Index(fields=["periode_begin"]),
            models.Index(fields=["gemeente", "periode_begin"]),
            models.Index(fields=["aanbieder", "periode_begin"]),
        ]

    def __str__(self) -> str:
        return f"regel {self.referentienummer} {self.debet_credit} {self.bedrag_cent}"


# ---------------------------------------------------------------- claim answers (JW325)


class DeclaratieAntwoord(models.Model):
    """JW325: the municipality's answer to a claim. Only rejected lines are listed in the message;
    each becomes an AntwoordRegel and marks its DeclaratieRegel ``afgewezen``."""

    declaratie = models.ForeignKey(Declaratie, on_delete=models.PROTECT, related_name="antwoorden")
    bericht = models.OneToOneField(
        "ijw.Bericht", on_delete=models.PROTECT, related_name="declaratie_antwoord"
    )
    beantwoord_op = models.DateField("dagtekening antwoord")
    totaal_ingediend_cent = models.BigIntegerField("totaal ingediend (cent, netto)")
    totaal_toegekend_cent = models.BigIntegerField("totaal toegekend (cent, netto)")
    retourcodes = models.CharField(
        "retourcodes bericht", max_length=100, blank=True, help_text="Retourcodes van header en antwoord."
    )

    class Meta:
        verbose_name = "antwoord op declaratie (JW325)"
        verbose_name_plural = "antwoorden op declaraties (JW325)"

    def __str__(self) -> str:
        return f"antwoord op {self.declaratie}"

    @property
    def afgewezen_cent(self) -> int:
        return self.totaal_ingediend_cent - self.totaal_toegekend_cent


class AntwoordRegel(models.Model):
    """One claim line as listed in a JW325, with all its return codes (space separated)."""

    antwoord = models.ForeignKey(DeclaratieAntwoord, on_delete=models.CASCADE, related_name="regels")
    regel = models.ForeignKey(DeclaratieRegel, on_delete=models.PROTECT, related_name="antwoorden")
    retourcodes = models.CharField("retourcodes", max_length=100)
    afgewezen = models.BooleanField("afgewezen", default=True)

    class Meta:
        verbose_name = "beoordeelde declaratieregel"
        verbose_name_plural = "beoordeelde declaratieregels"
        constraints = [models.UniqueConstraint(fields=["antwoord", "regel"], name="antwoordregel_uniek")]

    def __str__(self) -> str:
        return f"{self.regel}: {self.retourcodes}"


# ---------------------------------------------------------------- change requests (JW317 / JW319)

REDENEN_VERZOEK = [("1", "Verandering cliëntsituatie"), ("2", "Wijziging zorgplan")]


class VerzoekOmWijziging(models.Model):
    """JW317: a provider asks to change a client's allocations (e.g. extend one). It is granted by
    a JW301 carrying the same ReferentieAanbieder (a ToewijzingWijziging with that reference), or
    refused or put under investigation by a JW319 (AntwoordVerzoek)."""

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="wijzigingsverzoeken")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="wijzigingsverzoeken")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="wijzigingsverzoeken")
    bericht = models.ForeignKey("ijw.Bericht", on_delete=models.PROTECT, related_name="+")
    referentie_aanbieder = models.CharField("referentie aanbieder", max_length=36)
    reden_verzoek = models.CharField("reden verzoek", max_length=1, choices=REDENEN_VERZOEK)
    aangevraagd_op = models.DateField("aangevraagd op")

    class Meta:
        verbose_name = "verzoek om wijziging (JW317)"
        verbose_name_plural = "verzoeken om wijziging (JW317)"
        constraints = [
            models.UniqueConstraint(
                fields=["aanbieder", "referentie_aanbieder"], name="wijzigingsverzoek_referentie_uniek"
            )
        ]

    def __str__(self) -> str:
        return f"verzoek om wijziging {self.referentie_aanbieder} ({self.aanbieder.agb_code})"


class GevraagdeWijziging(models.Model):
    """One product of a JW317: an allocated product to change (``toewijzing`` set) or a new one."""

    class Soort(models.TextChoices):
        WIJZIGEN = "wijzigen", "Te wijzigen product"
        NIEUW = "nieuw", "Nieuw product"

    verzoek = models.ForeignKey(VerzoekOmWijziging, on_delete=models.CASCADE, related_name="producten")
    soort = models.CharField("soort", max_length=8, choices=Soort.choices)
    toewijzing = models.ForeignKey(
        Toewijzing, on_delete=models.PROTECT, null=True, blank=True, related_name="wijzigingsverzoeken"
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    product_categorie = models.CharField("productcategorie", max_length=2, blank=True)
    product_code = models.CharField("productcode", max_length=5, blank=True)
    gewenste_ingangsdatum = models.DateField("gewenste ingangsdatum")
    einddatum = models.DateField("gewenste einddatum", null=True, blank=True)
    volume = models.PositiveIntegerField("volume", null=True, blank=True)
    eenheid = models.CharField("eenheid", max_length=2, blank=True)
    frequentie = models.CharField("frequentie", max_length=1, blank=True)
    budget_cent = models.BigIntegerField("budget (cent)", null=True, blank=True)
    verlenging = models.BooleanField(
        "verlenging", default=False, help_text="De gewenste einddatum ligt na de einddatum van de toewijzing."
    )

    class Meta:
        verbose_name = "gevraagde wijziging"
        verbose_name_plural = "gevraagde wijzigingen"

    def __str__(self) -> str:
        return f"{self.get_soort_display()} in {self.verzoek}"


class AntwoordVerzoek(models.Model):
    """JW319: the municipality refuses a request (JW315 or JW317) or puts it under investigation.
    Matched to the request by provider and ReferentieAanbieder."""

    class Uitkomst(models.TextChoices):
        AFGEWEZEN = "1", "Verzoek afgewezen"
        IN_ONDERZOEK = "2", "Aanvraag in onderzoek"

    aanbieder = models.ForeignKey(Aanbieder, on_delete=models.PROTECT, related_name="+")
    gemeente = models.ForeignKey(Gemeente, on_delete=models.PROTECT, related_name="+")
    bericht = models.OneToOneField("ijw.Bericht", on_delete=models.PROTECT, related_name="antwoord_verzoek")
    referentie_aanbieder = models.CharField("referentie aanbieder", max_length=36)
    verzoek_wijziging = models.ForeignKey(
        VerzoekOmWijziging, on_delete=models.PROTECT, null=True, blank=True, related_name="antwoorden"
    )
    verzoek_toewijzing = models.ForeignKey(
        VerzoekOmToewijzing, on_delete=models.PROTECT, null=True, blank=True, related_name="antwoorden"
    )
    uitkomst = models.CharField("antwoord", max_length=1, choices=Uitkomst.choices)
    reden_afwijzing = models.CharField("reden afwijzing", max_length=1, blank=True)
    beantwoord_op = models.DateField("beantwoord op")

    class Meta:
        verbose_name = "antwoord op verzoek (JW319)"
        verbose_name_plural = "antwoorden op verzoeken (JW319)"

    def __str__(self) -> str:
        return f"antwoord op {self.referentie_aanbieder}: {self.get_uitkomst_display()}"
