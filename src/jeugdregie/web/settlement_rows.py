"""The rows of the settlement statements, shared by the screens and the Excel workbooks, with the
small-number rule applied here (SYSTEM.md section 6), never in a template: outside the region a
charge resting on fewer than the threshold of clients is not shown on its own."""

from __future__ import annotations

from dataclasses import dataclass, field

from jeugdregie.budget.services import current_groups
from jeugdregie.budget.settlement import GroupSettlement, NormReduction, Settlement
from jeugdregie.rules import settlement as rules

from . import screen_cache
from .access import Scope
from .afrekening_service import is_small


def group_names() -> dict[str, str]:
    # Read on every Plafonds view; the products change only with the configuration.
    return screen_cache.cached(
        "groepsnamen", (), lambda: {code: g.naam for code, g in current_groups()[1].items()}
    )


def rule_set_summary(r: rules.RuleSet) -> dict:
    """The rule set in Dutch words, as every statement shows it at the top."""
    tiers = [
        {"van": t.start, "tot": nxt.start if nxt else None, "factor": t.factor}
        for t, nxt in zip(r.tiers, [*r.tiers[1:], None], strict=True)
    ]
    return {
        "naam": r.name,
        "bron": r.source,
        "omschrijving": r.description.strip(),
        "schijven": tiers,
        "overschrijdingen": {
            "none": "geen (alleen tot het plafond)",
            "all": "alle (elke overschrijding telt als goedgekeurd)",
            "recorded": "de vastgelegde goedkeuringen",
        }[r.overruns],
        "normduur": "uit"
        if r.norm_duration_factor is None
        else "tarief × " + format(r.norm_duration_factor.normalize(), "f").replace(".", ","),
        "sleutel": {
            "production": "productie per gemeente",
            "ceiling": "plafondverdeling",
            "population": "aantal jeugdigen",
            "fixed": "vaste sleutels",
        }[r.overrun_key],
    }


@dataclass(frozen=True)
class ChargeRow:
    groep: str
    cbs: str
    naam: str
    production_cents: int
    charge_cents: int | None  # None: suppressed (fewer clients than the threshold)
    clients: int


@dataclass
class ProviderStatement:
    agb: str
    naam: str
    categorie: str
    groups: list[GroupSettlement]
    charges: list[ChargeRow]
    norm_lines: list[NormReduction]
    totals: dict[str, int]
    suppressed: int = 0  # charges not shown on their own


def provider_statement(
    s: Settlement, agb: str, scope: Scope, counts: dict, gemeenten: dict[str, str], lines: bool
) -> ProviderStatement:
    groups = s.for_provider(agb)
    charges = []
    suppressed = 0
    for g in groups:
        for cbs in sorted(set(g.claimed_by_gemeente) | set(g.charges)):
            clients = counts.get((agb, g.groep, cbs), 0)
            hide = scope.suppress_small_numbers and is_small(clients)
            suppressed += hide
            charges.append(
                ChargeRow(
                    g.groep,
                    cbs,
                    gemeenten.get(cbs, cbs),
                    None if hide else g.claimed_by_gemeente.get(cbs, 0),
                    None if hide else g.charges.get(cbs, 0),
                    clients,
                )
            )
    fields = (
        "claimed_cents",
        "after_norm_reduction_cents",
        "approved_overrun_cents",
        "eligible_cents",
        "paid_cents",
        "unpaid_cents",
    )
    totals = {f: sum(getattr(g.outcome, f) for g in groups) for f in fields}
    totals["ceiling_cents"] = sum(g.outcome.ceiling_cents or 0 for g in groups)
    totals["recorded_overrun_cents"] = sum(g.recorded_overrun_cents for g in groups)
    provider = groups[0].provider if groups else None
    return ProviderStatement(
        agb,
        provider.naam if provider else agb,
        provider.categorie if provider else "",
        groups,
        charges,
        [n for g in groups for n in g.norm_reductions] if lines else [],
        totals,
        suppressed,
    )


@dataclass(frozen=True)
class MunicipalityRow:
    agb: str
    naam: str
    groep: str
    claimed_cents: int
    charge_cents: int
    clients: int


BASIS_LABELS = {
    "claimed_3y": "gedeclareerd, 3-jaarsgemiddelde",
    "clients_3y": "jeugdigen in zorg, 3-jaarsgemiddelde",
    "fixed": "vaste aandelen",
}


