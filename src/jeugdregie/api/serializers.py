"""Query parameters and answers of the API, as serializers: the views pass every answer through
them, so what is sent is what the OpenAPI schema (/api/schema/) says. Names are Dutch, as the
screens' query parameters; amounts are integer cents."""

from __future__ import annotations

from rest_framework import serializers

from jeugdregie.rules import kpi as kpi_rules

COLOURS = ("groen", "oranje", "rood")
LEVELS = ("aanbieder", "gemeente", "categorie", "regio")  # the levels the Plafonds screen shows

# Query parameters


class KpiQuery(serializers.Serializer):
    jaar = serializers.IntegerField(
        required=False,
        error_messages={"invalid": "Geef een jaartal."},
        min_value=1900,
        max_value=2999,
        help_text="Standaard: het nieuwste volledige jaar.",
    )
    gemeente = serializers.CharField(required=False, max_length=20, help_text="CBS-code, bijv. 0983.")
    aanbieder = serializers.CharField(required=False, max_length=20, help_text="AGB-code.")
    kpi = serializers.ChoiceField(
        required=False, choices=sorted(kpi_rules.REGISTRY), help_text="Alleen deze KPI (id uit het register)."
    )


class PeildatumQuery(serializers.Serializer):
    peildatum = serializers.DateField(
        required=False,
        error_messages={"invalid": "Geef een datum als JJJJ-MM-DD."},
        help_text="Een maandeinde van dit of vorig jaar tot en met de nieuwste volledige maand (standaard).",
    )
    gemeente = serializers.CharField(
        required=False, max_length=20, help_text="Alleen deze gemeente (CBS-code)."
    )
    aanbieder = serializers.CharField(
        required=False, max_length=20, help_text="Alleen deze aanbieder (AGB-code)."
    )


class StoplichtQuery(serializers.Serializer):
    zoek = serializers.CharField(required=False, max_length=100, help_text="Woorden in naam of code.")
    kleur = serializers.ChoiceField(required=False, choices=COLOURS)
    gemeente = serializers.CharField(
        required=False, max_length=20, help_text="Aanbieders met cliënten in deze gemeente (CBS-code)."
    )
    segment = serializers.CharField(required=False, max_length=20)
    product = serializers.CharField(required=False, max_length=20, help_text="Productcode.")


# Answers


class Tertialen(serializers.Serializer):
    T1 = serializers.JSONField(allow_null=True)
    T2 = serializers.JSONField(allow_null=True)
    T3 = serializers.JSONField(allow_null=True)


class KpiRegel(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    eenheid = serializers.CharField(help_text="cent, aantal, fractie, dagen, maanden of tabel.")
    goed = serializers.CharField(help_text="Welke richting goed is: hoger, lager of neutraal.")
    definitie = serializers.CharField()
    waarde = serializers.JSONField(allow_null=True, help_text="Null: geen gegevens of onderdrukt.")
    tertialen = Tertialen()


class KpiAntwoord(serializers.Serializer):
    jaar = serializers.IntegerField()
    gemeente = serializers.CharField(allow_null=True)
    aanbieder = serializers.CharField(allow_null=True)
    tot = serializers.DateField(help_text="De gegevens lopen tot deze datum.")
    drempel = serializers.IntegerField(
        help_text="Onder dit aantal cliënten wordt buiten de regio niets getoond."
    )
    onderdrukt = serializers.BooleanField(
        help_text="Of kleine aantallen voor deze gebruiker onderdrukt worden."
    )
    kpis = KpiRegel(many=True)


class Benutting(serializers.Serializer):
    niveau = serializers.ChoiceField(choices=LEVELS)
    sleutel = serializers.CharField()
    naam = serializers.CharField()
    plafond_cent = serializers.IntegerField(allow_null=True, help_text="Plafond of budget.")
    gedeclareerd_cent = serializers.IntegerField(allow_null=True)
    verplicht_cent = serializers.IntegerField(allow_null=True, help_text="Verwacht uit lopende toewijzingen.")
    prognose_cent = serializers.IntegerField(allow_null=True)
    prognose_laag_cent = serializers.IntegerField(allow_null=True)
    prognose_hoog_cent = serializers.IntegerField(allow_null=True)
    benutting = serializers.FloatField(allow_null=True, help_text="Prognose gedeeld door het plafond.")
    kleur = serializers.ChoiceField(choices=(*COLOURS, "onbekend"))


class Prognose(Benutting):
    methode = serializers.CharField(allow_null=True, help_text="run_rate, blend, ...; null als onderdrukt.")


class PlafondsAntwoord(serializers.Serializer):
    peildatum = serializers.DateField()
    drempel = serializers.IntegerField()
    onderdrukt = serializers.BooleanField()
    aanbieders = Benutting(many=True, help_text="Aanbieders met een plafond.")
    gemeenten = Benutting(many=True, help_text="Gemeentebudgetten.")
    categorieen = Benutting(many=True, help_text="Categorie A, B, C (met NGA: het C-budget) en de regio.")


class PrognosesAntwoord(serializers.Serializer):
    peildatum = serializers.DateField()
    drempel = serializers.IntegerField()
    onderdrukt = serializers.BooleanField()
    prognoses = Prognose(many=True)


class Signaal(serializers.Serializer):
    soort = serializers.CharField(help_text="plafond, gemeentebudget, c-budget, waterbed of kpi.")
    soort_label = serializers.CharField()
    niveau = serializers.CharField()
    sleutel = serializers.CharField()
    naam = serializers.CharField()
    ernst = serializers.CharField(help_text="waarschuwing of kritiek.")
    uitleg = serializers.CharField()


class SignalenAntwoord(serializers.Serializer):
    peildatum = serializers.DateField()
    drempel = serializers.IntegerField()
    onderdrukt = serializers.BooleanField()
    signalen = Signaal(many=True)


class Stoplicht(serializers.Serializer):
    aanbieder = serializers.CharField()
    aanbieder_naam = serializers.CharField()
    product = serializers.CharField()
    product_naam = serializers.CharField()
    kleur = serializers.ChoiceField(choices=(*COLOURS, "onbekend"))
    redenen = serializers.ListField(child=serializers.CharField())
    onderdelen = serializers.DictField(
        child=serializers.ChoiceField(choices=(*COLOURS, "onbekend")), help_text="wachttijd, budget, kpi."
    )


class Fout(serializers.Serializer):
    detail = serializers.CharField()


class FoutVelden(Fout):
    velden = serializers.DictField(required=False, help_text="Per parameter wat er mis is.")
