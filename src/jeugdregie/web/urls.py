from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("kpi/", views.kpis, name="kpis"),
    path("stoplicht/", views.stoplicht, name="stoplicht"),
]
