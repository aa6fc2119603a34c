"""Links from a figure on a screen to its drill-down (web.drilldown)."""

from django import template

from ..drilldown import TERTIAL_MONTHS, drill_url

register = template.Library()


@register.simple_tag
def drill_link(
    kpi_id: str, jaar: int, column: int, gemeente: str | None = None, aanbieder: str | None = None
) -> str:
    """The drill-down of the KPI screen's cell in `column` (0 the year, 1-3 the tertials)."""
    period = ("jaar", "T1", "T2", "T3")[column]  # one link, not the row's four (a cell each)
    return drill_url(
        kpi_id, jaar, TERTIAL_MONTHS[period], gemeente=gemeente or None, aanbieder=aanbieder or None
    )
