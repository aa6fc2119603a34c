"""Amounts of the settlement statements to the cent, in Dutch notation (1.234.567,89), as the
`settle` command prints them; shares as percentages."""

from decimal import Decimal

from django import template

from jeugdregie.budget.settlement_report import euro

from ..formatting import number

register = template.Library()


@register.filter
def bedrag(cents) -> str:
    """Cents as euros to the cent: 1.234,56; '-' for none (no ceiling, or suppressed)."""
    return euro(cents)


@register.filter
def aandeel(fraction) -> str:
    """0.123456 -> '12,35%'."""
    return "-" if fraction is None else number(float(fraction) * 100, 2) + "%"


@register.filter
def factor(value) -> str:
    """Decimal('0.950') -> '0,95'; Decimal('1.00') -> '1'."""
    if value is None:
        return "-"
    return format(Decimal(str(value)).normalize(), "f").replace(".", ",")
