"""Dutch number formats for the screens: decimal comma, thousands dot, and the unit beside the
value ("7,5 maanden", "12 dagen", "8,2%", "EUR 1.234"); products with their name beside the code."""

from __future__ import annotations

from typing import Any

from jeugdregie.catalogus.models import Product

SUPPRESSED = "-"


def number(value: float, decimals: int = 0) -> str:
    """1234567.891 -> '1.234.567,9' (decimals=1)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(fraction: float, decimals: int = 1, signed: bool = False) -> str:
    text = number(fraction * 100, decimals) + "%"
    return ("+" + text) if signed and fraction > 0 else text


def euro(cents: float | None) -> str:
    return SUPPRESSED if cents is None else "EUR " + number(cents / 100)


def product_names() -> dict[str, str]:
    """Product code -> name; the newest book's name where a code occurs in more than one book."""
    return dict(Product.objects.order_by("boek__geldig_van").values_list("code", "naam"))


def product_label(code: str, names: dict[str, str]) -> str:
    return f"{code} {names[code]}" if code in names else code


def format_kpi(value: Any, unit: str, names: dict[str, str] | None = None) -> str:
    """A KPI value (None: suppressed or not available) as shown in the KPI table."""
    if value is None:
        return SUPPRESSED
    if unit == "cent":
        return euro(value)
    if unit == "fractie":
        return percent(value)
    if unit == "dagen":
        return number(value, 0 if float(value).is_integer() else 1) + " dagen"
    if unit == "maanden":
        return number(value, 1) + " maanden"
    if unit == "tabel":
        if isinstance(value, dict):
            return ", ".join(f"{k} {percent(v)}" for k, v in value.items())
        names = names or {}
        return "; ".join(
            " > ".join(product_label(p, names) for p in row["producten"]) + f" ({number(row['aantal'])})"
            for row in value[:3]
        )
    return number(value)
