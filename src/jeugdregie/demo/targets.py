"""Calibration targets of the demo data generator (SYSTEM.md section 4, seed 000 section 7.1).

The market table (clients and euros per municipality x segment, 2022 and 2023) and the transport
table are the binding targets; the generator constructs its population so that they are met by
construction (see ``jeugdregie.demo.simulation``). Years outside 2022-2023 follow the stated
patterns: 2021 (run-in) a little below 2022, segments 3+4 +14.1% in 2024 at roughly stable client
numbers, then +8% (2025) and +5% (2026), +4% a year after that.

All figures are per copy of the region (``--scale N`` generates N independent copies).
"""

from __future__ import annotations

from typing import Final

# (segment, CBS code) -> (clients 2022, EUR 2022, clients 2023, EUR 2023); seed 000 section 7.1.
MARKT: Final[dict[tuple[str, str], tuple[int, int, int, int]]] = {
    ("2", "0889"): (26, 447_412, 25, 736_847),
    ("2", "0893"): (25, 420_254, 20, 439_564),
    ("2", "0907"): (21, 409_363, 21, 420_988),
    ("2", "1507"): (45, 562_097, 42, 1_005_716),
    ("2", "1894"): (52, 716_235, 43, 742_074),
    ("2", "0983"): (257, 4_575_808, 264, 5_916_358),
    ("2", "0984"): (67, 1_408_830, 63, 1_672_058),
    ("3", "0889"): (42, 312_451, 43, 408_011),
    ("3", "0893"): (27, 311_119, 32, 395_171),
    ("3", "0907"): (42, 298_445, 47, 425_928),
    ("3", "1507"): (79, 593_148, 75, 696_862),
    ("3", "1894"): (96, 966_876, 81, 1_052_812),
    ("3", "0983"): (320, 3_835_948, 331, 3_963_565),
    ("3", "0984"): (130, 1_573_961, 134, 1_880_854),
    ("4", "0889"): (318, 1_651_473, 326, 1_779_416),
    ("4", "0893"): (261, 1_204_098, 262, 1_425_026),
    ("4", "0907"): (400, 1_768_543, 412, 2_397_497),
    ("4", "1507"): (919, 3_912_122, 871, 4_159_899),
    ("4", "1894"): (762, 3_858_633, 683, 3_716_973),
    ("4", "0983"): (2144, 11_474_922, 2202, 12_762_812),
    ("4", "0984"): (906, 5_397_138, 919, 5_917_334),
}

# Transport by provider (vervoer): CBS code -> (clients 2022, EUR 2022, clients 2023, EUR 2023).
VERVOER: Final[dict[str, tuple[int, int, int, int]]] = {
    "0889": (12, 8_569, 22, 13_971),
    "0893": (9, 8_580, 11, 10_422),
    "0907": (17, 16_453, 15, 11_184),
    "1507": (19, 15_910, 27, 30_147),
    "1894": (35, 35_480, 35, 44_307),
    "0983": (107, 111_643, 119, 186_600),
    "0984": (32, 43_734, 40, 61_489),
}

#: Segment key of transport in the generator's cells (transport has no segment in the market table).
VERVOER_SEGMENT: Final = "V"

# Year-on-year factors beyond the table: (clients, spend) relative to the year before.
# 2021 is derived backwards from 2022 (run-in year, not binding).
GROEI: Final[dict[str, dict[int, tuple[float, float]]]] = {
    "2": {2024: (1.00, 1.07), 2025: (1.00, 1.06), 2026: (1.00, 1.05)},
    "3": {2024: (1.01, 1.141), 2025: (1.00, 1.08), 2026: (1.00, 1.05)},
    "4": {2024: (1.01, 1.141), 2025: (1.00, 1.08), 2026: (1.00, 1.05)},
    "V": {2024: (1.05, 1.10), 2025: (1.03, 1.08), 2026: (1.02, 1.05)},
}
GROEI_LATER: Final = (1.00, 1.04)  # after 2026
RUN_IN_2021: Final = (0.99, 1 / 1.07)  # 2021 relative to 2022

#: Shares of segment 3+4 spend (patterns of seed 000): NGA, and micro providers (< EUR 250k a year,
#: NGA included). 2022 and 2024 are the seed's figures, 2021 and 2023 interpolate. After 2024 the
#: NGA share keeps rising and the micro share stays about flat (a rising micro share in a growing
#: market would push the individual micro providers over the EUR 250k limit of the class).
NGA_SHARE: Final[dict[int, float]] = {
    2021: 0.032,
    2022: 0.036,
    2023: 0.043,
    2024: 0.050,
    2025: 0.055,
    2026: 0.058,
}
MICRO_SHARE: Final[dict[int, float]] = {
    2021: 0.105,
    2022: 0.112,
    2023: 0.129,
    2024: 0.147,
    2025: 0.146,
    2026: 0.143,
}
SHARE_TREND_LATER: Final = {"nga": 0.002, "micro": -0.002}


def share(table: dict[int, float], year: int) -> float:
    if year in table:
        return table[year]
    last = max(table)
    if year > last:
        trend = SHARE_TREND_LATER["nga" if table is NGA_SHARE else "micro"]
        return table[last] + trend * (year - last)
    return table[min(table)]


def _base(segment: str, gemeente: str) -> tuple[int, int, int, int]:
    if segment == VERVOER_SEGMENT:
        return VERVOER[gemeente]
    return MARKT[(segment, gemeente)]


def target(segment: str, gemeente: str, year: int) -> tuple[int, int]:
    """(clients, spend in cents) for one cell and year, per copy of the region."""
    c22, e22, c23, e23 = _base(segment, gemeente)
    if year <= 2021:
        return round(c22 * RUN_IN_2021[0]), round(e22 * 100 * RUN_IN_2021[1])
    if year == 2022:
        return c22, e22 * 100
    clients, spend = float(c23), float(e23 * 100)
    for y in range(2024, year + 1):
        fc, fs = GROEI[segment].get(y, GROEI_LATER)
        clients, spend = clients * fc, spend * fs
    return round(clients), round(spend)
