from django.urls import path

from . import views

app_name = "contracten"

urlpatterns = [
    path("", views.werklijst, name="werklijst"),
    path("categorieen/", views.categorieen, name="categorieen"),
    path("<str:kenmerk>/", views.overeenkomst, name="overeenkomst"),
]
