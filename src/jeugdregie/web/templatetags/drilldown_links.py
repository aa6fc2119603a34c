"""Links from a figure on a screen to its drill-down (web.drilldown)."""

from django import template

from ..drilldown import kpi_links

register = template.Library()


@register.simple_tag
def drill_link(
    kpi_id: str, jaar: int, column: int, gemeente: str | None = None, aanbieder: str | None = None
) -> str:
    """The drill-down of the KPI screen's cell in `column` (0 the year, 1-3 the tertials)."""
    return kpi_links(kpi_id, jaar, gemeente or None, aanbieder or None)[column]
