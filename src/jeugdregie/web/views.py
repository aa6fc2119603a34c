from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from jeugdregie.catalogus.models import ProductBoek
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente


@login_required
def home(request):
    context = {
        "gemeenten": Gemeente.objects.all(),
        "boeken": ProductBoek.objects.all(),
        "aanbieders_aantal": Aanbieder.objects.count(),
    }
    return render(request, "web/home.html", context)
