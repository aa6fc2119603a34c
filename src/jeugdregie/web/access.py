"""Who may see what (SYSTEM.md section 6), enforced where the data is selected, not in templates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404

from jeugdregie.accounts.models import Rol


@dataclass(frozen=True)
class Scope:
    rol: str
    gemeente: str | None = None  # CBS code for the gemeente role
    aanbieder: str | None = None  # AGB code for the aanbieder role

    @property
    def suppress_small_numbers(self) -> bool:
        """Only the regio role sees aggregates on fewer than the threshold of clients (SYSTEM.md
        section 6); beheer manages users and configuration, not care figures."""
        return self.rol != Rol.REGIO

    def refuse_other_municipality(self, gemeente: str | None) -> None:
        """A gemeente user asking for another municipality's code gets a 403 on every screen,
        export and API endpoint (as on /overzicht/ and /gemeente/<cbs>/), never that municipality's
        suppressed figures: the region as a whole ("Hele regio", no code) stays open to it."""
        if self.rol == Rol.GEMEENTE and gemeente not in (None, "", self.gemeente):
            raise PermissionDenied(
                "Een gemeente ziet alleen de eigen gemeente; de andere gemeenten alleen samen, als 'Hele regio'."
            )

    def allowed_filter(self, gemeente: str | None, aanbieder: str | None) -> tuple[str | None, str | None]:
        """The filter a user may ask for: an aanbieder sees its own data only (in any municipality);
        a gemeente user its own municipality or the whole region, never another municipality."""
        self.refuse_other_municipality(gemeente)
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


def newest_whole_year(latest: dt.date) -> int:
    """The year the screens open on when data is complete until `latest`: the newest whole year."""
    return latest.year if latest.month == 12 else latest.year - 1


def years_with_data(latest: dt.date) -> list[int]:
    """Every year from the first claimed or allocated care up to the newest message's year."""
    from django.db.models import Min

    from jeugdregie.zorg.models import DeclaratieRegel, Toewijzing

    firsts = [
        DeclaratieRegel.objects.aggregate(d=Min("periode_begin"))["d"],
        Toewijzing.objects.aggregate(d=Min("ingangsdatum"))["d"],
    ]
    first = min((d.year for d in firsts if d is not None), default=latest.year)
    return list(range(min(first, latest.year), latest.year + 1))


def choose_year(raw: str | None, years: list[int], default: int) -> tuple[int, str | None]:
    """The year asked for when it has data, else `default` with a Dutch message saying why."""
    if not raw:
        return default, None
    try:
        asked = int(raw)
    except ValueError:
        return default, f"'{raw[:20]}' is geen jaartal; u ziet {default}."
    if asked not in years:
        span = f"{years[0]} tot en met {years[-1]}" if years else "geen enkel jaar"
        return default, f"Voor {asked} zijn er geen gegevens (wel voor {span}); u ziet {default}."
    return asked, None


def known_code(value: str | None, model, field: str) -> str | None:
    """A municipality or provider code from the query string, refused (404) when it does not exist,
    so a typo never shows an empty page as if it were data."""
    if value and not model.objects.filter(**{field: value}).exists():
        raise Http404(f"Onbekende code: {value[:20]}")
    return value


def filter_context(scope: Scope, jaar: int, gemeente: str | None, aanbieder: str | None, latest) -> dict:
    """The year / municipality / provider selectors of a screen, limited to what `scope` may choose."""
    from jeugdregie.contracten.models import Aanbieder
    from jeugdregie.regio.models import Gemeente

    jaren = years_with_data(latest)
    if jaar not in jaren:  # the heading and the selector must agree
        jaren = sorted({*jaren, jaar})
    return {
        "scope": scope,
        "jaar": jaar,
        "jaren": jaren,
        "gemeenten": Gemeente.objects.filter(cbs_code=scope.gemeente)
        if scope.rol == Rol.GEMEENTE
        else Gemeente.objects.all(),
        "gekozen_gemeente": gemeente,
        "gekozen_aanbieder": aanbieder,
        "aanbieders": Aanbieder.objects.filter(agb_code=scope.aanbieder)
        if scope.aanbieder
        else Aanbieder.objects.all(),
    }
