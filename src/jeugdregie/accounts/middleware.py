"""Audit of client-level views in the admin (SYSTEM.md section 6): every admin page of a model
that holds client-level data (a pseudonym, an allocation, a claim line, a quarantined message)
writes who looked at what and when, whatever the page (list, change page, history, delete)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin

from .models import AuditRegel

ACTIONS = {
    "changelist": "lijst bekeken",
    "change": "bekeken",
    "history": "historie bekeken",
    "delete": "verwijderpagina bekeken",
    "add": "toevoegpagina bekeken",
}


def audited_model(app_label: str, model_name: str) -> bool:
    wanted = settings.AUDITED_ADMIN_MODELS
    return f"{app_label}.*" in wanted or f"{app_label}.{model_name}" in wanted


def _admin_view(url_name: str):
    """(model, action) of an admin url name such as 'zorg_toewijzing_change', else None."""
    for model in admin.site._registry:
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        if url_name.startswith(prefix) and url_name[len(prefix) :] in ACTIONS:
            return model, url_name[len(prefix) :]
    return None


class AdminAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            match is None
            or match.namespace != "admin"
            or not match.url_name
            or user is None
            or not user.is_authenticated
            or response.status_code >= 400
        ):
            return response
        found = _admin_view(match.url_name)
        if found is None:
            return response
        model, action = found
        meta = model._meta
        if not audited_model(meta.app_label, meta.model_name):
            return response
        if action == "changelist":
            query = request.META.get("QUERY_STRING", "")
            what = f"{meta.verbose_name_plural}" + (f" ({query[:200]})" if query else "")
        else:
            what = f"{meta.verbose_name} {match.kwargs.get('object_id', '')}".strip()
        AuditRegel.objects.create(
            user=user, actie=f"beheer: {ACTIONS[action]}", object_omschrijving=what[:300]
        )
        return response
