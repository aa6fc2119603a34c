"""`{% screen_fragment "name" %}...{% endscreen_fragment %}`: a screen's rendered tables from the
screen cache (web.screen_cache).

The figures behind the big screens come from the screen cache already, but rendering their
tables (the Datakwaliteit page is about 130 KB of HTML) took 0.1-0.3 s per view on the demo
region, most of a cached page view under load. The fragment is keyed on everything it can show:
the data version, the viewer's role and own municipality or provider, the small-number threshold
(a setting: the file cache outlives a restart with another one), the full query string and whether
the view links into the admin (`admin_links`: staff with the right only).
Nothing per user or per request may go inside (no CSRF token, no user name): the view's audit
line is written by the view, outside the template, on every view.
"""

from __future__ import annotations

from django import template

from .. import screen_cache
from ..access import scope_of
from ..kpi_query import threshold

register = template.Library()


class ScreenFragmentNode(template.Node):
    def __init__(self, nodelist: template.NodeList, name: template.base.FilterExpression) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        request = context.get("request")
        if request is None or not screen_cache.enabled() or not request.user.is_authenticated:
            return self.nodelist.render(context)
        scope = scope_of(request.user)
        key = (
            str(self.name.resolve(context)),
            scope.rol,
            scope.gemeente,
            scope.aanbieder,
            threshold(),
            request.get_full_path(),
            # Links into the admin appear only for staff with the right (findings' allocations).
            bool(context.get("admin_links")),
        )
        # A node's output is not escaped again: the fragment was escaped when it was rendered.
        return screen_cache.cached("fragment", key, lambda: self.nodelist.render(context))


@register.tag("screen_fragment")
def screen_fragment(parser: template.base.Parser, token: template.base.Token) -> ScreenFragmentNode:
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("screen_fragment takes one argument: the fragment's name")
    nodelist = parser.parse(("endscreen_fragment",))
    parser.delete_first_token()
    return ScreenFragmentNode(nodelist, parser.compile_filter(bits[1]))
