"""The referrers' traffic light per provider and product (SYSTEM.md section 12), from the
forecast (budget), the waiting times of the last 90 days and the stuuropdracht KPIs."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.conf import settings

from jeugdregie.contracten.models import Raamovereenkomst
from jeugdregie.monitoring.facts import load_facts
from jeugdregie.rules.carepaths import waiting_days
from jeugdregie.rules.traffic_light import Light, Thresholds, traffic_light

from .forecasting import forecast_levels
from .signals import kpi_norm_signals

WAITING_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ProviderProductLight:
    aanbieder: str
    aanbieder_naam: str
    product: str
    product_naam: str
    light: Light


def provider_product_lights(as_of: dt.date) -> list[ProviderProductLight]:
    thresholds = Thresholds(**settings.STOPLICHT)
    forecasts = {f.key: f for f in forecast_levels(as_of.year, as_of) if f.level == "aanbieder_groep"}
    facts = load_facts(dt.date(as_of.year - 1, 1, 1), as_of, as_of=as_of)
    window_begin = as_of - dt.timedelta(days=WAITING_WINDOW_DAYS)
    waits: dict[tuple[str, str], list[int]] = {}
    for a in facts.allocations:
        if a.zorg_start and window_begin < a.zorg_start <= as_of:
            days = waiting_days(a)
            if days is not None:
                waits.setdefault((a.aanbieder, a.product), []).append(days)
    out_of_norm: dict[str, list[str]] = {}
    for signal in kpi_norm_signals(as_of, facts):
        out_of_norm.setdefault(signal.sleutel, []).append(signal.uitleg.split(":")[0])
    lights = []
    agreements = Raamovereenkomst.objects.select_related("aanbieder").prefetch_related(
        "toegelaten_producten__groep", "toegelaten_producten__norm"
    )
    for agreement in agreements:
        aanbieder = agreement.aanbieder
        for product in agreement.toegelaten_producten.all():
            forecast = forecasts.get(f"{aanbieder.agb_code}/{product.groep.code}")
            norm = getattr(product, "norm", None)
            median = (
                statistics.median(waits[(aanbieder.agb_code, product.code)])
                if (aanbieder.agb_code, product.code) in waits
                else None
            )
            light = traffic_light(
                projected_utilisation=forecast.projected_utilisation if forecast else None,
                waiting_median_days=median,
                waiting_norm_days=norm.wachttijd_norm_dagen if norm else None,
                kpis_out_of_norm=out_of_norm.get(aanbieder.agb_code, []),
                thresholds=thresholds,
            )
            lights.append(
                ProviderProductLight(aanbieder.agb_code, aanbieder.naam, product.code, product.naam, light)
            )
    return lights
