"""The municipality's answers on the Datakwaliteit screen: rejected claim lines (JW325) per
provider and per return code, and change requests (JW317 / JW319) per provider, as
``jeugdregie.monitoring.claim_answers`` computes them (the registry's KPIs).

Small numbers (SYSTEM.md section 6), outside the regio role: a row resting on fewer clients than
the threshold is shown as "-". Rows of one table add up to its total, so when rows are hidden,
rows hidden together must rest on at least the threshold of clients, else the smallest shown rows
are hidden with them (otherwise the total minus the shown rows gives a hidden row away). The
return codes are shown all or none, as the KPI screen does with the breakdown per code.
"""

from __future__ import annotations

from typing import Any

from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.services import format_value
from jeugdregie.rules.dataquality import format_euro
from jeugdregie.rules.suppression import hidden_rows

from .access import Scope
from .kpi_query import threshold

REJECTION_NUMBERS = ("regels", "afgewezen_regels", "ingediend_cent", "afgewezen_cent", "aandeel")
REQUEST_NUMBERS = ("ingediend", "beslist", "toegekend", "afgewezen", "aandeel_toegekend", "mediaan_dagen")


def _too_small(clients: int, scope: Scope) -> bool:
    return scope.suppress_small_numbers and 0 < clients < threshold()


def _hide_rows(rows: list[dict[str, Any]], scope: Scope) -> None:
    """Mark rows ``verborgen`` by the small-number rule, with complementary hiding (module doc,
    jeugdregie.rules.suppression)."""
    if not scope.suppress_small_numbers:
        for row in rows:
            row["verborgen"] = False
        return
    for row, hidden in zip(rows, hidden_rows([r["clients"] for r in rows], threshold()), strict=True):
        row["verborgen"] = hidden


def _shown(row: dict[str, Any], numbers: tuple[str, ...]) -> dict[str, Any]:
    return {**row, **{k: None for k in numbers}} if row.get("verborgen") else row


def _rejection_cells(row: dict[str, Any]) -> dict[str, str]:
    if row["regels"] is None:
        return {k: "-" for k in ("regels", "afgewezen_regels", "ingediend", "afgewezen", "aandeel")}
    return {
        "regels": f"{row['regels']:,}".replace(",", "."),
        "afgewezen_regels": f"{row['afgewezen_regels']:,}".replace(",", "."),
        "ingediend": format_euro(row["ingediend_cent"]),
        "afgewezen": format_euro(row["afgewezen_cent"]),
        "aandeel": format_value(row["aandeel"], "fractie"),
    }


def _request_cells(row: dict[str, Any]) -> dict[str, str]:
    if row["ingediend"] is None:
        return {k: "-" for k in REQUEST_NUMBERS}
    return {
        **{k: str(row[k]) for k in ("ingediend", "beslist", "toegekend", "afgewezen")},
        "aandeel_toegekend": format_value(row["aandeel_toegekend"], "fractie"),
        "mediaan_dagen": format_value(row["mediaan_dagen"], "dagen"),
    }


def answers_context(answers: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The two tables as the screen shows them to `scope`: display strings, "-" where hidden."""
    names = dict(Aanbieder.objects.values_list("agb_code", "naam"))
    rejected = answers["afwijzingen"]
    total = dict(rejected["totaal"], verborgen=_too_small(rejected["totaal"]["clients"], scope))
    providers = [dict(r) for r in rejected["per_aanbieder"]]
    _hide_rows(providers, scope)
    codes = [dict(r) for r in rejected["per_retourcode"]]
    codes_hidden = any(_too_small(r["clients"], scope) for r in codes) or total["verborgen"]
    requests = answers["verzoeken"]
    request_total = dict(requests["totaal"], verborgen=_too_small(requests["totaal"]["clients"], scope))
    request_rows = [dict(r) for r in requests["per_aanbieder"]]
    _hide_rows(request_rows, scope)
    return {
        "afwijzingen": {
            "totaal": _rejection_cells(_shown(total, REJECTION_NUMBERS)),
            "totaal_getallen": _shown(total, REJECTION_NUMBERS),  # numbers for the Excel export
            "per_aanbieder": [
                {
                    "aanbieder": r["aanbieder"],
                    "naam": names.get(r["aanbieder"], ""),
                    **_rejection_cells(_shown(r, REJECTION_NUMBERS)),
                    "getallen": _shown(r, REJECTION_NUMBERS),
                }
                for r in providers
            ],
            "per_retourcode": []
            if codes_hidden
            else [
                {
                    "retourcode": r["retourcode"],
                    "tr": r["tr"] or "",
                    "betekenis": r["betekenis"],
                    "afgewezen_regels": str(r["afgewezen_regels"]),
                    "afgewezen": format_euro(r["afgewezen_cent"]),
                    "aandeel": format_value(r["aandeel"], "fractie"),
                    "getallen": r,
                }
                for r in codes
            ],
            "codes_verborgen": codes_hidden and bool(codes),
        },
        "verzoeken": {
            "totaal": _request_cells(_shown(request_total, REQUEST_NUMBERS)),
            "totaal_getallen": _shown(request_total, REQUEST_NUMBERS),
            "per_aanbieder": [
                {
                    "aanbieder": r["aanbieder"],
                    "naam": names.get(r["aanbieder"], ""),
                    **_request_cells(_shown(r, REQUEST_NUMBERS)),
                    "getallen": _shown(r, REQUEST_NUMBERS),
                }
                for r in request_rows
            ],
        },
    }
