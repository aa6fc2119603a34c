from django.contrib import admin

from .models import Aanbieder, KpiNorm, Raamovereenkomst


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


@admin.register(Raamovereenkomst)
class RaamovereenkomstAdmin(admin.ModelAdmin):
    list_display = [
        "kenmerk",
        "aanbieder",
        "ingangsdatum",
        "einddatum",
        "uiterste_einddatum",
        "ondertekend_op",
    ]
    search_fields = ["kenmerk", "aanbieder__naam"]
    filter_horizontal = ["toegelaten_producten"]


@admin.register(KpiNorm)
class KpiNormAdmin(admin.ModelAdmin):
    list_display = ["kpi", "aanbieder", "minimum", "maximum", "toelichting"]
    list_filter = ["kpi"]
    search_fields = ["kpi", "aanbieder__naam", "aanbieder__agb_code"]
    autocomplete_fields = ["aanbieder"]
