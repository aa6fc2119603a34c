"""A hand-made region for the settlement tests: the demo catalogue and providers, claims built
with the shared builder (zorg.testing.CareRows), ceilings stored as calculate_ceilings stores them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from jeugdregie.budget.models import Plafond, PlafondVerdeling
from jeugdregie.catalogus.models import ProductGroep
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.regio.models import Gemeente
from jeugdregie.rules.settlement import RuleSet, parse_rule_set
from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing
from jeugdregie.zorg.testing import CareRows, month_end

VENLO, BEESEL, GENNEP = "0983", "0889", "0907"


def rule_set(tiers: str, overruns: str = "recorded", extra: str = "", key: str = "production") -> RuleSet:
    """A rule set from its tiers as TOML array-of-tables text, e.g. "0:1, 1.00:0, 1.05:1"."""
    parts = []
    for tier in tiers.split(","):
        start, factor = tier.strip().split(":")
        parts.append(f"[[tiers]]\nfrom = {start}\nfactor = {factor}\n")
    text = (
        f'name = "test"\ndescription = "test"\noverruns = "{overruns}"\noverrun_key = "{key}"\n{extra}\n'
        + "\n".join(parts)
    )
    return parse_rule_set(text, source="test")


@dataclass
class World:
    a: Aanbieder  # category A
    b: Aanbieder  # category B
    c: Aanbieder  # category C, contracted
    nga: Aanbieder
    rows: CareRows
    clients: dict = field(default_factory=dict)
    allocations: dict = field(default_factory=dict)

    def gemeente(self, cbs: str) -> Gemeente:
        return Gemeente.objects.get(cbs_code=cbs)

    def client(self, key: str, cbs: str = VENLO):
        if key not in self.clients:
            self.clients[key] = self.rows.client(key, self.gemeente(cbs))
        return self.clients[key]

    def allocation(
        self, key: str, aanbieder, product: str, begin: dt.date, end: dt.date | None, cbs: str = VENLO
    ) -> Toewijzing:
        client = self.client(key, cbs)
        number = f"T{len(self.allocations) + 1}"
        toewijzing = self.rows.allocation(
            client, aanbieder, number, begin, end, product_code=product, gemeente=self.gemeente(cbs)
        )
        self.allocations[number] = toewijzing
        return toewijzing

    def claim(
        self,
        aanbieder,
        product: str,
        cbs: str,
        month: dt.date,
        amount: int,
        *,
        client: str | None = None,
        dc: str = "D",
        toewijzing: Toewijzing | None = None,
        received: dt.date | None = None,
    ) -> DeclaratieRegel:
        """One claim line for `month` (its first day); a new client and allocation unless given."""
        if toewijzing is None:
            key = client or f"{aanbieder.agb_code}-{product}-{cbs}-{len(self.allocations)}"
            toewijzing = self.allocation(
                key, aanbieder, product, month.replace(day=1), month_end(month) + dt.timedelta(days=300), cbs
            )
        self.rows.line(toewijzing, month.replace(day=1), month_end(month), amount, dc=dc, received=received)
        return DeclaratieRegel.objects.latest("pk")

    def ceiling(
        self, aanbieder, groep: str, year: int, cents: int, split: dict[str, int] | None = None
    ) -> Plafond:
        plafond = Plafond.objects.create(
            aanbieder=aanbieder,
            groep=ProductGroep.objects.get(code=groep, boek__geldig_tot__isnull=True),
            jaar=year,
            referentiejaar=year - 2,
            referentie_cent=cents,
            berekend_cent=cents,
            bedrag_cent=cents,
            basis="referentiejaar",
        )
        for cbs, amount in (split or {}).items():
            PlafondVerdeling.objects.create(plafond=plafond, gemeente=self.gemeente(cbs), bedrag_cent=amount)
        return plafond


def build_world() -> World:
    load_demo_region(users=False)
    specs = region.aanbieders()

    def first(test) -> Aanbieder:
        return Aanbieder.objects.get(agb_code=next(s.agb_code for s in specs if test(s)))

    return World(
        a=first(lambda s: s.categorie == "A" and not s.is_nga),
        b=first(lambda s: s.categorie == "B" and not s.is_nga),
        c=first(lambda s: s.categorie == "C" and not s.is_nga),
        nga=first(lambda s: s.is_nga),
        rows=CareRows(dt.date(2027, 2, 1)),
    )
