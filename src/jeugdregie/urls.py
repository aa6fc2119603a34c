from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Jeugdregie beheer"
admin.site.site_title = "Jeugdregie"
admin.site.index_title = "Beheer van regio, catalogus, contracten en berichten"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("contracten/", include("jeugdregie.contracten.urls")),
    path("rapportage/", include("jeugdregie.rapportage.urls")),
    path("api/", include("jeugdregie.api.urls")),
    path("", include("jeugdregie.web.urls")),
]
