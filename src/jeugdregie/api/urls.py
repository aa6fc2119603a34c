"""The read API under /api/ (docs/api.md). Paths are Dutch, as the screens' paths."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .exceptions import not_found

app_name = "api"

urlpatterns = [
    path("kpi/", views.KpiView.as_view(), name="kpi"),
    path("plafonds/", views.PlafondsView.as_view(), name="plafonds"),
    path("prognoses/", views.PrognosesView.as_view(), name="prognoses"),
    path("signalen/", views.SignalenView.as_view(), name="signalen"),
    path("stoplicht/", views.StoplichtView.as_view(), name="stoplicht"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^.*$", not_found),
]
