"""The tertiaalrapportage (SYSTEM.md section 13): the figures of one tertial for the region, one
provider or one municipality, gathered once and shown on screen and in the PDF from the same data.
Provider and municipality versions suppress small numbers (section 6) as outside the regio role;
a municipality's version puts the region's figures beside its own."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from jeugdregie.accounts.models import Rol
from jeugdregie.contracten.models import Aanbieder, effective_kpi_norms
from jeugdregie.monitoring.facts import computed, data_complete_until, load_facts, shared
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import kpi as kpi_rules
from jeugdregie.rules import stuuropdracht as norm_rules
from jeugdregie.rules.forecast import month_end
from jeugdregie.web.access import Scope
from jeugdregie.web.kpi_query import scoped_kpi_rows

KEY_KPIS = (
    "spend",
    "clients",
    "cost_per_client",
    "clients_in_care",
    "allocations_new",
    "avg_duration_months",
    "relapse_rate",
    "dropout_rate",
    "waiting_days",
    "nga_share",
)


class ReportError(ValueError):
    """A request the report cannot answer, with a Dutch message."""


def parse_tertial(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-T([123])", (text or "").strip())
    if not match:
        raise ReportError(f"Tertiaal '{text}' onbekend: schrijf JJJJ-T1, JJJJ-T2 of JJJJ-T3 (bijv. 2025-T2).")
    return int(match.group(1)), int(match.group(2))


def last_complete_tertial(day: dt.date) -> tuple[int, int]:
    """The newest tertial whose last day lies on or before `day`."""
    year, t = norm_rules.tertial_of(day)
    if day == norm_rules.tertial_end(year, t):
        return year, t
    return (year - 1, 3) if t == 1 else (year, t - 1)


@dataclass
class Report:
    year: int
    tertial: int
    aanbieder: Aanbieder | None
    gemeente: Gemeente | None
    as_of: dt.date
    suppressed: bool
    kpis: list[dict[str, Any]] = field(default_factory=list)  # key KPIs: this tertial, a year earlier, region
    trend: list[dict[str, Any]] = field(default_factory=list)  # per tertial: label, spend, clients (+ region)
    ceiling: dict[str, Any] | None = None
    signals: list[dict[str, str]] = field(default_factory=list)
    norms: list[dict[str, Any]] = field(default_factory=list)
    benchmark: list[dict[str, Any]] = field(default_factory=list)
    benchmark_text: str = ""
    settlement: dict[str, Any] | None = None
    quality: list[dict[str, Any]] = field(default_factory=list)
    charts: dict[str, str] = field(default_factory=dict)  # name -> SVG data URI

    @property
    def label(self) -> str:
        return f"{self.year}-T{self.tertial}"

    @property
    def subject(self) -> str:
        if self.aanbieder:
            return f"{self.aanbieder.naam} (AGB {self.aanbieder.agb_code})"
        if self.gemeente:
            return f"gemeente {self.gemeente.naam}"
        return "de regio"

    @property
    def period(self) -> kpi_rules.Period:
        return kpi_rules.tertial(self.year, self.tertial)


def _scope(aanbieder: str | None, gemeente: str | None) -> Scope:
    if aanbieder:
        return Scope(Rol.AANBIEDER, aanbieder=aanbieder)
    if gemeente:
        return Scope(Rol.GEMEENTE, gemeente=gemeente)
    return Scope(Rol.REGIO)


def _kpi_values(scope, year, facts, gemeente=None, aanbieder=None) -> dict[str, dict[str, Any]]:
    rows, _ = scoped_kpi_rows(scope, year, gemeente, aanbieder, facts=facts)
    return {r["id"]: r for r in rows}


def build_report(year: int, t: int, *, aanbieder: str | None = None, gemeente: str | None = None) -> Report:
    if aanbieder and gemeente:
        raise ReportError("Kies een aanbieder of een gemeente, niet allebei.")
    provider = Aanbieder.objects.filter(agb_code=aanbieder).first() if aanbieder else None
    municipality = Gemeente.objects.filter(cbs_code=gemeente).first() if gemeente else None
    if aanbieder and provider is None:
        raise ReportError(f"Onbekende aanbieder (AGB): {aanbieder}")
    if gemeente and municipality is None:
        raise ReportError(f"Onbekende gemeente (CBS-code): {gemeente}")
    complete = data_complete_until()
    end = norm_rules.tertial_end(year, t)
    if end > complete:
        newest = last_complete_tertial(complete)
        raise ReportError(
            f"{year}-T{t} is nog niet compleet: de gegevens lopen tot {complete:%d-%m-%Y}. "
            f"Het laatste volledige tertiaal is {newest[0]}-T{newest[1]}."
        )
    scope = _scope(aanbieder, gemeente)
    report = Report(year, t, provider, municipality, end, scope.suppress_small_numbers)
    facts = load_facts(dt.date(year - 1, 1, 1), dt.date(year, 12, 31), as_of=complete)
    this = _kpi_values(scope, year, facts, gemeente, aanbieder)
    before = _kpi_values(scope, year - 1, facts, gemeente, aanbieder)
    region_this = _kpi_values(Scope(Rol.REGIO), year, facts) if gemeente else {}
    tkey = f"T{t}"
    for kpi_id in KEY_KPIS:
        if kpi_id not in this:
            continue
        row = this[kpi_id]
        report.kpis.append(
            {
                "id": kpi_id,
                "label": row["label"],
                "unit": row["unit"],
                "value": row["tertials"][tkey],
                "before": before[kpi_id]["tertials"][tkey],
                "region": region_this[kpi_id]["tertials"][tkey] if region_this else None,
            }
        )
    region_before = _kpi_values(Scope(Rol.REGIO), year - 1, facts) if gemeente else {}
    for y, values, region_values in ((year - 1, before, region_before), (year, this, region_this)):
        for tt in (1, 2, 3):
            if y == year and tt > t:
                break
            k = f"T{tt}"
            report.trend.append(
                {
                    "label": f"{y}-T{tt}",
                    "spend": values["spend"]["tertials"][k],
                    "clients": values["clients"]["tertials"][k],
                    "region_spend": region_values["spend"]["tertials"][k] if region_values else None,
                    "region_clients": region_values["clients"]["tertials"][k] if region_values else None,
                }
            )
    _ceiling_and_signals(report, aanbieder, gemeente)
    _norms_and_benchmark(report, scope, facts, aanbieder, gemeente)
    _settlement(report, aanbieder, gemeente)
    _quality(report, aanbieder, gemeente)
    from .charts import report_charts

    report.charts = report_charts(report)
    return report


def _ceiling_and_signals(report: Report, aanbieder: str | None, gemeente: str | None) -> None:
    from jeugdregie.budget.forecasting import forecast_levels, forecast_rows
    from jeugdregie.budget.signals import collect_signals
    from jeugdregie.web.budget import SIGNAL_KINDS

    as_of = month_end(report.as_of.year, report.as_of.month)
    # Region-wide: computed once for all reports inside `shared_facts()` (the screens' precompute).
    rows = shared(("forecast rows", report.year), lambda: forecast_rows(report.year))
    levels = shared(
        ("forecast levels", report.year, as_of), lambda: forecast_levels(report.year, as_of, rows=rows)
    )
    level, key = (
        ("aanbieder", aanbieder)
        if aanbieder
        else (("gemeente", gemeente) if gemeente else ("regio", "regio"))
    )
    chosen = next((f for f in levels if f.level == level and f.key == key), None)
    region = next((f for f in levels if f.level == "regio"), None)

    def summary(f):
        if f is None:
            return None
        return {
            "ceiling": f.ceiling_cent,
            "claimed": f.claimed_cent,
            "committed": f.committed_cent,
            "forecast": round(f.chosen.value_cent),
            "low": None if f.chosen.low_cent is None else round(f.chosen.low_cent),
            "high": None if f.chosen.high_cent is None else round(f.chosen.high_cent),
            "share": f.projected_utilisation,
            "method": f.chosen.method,
        }

    report.ceiling = {"own": summary(chosen), "region": summary(region) if gemeente else None}
    names = dict(Aanbieder.objects.values_list("agb_code", "naam")) | dict(
        Gemeente.objects.values_list("cbs_code", "naam")
    )
    signals = shared(
        ("signals", report.year, as_of), lambda: collect_signals(report.year, as_of, rows=rows, levels=levels)
    )
    for s in signals:
        if aanbieder and s.sleutel != aanbieder:
            continue
        if gemeente and s.sleutel != gemeente:
            continue
        report.signals.append(
            {
                "soort": SIGNAL_KINDS.get(s.soort, s.soort),
                "ernst": s.ernst,
                "wie": names.get(s.sleutel, "Categorie C en NGA" if s.niveau == "regio" else s.sleutel),
                "uitleg": s.uitleg,
            }
        )
    if not gemeente:
        from jeugdregie.contracten.models import Raamovereenkomst
        from jeugdregie.contracten.register import register_rows

        queryset = Raamovereenkomst.objects.all()
        if aanbieder:
            queryset = queryset.filter(aanbieder__agb_code=aanbieder)
        idle = []
        for row in register_rows(report.as_of, queryset):
            for s in row.signals:
                if s.soort == "c-beeindigen" and not aanbieder:
                    idle.append(row.ro.aanbieder.naam)
                    continue
                report.signals.append(
                    {"soort": "Contract", "ernst": s.ernst, "wie": row.ro.aanbieder.naam, "uitleg": s.uitleg}
                )
        if idle:  # one line for all idle C agreements: the names, not a page of the same sentence
            report.signals.append(
                {
                    "soort": "Contract",
                    "ernst": "waarschuwing",
                    "wie": f"{len(idle)} C-aanbieders",
                    "uitleg": "Categorie C zonder cliënt in meer dan een jaar, voorstel tot beëindiging: "
                    + ", ".join(sorted(idle))
                    + ".",
                }
            )


def _norms_and_benchmark(report: Report, scope: Scope, facts, aanbieder, gemeente) -> None:
    period = report.period
    all_norms = effective_kpi_norms()
    if aanbieder:
        from jeugdregie.contracten.stuuropdracht import norm_rows

        tkey = f"T{report.tertial}"
        for r in norm_rows(scope, aanbieder, report.year, facts):
            report.norms.append(
                {
                    "label": r.label,
                    "unit": r.unit,
                    "low": r.low,
                    "high": r.high,
                    "value": r.values[tkey],
                    "status": r.status[tkey],
                    "year_value": r.values["jaar"],
                }
            )
            if r.benchmark:
                report.benchmark.append(
                    {
                        "label": r.label,
                        "unit": r.unit,
                        "value": r.values["jaar"],
                        "b": r.benchmark,
                        "position": r.position,
                    }
                )
        from jeugdregie.contracten.outcomes import outcome_rows
        from jeugdregie.contracten.stuuropdracht import peers_of

        provider = Aanbieder.objects.get(agb_code=aanbieder)
        if provider.categorie in ("A", "B") and not provider.is_nga:
            peers = peers_of(aanbieder, facts, report.year)
            for u in outcome_rows(aanbieder, report.year, peers, suppress=True):
                report.norms.append(
                    {
                        "label": u["label"],
                        "unit": "fractie",
                        "low": None,
                        "high": None,
                        "value": u["values"][tkey],
                        "status": None,
                        "year_value": u["values"]["jaar"],
                        "reported": u["reported"],
                    }
                )
                if u["benchmark"]:
                    report.benchmark.append(
                        {
                            "label": u["label"],
                            "unit": "fractie",
                            "value": u["values"]["jaar"],
                            "b": u["benchmark"],
                            "position": u["position"],
                        }
                    )
        report.benchmark_text = (
            f"Vergelijkbare aanbieders: dezelfde categorie en hetzelfde hoofdsegment, jaar {report.year}."
        )
        return
    regional = {k: v for own in all_norms.values() for k, v in own.items()}
    if gemeente:
        values = {r["id"]: r for r in report.kpis}
        for kpi_id, (low, high) in sorted(regional.items()):
            own = computed(kpi_id, facts, period, ("gemeente",))
            value = _suppressed_by_clients(kpi_id, facts, period, "gemeente", gemeente, own.get((gemeente,)))
            whole = computed(kpi_id, facts, period).get(())
            report.norms.append(
                {
                    "label": kpi_rules.REGISTRY[kpi_id].label,
                    "unit": kpi_rules.REGISTRY[kpi_id].unit,
                    "low": low,
                    "high": high,
                    "value": value,
                    "status": norm_rules.norm_status(value, low, high),
                    "region": whole,
                }
            )
        per_municipality = computed("cost_per_client", facts, period, ("gemeente",))
        b = norm_rules.benchmark([float(v) for v in per_municipality.values() if v is not None])
        own_cost = values.get("cost_per_client", {}).get("value")
        if b:
            report.benchmark.append(
                {
                    "label": "Kosten per cliënt",
                    "unit": "cent",
                    "value": own_cost,
                    "b": b,
                    "position": norm_rules.position(own_cost, b),
                }
            )
        report.benchmark_text = f"Alle gemeenten van de regio, {report.label}."
        return
    names = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    for kpi_id in sorted(regional):
        per_provider = computed(kpi_id, facts, period, ("aanbieder",))
        inside, outside = 0, []
        for agb, norms in all_norms.items():
            if kpi_id not in norms or (agb,) not in per_provider:
                continue
            status = norm_rules.norm_status(per_provider[(agb,)], *norms[kpi_id])
            if status == "binnen":
                inside += 1
            elif status == "buiten":
                outside.append(names.get(agb, agb))
        report.norms.append(
            {
                "label": kpi_rules.REGISTRY[kpi_id].label,
                "unit": kpi_rules.REGISTRY[kpi_id].unit,
                "low": regional[kpi_id][0],
                "high": regional[kpi_id][1],
                "inside": inside,
                "outside": sorted(outside),
            }
        )
    per_provider = computed("cost_per_client", facts, period, ("aanbieder",))
    categories = dict(Aanbieder.objects.values_list("agb_code", "categorie"))
    nga = set(Aanbieder.objects.filter(is_nga=True).values_list("agb_code", flat=True))
    for category in ("A", "B", "C"):
        values = [
            float(v)
            for (agb,), v in per_provider.items()
            if v is not None and categories.get(agb) == category and agb not in nga
        ]
        b = norm_rules.benchmark(values)
        if b:
            report.benchmark.append(
                {
                    "label": f"Kosten per cliënt, categorie {category}",
                    "unit": "cent",
                    "value": None,
                    "b": b,
                    "position": None,
                }
            )
    report.benchmark_text = f"Kosten per cliënt per aanbieder in {report.label}, per categorie (zonder NGA)."


def _suppressed_by_clients(kpi_id, facts, period, cut, key, value):
    if value is None:
        return None
    kpi = kpi_rules.REGISTRY[kpi_id]
    clients = {r.client for r in kpi.base(facts, period) if kpi_rules.cut_value(r, cut) == key}
    return None if 0 < len(clients) < int(settings.SMALL_NUMBER_THRESHOLD) else value


def _settlement(report: Report, aanbieder: str | None, gemeente: str | None) -> None:
    from jeugdregie.budget.settlement import SettlementError, settle

    as_of = month_end(report.as_of.year, report.as_of.month)

    def settled():
        try:
            return settle(report.year, as_of=as_of)
        except SettlementError as error:
            return error

    s = shared(("settlement", report.year, as_of), settled)
    if isinstance(s, SettlementError):
        report.settlement = {"error": str(s)}
        return
    groups = s.groups
    if aanbieder:
        groups = tuple(s.for_provider(aanbieder))

    def outlook(kind: str) -> int | None:
        found = [g.outlook[kind].paid_cents for g in groups if g.outlook and kind in g.outlook]
        return sum(found) if found else None

    result = {
        "claimed": sum(g.outcome.claimed_cents for g in groups),
        "paid": sum(g.outcome.paid_cents for g in groups),
        "unpaid": sum(g.outcome.unpaid_cents for g in groups),
        "low": outlook("low"),
        "mid": outlook("mid"),
        "high": outlook("high"),
        "rules": s.rules.name,
        "groups": len(groups),
    }
    if gemeente:
        own = next((m for m in s.municipalities if m.cbs == gemeente), None)
        result = {
            "claimed": own.claimed_cents if own else 0,
            "paid": own.charged_cents if own else 0,
            "unpaid": (own.claimed_cents - own.charged_cents) if own else 0,
            "low": None,
            "mid": None,
            "high": None,
            "rules": result["rules"],
            "groups": len(s.for_municipality(gemeente)),
            "region_claimed": result["claimed"],
            "region_paid": result["paid"],
        }
    report.settlement = result


def _quality(report: Report, aanbieder: str | None, gemeente: str | None) -> None:
    from jeugdregie.monitoring.dataquality import check_totals

    limit = int(settings.SMALL_NUMBER_THRESHOLD)
    for check in check_totals(report.year, gemeente=gemeente, aanbieder=aanbieder, as_of=report.as_of):
        if not check["count"]:
            continue
        hidden = report.suppressed and 0 < check["clients"] < limit
        report.quality.append(
            {
                "label": check["label"],
                "severity": check["severity"],
                "count": None if hidden else check["count"],
                "clients": None if hidden else check["clients"],
                "bedrag": None if hidden else check["bedrag_cent"],
            }
        )
