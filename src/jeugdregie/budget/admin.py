from django.contrib import admin

from .models import (
    Beleidsaanpassing,
    CBudget,
    GoedgekeurdeOverschrijding,
    Plafond,
    PlafondVerdeling,
    PlafondWijziging,
    Regelset,
    RegelsetActivering,
)


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


class WhoWhenAdmin(admin.ModelAdmin):
    """Who and when are set from the request, never typed; a saved record is read-only, so the
    history stays what it was (a change is a new record)."""

    who_field = "door"

    def get_readonly_fields(self, request, obj=None):
        fixed = [self.who_field, "op"]
        if obj is not None:
            return [f.name for f in self.model._meta.fields if f.name != "id"]
        return fixed

    def save_model(self, request, obj, form, change):
        if not change:
            setattr(obj, self.who_field, request.user)
        super().save_model(request, obj, form, change)


@admin.register(GoedgekeurdeOverschrijding)
class GoedgekeurdeOverschrijdingAdmin(WhoWhenAdmin):
    list_display = ["aanbieder", "groep", "jaar", "bedrag_cent", "door", "op", "reden"]
    list_filter = ["jaar", "groep__code"]
    search_fields = ["aanbieder__naam", "aanbieder__agb_code", "reden"]
    autocomplete_fields = ["aanbieder"]


@admin.register(Regelset)
class RegelsetAdmin(WhoWhenAdmin):
    list_display = ["naam", "versie", "toelichting", "door", "op"]
    search_fields = ["naam"]

    def get_readonly_fields(self, request, obj=None):
        return list(dict.fromkeys([*super().get_readonly_fields(request, obj), "versie"]))


@admin.register(RegelsetActivering)
class RegelsetActiveringAdmin(WhoWhenAdmin):
    list_display = ["jaar", "regelset", "door", "op", "toelichting"]
    list_filter = ["jaar"]
