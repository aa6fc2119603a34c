"""Dutch number formats for the screens, the same as the CLI's (monitoring.services.format_value)."""

from django import template

from jeugdregie.monitoring.services import format_value

register = template.Library()


@register.filter
def euro(cents) -> str:
    """Cents as whole euros: EUR 1.234.567; '-' for none."""
    return format_value(None if cents is None else round(cents), "cent")
