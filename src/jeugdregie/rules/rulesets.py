"""Settlement rule sets as data: a TOML file per rule set (format in docs/settlement.md).

A rule set says how a provider x product group x year is settled (SYSTEM.md section 10): the tiers
of the one formula, which approved overruns count, the tariff factor after the norm duration, the
key by which the payment is charged to the municipalities, and the solidarity categories (section
11). Every error names the file and the key, in Dutch, because the people who edit these files are
the region's controllers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, cast, get_args

from .solidarity import DEFAULT_SOLIDARITY, SOLIDARITY_BASES, SolidarityBasis, SolidarityCategory

OverrunPolicy = Literal["none", "all", "recorded"]  # which approved overruns count
OverrunKey = Literal["production", "ceiling", "population", "fixed"]
OVERRUN_POLICIES: tuple[str, ...] = get_args(OverrunPolicy)
OVERRUN_KEYS: tuple[str, ...] = get_args(OverrunKey)

# Shipped examples; the default applies to a year for which no rule set is activated.
EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "budget" / "rulesets"
DEFAULT_RULE_SET = "harde-plafond"

_TOP_KEYS = {
    "name",
    "description",
    "tiers",
    "overruns",
    "norm_duration_factor",
    "overrun_key",
    "fixed_keys",
    "solidarity",
}
_REQUIRED_KEYS = ("name", "description", "tiers", "overruns", "overrun_key")
_TIER_KEYS = {"from", "factor"}
_CATEGORY_KEYS = {"name", "segments", "basis", "fixed_shares"}
_SEGMENT = re.compile(r"^(\d{1,10}|vervoer)$")
_CBS = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Tier:
    start: Decimal  # share of the ceiling where the band starts: 0, 0.90, 1.00, 1.05 ...
    factor: Decimal  # share of the band that is paid: 1, 0.95, 0 ...


@dataclass(frozen=True)
class RuleSet:
    name: str
    description: str
    tiers: tuple[Tier, ...]  # first tier starts at 0; starts strictly increasing
    overruns: OverrunPolicy
    norm_duration_factor: Decimal | None  # None = off; e.g. Decimal("0.85")
    overrun_key: OverrunKey
    fixed_keys: Mapping[str, Decimal]  # CBS code -> weight, overrun_key "fixed" only
    solidarity: tuple[SolidarityCategory, ...]
    source: str = ""  # file path or "database: <name> v<version>"


class RuleSetError(ValueError):
    """A rule set that cannot be used; the message (Dutch) names the file and the key."""


def parse_rule_set(text: str, *, source: str = "<tekst>") -> RuleSet:
    """Read and check a rule set in TOML. Decimals are read exactly (0.95 stays 0.95)."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{source}: geen geldige TOML ({exc}).") from exc
    return _RuleSetReader(source).read(data)


def load_rule_set(path: str | Path) -> RuleSet:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleSetError(f"{path}: het bestand kan niet worden gelezen ({exc.strerror}).") from exc
    return parse_rule_set(text, source=str(path))


def example_rule_sets() -> dict[str, Path]:
    """name -> path of the example TOML files shipped in src/jeugdregie/budget/rulesets/."""
    return {p.stem: p for p in sorted(EXAMPLES_DIR.glob("*.toml"))}


def default_rule_set() -> RuleSet:
    """The rule set for a year without an activated one: the hard cap."""
    return load_rule_set(EXAMPLES_DIR / f"{DEFAULT_RULE_SET}.toml")


