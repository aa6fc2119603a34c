"""A settlement as JSON and as Dutch text tables (the `settle` and `settle-compare` commands).
The JSON shape is documented in docs/settlement.md, section "Commands and JSON"."""

from __future__ import annotations

from collections.abc import Sequence

from jeugdregie.rules import settlement as rules

from .settlement import BANDS, GroupSettlement, Settlement


def euro(cents: int | None) -> str:
    """Dutch notation: 1.234.567,89 (a minus sign before negatives); "-" for none."""
    if cents is None:
        return "-"
    text = f"{abs(cents) / 100:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    return f"-{text}" if cents < 0 else text


def c_budget_line(use: rules.CBudgetUse) -> str:
    """The C budget beside what the providers without a ceiling were paid, in Dutch: what is left,
    or by how much (and to what share) it was overrun."""
    head = "C-budget (categorie C en NGA, geen individueel plafond): "
    if use.budget_cents is None:
        return f"{head}niet vastgesteld; uitbetaald {euro(use.paid_cents)}."
    text = f"{head}{euro(use.budget_cents)}, uitbetaald {euro(use.paid_cents)}"
    share = "" if use.share is None else f" ({use.share * 100:.1f}%)".replace(".", ",")
    if use.overrun_cents:
        return f"{text}, overschreden met {euro(use.overrun_cents)}{share}."
    return f"{text}, over {euro(use.remaining_cents)}{share}."


def _outcome_json(o: rules.Outcome) -> dict:
    return {
        "claimed_cents": o.claimed_cents,
        "ceiling_cents": o.ceiling_cents,
        "approved_overrun_cents": o.approved_overrun_cents,
        "eligible_cents": o.eligible_cents,
        "after_norm_reduction_cents": o.after_norm_reduction_cents,
        "paid_cents": o.paid_cents,
        "unpaid_cents": o.unpaid_cents,
    }


def group_json(g: GroupSettlement) -> dict:
    return {
        "agb": g.agb,
        "naam": g.provider.naam,
        "categorie": g.provider.categorie,
        "nga": g.provider.is_nga,
        "groep": g.groep,
        **_outcome_json(g.outcome),
        "recorded_overrun_cents": g.recorded_overrun_cents,
        "charges": dict(g.charges),
        "overrun_key": g.key,
        "norm_lines": len(g.norm_reductions),
        "outlook": {band: _outcome_json(o) for band, o in g.outlook.items()} if g.outlook else None,
    }


def rules_json(r: rules.RuleSet) -> dict:
    return {
        "name": r.name,
        "source": r.source,
        "description": r.description,
        "tiers": [[str(t.start), str(t.factor)] for t in r.tiers],
        "overruns": r.overruns,
        "norm_duration_factor": None if r.norm_duration_factor is None else str(r.norm_duration_factor),
        "overrun_key": r.overrun_key,
    }


def settlement_json(s: Settlement) -> dict:
    return {
        "year": s.year,
        "as_of": s.as_of.isoformat() if s.as_of else None,
        "outlook_as_of": s.outlook_as_of.isoformat() if s.outlook_as_of else None,
        "rules": rules_json(s.rules),
        "groups": [group_json(g) for g in s.groups],
        "municipalities": [
            {"cbs": m.cbs, "naam": m.naam, "claimed_cents": m.claimed_cents, "charged_cents": m.charged_cents}
            for m in s.municipalities
        ],
        "solidarity": [
            {
                "name": c.category.name,
                "segments": list(c.category.segments),
                "groups": list(c.groups),
                "basis": c.category.basis,
                "basis_used": c.basis_used,
                "years": list(c.years),
                "cost_cents": c.cost_cents,
                "municipalities": [
                    {
                        "cbs": r.cbs,
                        "basis_value": float(c.basis_values[r.cbs]) if r.cbs in c.basis_values else None,
                        "share": float(r.share),
                        "own_cost_cents": r.own_cost_cents,
                        "contribution_cents": r.contribution_cents,
                        "balance_cents": r.balance_cents,
                    }
                    for r in c.rows
                ],
            }
            for c in s.solidarity
        ],
        "c_budget": {
            "budget_cents": s.c_budget.budget_cents,
            "paid_cents": s.c_budget.paid_cents,
            "remaining_cents": s.c_budget.remaining_cents,
            "share": None if s.c_budget.share is None else float(s.c_budget.share),
        },
        "totals": dict(s.totals),
    }


