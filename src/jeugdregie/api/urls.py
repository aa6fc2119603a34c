"""The read API under /api/ (docs/api.md). Paths are Dutch, as the screens' paths."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer

from . import views
from .exceptions import not_found

app_name = "api"


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for logged-in users and tokens only (SPECTACULAR_SETTINGS
    SERVE_PERMISSIONS); a refusal is the API's Dutch JSON, not YAML."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response


urlpatterns = [
    path("kpi/", views.KpiView.as_view(), name="kpi"),
    path("plafonds/", views.PlafondsView.as_view(), name="plafonds"),
    path("prognoses/", views.PrognosesView.as_view(), name="prognoses"),
    path("signalen/", views.SignalenView.as_view(), name="signalen"),
    path("stoplicht/", views.StoplichtView.as_view(), name="stoplicht"),
    path("schema/", SchemaView.as_view(), name="schema"),
    re_path(r"^.*$", not_found),
]
