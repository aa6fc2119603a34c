"""Drill-down (issue 12): from a KPI number or an amount to the records it rests on.

The records are the KPI's own base records (jeugdregie.rules.kpi: claim lines, allocations, care
paths or change requests of the period) cut with the KPI engine's own cuts (gemeente, aanbieder,
categorie, segment, groep, product, verwijzer), so that the rows listed add up to the number they
came from: the KPI's value is computed again on exactly these rows and shown beside them.

Who sees what (SYSTEM.md section 6), decided here: client-level rows (pseudonyms only) for regio,
for an aanbieder its own (the filter is forced to it), for a gemeente user only with
its own municipality chosen; every page of rows is written to the audit log. Everyone else sees
the totals only, suppressed when they rest on fewer clients than the threshold.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from functools import lru_cache
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Max, Sum
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from jeugdregie.accounts.models import AuditRegel, Rol
from jeugdregie.catalogus.models import Segment
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.facts import data_complete_until, load_facts
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules import kpi as rules
from jeugdregie.rules.carepaths import AllocationFact, CarePath
from jeugdregie.rules.kpi_answers import ChangeRequestFact
from jeugdregie.rules.suppression import hidden_rows
from jeugdregie.zorg.models import VERWIJZERS, DeclaratieRegel, Toewijzing

from .access import Scope, choose_year, known_code, newest_whole_year, scope_of, years_with_data
from .budget import data_version
from .formatting import format_kpi, number, product_label, product_names
from .kpi_query import _suppress_value, threshold
from .settlement_rows import group_names

PER_PAGE = 50
CUT_LABELS = {
    "gemeente": "Gemeente",
    "aanbieder": "Aanbieder",
    "categorie": "Categorie",
    "segment": "Segment",
    "groep": "Productgroep",
    "product": "Product",
    "verwijzer": "Type verwijzer",
}
_CODE = re.compile(r"^[0-9A-Za-z]{0,20}$")
TERTIAL_MONTHS = {"jaar": (1, 12), "T1": (1, 4), "T2": (5, 8), "T3": (9, 12)}


def facts_version() -> tuple:
    """Changes whenever the care facts change (messages, claim lines, allocations)."""
    return (
        data_version()[0],
        tuple(DeclaratieRegel.objects.aggregate(n=Count("pk"), m=Max("pk"), s=Sum("bedrag_cent")).values()),
        tuple(Toewijzing.objects.aggregate(n=Count("pk"), m=Max("pk")).values()),
    )


@lru_cache(maxsize=2)
def _facts(year: int, version: tuple) -> rules.Facts:
    return load_facts(dt.date(year, 1, 1), dt.date(year, 12, 31))


def year_facts(year: int) -> rules.Facts:
    """The KPI facts of a year, read once per version of the data (a year of the demo region
    takes seconds to read; paging through a drill-down must not read it again)."""
    return _facts(year, facts_version())


def drill_url(kpi_id: str, year: int, months: tuple[int, int] = (1, 12), **cuts: str | None) -> str:
    """The drill-down of one number: the KPI, the year, the months and the cuts it was taken on."""
    query: dict[str, Any] = {"kpi": kpi_id, "jaar": year}
    if months != (1, 12):
        query |= {"van": months[0], "tot": months[1]}
    query |= {k: v for k, v in cuts.items() if v}
    return reverse("web:drilldown") + "?" + urlencode(query)


def sees_client_rows(scope: Scope, gemeente: str | None) -> bool:
    if scope.rol == Rol.GEMEENTE:
        return gemeente is not None and gemeente == scope.gemeente
    # Not beheer: application administrators manage users and configuration (SYSTEM.md section 1).
    return scope.rol in (Rol.REGIO, Rol.AANBIEDER)


def period_of(year: int, first: int, last: int) -> rules.Period:
    begin = rules.month(year, first).begin
    end = rules.month(year, last).end
    label = str(year) if (first, last) == (1, 12) else f"{begin:%m}-{end:%m} {year}"
    return rules.Period(begin, end, label)


def _month(raw: str | None, default: int) -> int:
    try:
        value = int(raw or default)
    except ValueError:
        return default
    return value if 1 <= value <= 12 else default


def parse_cuts(get) -> dict[str, str]:
    """The cuts asked for in the query string; gemeente and aanbieder must exist (404 otherwise),
    the others are codes (anything else is refused as unknown)."""
    cuts: dict[str, str] = {}
    for cut in rules.CUTS:
        value = (get.get(cut) or "").strip()
        if not value:
            continue
        if not _CODE.match(value):
            raise Http404(f"Onbekende waarde voor {cut}.")
        cuts[cut] = value
    known_code(cuts.get("gemeente"), Gemeente, "cbs_code")
    known_code(cuts.get("aanbieder"), Aanbieder, "agb_code")
    return cuts


def select(facts: rules.Facts, kpi: rules.Kpi, period: rules.Period, cuts: dict[str, str]) -> list[Any]:
    """The KPI's base records in the period within the cuts: what its number rests on."""
    by = tuple(c for c in rules.CUTS if c in cuts)
    key = tuple(cuts[c] for c in by)
    return [r for r in kpi.base(facts, period) if tuple(rules.cut_value(r, c) for c in by) == key]