def labels(settlements: Sequence[Settlement]) -> list[str]:
    """A unique label per rule set: its name, numbered when two share a name."""
    found: list[str] = []
    for s in settlements:
        label, n = s.rules.name, 2
        while label in found:
            label, n = f"{s.rules.name}#{n}", n + 1
        found.append(label)
    return found


def comparison_json(settlements: Sequence[Settlement]) -> dict:
    """Paid per provider x group and charged per municipality under each rule set, with the
    difference of each against the first."""
    names = labels(settlements)
    base = settlements[0]
    by_key = [{(g.agb, g.groep): g for g in s.groups} for s in settlements]
    keys = sorted(set().union(*by_key))
    groups = []
    for key in keys:
        rows = [m.get(key) for m in by_key]
        first = next(g for g in rows if g is not None)
        paid = {n: (g.outcome.paid_cents if g else 0) for n, g in zip(names, rows, strict=True)}
        groups.append(
            {
                "agb": key[0],
                "naam": first.provider.naam,
                "groep": key[1],
                "claimed_cents": first.outcome.claimed_cents,
                "ceiling_cents": first.outcome.ceiling_cents,
                "paid_cents": paid,
                "differences_cents": {n: paid[n] - paid[names[0]] for n in names},
            }
        )
    municipalities = []
    for i, m in enumerate(base.municipalities):
        charged = {n: s.municipalities[i].charged_cents for n, s in zip(names, settlements, strict=True)}
        municipalities.append(
            {
                "cbs": m.cbs,
                "naam": m.naam,
                "claimed_cents": m.claimed_cents,
                "charged_cents": charged,
                "differences_cents": {n: charged[n] - charged[names[0]] for n in names},
            }
        )
    paid_totals = {n: s.totals["paid_cents"] for n, s in zip(names, settlements, strict=True)}
    return {
        "year": base.year,
        "as_of": base.as_of.isoformat() if base.as_of else None,
        "baseline": names[0],
        "rule_sets": [{"label": n, **rules_json(s.rules)} for n, s in zip(names, settlements, strict=True)],
        "groups": groups,
        "municipalities": municipalities,
        "totals": {
            "claimed_cents": base.totals["claimed_cents"],
            "paid_cents": paid_totals,
            "differences_cents": {n: paid_totals[n] - paid_totals[names[0]] for n in names},
        },
    }


# ---------------------------------------------------------------------- text


