from django.contrib import admin

from .models import (
    Aanbieder,
    Aanvraag,
    Actiepunt,
    Beoordeling,
    Categoriebesluit,
    ContractDocument,
    Contractgesprek,
    Evaluatiemoment,
    KpiNorm,
    Raamovereenkomst,
    Tertiaalevaluatie,
    Toetredingscriterium,
    Toetredingsvenster,
    Uitkomstmeting,
    Verlengingsbesluit,
)


class RaamovereenkomstInline(admin.StackedInline):
    model = Raamovereenkomst
    extra = 0
    filter_horizontal = ["toegelaten_producten"]


class KpiNormInline(admin.TabularInline):
    model = KpiNorm
    extra = 0
    fields = ["kpi", "minimum", "maximum", "toelichting"]


@admin.register(Aanbieder)
class AanbiederAdmin(admin.ModelAdmin):
    list_display = ["naam", "agb_code", "categorie", "grootteklasse", "is_nga"]
    list_filter = ["categorie", "is_nga", "grootteklasse"]
    search_fields = ["naam", "agb_code"]
    inlines = [RaamovereenkomstInline, KpiNormInline]


class ContractDocumentInline(admin.TabularInline):
    model = ContractDocument
    extra = 0


class EvaluatiemomentInline(admin.TabularInline):
    model = Evaluatiemoment
    extra = 0


class VerlengingsbesluitInline(admin.TabularInline):
    """Decisions are recorded on the contract screen (with who and when); here they are read only."""

    model = Verlengingsbesluit
    extra = 0
    can_delete = False
    readonly_fields = ["optie", "besluit", "reden", "door", "op"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Raamovereenkomst)
class RaamovereenkomstAdmin(admin.ModelAdmin):
    inlines = [ContractDocumentInline, EvaluatiemomentInline, VerlengingsbesluitInline]
    autocomplete_fields = ["contractmanager"]
    list_display = [
        "kenmerk",
        "aanbieder",
        "ingangsdatum",
        "einddatum",
        "uiterste_einddatum",
        "ondertekend_op",
        "contractmanager",
    ]
    search_fields = ["kenmerk", "aanbieder__naam"]
    filter_horizontal = ["toegelaten_producten"]


@admin.register(KpiNorm)
class KpiNormAdmin(admin.ModelAdmin):
    list_display = ["kpi", "aanbieder", "minimum", "maximum", "toelichting"]
    list_filter = ["kpi"]
    search_fields = ["kpi", "aanbieder__naam", "aanbieder__agb_code"]
    autocomplete_fields = ["aanbieder"]


@admin.register(Categoriebesluit)
class CategoriebesluitAdmin(admin.ModelAdmin):
    """Decisions are taken on the category screen (who and when filled in there); read only here."""

    list_display = ["aanbieder", "jaar", "oud", "categorie", "advies", "door", "op"]
    list_filter = ["categorie", "advies", "jaar"]
    search_fields = ["aanbieder__naam", "aanbieder__agb_code", "reden"]
    readonly_fields = ["aanbieder", "jaar", "oud", "categorie", "advies", "reden", "door", "op"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ActiepuntInline(admin.TabularInline):
    model = Actiepunt
    extra = 0


@admin.register(Contractgesprek)
class ContractgesprekAdmin(admin.ModelAdmin):
    list_display = ["aanbieder", "datum", "deelnemers", "vastgelegd_door"]
    search_fields = ["aanbieder__naam", "aanbieder__agb_code", "afspraken"]
    readonly_fields = ["vastgelegd_door", "vastgelegd_op"]
    inlines = [ActiepuntInline]


@admin.register(Tertiaalevaluatie)
class TertiaalevaluatieAdmin(admin.ModelAdmin):
    list_display = ["aanbieder", "tertiaal", "oordeel", "door", "op"]
    list_filter = ["tertiaal", "oordeel"]
    readonly_fields = ["door", "op"]


@admin.register(Uitkomstmeting)
class UitkomstmetingAdmin(admin.ModelAdmin):
    list_display = ["aanbieder", "tertiaal", "indicator", "gemeten", "positief", "door", "op"]
    list_filter = ["indicator", "tertiaal"]
    search_fields = ["aanbieder__naam", "aanbieder__agb_code"]
    readonly_fields = ["door", "op"]


@admin.register(Toetredingsvenster)
class ToetredingsvensterAdmin(admin.ModelAdmin):
    list_display = ["categorie", "opent_op", "sluit_op", "omschrijving"]
    list_filter = ["categorie"]


@admin.register(Toetredingscriterium)
class ToetredingscriteriumAdmin(admin.ModelAdmin):
    list_display = ["categorie", "volgorde", "omschrijving"]
    list_filter = ["categorie"]


class BeoordelingInline(admin.TabularInline):
    model = Beoordeling
    extra = 0
    can_delete = False
    readonly_fields = ["criterium", "voldaan", "toelichting"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Aanvraag)
class AanvraagAdmin(admin.ModelAdmin):
    """Applications are registered and decided on the admission screen (audited); read only here."""

    list_display = [
        "organisatienaam",
        "agb_code",
        "categorie",
        "soort",
        "ingediend_op",
        "status",
        "besloten_door",
    ]
    list_filter = ["status", "categorie", "soort"]
    search_fields = ["organisatienaam", "agb_code"]
    inlines = [BeoordelingInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
