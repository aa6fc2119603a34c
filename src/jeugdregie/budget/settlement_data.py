"""The inputs of a year's settlement, read from the database with aggregate queries.

Everything the rules of `jeugdregie.rules.settlement` need for one year, gathered once so that
several rule sets (settle-compare) read the database once:

- accepted claims D per provider x product group x municipality: net debit minus credit of the
  claim lines whose ProductPeriode begins in the year (the KPI engine's `spend` selection), less
  the lines the municipality rejected (JW325, `afgewezen`); a legacy product counts in the group
  of the new-book product it maps to (`monitoring.facts.product_index`);
- the ceilings and their split to the municipalities, the recorded approved overruns, the youth
  population, the C budget;
- the claim lines delivered after the client's care path passed the product's norm duration;
- the solidarity bases over the three years before the year;
- the forecasts per provider x group for the outlook.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models import Sum
from django.db.models.functions import ExtractYear

from jeugdregie.catalogus.models import Norm, Product, ProductMapping
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.monitoring.facts import product_index
from jeugdregie.regio.models import Gemeente, JeugdigenAantal
from jeugdregie.rules.carepaths import AllocationFact, care_paths
from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

from .models import CBudget, GoedgekeurdeOverschrijding, Plafond
from .services import current_groups

SOLIDARITY_YEARS = 3  # the solidarity bases average the years Y-3 .. Y-1

GroupKey = tuple[str, str]  # (AGB code, product group code)


class SettlementError(ValueError):
    """A settlement that cannot be made; the message (Dutch) says what to do."""


@dataclass(frozen=True)
class Provider:
    agb: str
    naam: str
    categorie: str  # A / B / C; an NGA provider counts as C
    is_nga: bool

    @property
    def has_individual_ceiling(self) -> bool:
        return self.categorie in ("A", "B") and not self.is_nga


@dataclass(frozen=True)
class GroupInfo:
    code: str
    naam: str
    segment: str  # segment code, "" for a group outside the segments (transport)

    def in_category(self, segments: Iterable[str]) -> bool:
        """A solidarity category names segment codes ("2") and/or "vervoer": a group belongs to
        it by its segment, or, without a segment, by its code or name (the transport group)."""
        wanted = {s.lower() for s in segments}
        if self.segment:
            return self.segment.lower() in wanted
        return self.code.lower() in wanted or self.naam.lower() in wanted


@dataclass(frozen=True)
class NormLine:
    """A claim line delivered after the client's care path passed its product's norm duration:
    its ProductPeriode begins on or after `norm_end` = care path begin + norm duration (months)."""

    regel_id: int
    agb: str
    groep: str
    cbs: str
    product: str  # the claimed product as productcategorie/productcode
    periode_begin: dt.date
    periode_eind: dt.date
    bedrag_cent: int  # signed: a credit is negative
    zorgpad_begin: dt.date
    normduur_maanden: int
    norm_end: dt.date
    product_factor: Decimal | None  # the product norm's own factor; None: the rule set's applies


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the last day of the month when that month is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def raw_rows(queryset) -> Iterator[tuple]:
    """The rows of a `values_list` query straight from the database cursor, without Django's
    per-value converters (on SQLite a date comes as ISO text: `as_date` parses it far faster than
    the converter). For the large reads: every claim line of a year."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(20_000):
            yield from rows


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def accepted_lines(begin: dt.date, end: dt.date, as_of: dt.date | None = None):
    """Claim lines whose ProductPeriode begins in [begin, end], not rejected by the municipality;
    with `as_of` only those received (declaratie dagtekening) on or before it."""
    rows = DeclaratieRegel.objects.filter(periode_begin__gte=begin, periode_begin__lte=end, afgewezen=False)
    if as_of is not None:
        rows = rows.filter(declaratie__dagtekening__lte=as_of)
    return rows


