"""Dutch number formats for the contract and report screens."""

from django import template

from jeugdregie.web.formatting import number, percent

register = template.Library()


@register.filter
def procent(fraction) -> str:
    """0.1234 -> '12,3%'; '-' for none."""
    return "-" if fraction is None else percent(float(fraction))


@register.filter
def getal(value, decimals: int = 0) -> str:
    """1234.5 -> '1.235' (or with `decimals`); '-' for none."""
    return "-" if value is None else number(float(value), int(decimals))


@register.filter
def kpi_value(value, unit: str) -> str:
    """A KPI value in its unit, Dutch ('-' for none or suppressed)."""
    from jeugdregie.web.formatting import format_kpi

    return format_kpi(value, unit)
