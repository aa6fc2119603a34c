"""Behaviour parameters of the demo simulation (``simulation``): shares, product tables, norms."""

from __future__ import annotations

from typing import Final

from . import region
from .calendar import (
    ordinal,
)

FIRST_YEAR: Final = 2021  # first year with claims; the stock of care running on 1 January starts before
NEW_START: Final = ordinal(region.NIEUW_BOEK.geldig_van.year, 1, 1)
SEGMENTS: Final = ("2", "3", "4")
GROEP_OF_SEGMENT: Final = {"2": "W", "3": "D", "4": "A", "V": "V"}
TRANSPORT_LEGACY, TRANSPORT_NEW = "42L01", "42N01"

# ---------------------------------------------------------------- behaviour parameters

P_EXT04: Final = 0.20  # share of prolongations done as a 04 change of the running allocation
P_SHORTEN: Final = 0.90  # an early stop shortens the allocation (05) in this share of cases
P_GAP: Final = 0.20  # share of extensions that start some days after the previous allocation
P_DELETED: Final = 0.03  # first allocations deleted (13) and re-allocated to another provider
P_RELAPSE: Final = 0.055  # new care 1-6 months after a care path ended
#: Share of new care paths that go to a former client whose care ended more than six months before
#: (repeated use; seed 000: about 8,900 clients in 3.7 years at some 6,400 a year in segments 3+4).
P_REENTRY: Final = {"2": 0.25, "3": 0.50, "4": 0.55}
STOCK_FRACTION: Final = {"2": 0.62, "3": 0.45, "4": 0.40}

# Early stops: JW307 reason when a care path ends before its allocation's end.
EARLY_REASONS: Final = (("31", 0.80), ("34", 0.06), ("32", 0.06), ("33", 0.05), ("35", 0.03))

# Provider class shares of new episodes per product group and year: (nga, micro).
CLASS_P: Final[dict[str, dict[int, tuple[float, float]]]] = {
    "A": {
        2021: (0.024, 0.068),
        2022: (0.035, 0.066),
        2023: (0.034, 0.084),
        2024: (0.045, 0.108),
        2025: (0.049, 0.112),
        2026: (0.053, 0.114),
    },
    "D": {
        2021: (0.024, 0.055),
        2022: (0.035, 0.053),
        2023: (0.034, 0.066),
        2024: (0.045, 0.080),
        2025: (0.049, 0.083),
        2026: (0.053, 0.085),
    },
    "W": {
        2021: (0.01, 0.06),
        2022: (0.01, 0.06),
        2023: (0.01, 0.06),
        2024: (0.03, 0.07),
        2025: (0.03, 0.07),
        2026: (0.03, 0.07),
    },
}

# Segment 4 (ambulant), legacy book: trajectories per line and level, meerwerk / maatwerk.
TRAJECT_LINES: Final = (
    ("54", ("54L01", "54L02", "54L03"), (0.20, 0.45, 0.35), 0.30),
    ("45", ("45L01", "45L02", "45L03"), (0.20, 0.45, 0.35), 0.22),
    ("45", ("45L04", "45L05"), (0.50, 0.50), 0.13),
    ("45", ("45L06", "45L07", "45L08"), (0.30, 0.40, 0.30), 0.35),
)
LADDER: Final = {
    "54": ("54L01", "54L02", "54L03"),
    "45": ("45L01", "45L04", "45L02", "45L05", "45L03", "45L06", "45L07", "45L08"),
}
MEERWERK, MAATWERK, DYSLEXIE, ANALYSE = "45L09", "45L10", "45L11", region.ANALYSE
P_DYSLEXIE: Final = 0.06
P_MAATWERK: Final = {2020: 0.19, 2021: 0.20, 2022: 0.21, 2023: 0.23, 2024: 0.25, 2025: 0.26, 2026: 0.27}
P_MEERWERK_ADDON: Final = {2020: 0.34, 2021: 0.35, 2022: 0.36, 2023: 0.38, 2024: 0.40, 2025: 0.41}
P_MAATWERK_ADDON: Final = {2020: 0.22, 2021: 0.23, 2022: 0.25, 2023: 0.28, 2024: 0.31, 2025: 0.33}
P_MAATWERK_ADDON_GGZ: Final = {2020: 0.30, 2021: 0.31, 2022: 0.33, 2023: 0.36, 2024: 0.39, 2025: 0.41}
P_ANALYSE_2026: Final = 0.20

# Segment 3 (day care): product, share, dagdelen per week (respijtzorg: per month), ages.
DAG: Final = (
    ("41L01", 0.17, (5.0, 9.0), (2, 5)),
    ("41L02", 0.10, (4.0, 8.0), (6, 17)),
    ("41L03", 0.09, (5.0, 9.0), (6, 17)),
    ("41L04", 0.05, (6.0, 9.5), (6, 17)),
    ("41L05", 0.06, (5.0, 9.0), (6, 17)),
    ("41L06", 0.05, (5.0, 9.0), (6, 17)),
    ("41L07", 0.04, (6.0, 9.5), (6, 17)),
    ("41L08", 0.17, (1.5, 4.0), (6, 17)),
    ("41L09", 0.10, (2.0, 4.5), (6, 17)),
    ("41L10", 0.12, (3.0, 8.0), (4, 17)),
    ("41L11", 0.05, (7.0, 9.5), (2, 17)),
)
#: Yearly rise of the intensity of new care (seed 000: cost per client rises faster than the indexation).
INTENSITY_TREND: Final = 0.05
DAG_FAMILIES: Final = (("41L02", "41L03", "41L04"), ("41L05", "41L06", "41L07"), ("41L08", "41L09"))

# Segment 2 (housing): product, share, duration triangle (months), ages.
WONEN: Final = (
    ("44L01", 0.45, (3, 60, 10), (0, 17)),
    ("44L03", 0.27, (2, 12, 6), (3, 17)),
    ("43L01", 0.08, (4, 36, 12), (0, 17)),
    ("43L02", 0.10, (2, 24, 6), (10, 17)),
    ("44L02", 0.10, (3, 15, 8), (15, 17)),
)
WONEN_LADDER: Final = ("44L01", "44L02", "43L01", "43L02")
#: Residential placements (gezinshuis, woonleefgroep): not at micro or NGA providers, whose yearly
#: spend must stay under EUR 250k (one placement costs EUR 75-110k a year).
RESIDENTIAL: Final = frozenset({"43L01", "43L02"})
LONG_VALIDITY: Final = frozenset({"44L01", "43L01", "44N01", "43N01"})

REFERRERS: Final = {
    "2": (("01", 0.55), ("04", 0.30), ("08", 0.10), ("02", 0.05)),
    "3": (("01", 0.60), ("02", 0.10), ("03", 0.15), ("05", 0.15)),
    "4": (("01", 0.40), ("02", 0.40), ("03", 0.05), ("04", 0.05), ("05", 0.08), ("08", 0.02)),
    "dyslexie": (("01", 0.70), ("02", 0.30)),
}
WAIT_NORM: Final = {"W": 42, "D": 28, "A": 35, "dyslexie": 56}

#: Micro providers stay below EUR 250k a year; the generator keeps them under this, with a margin.
MICRO_LIMIT: Final = 235_000_00

# Structural calibration: the band of the volume factor that is accepted without structural moves.
F_BAND: Final = {"3": (0.82, 1.22), "4": (0.86, 1.18), "V": (0.25, 4.0)}
