from django.contrib import admin

from .models import Gemeente, JeugdigenAantal, Regio


class JeugdigenInline(admin.TabularInline):
    model = JeugdigenAantal
    extra = 0


@admin.register(Regio)
class RegioAdmin(admin.ModelAdmin):
    list_display = ["naam"]


@admin.register(Gemeente)
class GemeenteAdmin(admin.ModelAdmin):
    list_display = ["naam", "cbs_code", "regio"]
    search_fields = ["naam", "cbs_code"]
    inlines = [JeugdigenInline]
