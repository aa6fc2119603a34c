from django.urls import path

from . import views

app_name = "rapportage"

urlpatterns = [
    path("", views.rapport, name="rapport"),
    path("pdf/", views.rapport_pdf, name="pdf"),
]
