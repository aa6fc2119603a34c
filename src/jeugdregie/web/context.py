"""What every page's layout needs: who is logged in, in which role and for which party, so a
provider or municipality always sees on whose behalf it looks (also on error pages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from jeugdregie.accounts.models import Rol

from .access import scope_of


def logged_in_as(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        scope = scope_of(user)
    except PermissionDenied:
        return {"ingelogd_als": "geen rol toegekend"}
    profiel = getattr(user, "profiel", None)
    if scope.rol == Rol.AANBIEDER and profiel is not None:
        label = f"{profiel.aanbieder.naam} (AGB {profiel.aanbieder.agb_code})"
    elif scope.rol == Rol.GEMEENTE and profiel is not None:
        label = f"gemeente {profiel.gemeente.naam}"
    else:
        label = {Rol.REGIO: "regio", Rol.VERWIJZER: "verwijzer", Rol.BEHEER: "beheer"}.get(
            scope.rol, scope.rol
        )
    return {"scope": scope, "ingelogd_als": label}