@dataclass(frozen=True)
class SolidarityLine:
    category: str
    groups: tuple[str, ...]
    basis: str
    years: tuple[int, ...]
    basis_value: object
    share: object
    cost_cents: int  # the category's cost in the region
    row: rules.SolidarityRow

    @property
    def basis_label(self) -> str:
        return BASIS_LABELS.get(self.basis, self.basis)


@dataclass
class MunicipalityStatement:
    cbs: str
    naam: str
    rows: list[MunicipalityRow]
    rest: MunicipalityRow | None  # rows on fewer clients than the threshold, together
    rest_count: int
    claimed_cents: int
    charged_cents: int
    solidarity: list[SolidarityLine] = field(default_factory=list)

    @property
    def balance_cents(self) -> int:
        return sum(line.row.balance_cents for line in self.solidarity)

    @property
    def after_solidarity_cents(self) -> int:
        """What the municipality bears: its charges plus its solidarity balance."""
        return self.charged_cents + self.balance_cents


def municipality_statement(s: Settlement, cbs: str, scope: Scope, counts: dict) -> MunicipalityStatement:
    rows, small = [], []
    for g in s.groups:
        claimed, charge = g.claimed_by_gemeente.get(cbs, 0), g.charges.get(cbs, 0)
        if not (claimed or charge):
            continue
        row = MunicipalityRow(
            g.agb, g.provider.naam, g.groep, claimed, charge, counts.get((g.agb, g.groep, cbs), 0)
        )
        (small if scope.suppress_small_numbers and is_small(row.clients) else rows).append(row)
    rest = None
    if small:
        rest = MunicipalityRow(
            "",
            f"Overige aanbieders ({len(small)} combinaties, elk minder dan 5 cliënten)",
            "",
            sum(r.claimed_cents for r in small),
            sum(r.charge_cents for r in small),
            sum(r.clients for r in small),
        )
    municipality = next((m for m in s.municipalities if m.cbs == cbs), None)
    solidarity = []
    for c in s.solidarity:
        for r in c.rows:
            if r.cbs == cbs:
                solidarity.append(
                    SolidarityLine(
                        c.category.name,
                        c.groups,
                        c.basis_used,
                        c.years,
                        c.basis_values.get(cbs),
                        r.share,
                        c.cost_cents,
                        r,
                    )
                )
    return MunicipalityStatement(
        cbs,
        municipality.naam if municipality else cbs,
        rows,
        rest,
        len(small),
        municipality.claimed_cents if municipality else 0,
        municipality.charged_cents if municipality else 0,
        solidarity,
    )


def provider_totals(s: Settlement) -> list[dict]:
    """The region's overview: per provider its claims, ceiling, paid and unpaid over its groups."""
    found: dict[str, dict] = {}
    for g in s.groups:
        row = found.setdefault(
            g.agb,
            {
                "agb": g.agb,
                "naam": g.provider.naam,
                "categorie": g.provider.categorie,
                "claimed_cents": 0,
                "ceiling_cents": None,
                "paid_cents": 0,
                "unpaid_cents": 0,
                "groepen": 0,
            },
        )
        row["claimed_cents"] += g.outcome.claimed_cents
        if g.outcome.ceiling_cents is not None:
            row["ceiling_cents"] = (row["ceiling_cents"] or 0) + g.outcome.ceiling_cents
        row["paid_cents"] += g.outcome.paid_cents
        row["unpaid_cents"] += g.outcome.unpaid_cents
        row["groepen"] += 1
    return sorted(found.values(), key=lambda r: (-r["unpaid_cents"], r["naam"]))


def municipality_totals(s: Settlement) -> list[dict]:
    balance: dict[str, int] = {}
    for c in s.solidarity:
        for r in c.rows:
            balance[r.cbs] = balance.get(r.cbs, 0) + r.balance_cents
    return [
        {
            "cbs": m.cbs,
            "naam": m.naam,
            "claimed_cents": m.claimed_cents,
            "charged_cents": m.charged_cents,
            "balance_cents": balance.get(m.cbs, 0),
            "after_solidarity_cents": m.charged_cents + balance.get(m.cbs, 0),
        }
        for m in s.municipalities
    ]
