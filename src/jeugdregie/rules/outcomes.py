"""Outcomes the iJw messages do not carry (NJi/CBS "Outcome in Zicht"): client satisfaction and goal
attainment, reported by each A or B provider per tertial as the number of clients measured and the
number satisfied (or whose goals were reached). Validation of reported rows, all or nothing, with a
Dutch message per row."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INDICATORS = {
    "clienttevredenheid": "Cliënttevredenheid",
    "doelrealisatie": "Doelrealisatie",
}
ALIASES = {
    "clienttevredenheid": "clienttevredenheid",
    "cliënttevredenheid": "clienttevredenheid",
    "tevredenheid": "clienttevredenheid",
    "doelrealisatie": "doelrealisatie",
    "doelen bereikt": "doelrealisatie",
}
HEADER = ("AGB-code", "Tertiaal", "Indicator", "Aantal gemeten", "Aantal positief")


@dataclass(frozen=True)
class OutcomeRow:
    aanbieder: str
    tertiaal: str  # "2025-T2"
    indicator: str
    gemeten: int
    positief: int

    @property
    def share(self) -> float | None:
        return self.positief / self.gemeten if self.gemeten else None


def tertial_last_day(label: str) -> dt.date:
    year, t = int(label[:4]), int(label[-1])
    return dt.date(year, 12, 31) if t == 3 else dt.date(year, 4 * t + 1, 1) - dt.timedelta(days=1)


def _count(value: Any, name: str) -> tuple[int | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, f"{name} ontbreekt"
    if isinstance(value, bool):
        return None, f"{name} is geen geheel getal"
    if isinstance(value, float):
        if not value.is_integer():
            return None, f"{name} '{value}' is geen geheel getal"
        value = int(value)
    if isinstance(value, str):
        if not re.fullmatch(r"\s*\d+\s*", value):
            return None, f"{name} '{value.strip()[:20]}' is geen geheel getal"
        value = int(value)
    if not isinstance(value, int) or value < 0:
        return None, f"{name} moet 0 of meer zijn"
    return value, None


def validate_rows(
    rows: Sequence[Sequence[Any]],
    categories: Mapping[str, str],
    today: dt.date,
    *,
    only_provider: str | None = None,
    first_row: int = 2,
) -> tuple[list[OutcomeRow], list[tuple[int, str]]]:
    """Rows of (AGB, tertial, indicator, measured, positive). `categories`: AGB -> category of every
    contracted provider; `only_provider`: a provider may report only for itself. Returns the valid
    rows and the errors as (row number, Dutch message); a caller imports only when there are none."""
    found: list[OutcomeRow] = []
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for number, raw in enumerate(rows, start=first_row):
        cells = list(raw) + [None] * (5 - len(raw))
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells[:5]):
            continue  # an empty row
        problems = []
        agb = str(cells[0]).strip() if cells[0] is not None else ""
        if (
            isinstance(cells[0], int | float)
            and not isinstance(cells[0], bool)
            and float(cells[0]).is_integer()
        ):
            agb = str(int(cells[0])).zfill(8)  # a number cell in Excel loses its leading zeros
        if not re.fullmatch(r"\d{8}", agb):
            problems.append(f"AGB-code '{agb[:20]}' bestaat niet uit 8 cijfers")
        elif agb not in categories:
            problems.append(f"AGB-code {agb} is geen gecontracteerde aanbieder")
        elif categories[agb] not in ("A", "B"):
            problems.append(
                f"aanbieder {agb} is categorie {categories[agb]}; alleen A en B leveren uitkomsten aan"
            )
        elif only_provider and agb != only_provider:
            problems.append(
                f"u levert alleen voor uw eigen organisatie aan (AGB {only_provider}), niet voor {agb}"
            )
        tertial = str(cells[1] or "").strip().upper()
        if not re.fullmatch(r"\d{4}-T[123]", tertial):
            problems.append(f"tertiaal '{tertial[:20]}' schrijft u als JJJJ-T1, -T2 of -T3")
        elif tertial_last_day(tertial) > today:
            problems.append(f"tertiaal {tertial} is nog niet voorbij")
        indicator = ALIASES.get(str(cells[2] or "").strip().lower(), "")
        if not indicator:
            problems.append(
                f"indicator '{str(cells[2] or '')[:30]}' onbekend (kies {' of '.join(INDICATORS.values())})"
            )
        gemeten, problem = _count(cells[3], "aantal gemeten")
        if problem:
            problems.append(problem)
        positief, problem = _count(cells[4], "aantal positief")
        if problem:
            problems.append(problem)
        if gemeten is not None and positief is not None and positief > gemeten:
            problems.append(f"aantal positief ({positief}) is groter dan aantal gemeten ({gemeten})")
        key = (agb, tertial, indicator)
        if not problems and key in seen:
            problems.append(f"dubbel: dezelfde aanbieder, tertiaal en indicator staan ook in rij {seen[key]}")
        if problems:
            errors.append((number, "; ".join(problems) + "."))
            continue
        seen[key] = number
        assert gemeten is not None and positief is not None
        found.append(OutcomeRow(agb, tertial, indicator, gemeten, positief))
    return found, errors
