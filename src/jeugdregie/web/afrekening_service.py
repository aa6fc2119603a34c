"""What the settlement screens share: the rule sets a user may choose, the settlement computed once
per year + rule set + data version (as the Plafonds screen caches its forecasts), the number of
clients each charge rests on (small numbers, SYSTEM.md section 6), and who may open which
statement. The settlement itself is `jeugdregie.budget.settlement` (settle, compare)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum

from jeugdregie.accounts.models import Rol
from jeugdregie.budget.models import (
    CBudget,
    GoedgekeurdeOverschrijding,
    Plafond,
    Regelset,
    RegelsetActivering,
)
from jeugdregie.budget.settlement import Settlement, compare, resolve_rule_set, settle
from jeugdregie.budget.settlement_data import accepted_lines
from jeugdregie.catalogus.models import Norm
from jeugdregie.monitoring.facts import data_complete_until, product_index
from jeugdregie.rules import settlement as rules

from .access import Scope
from .budget import data_version

ACTIVE = ""  # the rule set activated for the year (else the default, harde-plafond)
EXAMPLE = "voorbeeld:"
STORED = "db:"


@dataclass(frozen=True)
class RuleSetChoice:
    key: str  # ACTIVE, "voorbeeld:<name>" or "db:<name>" (the newest version)
    label: str


def rule_set_choices(year: int) -> list[RuleSetChoice]:
    """The rule sets a screen offers: the active one for the year, the shipped examples and the
    rule sets in the database. A file path is never accepted from a browser."""
    active = RegelsetActivering.active_for(year)
    found = [
        RuleSetChoice(
            ACTIVE, f"Actief voor {year}: {active}" if active else f"Standaard ({year}: geen geactiveerd)"
        )
    ]
    found += [
        RuleSetChoice(EXAMPLE + name, f"Voorbeeld: {name}") for name in sorted(rules.example_rule_sets())
    ]
    for naam in Regelset.objects.values_list("naam", flat=True).distinct().order_by("naam"):
        found.append(RuleSetChoice(STORED + naam, f"Database: {naam}"))
    return found


def rule_set_for(year: int, key: str) -> rules.RuleSet:
    """The rule set of a choice; a key that is not offered raises PermissionDenied (never a path)."""
    if key == ACTIVE:
        return resolve_rule_set(year)
    if key.startswith(EXAMPLE) and key[len(EXAMPLE) :] in rules.example_rule_sets():
        return resolve_rule_set(year, key[len(EXAMPLE) :])
    if key.startswith(STORED):
        stored = Regelset.objects.filter(naam=key[len(STORED) :]).order_by("-versie").first()
        if stored is not None:
            return stored.rule_set()
    raise PermissionDenied(f"Onbekende regelset: {key[:60]}")


def settlement_version() -> tuple:
    """The Plafonds screen's data version plus what else a settlement reads: approved overruns,
    rule sets and their activation, and the norms (norm-duration reduction)."""
    return (
        data_version(),
        tuple(
            GoedgekeurdeOverschrijding.objects.aggregate(
                n=Count("pk"), s=Sum("bedrag_cent"), m=Max("pk")
            ).values()
        ),
        Regelset.objects.aggregate(m=Max("pk"))["m"],
        RegelsetActivering.objects.aggregate(m=Max("pk"))["m"],
        tuple(Norm.objects.aggregate(n=Count("pk"), m=Max("pk"), s=Sum("duur_max_maanden")).values()),
    )


@lru_cache(maxsize=8)
def _settled(year: int, key: str, version: tuple) -> Settlement:
    return settle(year, rule_set_for(year, key), outlook=False)


@lru_cache(maxsize=4)
def _compared(year: int, keys: tuple[str, ...], version: tuple) -> list[Settlement]:
    return compare(year, [rule_set_for(year, k) for k in keys])


@lru_cache(maxsize=4)
def _outlook(year: int, as_of: dt.date, version: tuple) -> Settlement:
    return settle(year, as_of=as_of)


@lru_cache(maxsize=4)
def _clients(year: int, version: tuple) -> dict[tuple[str, str, str], int]:
    """(AGB, group, CBS) -> distinct clients with an accepted claim line in the year: what a
    charge of that provider x group to that municipality rests on."""
    products = product_index()
    seen: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    rows = (
        accepted_lines(dt.date(year, 1, 1), dt.date(year, 12, 31))
        .values_list("aanbieder__agb_code", "product_id", "gemeente__cbs_code", "client_id")
        .distinct()
    )
    for agb, product_id, cbs, client in rows.iterator(chunk_size=20_000):
        groep = products[product_id][1] if product_id in products else ""
        seen[(agb, groep, cbs)].add(client)
    return {key: len(clients) for key, clients in seen.items()}


def settled(year: int, key: str = ACTIVE) -> Settlement:
    return _settled(year, key, settlement_version())


def compared(year: int, keys: list[str]) -> list[Settlement]:
    return _compared(year, tuple(keys), settlement_version())


def outlook(year: int, as_of: dt.date) -> Settlement:
    return _outlook(year, as_of, settlement_version())


def client_counts(year: int) -> dict[tuple[str, str, str], int]:
    return _clients(year, settlement_version())


def clear_caches() -> None:
    for cached in (_settled, _compared, _outlook, _clients):
        cached.cache_clear()


def is_small(clients: int) -> bool:
    return clients < settings.SMALL_NUMBER_THRESHOLD


# ---------------------------------------------------------------------- years


def settlement_years() -> list[int]:
    """Years with ceilings or a C budget: the years a settlement can be made for."""
    years = set(Plafond.objects.values_list("jaar", flat=True).distinct())
    years |= set(CBudget.objects.values_list("jaar", flat=True).distinct())
    return sorted(years)


def default_year(years: list[int]) -> int:
    """The last complete year with ceilings, else the newest year with ceilings."""
    latest = data_complete_until()
    complete = latest.year if latest.month == 12 and latest.day == 31 else latest.year - 1
    done = [y for y in years if y <= complete]
    if done:
        return done[-1]
    return years[-1] if years else complete


def is_final(year: int) -> bool:
    """A year is settled finally once the data runs past its end; before that it is provisional."""
    return data_complete_until() > dt.date(year, 12, 31)


# ---------------------------------------------------------------------- who may see what


def check_statement_access(scope: Scope, *, agb: str | None = None, cbs: str | None = None) -> None:
    """Region: every statement. A municipality: its own municipality statement only. A provider:
    its own provider statement only. Referrers and beheer: none (403)."""
    if scope.rol == Rol.REGIO:
        return
    if scope.rol == Rol.AANBIEDER and agb is not None and agb == scope.aanbieder:
        return
    if scope.rol == Rol.GEMEENTE and cbs is not None and cbs == scope.gemeente:
        return
    if scope.rol == Rol.AANBIEDER:
        raise PermissionDenied("Een aanbieder ziet alleen de eigen afrekening.")
    if scope.rol == Rol.GEMEENTE:
        raise PermissionDenied("Een gemeente ziet alleen de eigen afrekening.")
    raise PermissionDenied("De afrekening is voor de regio, de gemeenten en de aanbieders.")


def sees_norm_lines(scope: Scope, agb: str) -> bool:
    """The claim lines after the norm duration are client-level: the region, and a provider its
    own lines."""
    return scope.rol == Rol.REGIO or (scope.rol == Rol.AANBIEDER and scope.aanbieder == agb)


def may_choose_rule_set(scope: Scope) -> bool:
    """Only the region runs what-ifs; others see the statement under the active rule set."""
    return scope.rol == Rol.REGIO
