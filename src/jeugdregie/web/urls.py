from django.urls import path

from . import budget, drilldown, entities, errors, exports, overruns, overview, quality, settlement, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("kpi/", views.kpis, name="kpis"),
    path("kpi/excel/", exports.kpis_excel, name="kpis_excel"),
    path("stoplicht/", views.stoplicht, name="stoplicht"),
    path("stoplicht/excel/", exports.stoplicht_excel, name="stoplicht_excel"),
    path("gemeente/<str:cbs>/", entities.gemeente, name="gemeente"),
    path("aanbieder/<str:agb>/", entities.aanbieder, name="aanbieder"),
    path("product/<str:code>/", entities.product, name="product"),
    path("onderbouwing/", drilldown.drilldown, name="drilldown"),
    path("plafonds/", budget.plafonds, name="plafonds"),
    path("overzicht/", overview.overzicht, name="overzicht"),
    path("overzicht/grafiek/<str:naam>/", overview.grafiek, name="overzicht_grafiek"),
    path("plafonds/excel/", exports.plafonds_excel, name="plafonds_excel"),
    path("datakwaliteit/", quality.datakwaliteit, name="datakwaliteit"),
    path("datakwaliteit/excel/", exports.datakwaliteit_excel, name="datakwaliteit_excel"),
    path("uitgelogd/", errors.logged_out, name="uitgelogd"),
    path("afrekening/", settlement.overview, name="afrekening"),
    path("afrekening/aanbieder/<str:agb>/", settlement.provider, name="afrekening_aanbieder"),
    path(
        "afrekening/aanbieder/<str:agb>/excel/", settlement.provider_excel, name="afrekening_aanbieder_excel"
    ),
    path("afrekening/gemeente/<str:cbs>/", settlement.municipality, name="afrekening_gemeente"),
    path(
        "afrekening/gemeente/<str:cbs>/excel/",
        settlement.municipality_excel,
        name="afrekening_gemeente_excel",
    ),
    path("afrekening/vergelijking/", settlement.comparison, name="afrekening_vergelijking"),
    path("afrekening/vergelijking/excel/", settlement.comparison_excel, name="afrekening_vergelijking_excel"),
    path("afrekening/overschrijdingen/", overruns.overruns, name="afrekening_overschrijdingen"),
]
