"""Who may see what (SYSTEM.md section 6), enforced where the data is selected, not in templates."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied

from jeugdregie.accounts.models import Rol


@dataclass(frozen=True)
class Scope:
    rol: str
    gemeente: str | None = None  # CBS code for the gemeente role
    aanbieder: str | None = None  # AGB code for the aanbieder role

    @property
    def suppress_small_numbers(self) -> bool:
        return self.rol not in (Rol.REGIO, Rol.BEHEER)

    def allowed_filter(self, gemeente: str | None, aanbieder: str | None) -> tuple[str | None, str | None]:
        """The filter a user may ask for: an aanbieder sees its own data only; a gemeente user may
        look at any municipality, but outside its own only as (suppressed) aggregates."""
        if self.rol == Rol.AANBIEDER:
            if aanbieder not in (None, self.aanbieder):
                raise PermissionDenied("Een aanbieder ziet alleen de eigen gegevens.")
            return gemeente, self.aanbieder
        if self.rol == Rol.VERWIJZER:
            raise PermissionDenied("Verwijzers zien het stoplicht en het gecontracteerde aanbod.")
        return gemeente, aanbieder


def scope_of(user) -> Scope:
    if user.is_superuser:
        return Scope(Rol.BEHEER)
    profiel = getattr(user, "profiel", None)
    if profiel is None:
        raise PermissionDenied("Aan dit account is geen rol toegekend.")
    return Scope(
        profiel.rol,
        profiel.gemeente.cbs_code if profiel.gemeente_id else None,
        profiel.aanbieder.agb_code if profiel.aanbieder_id else None,
    )


def suppress(value, clients: int | None, scope: Scope):
    """Aggregates resting on fewer than SMALL_NUMBER_THRESHOLD clients are not shown outside regio."""
    if scope.suppress_small_numbers and clients is not None and clients < settings.SMALL_NUMBER_THRESHOLD:
        return None
    return value


def filter_context(scope: Scope, jaar: int, gemeente: str | None, aanbieder: str | None, latest) -> dict:
    """The year / municipality / provider selectors of a screen, limited to what `scope` may choose."""
    from jeugdregie.contracten.models import Aanbieder
    from jeugdregie.regio.models import Gemeente

    return {
        "scope": scope,
        "jaar": jaar,
        "jaren": range(2022, latest.year + 1),
        "gemeenten": Gemeente.objects.all(),
        "gekozen_gemeente": gemeente,
        "gekozen_aanbieder": aanbieder,
        "aanbieders": Aanbieder.objects.filter(agb_code=scope.aanbieder)
        if scope.aanbieder
        else Aanbieder.objects.all(),
    }
