from django.contrib import admin

from .models import Client, Declaratie, DeclaratieRegel, Toewijzing, ToewijzingWijziging, VerzoekOmToewijzing


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
    list_display = ["referentienummer", "aanbieder", "gemeente", "product", "periode_begin", "bedrag_cent"]
    list_filter = ["gemeente", "debet_credit"]
