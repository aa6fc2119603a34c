"""The settlement statements as Excel workbooks a controller can check by hand (openpyxl).

Each workbook has a sheet "Invoer" with the rule set (its tiers as a table the formulas refer to),
and per row the formula as a real Excel formula: R = the sum of the norm lines' reductions,
A per the overrun policy, E = MAX(0, MIN(D-R, C+A)), paid = ROUND(the sum over the tiers of
factor x the part of [0, E) in the tier's band, 2), unpaid = D - paid. Beside the formula stands
the amount Jeugdregie computed (exact fractions, rounded once) and the difference, which must be
0. Amounts are in euros with the format code `#,##0.00`, which a Dutch Excel shows as 1.234,56.
Charges and solidarity contributions are split by largest remainder, which is no Excel formula:
they are values, with the exact (unrounded) share beside them as a formula."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jeugdregie.budget.settlement import Settlement
from jeugdregie.budget.settlement_report import labels as rule_set_labels

from .excel import BOLD, euros, header_row
from .excel import to_bytes as _bytes
from .settlement_rows import MunicipalityStatement, ProviderStatement, rule_set_summary

EURO = "#,##0.00"
FACTOR = "0.00##"
SHARE = "0.0000%"
DATE = "dd-mm-yyyy"
TIER_ROW = 12  # first row of the tier table on the sheet "Invoer"


def _table(ws: Worksheet, headers: Sequence[str], widths: Sequence[int], freeze: str = "A2") -> None:
    header_row(ws, headers, widths)
    ws.freeze_panes = freeze


def _format(ws: Worksheet, columns: Sequence[str], code: str, first: int = 2) -> None:
    for col in columns:
        for row in range(first, ws.max_row + 1):
            ws[f"{col}{row}"].number_format = code


def _inputs(wb: Workbook, title: str, status: str, s: Settlement) -> Worksheet:
    """The sheet "Invoer": what the statement is about and the rule set; the tiers from row
    TIER_ROW (B: from, C: to, D: factor, as shares of the ceiling)."""
    ws = wb.active
    ws.title = "Invoer"
    r = rule_set_summary(s.rules)
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    rows = [
        ("Status", status),
        ("Regelset", r["naam"]),
        ("Bron", r["bron"]),
        ("Omschrijving", " ".join(r["omschrijving"].split())),
        ("Overschrijdingen", r["overschrijdingen"]),
        ("Normduur", r["normduur"]),
        ("Verdeelsleutel", r["sleutel"]),
    ]
    for i, (label, value) in enumerate(rows, start=3):
        ws.cell(row=i, column=1, value=label).font = BOLD
        ws.cell(row=i, column=2, value=value)
    head = TIER_ROW - 1
    for col, text in enumerate(("Schijf", "Vanaf (× plafond)", "Tot (× plafond)", "Factor"), start=1):
        ws.cell(row=head, column=col, value=text).font = BOLD
    for i, tier in enumerate(r["schijven"]):
        row = TIER_ROW + i
        ws.cell(row=row, column=1, value=i + 1)
        ws.cell(row=row, column=2, value=float(tier["van"])).number_format = FACTOR
        if tier["tot"] is not None:
            ws.cell(row=row, column=3, value=float(tier["tot"])).number_format = FACTOR
        ws.cell(row=row, column=4, value=float(tier["factor"])).number_format = FACTOR
    note = TIER_ROW + len(r["schijven"]) + 1
    ws.cell(
        row=note,
        column=1,
        value="Uitbetaald = AFRONDEN(som over de schijven van factor × het deel van [0; E) in de schijf; 2). "
        "E = MAX(0; MIN(D − R; C + A)). Wie een factor of grens hierboven wijzigt, ziet het effect op het "
        "blad Afrekening; de kolom 'Jeugdregie' houdt het berekende bedrag vast.",
    )
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 22
    ws.column_dimensions["C"].width = 18
    ws.column_dimensions["D"].width = 12
    return ws


def _paid_formula(row: int, tiers: int) -> str:
    """ROUND(sum over tiers of factor x MAX(0, MIN(E, to x C) - from x C), 2); the last band is
    open. H is E (eligible), E is C (ceiling) on the sheet "Afrekening"."""
    parts = []
    for i in range(tiers):
        t = TIER_ROW + i
        start, factor = f"Invoer!$B${t}*E{row}", f"Invoer!$D${t}"
        if i < tiers - 1:
            parts.append(f"{factor}*MAX(0,MIN(H{row},Invoer!$C${t}*E{row})-{start})")
        else:
            parts.append(f"{factor}*MAX(0,H{row}-{start})")
    return f"=ROUND({'+'.join(parts)},2)"


def provider_workbook(s: Settlement, st: ProviderStatement, names: dict[str, str], final: bool) -> bytes:
    wb = Workbook()
    status = "definitief" if final else "voorlopig: het jaar loopt nog of de declaraties zijn niet compleet"
    _inputs(wb, f"Afrekening {s.year}: {st.naam} (AGB {st.agb}, categorie {st.categorie})", status, s)
    tiers = len(s.rules.tiers)

    # Norm lines first: the sheet "Afrekening" sums their reductions per group.
    lines = wb.create_sheet("Normduur")
    _table(
        lines,
        [
            "Regel-id",
            "Groep",
            "Gemeente",
            "Product",
            "Periode van",
            "Periode tot",
            "Zorgpad begonnen",
            "Normduur (maanden)",
            "Einde normduur",
            "Bedrag",
            "Factor",
            "Korting = bedrag − AFRONDEN(bedrag × factor; 2)",
            "Korting (Jeugdregie)",
        ],
        [10, 8, 10, 12, 12, 12, 14, 10, 14, 14, 8, 20, 14],
    )
    span: dict[str, tuple[int, int]] = {}
    for n in st.norm_lines:
        row = lines.max_row + 1
        line = n.line
        lines.append(
            [
                line.regel_id,
                line.groep,
                line.cbs,
                line.product,
                line.periode_begin,
                line.periode_eind,
                line.zorgpad_begin,
                line.normduur_maanden,
                line.norm_end,
                euros(line.bedrag_cent),
                float(n.factor),
                f"=J{row}-ROUND(J{row}*K{row},2)",
                euros(n.reduction_cents),
            ]
        )
        first, _ = span.get(line.groep, (row, row))
        span[line.groep] = (first, row)
    _format(lines, "EFGI", DATE)
    _format(lines, "JLM", EURO)
    _format(lines, "K", FACTOR)

    ws = wb.create_sheet("Afrekening", 1)
    _table(
        ws,
        [
            "Groep",
            "Naam",
            "Gedeclareerd (D)",
            "Normkorting (R)",
            "Plafond (C)",
            "Vastgelegde goedkeuring",
            "Goedgekeurd meegeteld (A)",
            "Subsidiabel (E)",
            "Uitbetaald",
            "Niet uitbetaald",
            "Uitbetaald (Jeugdregie)",
            "Verschil",
        ],
        [8, 28, 16, 14, 16, 14, 14, 16, 16, 16, 16, 10],
        freeze="C2",
    )
    for g in st.groups:
        o = g.outcome
        row = ws.max_row + 1
        if g.groep in span:
            first, last = span[g.groep]
            reduction = f"=SUM(Normduur!L{first}:L{last})"
        else:
            reduction = euros(o.after_norm_reduction_cents)
        if o.ceiling_cents is None:
            approved, eligible, paid = 0, f"=C{row}-D{row}", f"=H{row}"
        else:
            approved = {"none": 0, "all": f"=MAX(0,C{row}-D{row}-E{row})", "recorded": f"=F{row}"}[
                s.rules.overruns
            ]
            eligible = f"=MAX(0,MIN(C{row}-D{row},E{row}+G{row}))"
            paid = _paid_formula(row, tiers)
        ws.append(
            [
                g.groep,
                names.get(g.groep, ""),
                euros(o.claimed_cents),
                reduction,
                euros(o.ceiling_cents),
                euros(g.recorded_overrun_cents),
                approved,
                eligible,
                paid,
                f"=C{row}-I{row}",
                euros(o.paid_cents),
                f"=ROUND(I{row}-K{row},2)",
            ]
        )
    last = ws.max_row
    ws.append(["Totaal", ""] + [f"=SUM({c}2:{c}{last})" for c in "CDEFGHIJKL"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    _format(ws, "CDEFGHIJKL", EURO)

    charges = wb.create_sheet("Toerekening", 2)
    _table(
        charges,
        [
            "Groep",
            "CBS",
            "Gemeente",
            "Productie (gewicht)",
            "Uitbetaald aan de groep",
            "Exact aandeel = uitbetaald × gewicht / som gewichten",
            "Toegerekend (grootste rest)",
        ],
        [8, 8, 22, 16, 16, 22, 16],
    )
    group_row = {g.groep: i for i, g in enumerate(st.groups, start=2)}
    keyed = {g.groep: g.key for g in st.groups}
    by_group: dict[str, list] = {}
    for c in st.charges:
        by_group.setdefault(c.groep, []).append(c)
    for groep, rows in by_group.items():
        first = charges.max_row + 1
        last = first + len(rows) - 1
        exact = keyed[groep] == "production" and all(c.charge_cents is not None for c in rows)
        for c in rows:
            row = charges.max_row + 1
            charges.append(
                [
                    groep,
                    c.cbs,
                    c.naam,
                    euros(c.production_cents) if c.charge_cents is not None else "minder dan 5 cliënten",
                    f"=Afrekening!I{group_row[groep]}",
                    f"=E{row}*D{row}/SUM(D${first}:D${last})" if exact else None,
                    euros(c.charge_cents),
                ]
            )
    _format(charges, "DEFG", EURO)
    for ws_ in (ws, charges, lines):
        ws_.sheet_view.zoomScale = 100
    wb.active = 1
    return _bytes(wb)


def municipality_workbook(
    s: Settlement, st: MunicipalityStatement, names: dict[str, str], final: bool
) -> bytes:
    wb = Workbook()
    status = "definitief" if final else "voorlopig: het jaar loopt nog of de declaraties zijn niet compleet"
    _inputs(wb, f"Afrekening {s.year}: gemeente {st.naam} ({st.cbs})", status, s)

    ws = wb.create_sheet("Toerekening")
    _table(
        ws,
        ["AGB", "Aanbieder", "Groep", "Groepnaam", "Gedeclareerd voor de gemeente", "Toegerekend"],
        [10, 34, 8, 26, 18, 16],
        freeze="C2",
    )
    for r in st.rows:
        ws.append(
            [r.agb, r.naam, r.groep, names.get(r.groep, ""), euros(r.claimed_cents), euros(r.charge_cents)]
        )
    if st.rest is not None:
        ws.append(["", st.rest.naam, "", "", euros(st.rest.claimed_cents), euros(st.rest.charge_cents)])
    last = ws.max_row
    ws.append(["Totaal", "", "", "", f"=SUM(E2:E{last})", f"=SUM(F2:F{last})"])
    total_row = ws.max_row
    for cell in ws[total_row]:
        cell.font = BOLD
    _format(ws, "EF", EURO)

    sol = wb.create_sheet("Solidariteit")
    _table(
        sol,
        [
            "Categorie",
            "Groepen",
            "Grondslag",
            "Jaren",
            "Grondslag gemeente (3-jaarsgemiddelde)",
            "Aandeel",
            "Kosten categorie (regio)",
            "Eigen kosten",
            "Bijdrage (grootste rest)",
            "Bijdrage exact = kosten × aandeel",
            "Saldo = bijdrage − eigen kosten",
        ],
        [14, 16, 22, 11, 18, 12, 16, 16, 16, 16, 16],
    )
    for line in st.solidarity:
        row = sol.max_row + 1
        basis = line.basis_value
        if basis is not None and line.basis == "claimed_3y":
            basis = float(basis) / 100  # cents -> euros
        elif basis is not None:
            basis = float(basis)
        sol.append(
            [
                line.category,
                ", ".join(line.groups),
                line.basis,
                f"{line.years[0]}-{line.years[-1]}" if line.years else "",
                basis,
                float(line.share),
                euros(line.cost_cents),
                euros(line.row.own_cost_cents),
                euros(line.row.contribution_cents),
                f"=G{row}*F{row}",
                f"=I{row}-H{row}",
            ]
        )
    last_sol = sol.max_row
    sol.append(["Totaal", "", "", "", None, None, None] + [f"=SUM({c}2:{c}{last_sol})" for c in "HIJK"])
    for cell in sol[sol.max_row]:
        cell.font = BOLD
    _format(sol, "GHIJK", EURO)
    _format(sol, "E", "#,##0.00")
    _format(sol, "F", SHARE)

    saldo = wb.create_sheet("Saldo")
    _table(saldo, ["Post", "Bedrag"], [44, 18])
    saldo.append(["Toegerekend (blad Toerekening)", f"=Toerekening!F{total_row}"])
    saldo.append(["Saldo solidariteit (blad Solidariteit)", f"=Solidariteit!K{sol.max_row}"])
    saldo.append(["Te dragen na solidariteit", "=B2+B3"])
    saldo.append(["Te dragen na solidariteit (Jeugdregie)", euros(st.after_solidarity_cents)])
    saldo["A4"].font = BOLD
    _format(saldo, "B", EURO)
    wb.active = 1
    return _bytes(wb)


def comparison_workbook(
    settlements: Sequence[Settlement], data: dict, names: dict[str, str], only: str | None = None
) -> bytes:
    """Paid per provider x group and charged per municipality under each rule set; the
    differences against the first rule set as formulas. `only`: a municipality's own row."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Regelsets"
    _table(
        ws,
        [
            "Label",
            "Naam",
            "Bron",
            "Schijven (vanaf × plafond: factor)",
            "Overschrijdingen",
            "Normduur",
            "Sleutel",
        ],
        [16, 16, 30, 40, 30, 14, 22],
    )
    for label, s in zip(rule_set_labels(settlements), settlements, strict=True):
        r = rule_set_summary(s.rules)
        tiers = "; ".join(f"{t['van']}: {t['factor']}" for t in r["schijven"])
        ws.append([label, r["naam"], r["bron"], tiers, r["overschrijdingen"], r["normduur"], r["sleutel"]])
    labels = [r["label"] for r in data["rule_sets"]]
    n = len(labels)

    def side_by_side(
        sheet: Worksheet, fixed: int, sum_from: int, rows: list[list], amounts: list[list[int]]
    ) -> None:
        """`fixed` columns of text and inputs, then the amount per rule set, then the differences;
        a total row sums the columns from `sum_from` on."""
        first = get_column_letter(fixed + 1)
        for base, values in zip(rows, amounts, strict=True):
            row = sheet.max_row + 1
            diffs = [f"={get_column_letter(fixed + 1 + i)}{row}-{first}{row}" for i in range(n)]
            sheet.append(base + [euros(v) for v in values] + diffs)
        last = sheet.max_row
        cols = [get_column_letter(i) for i in range(sum_from, fixed + 2 * n + 1)]
        sheet.append(["Totaal"] + [""] * (sum_from - 2) + [f"=SUM({c}2:{c}{last})" for c in cols])
        for cell in sheet[sheet.max_row]:
            cell.font = BOLD
        _format(sheet, cols, EURO)

    if only is None:
        providers = wb.create_sheet("Aanbieders")
        _table(
            providers,
            ["AGB", "Aanbieder", "Groep", "Plafond", "Gedeclareerd"]
            + [f"Uitbetaald {x}" for x in labels]
            + [f"Verschil {x} − {labels[0]}" for x in labels],
            [10, 34, 8, 16, 16] + [16] * (2 * n),
            freeze="D2",
        )
        side_by_side(
            providers,
            5,
            4,
            [
                [g["agb"], g["naam"], g["groep"], euros(g["ceiling_cents"]), euros(g["claimed_cents"])]
                for g in data["groups"]
            ],
            [[g["paid_cents"][x] for x in labels] for g in data["groups"]],
        )
    municipalities = wb.create_sheet("Gemeenten")
    rows = [m for m in data["municipalities"] if only is None or m["cbs"] == only]
    _table(
        municipalities,
        ["CBS", "Gemeente", "Gedeclareerd"]
        + [f"Toegerekend {x}" for x in labels]
        + [f"Verschil {x} − {labels[0]}" for x in labels],
        [8, 22, 16] + [16] * (2 * n),
        freeze="C2",
    )
    side_by_side(
        municipalities,
        3,
        3,
        [[m["cbs"], m["naam"], euros(m["claimed_cents"])] for m in rows],
        [[m["charged_cents"][x] for x in labels] for m in rows],
    )
    wb.active = 1
    return _bytes(wb)