def settlement_text(s: Settlement) -> list[str]:
    r = s.rules
    tiers = ", ".join(f"({t.start}; {t.factor})" for t in r.tiers)
    norm = "uit" if r.norm_duration_factor is None else f"factor {r.norm_duration_factor}"
    lines = [
        f"Afrekening {s.year}" + (f", declaraties ontvangen t/m {s.as_of.isoformat()}" if s.as_of else ""),
        f"Regelset: {r.name} ({r.source}): schijven {tiers}; overschrijdingen {r.overruns}; "
        f"normduur {norm}; verdeelsleutel {r.overrun_key}",
        "",
        f"{'aanbieder':<34}{'groep':<6}{'gedeclareerd':>15}{'plafond':>15}{'goedgekeurd':>14}"
        f"{'normkorting':>13}{'uitbetaald':>15}{'niet betaald':>15}",
    ]
    for g in s.groups:
        o = g.outcome
        lines.append(
            f"{g.provider.naam[:33]:<34}{g.groep:<6}{euro(o.claimed_cents):>15}{euro(o.ceiling_cents):>15}"
            f"{euro(o.approved_overrun_cents):>14}{euro(o.after_norm_reduction_cents):>13}"
            f"{euro(o.paid_cents):>15}{euro(o.unpaid_cents):>15}"
        )
    t = s.totals
    lines.append(
        f"{'Totaal':<40}{euro(t['claimed_cents']):>15}{euro(t['ceiling_cents']):>15}"
        f"{euro(t['approved_overrun_cents']):>14}{euro(t['after_norm_reduction_cents']):>13}"
        f"{euro(t['paid_cents']):>15}{euro(t['unpaid_cents']):>15}"
    )
    lines += [
        f"Regels na de normduur: {t['norm_lines']}.",
        c_budget_line(s.c_budget),
        "",
        f"{'gemeente':<22}{'gedeclareerd':>16}{'toegerekend':>16}",
    ]
    for m in s.municipalities:
        lines.append(f"{m.naam[:21]:<22}{euro(m.claimed_cents):>16}{euro(m.charged_cents):>16}")
    lines.append(
        f"{'Totaal':<22}{euro(sum(m.claimed_cents for m in s.municipalities)):>16}"
        f"{euro(sum(m.charged_cents for m in s.municipalities)):>16}"
    )
    names = {m.cbs: m.naam for m in s.municipalities}
    for c in s.solidarity:
        lines += [
            "",
            f"Solidariteit {c.category.name} (groepen {', '.join(c.groups) or '-'}; grondslag "
            f"{c.basis_used}, jaren {c.years[0]}-{c.years[-1]}): kosten {euro(c.cost_cents)}",
            f"{'gemeente':<22}{'aandeel':>10}{'eigen kosten':>16}{'bijdrage':>16}{'saldo':>16}",
        ]
        for row in c.rows:
            share = f"{row.share * 100:.2f}%".replace(".", ",")
            lines.append(
                f"{names.get(row.cbs, row.cbs)[:21]:<22}{share:>10}{euro(row.own_cost_cents):>16}"
                f"{euro(row.contribution_cents):>16}{euro(row.balance_cents):>16}"
            )
    if s.outlook_as_of:
        lines += [
            "",
            f"Vooruitblik {s.year} op de prognose van {s.outlook_as_of.isoformat()} (laag / midden / hoog)",
            f"{'':<46}{'laag':>15}{'midden':>15}{'hoog':>15}",
        ]
        for label, field in (
            ("prognose gedeclareerd", "claimed"),
            ("uitbetaald", "paid"),
            ("niet betaald", "unpaid"),
        ):
            values = "".join(f"{euro(t[f'outlook_{band}_{field}_cents']):>15}" for band in BANDS)
            lines.append(f"{label:<46}{values}")
    return lines


def comparison_text(settlements: Sequence[Settlement]) -> list[str]:
    data = comparison_json(settlements)
    names = labels(settlements)
    width = max(14, *(len(n) + 2 for n in names))
    head = "".join(f"{n:>{width}}" for n in names)
    lines = [
        f"Vergelijking regelsets, afrekening {data['year']}: uitbetaald per regelset; verschil t.o.v. {names[0]}",
        "",
        f"{'aanbieder':<34}{'groep':<6}{'gedeclareerd':>15}{head}",
    ]
    for g in data["groups"]:
        paid = "".join(f"{euro(g['paid_cents'][n]):>{width}}" for n in names)
        lines.append(f"{g['naam'][:33]:<34}{g['groep']:<6}{euro(g['claimed_cents']):>15}{paid}")
    totals = data["totals"]
    lines.append(
        f"{'Totaal':<40}{euro(totals['claimed_cents']):>15}"
        + "".join(f"{euro(totals['paid_cents'][n]):>{width}}" for n in names)
    )
    lines.append(
        f"{'Verschil':<55}" + "".join(f"{euro(totals['differences_cents'][n]):>{width}}" for n in names)
    )
    lines += ["", f"{'gemeente':<22}{'gedeclareerd':>15}{head}"]
    for m in data["municipalities"]:
        charged = "".join(f"{euro(m['charged_cents'][n]):>{width}}" for n in names)
        lines.append(f"{m['naam'][:21]:<22}{euro(m['claimed_cents']):>15}{charged}")
    return lines
