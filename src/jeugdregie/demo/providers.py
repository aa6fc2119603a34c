"""Providers of one copy of the demo region, with what the simulation needs to pick them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

from . import region
from .calendar import h01, mix64

#: Provider classes used when picking a provider: regular (A, B, C not micro), micro (C micro),
#: nga (non-contracted, any size).
REGULAR, MICRO, NGA = "regular", "micro", "nga"

#: NGA providers enter the market over time (seed 000: the number of providers rises through NGA).
NGA_ENTRY: Final = ((36, 2000), (12, 2023), (12, 2024))

#: Segment 2 in 2022-2023 is spread over 22 providers (SYSTEM.md section 4): the W providers
#: active before 2024 are all A, B and C providers with W plus the first NGA provider with W.
W_EARLY_NGA: Final = 1


@dataclass(slots=True, eq=False)
class Provider:
    agb: str
    spec: region.AanbiederSpec
    klasse: str  # REGULAR / MICRO / NGA
    groepen: tuple[str, ...]
    weight: float
    home: str | None  # CBS code of its home municipality (C and NGA providers)
    entry_year: int
    w_early: bool  # may deliver segment 2 before 2024
    claim_day: int  # day of the month it sends its claims
    lag_seed: int
    index: int  # position within the copy

    @property
    def micro(self) -> bool:
        return self.spec.micro

    @property
    def nga(self) -> bool:
        return self.spec.is_nga


def copy_providers(specs: list[region.AanbiederSpec], copy: int) -> list[Provider]:
    """The providers of one copy, in region order."""
    gemeenten = [g.cbs_code for g in region.GEMEENTEN]
    homes_weights = [g.jeugdigen for g in region.GEMEENTEN]
    rng = random.Random(f"providers/{copy}")
    out: list[Provider] = []
    nga_seen = 0
    w_nga_seen = 0
    for i, spec in enumerate(specs):
        if spec.is_nga:
            klasse = NGA
        elif spec.micro:
            klasse = MICRO
        else:
            klasse = REGULAR
        home = rng.choices(gemeenten, homes_weights)[0] if spec.categorie == "C" else None
        entry = 2000
        if spec.is_nga:
            left = nga_seen
            for count, year in NGA_ENTRY:
                if left < count:
                    entry = year
                    break
                left -= count
            nga_seen += 1
        w_early = False
        if "W" in spec.groepen:
            if not spec.is_nga:
                w_early = True
            elif w_nga_seen < W_EARLY_NGA and entry <= 2021:
                w_early = True
                w_nga_seen += 1
        seed = mix64(int(spec.agb_code) * 7919 + copy)
        out.append(
            Provider(
                agb=spec.agb_code,
                spec=spec,
                klasse=klasse,
                groepen=spec.groepen,
                weight=spec.gewicht,
                home=home,
                entry_year=entry,
                w_early=w_early,
                claim_day=3 + int(h01(seed, 1) * 18),
                lag_seed=seed,
                index=i,
            )
        )
    return out


#: Spend of the regular (not micro, not NGA) providers per product group in 2022, in euros, about:
#: the market table minus the NGA and micro shares. Used to give small regular providers a floor.
REGULAR_POOL_2022: Final = {"A": 29_267_000 * 0.90, "D": 7_892_000 * 0.90, "W": 8_540_000 * 0.93}
#: A regular provider should stay clearly above the micro limit (EUR 250k a year).
REGULAR_FLOOR_EUR: Final = 420_000
#: A micro or NGA provider takes no new care once its estimated spend this year passes this.
MICRO_GUARD_CENTS: Final = 185_000_00


class ProviderPicker:
    """Choice of a provider per product group, class, year and municipality.

    Each provider has a target share of its class's care in a group: regular providers by the
    region's ``gewicht``, with a floor for providers that deliver in one group only (so that they
    stay above the micro limit of EUR 250k a year); micro and NGA providers equal shares (so that
    none of them outgrows the limit as the micro share rises). The choice is random, weighted by
    how far each provider is below its target share of the year's spend so far (``load``), so the
    realised spend follows the targets closely. Regular C providers get more care in their home
    municipality."""

    HOME_FACTOR: Final = 1.5

    def __init__(self, providers: list[Provider]) -> None:
        self.providers = providers
        self._pools: dict[tuple[str, str, int], list[Provider]] = {}
        self.weights: dict[tuple[str, str], float] = {}
        self.load: dict[tuple[str, str], float] = {}
        for groep, pool in REGULAR_POOL_2022.items():
            members = [p for p in providers if groep in p.groepen and p.klasse == REGULAR]
            eff = {p.agb: p.weight for p in members}
            floor_share = REGULAR_FLOOR_EUR / pool
            for _ in range(6):
                total = sum(eff.values())
                for p in members:
                    if p.spec.categorie != "A":
                        eff[p.agb] = max(eff[p.agb], floor_share * total)
            for p in members:
                self.weights[(p.agb, groep)] = eff[p.agb]
        for p in providers:
            for groep in p.groepen:
                if p.klasse != REGULAR:
                    self.weights[(p.agb, groep)] = 1.0
                else:
                    self.weights.setdefault((p.agb, groep), p.weight)

    def start_year(self, load: dict[tuple[str, str], float]) -> None:
        """The year's spend so far per (provider, group): the care carried over."""
        self.load = dict(load)

    def members(self, groep: str, klasse: str, year: int) -> list[Provider]:
        key = (groep, klasse, year)
        hit = self._pools.get(key)
        if hit is None:
            hit = [
                p
                for p in self.providers
                if groep in p.groepen
                and p.klasse == klasse
                and p.entry_year <= year
                and (groep != "W" or year >= 2024 or p.w_early)
            ]
            if not hit and klasse != REGULAR:
                hit = self.members(groep, REGULAR, year)
            self._pools[key] = hit
        return hit

    def pick(self, rng: random.Random, groep: str, klasse: str, year: int, gemeente: str) -> Provider:
        """A weighted random provider (without regard to load): for placeholders and deletions."""
        members = self.members(groep, klasse, year)
        weights = [self.weights[(p.agb, groep)] for p in members]
        return rng.choices(members, weights)[0]

    def assign(
        self, rng: random.Random, groep: str, klasse: str, year: int, gemeente: str, cost: float
    ) -> Provider:
        """The provider for care costing ``cost`` this year, chosen by deficit against target shares."""
        members = self.members(groep, klasse, year)
        weights = [self.weights[(p.agb, groep)] for p in members]
        total_w = sum(weights)
        loads = [self.load.get((p.agb, groep), 0.0) for p in members]
        pool = sum(loads) + cost
        chances = []
        for p, w, load in zip(members, weights, loads, strict=True):
            target = pool * w / total_w
            chance = max(target - load, 0.02 * target) + 1e-6 * w  # > 0 even for an empty pool
            if p.klasse == REGULAR and p.home == gemeente:
                chance *= self.HOME_FACTOR
            elif p.klasse != REGULAR and load + cost > MICRO_GUARD_CENTS:
                chance *= 0.001  # keep micro providers clear of the EUR 250k limit
            chances.append(chance)
        chosen = rng.choices(members, chances)[0]
        key = (chosen.agb, groep)
        self.load[key] = self.load.get(key, 0.0) + cost
        return chosen

    def w_early(self) -> list[Provider]:
        return [p for p in self.providers if p.w_early]
