"""Errors of the API as Dutch JSON ({"detail": "..."}), never the site's HTML pages: refusals,
unknown codes, bad parameters, unknown API paths and server errors."""

from __future__ import annotations

import logging

from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

MESSAGES = {
    exceptions.NotAuthenticated: "Niet ingelogd: geef een token mee (Authorization: Token <sleutel>) of log in.",
    exceptions.AuthenticationFailed: "Het token of de inloggegevens zijn ongeldig.",
    exceptions.MethodNotAllowed: "Deze API kan alleen lezen (GET).",
    exceptions.NotAcceptable: "Deze API antwoordt alleen in JSON.",
}


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        # Anything else is a fault of ours: logged with its details, answered without them.
        logger.exception("Fout in de API", exc_info=exc)
        return Response(
            {"detail": "Er ging iets mis op de server."}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    message = next((text for kind, text in MESSAGES.items() if isinstance(exc, kind)), None)
    if message is not None:
        response.data = {"detail": message}
    return response


def not_found(request, *args, **kwargs):
    """Any path under /api/ that is not an endpoint: a JSON 404, not the site's page."""
    from django.http import JsonResponse

    return JsonResponse({"detail": "Onbekend API-adres; zie /api/schema/."}, status=404)