class _RuleSetReader:
    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, key: str, message: str) -> RuleSetError:
        return RuleSetError(f"{self.source}: sleutel '{key}': {message}")

    def read(self, data: dict[str, Any]) -> RuleSet:
        unknown = sorted(set(data) - _TOP_KEYS)
        if unknown:
            raise self.error(
                unknown[0], f"onbekende sleutel; toegestaan zijn {', '.join(sorted(_TOP_KEYS))}."
            )
        for key in _REQUIRED_KEYS:
            if key not in data:
                raise self.error(key, "ontbreekt.")
        name = self.text(data["name"], "name")
        description = self.text(data["description"], "description")
        overruns = self.choice(data["overruns"], "overruns", OVERRUN_POLICIES)
        overrun_key = self.choice(data["overrun_key"], "overrun_key", OVERRUN_KEYS)
        tiers = self.tiers(data["tiers"])
        norm = data.get("norm_duration_factor")
        norm_factor = None
        if norm is not None and norm is not False:
            norm_factor = self.fraction(norm, "norm_duration_factor")
        fixed_keys = self.fixed_keys(data.get("fixed_keys"), overrun_key)
        # absent: the default categories; `solidarity = []` switches solidarity off
        solidarity = self.solidarity(data["solidarity"]) if "solidarity" in data else DEFAULT_SOLIDARITY
        return RuleSet(
            name=name,
            description=description,
            tiers=tiers,
            overruns=cast(OverrunPolicy, overruns),
            norm_duration_factor=norm_factor,
            overrun_key=cast(OverrunKey, overrun_key),
            fixed_keys=fixed_keys,
            solidarity=solidarity,
            source=self.source,
        )

    def text(self, value: object, key: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "moet een niet-lege tekst zijn.")
        return value.strip()

    def choice(self, value: object, key: str, allowed: tuple[str, ...]) -> str:
        if value not in allowed:
            raise self.error(key, f"'{value}' is onbekend; kies uit {', '.join(repr(a) for a in allowed)}.")
        return cast(str, value)

    def number(self, value: object, key: str) -> Decimal:
        # bool is an int in Python; true/false is never meant as a number here
        if isinstance(value, bool) or not isinstance(value, int | Decimal):
            raise self.error(key, f"moet een getal zijn, niet {value!r}.")
        return Decimal(value)

    def fraction(self, value: object, key: str) -> Decimal:
        number = self.number(value, key)
        if not 0 <= number <= 1:
            raise self.error(
                key,
                f"{number} ligt niet tussen 0 en 1. Een factor boven 1 zou meer uitbetalen dan "
                "gedeclareerd is en is daarom niet toegestaan.",
            )
        return number

    def tiers(self, value: object) -> tuple[Tier, ...]:
        if not isinstance(value, list) or not value:
            raise self.error("tiers", "moet een niet-lege lijst van [[tiers]] met from en factor zijn.")
        tiers: list[Tier] = []
        for i, item in enumerate(value, start=1):
            key = f"tiers[{i}]"
            if not isinstance(item, dict):
                raise self.error(key, "moet een tabel met from en factor zijn.")
            unknown = sorted(set(item) - _TIER_KEYS)
            if unknown:
                hint = ""
                if unknown[0] in _TOP_KEYS:
                    # TOML puts every key after a [[tiers]] header into that tier
                    hint = " Zet algemene sleutels boven de eerste [[tiers]]."
                raise self.error(f"{key}.{unknown[0]}", f"onbekende sleutel; alleen from en factor.{hint}")
            for part in ("from", "factor"):
                if part not in item:
                    raise self.error(f"{key}.{part}", "ontbreekt.")
            start = self.number(item["from"], f"{key}.from")
            factor = self.fraction(item["factor"], f"{key}.factor")
            if i == 1 and start != 0:
                raise self.error(f"{key}.from", f"de eerste schijf moet bij 0 beginnen, niet bij {start}.")
            if tiers and start <= tiers[-1].start:
                raise self.error(
                    f"{key}.from",
                    f"{start} moet groter zijn dan het begin van de vorige schijf "
                    f"({tiers[-1].start}); de schijven staan oplopend.",
                )
            tiers.append(Tier(start=start, factor=factor))
        return tuple(tiers)

    def weights(self, value: object, key: str) -> dict[str, Decimal]:
        if not isinstance(value, dict) or not value:
            raise self.error(key, "moet een tabel zijn van CBS-code naar gewicht.")
        weights: dict[str, Decimal] = {}
        for cbs, weight in value.items():
            if not _CBS.match(cbs):
                raise self.error(f"{key}.{cbs}", "is geen CBS-gemeentecode van vier cijfers.")
            weights[cbs] = self.number(weight, f"{key}.{cbs}")
            if weights[cbs] < 0:
                raise self.error(f"{key}.{cbs}", "een gewicht mag niet negatief zijn.")
        if sum(weights.values()) == 0:
            raise self.error(key, "de gewichten tellen op tot nul.")
        return weights

    def fixed_keys(self, value: object, overrun_key: str) -> dict[str, Decimal]:
        if overrun_key != "fixed":
            if value is not None:
                raise self.error("fixed_keys", 'hoort alleen bij overrun_key = "fixed"; laat hem weg.')
            return {}
        if value is None:
            raise self.error("fixed_keys", 'ontbreekt; overrun_key = "fixed" vraagt vaste sleutels.')
        return self.weights(value, "fixed_keys")

    def solidarity(self, value: object) -> tuple[SolidarityCategory, ...]:
        if not isinstance(value, list):
            raise self.error("solidarity", "moet een lijst van [[solidarity]]-categorieën zijn.")
        categories: list[SolidarityCategory] = []
        seen_segments: dict[str, str] = {}
        for i, item in enumerate(value, start=1):
            key = f"solidarity[{i}]"
            if not isinstance(item, dict):
                raise self.error(key, "moet een tabel zijn met name, segments en basis.")
            unknown = sorted(set(item) - _CATEGORY_KEYS)
            if unknown:
                raise self.error(
                    f"{key}.{unknown[0]}",
                    f"onbekende sleutel; toegestaan zijn {', '.join(sorted(_CATEGORY_KEYS))}.",
                )
            for part in ("name", "segments", "basis"):
                if part not in item:
                    raise self.error(f"{key}.{part}", "ontbreekt.")
            name = self.text(item["name"], f"{key}.name")
            segments = item["segments"]
            if not isinstance(segments, list) or not segments:
                raise self.error(f"{key}.segments", 'moet een niet-lege lijst zijn, bv. ["2"].')
            for segment in segments:
                if not isinstance(segment, str) or not _SEGMENT.match(segment):
                    raise self.error(
                        f"{key}.segments",
                        f'{segment!r} is geen segmentcode (cijfers als tekst, bv. "2") of "vervoer".',
                    )
                if segment in seen_segments:
                    raise self.error(
                        f"{key}.segments",
                        f"segment {segment} staat al in categorie '{seen_segments[segment]}'; "
                        "een segment hoort bij één categorie.",
                    )
                seen_segments[segment] = name
            basis = self.choice(item["basis"], f"{key}.basis", SOLIDARITY_BASES)
            fixed_shares = None
            if basis == "fixed":
                if "fixed_shares" not in item:
                    raise self.error(f"{key}.fixed_shares", 'ontbreekt; basis "fixed" vraagt vaste aandelen.')
                fixed_shares = self.weights(item["fixed_shares"], f"{key}.fixed_shares")
                total = sum(fixed_shares.values())
                if total != 1:
                    raise self.error(f"{key}.fixed_shares", f"de aandelen tellen op tot {total}, niet tot 1.")
            elif "fixed_shares" in item:
                raise self.error(f"{key}.fixed_shares", 'hoort alleen bij basis = "fixed"; laat hem weg.')
            categories.append(
                SolidarityCategory(
                    name=name,
                    segments=tuple(segments),
                    basis=cast(SolidarityBasis, basis),
                    fixed_shares=fixed_shares,
                )
            )
        return tuple(categories)
