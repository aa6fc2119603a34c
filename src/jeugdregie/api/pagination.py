"""Pages of long lists (the traffic light): 50 per page as on the screen, at most 200."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from jeugdregie.web.stoplicht import PER_PAGE


class Pagina(PageNumberPagination):
    page_size = PER_PAGE
    page_query_param = "pagina"
    page_size_query_param = "per_pagina"
    max_page_size = 200
    invalid_page_message = "Deze pagina bestaat niet."

    def get_paginated_response(self, data):
        return Response(
            {
                "aantal": self.page.paginator.count,
                "volgende": self.get_next_link(),
                "vorige": self.get_previous_link(),
                "resultaten": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["aantal", "volgende", "vorige", "resultaten"],
            "properties": {
                "aantal": {"type": "integer", "example": 123},
                "volgende": link,
                "vorige": link,
                "resultaten": schema,
            },
        }
