from django.urls import path

from . import budget, errors, quality, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("kpi/", views.kpis, name="kpis"),
    path("stoplicht/", views.stoplicht, name="stoplicht"),
    path("plafonds/", budget.plafonds, name="plafonds"),
    path("datakwaliteit/", quality.datakwaliteit, name="datakwaliteit"),
    path("uitgelogd/", errors.logged_out, name="uitgelogd"),
]
