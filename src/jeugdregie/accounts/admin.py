from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from .models import AuditRegel, Profiel


class ProfielInline(admin.StackedInline):
    model = Profiel
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class GebruikerAdmin(UserAdmin):
    inlines = [ProfielInline]
    list_display = ["username", "email", "is_staff", "rol"]

    @admin.display(description="rol")
    def rol(self, obj):
        return obj.profiel.get_rol_display() if hasattr(obj, "profiel") else "-"


@admin.register(AuditRegel)
class AuditRegelAdmin(admin.ModelAdmin):
    list_display = ["moment", "user", "actie", "object_omschrijving"]
    list_filter = ["actie"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