def kind_of(records: list[Any]) -> str:
    first = records[0] if records else None
    if isinstance(first, CarePath):
        return "zorgpaden"
    if isinstance(first, AllocationFact):
        return "toewijzingen"
    if isinstance(first, ChangeRequestFact):
        return "verzoeken"
    return "declaratieregels"


def _sort_key(record: Any) -> tuple:
    if isinstance(record, CarePath):
        return (record.begin, record.client, record.product_categorie)
    if isinstance(record, AllocationFact):
        return (record.ingangsdatum, record.aanbieder, record.client, record.id)
    if isinstance(record, ChangeRequestFact):
        return (record.aangevraagd_op, record.aanbieder, record.id)
    return (record.periode_begin, record.aanbieder, record.client, record.product, record.bedrag_cent)


def totals(records: list[Any]) -> dict[str, Any]:
    """Rows, distinct clients and (for claim lines) the net amount of the records."""
    amount = sum(r.bedrag_cent for r in records) if kind_of(records) == "declaratieregels" else None
    return {"rows": len(records), "clients": len({r.client for r in records}), "amount_cent": amount}


def per_product(records: list[Any], scope: Scope, client_rows: bool) -> list[dict[str, Any]]:
    """Rows, clients and amount per product: shown to everyone, suppressed outside regio (unless
    the user sees the rows themselves) when resting on fewer clients than the threshold."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for r in records:
        product = r.last.product if isinstance(r, CarePath) else r.product
        groups[product].append(r)
    per = [(product, totals(rows)) for product, rows in sorted(groups.items())]
    # The products add up to the totals above them: complementary suppression.
    if scope.suppress_small_numbers and not client_rows:
        hidden = hidden_rows([t["clients"] for _, t in per], threshold())
    else:
        hidden = [False] * len(per)
    return [
        {"product": product, **({k: None for k in t} if h else t)}
        for (product, t), h in zip(per, hidden, strict=True)
    ]


def _row(
    record: Any, names: dict[str, str], providers: dict[str, str], places: dict[str, str]
) -> dict[str, Any]:
    """A record as a table row: pseudonyms only, never a BSN or a name."""
    common = {
        "client": record.client,
        "gemeente": places.get(getattr(record, "gemeente", ""), getattr(record, "gemeente", "")),
    }
    if isinstance(record, CarePath):
        last = record.last
        return {
            **common,
            "gemeente": places.get(last.gemeente, last.gemeente),
            "aanbieder": providers.get(last.aanbieder, last.aanbieder),
            "product": " > ".join(product_label(p, names) for p in record.products),
            "van": record.begin,
            "tot": record.end,
            "detail": f"{len(record.allocations)} toewijzing(en), productcategorie {record.product_categorie}",
        }
    if isinstance(record, AllocationFact):
        return {
            **common,
            "aanbieder": providers.get(record.aanbieder, record.aanbieder),
            "product": product_label(record.product, names),
            "van": record.ingangsdatum,
            "tot": record.einddatum,
            "detail": f"toewijzing {record.id}, volume {record.volume if record.volume is not None else '-'}"
            + (f", start zorg {record.zorg_start:%d-%m-%Y}" if record.zorg_start else ""),
        }
    if isinstance(record, ChangeRequestFact):
        return {
            **common,
            "aanbieder": providers.get(record.aanbieder, record.aanbieder),
            "product": product_label(record.product, names),
            "van": record.aangevraagd_op,
            "tot": record.beslist_op,
            "detail": f"verzoek {record.id}: {record.uitkomst}",
        }
    return {
        **common,
        "aanbieder": providers.get(record.aanbieder, record.aanbieder),
        "product": product_label(record.product, names),
        "van": record.periode_begin,
        "tot": record.periode_eind,
        "detail": f"volume {record.volume}"
        + (f", afgewezen ({record.retourcode})" if record.afgewezen else ""),
        "bedrag": exact_euro(record.bedrag_cent),
        "bedrag_cent": record.bedrag_cent,
    }


def exact_euro(cents: int | None) -> str:
    """Exact to the cent: a drill-down must add up to the figure it came from."""
    if cents is None:
        return "-"
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}EUR {whole:,}".replace(",", ".") + f",{rest:02d}"


def _choices(scope: Scope, cuts: dict[str, str], gemeenten: dict, providers: dict) -> list[dict[str, Any]]:
    """The selectors of the form: municipality, provider (an aanbieder only its own), category,
    segment and referrer type, each with the current choice."""
    own = {scope.aanbieder: providers.get(scope.aanbieder, scope.aanbieder)} if scope.aanbieder else providers
    if scope.rol == Rol.GEMEENTE:  # another municipality is refused (web.access)
        gemeenten = {scope.gemeente: gemeenten.get(scope.gemeente, scope.gemeente)}
    options = {
        "gemeente": ("Gemeente", "Hele regio", sorted(gemeenten.items(), key=lambda kv: kv[1])),
        "aanbieder": ("Aanbieder", "Alle aanbieders", sorted(own.items(), key=lambda kv: kv[1])),
        "categorie": ("Categorie", "Alle", [(c, c) for c in ("A", "B", "C", "NGA")]),
        "segment": ("Segment", "Alle", list(Segment.objects.values_list("code", "naam"))),
        "verwijzer": ("Type verwijzer", "Alle", VERWIJZERS),
    }
    if scope.aanbieder:
        options["aanbieder"] = ("Aanbieder", None, options["aanbieder"][2])
    return [
        {"cut": cut, "label": label, "all": all_label, "options": values, "chosen": cuts.get(cut, "")}
        for cut, (label, all_label, values) in options.items()
    ]


@login_required
def drilldown(request):
    scope = scope_of(request.user)
    kpi = rules.REGISTRY.get(request.GET.get("kpi") or "spend")
    if kpi is None:
        raise Http404("Onbekende KPI.")
    latest = data_complete_until()
    jaar, melding = choose_year(request.GET.get("jaar"), years_with_data(latest), newest_whole_year(latest))
    first, last = _month(request.GET.get("van"), 1), _month(request.GET.get("tot"), 12)
    if first > last:
        first, last = last, first
    cuts = parse_cuts(request.GET)
    gemeente, aanbieder = scope.allowed_filter(cuts.get("gemeente"), cuts.get("aanbieder"))
    cuts = {k: v for k, v in (cuts | {"gemeente": gemeente, "aanbieder": aanbieder}).items() if v}
    period = period_of(jaar, first, last)
    facts = year_facts(jaar)
    records = sorted(select(facts, kpi, period, cuts), key=_sort_key)
    client_rows = sees_client_rows(scope, gemeente)
    value = kpi.value(list(records), facts, period) if records else None
    found = totals(records)
    if scope.suppress_small_numbers and not client_rows:
        value = _suppress_value(kpi, value, records, facts, jaar)
        if 0 < found["clients"] < threshold():
            found = {k: None for k in found}
    names = product_names()
    providers = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    gemeenten = dict(Gemeente.objects.values_list("cbs_code", "naam"))
    page = None
    if client_rows:
        page = Paginator(records, PER_PAGE).get_page(request.GET.get("pagina"))
        page_rows = [_row(r, names, providers, gemeenten) for r in page.object_list]
        if page_rows:
            described = ", ".join(f"{k} {v}" for k, v in cuts.items()) or "regio"
            AuditRegel.objects.create(
                user=request.user,
                actie="drill-down: regels bekeken",
                object_omschrijving=f"{kpi.id} {period.label} ({described}) pagina {page.number}"[:300],
            )
    else:
        page_rows = []
    query = {"kpi": kpi.id, "jaar": jaar, "van": first, "tot": last, **cuts}
    labels: dict[str, dict[str, str]] = {
        "gemeente": gemeenten,
        "aanbieder": providers,
        "segment": {code: f"{code} {naam}" for code, naam in Segment.objects.values_list("code", "naam")},
        "groep": group_names(),
        "verwijzer": {code: f"{code} {naam}" for code, naam in VERWIJZERS},
        "categorie": {},
    }
    context = {
        "scope": scope,
        "kpi": kpi,
        "jaar": jaar,
        "van": first,
        "tot": last,
        "maanden": range(1, 13),
        "jaren": years_with_data(latest),
        "period": period,
        "melding": melding,
        "cuts": [
            {
                "cut": c,
                "label": CUT_LABELS[c],
                "value": v,
                "shown": product_label(v, names) if c == "product" else labels[c].get(v, v),
            }
            for c, v in cuts.items()
        ],
        "kind": kind_of(records),
        "value": format_kpi(value, kpi.unit, names),
        "aantal_regels": found["rows"],
        "aantal_tekst": "-" if found["rows"] is None else number(found["rows"]),
        "clienten_tekst": "-" if found["clients"] is None else number(found["clients"]),
        "aantal_clienten": found["clients"],
        "totaal_cent": found["amount_cent"],
        "totaal": exact_euro(found["amount_cent"]),
        "client_rows": client_rows,
        "page": page,
        "rows": page_rows,
        "producten": [
            {
                **p,
                "label": product_label(p["product"], names),
                "bedrag": exact_euro(p["amount_cent"]),
                "rows_tekst": "-" if p["rows"] is None else number(p["rows"]),
                "clients_tekst": "-" if p["clients"] is None else number(p["clients"]),
            }
            for p in per_product(records, scope, client_rows)
        ],
        "query": urlencode(query),
        "drempel": threshold(),
        "kpis": [(k.id, k.label) for k in rules.REGISTRY.values()],
        "keuzes": _choices(scope, cuts, gemeenten, providers),
        "vaste_uitsnede": [(c, v) for c, v in cuts.items() if c in ("groep", "product")],
    }
    return render(request, "web/drilldown.html", context)