class SettlementInputs:
    """The database side of one year's settlement. The claims, ceilings and overruns are read on
    construction; the norm lines, solidarity bases and forecasts when a rule set asks for them."""

    def __init__(self, year: int, as_of: dt.date | None = None) -> None:
        self.year = year
        self.as_of = as_of
        self.begin, self.end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.products = product_index()
        group_of, groups = current_groups()
        self.groups: dict[str, GroupInfo] = {
            code: GroupInfo(code, g.naam, g.segment.code if g.segment else "") for code, g in groups.items()
        }
        self.gemeenten: dict[str, str] = dict(Gemeente.objects.values_list("cbs_code", "naam"))
        self.providers: dict[str, Provider] = {
            agb: Provider(agb, naam, "C" if nga else cat, nga)
            for agb, naam, cat, nga in Aanbieder.objects.values_list(
                "agb_code", "naam", "categorie", "is_nga"
            )
        }
        self.ceilings, self.ceiling_splits = self._ceilings()
        budget = CBudget.objects.filter(jaar=year).first()
        self.c_budget_cents: int | None = budget.bedrag_cent if budget else None
        if not self.ceilings and budget is None:
            raise SettlementError(
                f"Er zijn geen budgetplafonds voor {year}. Stel ze eerst vast met "
                f"'jeugdregie ceilings --year {year} --reference-year <jaar>' (bijvoorbeeld {year - 2})."
            )
        self.claims = self._claims()
        self.overruns: dict[GroupKey, int] = {
            (agb, groep): total
            for agb, groep, total in GoedgekeurdeOverschrijding.objects.filter(jaar=year)
            .values("aanbieder__agb_code", "groep__code")
            .annotate(total=Sum("bedrag_cent"))
            .values_list("aanbieder__agb_code", "groep__code", "total")
        }
        self.population = self._population()
        self._clients_cache: dict[frozenset[str], dict[str, int]] = {}

    # ------------------------------------------------------------------ claims and ceilings

    def group_of_product(self, product_id: int | None) -> str:
        return self.products.get(product_id, ("", "", "", "", False))[1] if product_id else ""

    def _claims(self) -> dict[GroupKey, dict[str, int]]:
        """(AGB, group) -> CBS -> accepted claims (cents): one aggregate query."""
        claims: dict[GroupKey, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        rows = (
            accepted_lines(self.begin, self.end, self.as_of)
            .values("aanbieder__agb_code", "product_id", "gemeente__cbs_code")
            .annotate(total=Sum("bedrag_cent"))
            .values_list("aanbieder__agb_code", "product_id", "gemeente__cbs_code", "total")
        )
        for agb, product_id, cbs, total in rows:
            claims[(agb, self.group_of_product(product_id))][cbs] += total
        return {key: dict(by_cbs) for key, by_cbs in claims.items()}

    def _ceilings(self) -> tuple[dict[GroupKey, int], dict[GroupKey, dict[str, int]]]:
        ceilings = {
            (agb, groep): cents
            for agb, groep, cents in Plafond.objects.filter(jaar=self.year).values_list(
                "aanbieder__agb_code", "groep__code", "bedrag_cent"
            )
        }
        splits: dict[GroupKey, dict[str, int]] = defaultdict(dict)
        for agb, groep, cbs, cents in Plafond.objects.filter(jaar=self.year).values_list(
            "aanbieder__agb_code", "groep__code", "verdeling__gemeente__cbs_code", "verdeling__bedrag_cent"
        ):
            if cbs is not None:
                splits[(agb, groep)][cbs] = cents
        return ceilings, dict(splits)

    def _population(self) -> dict[str, int]:
        """Youth population per municipality in the year, else in the latest year before it."""
        rows = JeugdigenAantal.objects.filter(jaar__lte=self.year).order_by("jaar")
        found: dict[str, int] = {}
        for cbs, aantal in rows.values_list("gemeente__cbs_code", "aantal"):
            found[cbs] = aantal  # later years overwrite earlier ones
        if not found:
            found = dict(
                JeugdigenAantal.objects.order_by("-jaar").values_list("gemeente__cbs_code", "aantal")
            )
        return found

    def ceiling_of(self, key: GroupKey) -> int | None:
        """The ceiling C of a provider x group: the stored one; else none for category C and NGA
        (they share the C budget) and 0 for an A or B provider (a ceiling is a maximum: without
        one agreed, nothing is paid unless an overrun is approved)."""
        if key in self.ceilings:
            return self.ceilings[key]
        provider = self.providers.get(key[0])
        return 0 if provider is not None and provider.has_individual_ceiling else None

    def keys(self) -> list[GroupKey]:
        return sorted(set(self.claims) | set(self.ceilings) | set(self.overruns))

    # ------------------------------------------------------------------ norm duration

    def _normed_products(self) -> dict[int, tuple[int, Decimal | None]]:
        """product id -> (norm duration in months, the norm's own factor or None) for the products
        with a norm duration: the product's own norm, else the norm of the product it maps to."""
        norms = {
            pk: (months, factor)
            for pk, months, factor in Norm.objects.filter(duur_max_maanden__isnull=False).values_list(
                "product_id", "duur_max_maanden", "tarieffactor_na_normduur"
            )
        }
        found = dict(norms)
        for old, new in ProductMapping.objects.values_list("oud_product_id", "nieuw_product_id"):
            if old not in found and new in norms:
                found[old] = norms[new]
        return found

    @cached_property
    def norm_lines(self) -> list[NormLine]:
        """The year's accepted lines delivered after their care path passed the norm duration.

        Care paths as the KPIs define them (`rules.carepaths`): per client and iJw product
        category, allocations (not deleted) chained when one starts at most 31 days after the
        previous ended. A line belongs to the path of its allocation; it is after the norm when its
        ProductPeriode begins on or after path begin + the norm duration of the line's product."""
        normed = self._normed_products()
        if not normed:
            return []
        # No product filter in SQL: with one the database walks the product index through every
        # year's lines instead of the ProductPeriode index through this year's; lines of products
        # without a norm duration are skipped below.
        lines = accepted_lines(self.begin, self.end, self.as_of)
        allocations = Toewijzing.objects.filter(
            verwijderd=False, ingangsdatum__lte=self.end, client_id__in=lines.values("client_id")
        ).values_list("pk", "client_id", "product_categorie", "ingangsdatum", "einddatum")
        facts = [
            AllocationFact(
                pk, str(client), "", "", "", False, "", "", "", category, as_date(begin), as_date(end)
            )
            for pk, client, category, begin, end in raw_rows(allocations)
        ]
        path_begin = {a.id: path.begin for path in care_paths(facts) for a in path.allocations}
        codes = {pk: f"{cat}/{code}" for pk, cat, code in self._product_codes(normed)}
        found = []
        rows = lines.values_list(
            "pk",
            "toewijzing_id",
            "aanbieder__agb_code",
            "product_id",
            "gemeente__cbs_code",
            "periode_begin",
            "periode_eind",
            "bedrag_cent",
        )
        for pk, toewijzing, agb, product_id, cbs, begin, last, amount in raw_rows(rows):
            start = path_begin.get(toewijzing)
            if start is None or product_id not in normed:  # a deleted allocation is no care path
                continue
            months, factor = normed[product_id]
            norm_end = add_months(start, months)
            begin = as_date(begin)
            if begin >= norm_end:
                found.append(
                    NormLine(
                        pk,
                        agb,
                        self.group_of_product(product_id),
                        cbs,
                        codes.get(product_id, ""),
                        begin,
                        as_date(last),
                        amount,
                        start,
                        months,
                        norm_end,
                        factor,
                    )
                )
        found.sort(key=lambda n: (n.agb, n.groep, n.periode_begin, n.regel_id))
        return found

    @staticmethod
    def _product_codes(ids: Iterable[int]):
        return Product.objects.filter(pk__in=list(ids)).values_list("pk", "categorie", "code")

    # ------------------------------------------------------------------ solidarity

    @property
    def solidarity_years(self) -> tuple[int, ...]:
        return tuple(range(self.year - SOLIDARITY_YEARS, self.year))

    def _history(self):
        years = self.solidarity_years
        return accepted_lines(dt.date(years[0], 1, 1), dt.date(years[-1], 12, 31))

    @cached_property
    def claimed_history(self) -> dict[str, dict[str, int]]:
        """group code -> CBS -> accepted claims (cents) summed over the solidarity years."""
        found: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        rows = (
            self._history()
            .values("product_id", "gemeente__cbs_code")
            .annotate(total=Sum("bedrag_cent"))
            .values_list("product_id", "gemeente__cbs_code", "total")
        )
        for product_id, cbs, total in rows:
            found[self.group_of_product(product_id)][cbs] += total
        return found

    def product_ids_in(self, groups: Iterable[str]) -> list[int]:
        wanted = set(groups)
        return [pk for pk, (_s, groep, *_rest) in self.products.items() if groep in wanted]

    def clients_history(self, groups: frozenset[str]) -> dict[str, int]:
        """CBS -> youths in care in the groups, summed over the solidarity years: per year the
        distinct clients with a net positive accepted amount in the groups (the KPI `clients`)."""
        if groups not in self._clients_cache:
            rows = (
                self._history()
                .filter(product_id__in=self.product_ids_in(groups))
                .annotate(jaar=ExtractYear("periode_begin"))
                .values("gemeente__cbs_code", "client_id", "jaar")
                .annotate(total=Sum("bedrag_cent"))
                .filter(total__gt=0)
                .values_list("gemeente__cbs_code", flat=True)
            )
            counts: dict[str, int] = defaultdict(int)
            for cbs in rows.iterator(chunk_size=20_000):
                counts[cbs] += 1
            self._clients_cache[groups] = dict(counts)
        return self._clients_cache[groups]

    # ------------------------------------------------------------------ outlook

    def forecasts(self, as_of: dt.date):
        """(AGB, group) -> the chosen forecast (with band) of the year's claims on `as_of`."""
        from .forecasting import forecast_levels

        found = {}
        for level in forecast_levels(self.year, as_of, levels=("aanbieder_groep",), committed=False):
            agb, _, groep = level.key.partition("/")
            found[(agb, groep)] = level.chosen
        return found
