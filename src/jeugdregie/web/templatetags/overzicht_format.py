"""Euro amounts of the overview: whole euros ('€ 1.234.567') and compact ('€ 1,2 mln')."""

from django import template

from ..charting import dutch, euro_compact

register = template.Library()


@register.filter
def euro_heel(cents) -> str:
    """Cents as whole euros: '€ 1.234.567'; '-' for none (suppressed)."""
    if cents is None:
        return "-"
    return ("-" if cents < 0 else "") + "€ " + dutch(abs(cents) / 100)


@register.filter
def euro_kort(cents) -> str:
    return "-" if cents is None else euro_compact(cents)


@register.filter
def euro_groei(cents) -> str:
    """A signed compact amount: '+€ 1,2 mln', '-€ 350.000'."""
    return "-" if cents is None else euro_compact(cents, signed=True)


@register.filter
def aantal(value) -> str:
    return "-" if value is None else dutch(value)
