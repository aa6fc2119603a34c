"""Shared constants of the demo generator tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
XSD_DIR = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "xsd"
XSD_MISSING_REASON = (
    f"official iJw 3.2 XSDs not found at {XSD_DIR} (the shared/ folder beside the repository is absent)"
)

#: Short period: the determinism and message-validity checks.
SHORT_UNTIL = dt.date(2022, 3, 31)
#: Long period: 2022-2024 complete including the claim lag (at most 6 months: 2024 is complete from
#: 2025-06-30 on) and the first quarter of the new product book (2026).
LONG_UNTIL = dt.date(2026, 3, 31)
