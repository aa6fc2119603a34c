from django.contrib import admin

from .models import Indexering, Norm, Product, ProductBoek, ProductGroep, ProductMapping, Segment, Tarief


class TariefInline(admin.TabularInline):
    model = Tarief
    extra = 0
    fields = ["jaar", "bedrag_cent", "indexering"]
    readonly_fields = ["indexering"]


class NormInline(admin.StackedInline):
    model = Norm
    extra = 0


@admin.register(ProductBoek)
class ProductBoekAdmin(admin.ModelAdmin):
    list_display = ["naam", "geldig_van", "geldig_tot"]


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    list_display = ["code", "naam"]


@admin.register(ProductGroep)
class ProductGroepAdmin(admin.ModelAdmin):
    list_display = ["naam", "code", "segment", "boek"]
    list_filter = ["boek", "segment"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = [
        "naam",
        "categorie",
        "code",
        "groep",
        "eenheid",
        "bekostigingsvorm",
        "meerwerk_maatwerk",
        "boek",
    ]
    list_filter = ["boek", "groep__segment", "bekostigingsvorm", "meerwerk_maatwerk", "eenheid"]
    search_fields = ["naam", "code"]
    inlines = [NormInline, TariefInline]


@admin.register(Tarief)
class TariefAdmin(admin.ModelAdmin):
    list_display = ["product", "jaar", "bedrag_cent", "indexering"]
    list_filter = ["jaar", "product__boek"]
    search_fields = ["product__naam"]


@admin.register(Indexering)
class IndexeringAdmin(admin.ModelAdmin):
    list_display = ["van_jaar", "naar_jaar", "percentage", "uitgevoerd_op", "uitgevoerd_door"]
    readonly_fields = ["uitgevoerd_op", "uitgevoerd_door"]


@admin.register(ProductMapping)
class ProductMappingAdmin(admin.ModelAdmin):
    list_display = ["oud_product", "nieuw_product", "toelichting"]
    search_fields = ["oud_product__naam", "nieuw_product__naam"]


@admin.register(Norm)
class NormAdmin(admin.ModelAdmin):
    list_display = [
        "product",
        "duur_min_maanden",
        "duur_max_maanden",
        "intensiteit_min",
        "intensiteit_max",
        "tarieffactor_na_normduur",
        "wachttijd_norm_dagen",
    ]
