from django.contrib import admin

from .models import Beleidsaanpassing, CBudget, Plafond, PlafondVerdeling, PlafondWijziging


class VerdelingInline(admin.TabularInline):
    model = PlafondVerdeling
    extra = 0
    can_delete = False
    readonly_fields = ["gemeente", "bedrag_cent"]

    def has_add_permission(self, request, obj=None):
        return False


class WijzigingInline(admin.TabularInline):
    model = PlafondWijziging
    extra = 0
    can_delete = False
    readonly_fields = ["oud_cent", "nieuw_cent", "door", "op", "reden"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plafond)
class PlafondAdmin(admin.ModelAdmin):
    list_display = [
        "aanbieder",
        "groep",
        "jaar",
        "referentie_cent",
        "berekend_cent",
        "bedrag_cent",
        "basis",
        "handmatig",
    ]
    list_filter = ["jaar", "groep__code", "handmatig", "basis"]
    search_fields = ["aanbieder__naam", "aanbieder__agb_code"]
    readonly_fields = [
        "aanbieder",
        "groep",
        "jaar",
        "referentiejaar",
        "referentie_cent",
        "berekend_cent",
        "bedrag_cent",
        "basis",
        "handmatig",
    ]
    inlines = [VerdelingInline, WijzigingInline]

    def has_add_permission(self, request):
        return False


@admin.register(Beleidsaanpassing)
class BeleidsaanpassingAdmin(admin.ModelAdmin):
    list_display = ["jaar", "segment", "aanbieder", "percentage", "toelichting"]
    list_filter = ["jaar"]


@admin.register(CBudget)
class CBudgetAdmin(admin.ModelAdmin):
    list_display = ["jaar", "referentiejaar", "bedrag_cent"]
