from django.urls import path

from . import admission_views, outcome_views, talk_views, views

app_name = "contracten"

urlpatterns = [
    path("", views.werklijst, name="werklijst"),
    path("categorieen/", views.categorieen, name="categorieen"),
    path("gesprekken/", talk_views.gesprekken, name="gesprekken"),
    path("uitkomsten/", outcome_views.uitkomsten, name="uitkomsten"),
    path("toetreding/", admission_views.toetreding, name="toetreding"),
    path("toetreding/<int:pk>/", admission_views.aanvraag, name="aanvraag"),
    path("stuuropdracht/<str:agb>/", talk_views.stuuropdracht, name="stuuropdracht"),
    path("<str:kenmerk>/", views.overeenkomst, name="overeenkomst"),
]
