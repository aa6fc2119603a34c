"""A small evaluator for the formulas the settlement workbooks use (SUM, MIN, MAX, ROUND, + - * /,
cell and range references, also to other sheets), so a test can check what Excel would show
without Excel. ROUND rounds as Excel does: on 15 significant digits, half away from zero."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from openpyxl.utils import column_index_from_string

REF = re.compile(
    r"(?:(?P<sheet>[A-Za-z]\w*)!)?\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)(?::\$?(?P<col2>[A-Z]{1,3})\$?(?P<row2>\d+))?"
)


def excel_round(value: float, digits: int) -> float:
    exact = Decimal(format(value, ".15g"))
    return float(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def _flatten(values):
    for v in values:
        if isinstance(v, list):
            yield from _flatten(v)
        elif v is not None and not isinstance(v, str):
            yield v


class Evaluator:
    def __init__(self, workbook) -> None:
        self.wb = workbook
        self.cache: dict[tuple[str, str], object] = {}

    def value(self, sheet: str, cell: str):
        key = (sheet, cell)
        if key not in self.cache:
            raw = self.wb[sheet][cell].value
            self.cache[key] = (
                self._formula(sheet, raw[1:]) if isinstance(raw, str) and raw.startswith("=") else raw
            )
        return self.cache[key]

    def _range(self, sheet: str, col: str, row: int, col2: str, row2: int) -> list:
        first, last = column_index_from_string(col), column_index_from_string(col2)
        ws = self.wb[sheet]
        return [
            self.value(sheet, ws.cell(row=r, column=c).coordinate)
            for r in range(row, row2 + 1)
            for c in range(first, last + 1)
        ]

    def _formula(self, sheet: str, text: str):
        refs: list = []

        def ref(match: re.Match) -> str:
            target = match["sheet"] or sheet
            if match["col2"]:
                refs.append(
                    self._range(target, match["col"], int(match["row"]), match["col2"], int(match["row2"]))
                )
            else:
                v = self.value(target, f"{match['col']}{match['row']}")
                refs.append(0 if v is None else v)
            return f"_r[{len(refs) - 1}]"

        expression = REF.sub(ref, text)
        functions = {
            "SUM": lambda *a: sum(_flatten(a)),
            "MIN": lambda *a: min(_flatten(a)),
            "MAX": lambda *a: max(_flatten(a)),
            "ROUND": excel_round,
        }
        return eval(expression, {"__builtins__": {}}, {**functions, "_r": refs})  # noqa: S307 - own test files
