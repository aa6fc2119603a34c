from django.contrib import admin

from .models import Aanlevering, Bericht, QuarantaineItem


@admin.register(Aanlevering)
class AanleveringAdmin(admin.ModelAdmin):
    list_display = [
        "bestandsnaam",
        "ontvangen_op",
        "status",
        "berichten",
        "regels",
        "geaccepteerd",
        "in_quarantaine",
        "dubbel",
    ]
    list_filter = ["status"]
    search_fields = ["bestandsnaam", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Bericht)
class BerichtAdmin(admin.ModelAdmin):
    list_display = ["soort", "afzender", "ontvanger", "identificatie", "dagtekening", "verwerkt_op"]
    list_filter = ["soort"]
    search_fields = ["identificatie", "afzender"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuarantaineItem)
class QuarantaineAdmin(admin.ModelAdmin):
    list_display = [
        "aangemaakt_op",
        "bestandsnaam",
        "niveau",
        "soort",
        "bericht_identificatie",
        "element",
        "tr",
        "retourcode",
        "regel",
        "status",
        "pogingen",
    ]
    list_filter = ["status", "niveau", "soort", "tr", "retourcode", "regel"]
    search_fields = ["bestandsnaam", "bericht_identificatie", "melding", "regel_referentie"]
    readonly_fields = [f.name for f in QuarantaineItem._meta.fields if f.name != "payload"] + ["inhoud"]
    exclude = ["payload"]
    actions = ["opnieuw_verwerken", "afhandelen"]

    @admin.display(description="inhoud (geredigeerd: zonder BSN, naam en adres)")
    def inhoud(self, obj):
        from django.utils.html import format_html

        return format_html(
            "<pre style='white-space:pre-wrap'>{}</pre>", bytes(obj.payload).decode("utf-8", "replace")
        )

    def has_add_permission(self, request):
        return False

    @admin.action(description="Geselecteerde items opnieuw verwerken")
    def opnieuw_verwerken(self, request, queryset):
        from .services import Ingester

        before = queryset.filter(status=QuarantaineItem.Status.OPEN).count()
        summary = Ingester().reprocess(queryset.filter(status=QuarantaineItem.Status.OPEN))
        self.message_user(
            request,
            f"{summary.reprocessed} van {before} open items opnieuw verwerkt; "
            "de overige staan nog open met de nieuwe reden.",
        )

    @admin.action(description="Afhandelen zonder verwerking (bijv. afzender levert opnieuw aan)")
    def afhandelen(self, request, queryset):
        from django.utils import timezone

        count = queryset.filter(status=QuarantaineItem.Status.OPEN).update(
            status=QuarantaineItem.Status.AFGEHANDELD, afgehandeld_op=timezone.now()
        )
        self.message_user(request, f"{count} items afgehandeld.")
