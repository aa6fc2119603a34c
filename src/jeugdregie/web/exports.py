"""Excel downloads of the screens' tables (issue 12): KPI's, Datakwaliteit, Plafonds en signalen
and Stoplicht, at `<screen>/excel/` with the screen's own query string.

Each export is built from the same context function the screen renders (views.kpi_context,
quality.quality_context, budget.plafonds_context, views.stoplicht_context), so it holds exactly
the rows and numbers the screen shows for the same filters and role, with the same access checks
(403/404 for another party's code) and the same suppression: a cell the screen shows as "-" is "-"
in the workbook too. Differences with the screen are presentation only: amounts are numbers to the
cent (the Plafonds screen rounds to whole euros), percentages are numbers with one decimal, and
the Stoplicht and Datakwaliteit exports hold every matching row instead of one page or the first
25 findings per check."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required

from jeugdregie.accounts.models import AuditRegel
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.regio.models import Gemeente

from . import excel
from .budget import plafonds_context
from .context import logged_in_as
from .excel import DATE, MONEY, Cell, Column, count, money, number, percent
from .formatting import SUPPRESSED, format_kpi, product_names
from .quality import quality_context
from .views import kpi_context, stoplicht_context


def _role(request) -> str:
    return f"rol: {logged_in_as(request).get('ingelogd_als', '')}"


def _suppression_note(context: dict) -> list[str]:
    if context["scope"].suppress_small_numbers:
        return [f"'{SUPPRESSED}': niet getoond, het cijfer rust op minder dan {context['drempel']} cliënten."]
    return []


def _filters(gemeente: str | None, aanbieder: str | None) -> str:
    parts = []
    if gemeente:
        naam = Gemeente.objects.filter(cbs_code=gemeente).values_list("naam", flat=True).first()
        parts.append(f"gemeente {naam} ({gemeente})")
    else:
        parts.append("hele regio")
    if aanbieder:
        naam = Aanbieder.objects.filter(agb_code=aanbieder).values_list("naam", flat=True).first()
        parts.append(f"aanbieder {naam} (AGB {aanbieder})")
    else:
        parts.append("alle aanbieders")
    return ", ".join(parts)


def _slug(*parts: str | int | None) -> str:
    return "-".join(str(p) for p in parts if p)


# KPI's ------------------------------------------------------------------------------------------


def kpi_cell(value, unit: str, names: dict[str, str]):
    """A KPI value as the screen shows it, but as a number with its format where it is one."""
    if value is None:
        return SUPPRESSED
    if unit == "cent":
        return money(value)
    if unit == "fractie":
        return percent(value)
    if unit == "dagen":
        return Cell(number(value), '#,##0 "dagen"' if float(value).is_integer() else '#,##0.0 "dagen"')
    if unit == "maanden":
        return Cell(number(value), '#,##0.0 "maanden"')
    if unit == "aantal":
        return count(value)
    return format_kpi(value, unit, names)  # the top care paths and shares per code: text


def kpi_workbook(request, context: dict) -> bytes:
    names = product_names()
    wb = excel.new_workbook()
    title = (
        f"KPI's {context['jaar']}: "
        f"{_filters(context['gekozen_gemeente'], context['gekozen_aanbieder'])}; {_role(request)}"
    )
    columns = [Column("KPI", 46), Column("Jaar", 18), Column("T1", 18), Column("T2", 18), Column("T3", 18)]
    rows = [
        [row["label"]] + [kpi_cell(v, row["unit"], names) for v in (row["value"], *row["tertials"].values())]
        for row in context["rows"]
    ]
    notes = [
        "Kosten worden toegerekend aan de periode van de zorg (productperiode).",
        *_suppression_note(context),
    ]
    excel.table(wb, "KPI's", title, context["tot"], columns, rows, notes)
    return excel.to_bytes(wb)


@login_required
def kpis_excel(request):
    context = kpi_context(request)
    name = _slug("kpi", context["jaar"], context["gekozen_gemeente"], context["gekozen_aanbieder"])
    return excel.response(kpi_workbook(request, context), f"{name}.xlsx")


# Datakwaliteit ----------------------------------------------------------------------------------


def quality_workbook(request, context: dict) -> bytes:
    wb = excel.new_workbook()
    what = f"{context['jaar']}: {_filters(context['gekozen_gemeente'], context['gekozen_aanbieder'])}"
    notes = ["Bedragen zijn netto (debet min credit), toegerekend aan de productperiode."]
    if not context["shows_findings"]:
        notes += _suppression_note(context)
    excel.table(
        wb,
        "Samenvatting",
        f"Datakwaliteit {what}; {_role(request)}",
        context["tot_datum"],
        [Column("Controle", 48), Column("Ernst", 10), Column("Bevindingen", 13), Column("Cliënten", 11)]
        + [Column("Bedrag", 16)],
        [
            [c["label"], c["severity_label"], count(c["count"]), count(c["clients"])]
            + [money(c["bedrag_getoond_cent"])]
            for c in context["checks"]
        ],
        notes,
    )
    if context["regel_checks"]:
        excel.table(
            wb,
            "iJw-regels",
            f"Datakwaliteit {what}: iJw-regels, gemeld, niet geweigerd; {_role(request)}",
            context["tot_datum"],
            [Column("Regel", 9), Column("Retourcode", 11), Column("Controle", 48), Column("Ernst", 10)]
            + [Column("Bevindingen", 13), Column("Cliënten", 11), Column("Bedrag", 16)],
            [
                [c["tr"], c["retourcode"], c["label"], c["severity_label"], count(c["count"])]
                + [count(c["clients"]), money(c["bedrag_getoond_cent"])]
                for c in context["regel_checks"]
            ],
            notes,
        )
    if context["antwoorden"]:
        _answers_sheets(wb, f"Datakwaliteit {what}", _role(request), context)
    if context["shows_findings"]:
        excel.table(
            wb,
            "Bevindingen",
            f"Datakwaliteit {what}: alle bevindingen; {_role(request)}",
            context["tot_datum"],
            [
                Column("Controle", 34),
                Column("Gemeente", 14),
                Column("Aanbieder", 30),
                Column("Cliënt (pseudoniem)", 14),
                Column("Toewijzing", 16),
                Column("Product", 30),
                Column("Van", 12, DATE),
                Column("Tot en met", 12, DATE),
                Column("Bedrag", 14, MONEY),
                Column("Waarom", 60),
            ],
            [
                [
                    f"{c['tr']} {c['label']}" if "tr" in c else c["label"],
                    f["gemeente_naam"] or f["gemeente"],
                    f["aanbieder_naam"] or f["aanbieder"],
                    f["client"] or "-",
                    ", ".join(str(nummer or id_) for id_, nummer in f["toewijzing_refs"]),
                    f["product_label"],
                    f["van"],
                    f["tot"] or "open einde",
                    excel.euros(f["bedrag_cent"]),
                    f["uitleg"],
                ]
                for c in [*context["checks"], *context["regel_checks"]]
                for f in c["shown"]
            ],
            ["Cliënten staan er alleen met een verkort pseudoniem in."],
        )
        AuditRegel.objects.create(
            user=request.user, actie="datakwaliteit gedownload (Excel)", object_omschrijving=what
        )
    return excel.to_bytes(wb)


def _answers_sheets(wb, head: str, role: str, context: dict) -> None:
    """The municipality's answers: rejected claim lines per provider and per return code, change
    requests per provider; hidden rows ("-") as on the screen."""
    answers, day = context["antwoorden"], context["tot_datum"]
    rejected = answers["afwijzingen"]

    def rejection(n: dict) -> list:
        return [count(n["regels"]), count(n["afgewezen_regels"]), money(n["ingediend_cent"])] + [
            money(n["afgewezen_cent"]),
            percent(n["aandeel"]),
        ]

    excel.table(
        wb,
        "Afwijzingen per aanbieder",
        f"{head}: afgewezen declaratieregels (JW325) per aanbieder; {role}",
        day,
        [Column("Aanbieder", 34), Column("AGB", 10), Column("Regels ingediend", 12)]
        + [Column("Afgewezen regels", 12), Column("Ingediend", 16), Column("Afgewezen", 16)]
        + [Column("Afgewezen aandeel", 12)],
        [
            [r["naam"] or r["aanbieder"], r["aanbieder"], *rejection(r["getallen"])]
            for r in rejected["per_aanbieder"]
        ]
        + [["Totaal", "", *rejection(rejected["totaal_getallen"])]],
        _suppression_note(context),
    )
    codes_note = (
        [
            f"De verdeling over retourcodes wordt niet getoond: een retourcode rust op minder dan {context['drempel']} cliënten."
        ]
        if rejected["codes_verborgen"]
        else []
    )
    excel.table(
        wb,
        "Afwijzingen per retourcode",
        f"{head}: afgewezen declaratieregels (JW325) per retourcode; {role}",
        day,
        [
            Column("Retourcode", 11),
            Column("Regel", 9),
            Column("Betekenis", 50),
            Column("Afgewezen regels", 12),
        ]
        + [Column("Afgewezen", 16), Column("Aandeel van ingediend", 12)],
        [
            [r["retourcode"], r["tr"] or "-", r["betekenis"], count(r["getallen"]["afgewezen_regels"])]
            + [money(r["getallen"]["afgewezen_cent"]), percent(r["getallen"]["aandeel"])]
            for r in rejected["per_retourcode"]
        ],
        codes_note,
    )
    requests = answers["verzoeken"]

    def request_numbers(n: dict) -> list:
        days = n["mediaan_dagen"]
        return [count(n[k]) for k in ("ingediend", "beslist", "toegekend", "afgewezen")] + [
            percent(n["aandeel_toegekend"]),
            "-" if days is None else Cell(number(days), '#,##0.0 "dagen"'),
        ]

    excel.table(
        wb,
        "Wijzigingsverzoeken",
        f"{head}: wijzigingsverzoeken (JW317 / JW319) per aanbieder; {role}",
        day,
        [Column("Aanbieder", 34), Column("AGB", 10)]
        + [Column(h, 11) for h in ("Ingediend", "Beslist", "Toegekend", "Afgewezen")]
        + [Column("Aandeel toegekend", 12), Column("Dagen tot beslissing (mediaan)", 14)],
        [
            [r["naam"] or r["aanbieder"], r["aanbieder"], *request_numbers(r["getallen"])]
            for r in requests["per_aanbieder"]
        ]
        + [["Totaal", "", *request_numbers(requests["totaal_getallen"])]],
        _suppression_note(context),
    )


@login_required
def datakwaliteit_excel(request):
    context = quality_context(request, every_finding=True)
    name = _slug("datakwaliteit", context["jaar"], context["gekozen_gemeente"], context["gekozen_aanbieder"])
    return excel.response(quality_workbook(request, context), f"{name}.xlsx")


# Plafonds en signalen ---------------------------------------------------------------------------

LEVEL_COLUMNS = ["Kleur", "{kop}", "{grens}", "Gedeclareerd", "Vastgelegd", "Prognose"] + [
    "Bandbreedte laag",
    "Bandbreedte hoog",
    "Benutting",
]


def _level_sheet(wb, name: str, title: str, as_of: dt.date, rows, kop: str, grens: str) -> None:
    headers = [h.format(kop=kop, grens=grens) for h in LEVEL_COLUMNS]
    widths = [10, 40, 18, 18, 18, 18, 18, 18, 11]
    excel.table(
        wb,
        name,
        title,
        as_of,
        [Column(h, w) for h, w in zip(headers, widths, strict=True)],
        [
            [r.colour, r.naam, money(r.ceiling_cent), money(r.claimed_cent), money(r.committed_cent)]
            + [money(r.forecast_cent), money(r.low_cent), money(r.high_cent), percent(r.share)]
            for r in rows
        ],
    )


def plafonds_workbook(request, context: dict) -> bytes:
    wb = excel.new_workbook()
    as_of = context["as_of"]
    head = f"Plafonds en signalen {as_of.year}, peildatum {as_of:%d-%m-%Y}"
    role = _role(request)
    if context["categories"]:
        _level_sheet(
            wb,
            "Regio en categorieën",
            f"{head}: regio en categorieën; {role}",
            as_of,
            context["categories"],
            "Niveau",
            "Plafond / budget",
        )
    excel.table(
        wb,
        "Signalen",
        f"{head}: signalen; {role}",
        as_of,
        [Column("Ernst", 14), Column("Soort", 16), Column("Over", 34), Column("Toelichting", 90)],
        [[s["signal"].ernst, s["soort"], s["naam"], s["signal"].uitleg] for s in context["signals"]],
    )
    outlook = context.get("vooruitblik")
    if outlook and not outlook.get("fout"):
        excel.table(
            wb,
            "Vooruitblik regio",
            f"{head}: vooruitblik afrekening, regelset {outlook['regels']['naam']}; {role}",
            as_of,
            [Column("Prognose", 12), Column("Prognose gedeclareerd", 20), Column("Uitbetaald", 20)]
            + [Column("Ingehouden", 20)],
            [
                [t["band"], money(t["prognose"]), money(t["betaald"]), money(t["ingehouden"])]
                for t in outlook["totaal"]
            ],
        )
        bands = ("laag", "midden", "hoog")
        excel.table(
            wb,
            "Vooruitblik aanbieders",
            f"{head}: aanbieders die naar verwachting boven hun plafond uitkomen; {role}",
            as_of,
            [Column("Aanbieder", 34), Column("AGB", 10), Column("Groep", 8), Column("Groepnaam", 26)]
            + [Column(h, 16, MONEY) for h in ("Plafond", "Goedgekeurd", "Gedeclareerd")]
            + [
                Column(f"{what} {b}", 16, MONEY)
                for what in ("Prognose", "Uitbetaald", "Ingehouden")
                for b in bands
            ],
            [
                [r["naam"], r["agb"], r["groep"], r["groepnaam"]]
                + [excel.euros(r["plafond"]), excel.euros(r["goedgekeurd"]), excel.euros(r["gedeclareerd"])]
                + [excel.euros(v) for key in ("prognose", "betaald", "ingehouden") for v in r[key]]
                for r in outlook["rows"]
            ],
            [
                f"{outlook['binnen']} aanbieder-groepen blijven ook bij de hoge prognose binnen wat wordt betaald."
            ],
        )
    _level_sheet(
        wb,
        "Aanbieders",
        f"{head}: aanbieders met een plafond; {role}",
        as_of,
        context["providers"],
        "Aanbieder",
        "Plafond",
    )
    if context["municipalities"]:
        _level_sheet(
            wb,
            "Gemeenten",
            f"{head}: gemeenten; {role}",
            as_of,
            context["municipalities"],
            "Gemeente",
            "Budget",
        )
    return excel.to_bytes(wb)


@login_required
def plafonds_excel(request):
    context = plafonds_context(request)
    return excel.response(plafonds_workbook(request, context), f"plafonds-{context['as_of']:%Y-%m-%d}.xlsx")


# Stoplicht --------------------------------------------------------------------------------------


def stoplicht_workbook(request, context: dict) -> bytes:
    wb = excel.new_workbook()
    chosen = [
        f"zoek '{context['zoek']}'" if context["zoek"] else "",
        f"kleur {context['kleur']}" if context["kleur"] else "",
        f"gemeente {context['gemeente']}" if context["gemeente"] else "",
        f"segment {context['segment']}" if context["segment"] else "",
        f"product {context['product']}" if context["product"] else "",
    ]
    filters = ", ".join(c for c in chosen if c) or "geen filters"
    notes = [f"{context['gevonden']} van de {context['totaal']} combinaties van aanbieder en product."]
    if context["scope"].suppress_small_numbers:
        notes.append(
            f"Onderdelen die op minder dan {context['drempel']} cliënten rusten worden niet getoond "
            "en tellen niet mee voor de kleur."
        )
    excel.table(
        wb,
        "Stoplicht",
        f"Stoplicht, peildatum {context['as_of']:%d-%m-%Y}: {filters}; {_role(request)}",
        context["as_of"],
        [Column("Kleur", 10), Column("Aanbieder", 36), Column("AGB", 10), Column("Productcode", 12)]
        + [Column("Product", 36), Column("Toelichting", 100)],
        [
            [x.light.colour.label, x.aanbieder_naam, x.aanbieder, x.product, x.product_naam]
            + ["; ".join(x.light.reasons)]
            for x in context["selected"]
        ],
        notes,
    )
    return excel.to_bytes(wb)


@login_required
def stoplicht_excel(request):
    context = stoplicht_context(request)
    return excel.response(stoplicht_workbook(request, context), f"stoplicht-{context['as_of']:%Y-%m-%d}.xlsx")
