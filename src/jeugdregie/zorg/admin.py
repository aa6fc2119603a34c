from django.contrib import admin

from .models import (
    AntwoordRegel,
    AntwoordVerzoek,
    Client,
    Declaratie,
    DeclaratieAntwoord,
    DeclaratieRegel,
    GevraagdeWijziging,
    Toewijzing,
    ToewijzingWijziging,
    VerzoekOmToewijzing,
    VerzoekOmWijziging,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Care facts come from iJw messages only; the admin shows them, it does not edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WijzigingInline(admin.TabularInline):
    model = ToewijzingWijziging
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Toewijzing)
class ToewijzingAdmin(ReadOnlyAdmin):
    list_display = [
        "toewijzingnummer",
        "gemeente",
        "aanbieder",
        "product",
        "ingangsdatum",
        "einddatum",
        "verwijderd",
    ]
    list_filter = ["gemeente", "verwijderd"]
    search_fields = ["toewijzingnummer", "aanbieder__naam"]
    inlines = [WijzigingInline]


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ["pseudoniem", "geboortejaar", "geslacht", "gemeente"]
    list_filter = ["gemeente"]


@admin.register(VerzoekOmToewijzing)
class VerzoekAdmin(ReadOnlyAdmin):
    list_display = ["referentie_aanbieder", "aanbieder", "gemeente", "verwijzer_type", "aangevraagd_op"]
    list_filter = ["verwijzer_type", "gemeente"]


@admin.register(Declaratie)
class DeclaratieAdmin(ReadOnlyAdmin):
    list_display = [
        "declaratienummer",
        "aanbieder",
        "gemeente",
        "periode_begin",
        "periode_eind",
        "totaal_cent",
    ]
    list_filter = ["gemeente"]


@admin.register(DeclaratieRegel)
class DeclaratieRegelAdmin(ReadOnlyAdmin):
    list_display = [
        "referentienummer",
        "aanbieder",
        "gemeente",
        "product",
        "periode_begin",
        "bedrag_cent",
        "afgewezen",
        "afgewezen_retourcode",
    ]
    list_filter = ["gemeente", "debet_credit", "afgewezen"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AntwoordRegelInline(ReadOnlyInline):
    model = AntwoordRegel
    fields = ["regel", "retourcodes", "afgewezen"]
    raw_id_fields = ["regel"]


@admin.register(DeclaratieAntwoord)
class DeclaratieAntwoordAdmin(ReadOnlyAdmin):
    list_display = [
        "declaratie",
        "beantwoord_op",
        "totaal_ingediend_cent",
        "totaal_toegekend_cent",
        "afgewezen_cent",
        "retourcodes",
    ]
    list_filter = ["declaratie__gemeente"]
    search_fields = ["declaratie__declaratienummer", "declaratie__aanbieder__agb_code"]
    raw_id_fields = ["declaratie", "bericht"]
    inlines = [AntwoordRegelInline]

    @admin.display(description="afgewezen (cent)")
    def afgewezen_cent(self, obj):
        return obj.afgewezen_cent


@admin.register(AntwoordRegel)
class AntwoordRegelAdmin(ReadOnlyAdmin):
    list_display = ["regel", "retourcodes", "afgewezen", "antwoord"]
    list_filter = ["afgewezen"]
    search_fields = ["retourcodes", "regel__referentienummer"]
    raw_id_fields = ["regel", "antwoord"]


class GevraagdeWijzigingInline(ReadOnlyInline):
    model = GevraagdeWijziging
    fields = ["soort", "toewijzing", "product", "gewenste_ingangsdatum", "einddatum", "volume", "verlenging"]
    raw_id_fields = ["toewijzing", "product"]


@admin.register(VerzoekOmWijziging)
class VerzoekOmWijzigingAdmin(ReadOnlyAdmin):
    list_display = [
        "referentie_aanbieder",
        "aanbieder",
        "gemeente",
        "reden_verzoek",
        "aangevraagd_op",
        "uitkomst",
    ]
    list_filter = ["reden_verzoek", "gemeente"]
    search_fields = ["referentie_aanbieder", "aanbieder__agb_code"]
    raw_id_fields = ["client", "bericht"]
    inlines = [GevraagdeWijzigingInline]

    @admin.display(description="uitkomst")
    def uitkomst(self, obj):
        from jeugdregie.zorg.requests import request_outcomes

        outcome, decided = request_outcomes([(obj.pk, obj.aanbieder_id, obj.referentie_aanbieder)])[obj.pk]
        return f"{outcome} op {decided:%d-%m-%Y}" if decided else outcome


@admin.register(AntwoordVerzoek)
class AntwoordVerzoekAdmin(ReadOnlyAdmin):
    list_display = [
        "referentie_aanbieder",
        "aanbieder",
        "gemeente",
        "uitkomst",
        "reden_afwijzing",
        "beantwoord_op",
    ]
    list_filter = ["uitkomst", "gemeente"]
    search_fields = ["referentie_aanbieder", "aanbieder__agb_code"]
    raw_id_fields = ["bericht", "verzoek_wijziging", "verzoek_toewijzing"]
