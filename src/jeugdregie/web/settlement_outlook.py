"""The settlement outlook on the Plafonds screen: what the region will pay and withhold at the end
of the year under the active rule set, per provider x group, on the low, mid and high forecast of
the peildatum (`settle(year, as_of=...)`'s outlook). For the region only: it sets every provider's
forecast beside its ceiling."""

from __future__ import annotations

import datetime as dt

from jeugdregie.accounts.models import Rol
from jeugdregie.budget.settlement import BANDS, SettlementError

from .access import Scope
from .afrekening_service import outlook
from .settlement_rows import group_names, rule_set_summary


def outlook_figures(as_of: dt.date, at: str | None = None):
    """The settlement outlook on `as_of`, from the screen cache."""
    from . import screen_cache

    def compute():
        try:
            return outlook(as_of.year, as_of)
        except SettlementError as exc:  # no rule set yet: remembered as well, it is as slow to find
            return exc

    return screen_cache.cached("vooruitblik", (as_of,), compute, at=at)


def outlook_context(scope: Scope, as_of: dt.date, at: str | None = None) -> dict:
    if scope.rol != Rol.REGIO:
        return {}
    s = outlook_figures(as_of, at)
    if isinstance(s, SettlementError):
        return {"vooruitblik": {"fout": str(s)}}
    names = group_names()
    rows, within = [], 0
    for g in s.groups:
        if not g.outlook or g.outcome.ceiling_cents is None:
            continue
        if not any(g.outlook[band].unpaid_cents > 0 for band in BANDS):
            within += 1
            continue
        rows.append(
            {
                "naam": g.provider.naam,
                "agb": g.agb,
                "groep": g.groep,
                "groepnaam": names.get(g.groep, ""),
                "plafond": g.outcome.ceiling_cents,
                "goedgekeurd": g.recorded_overrun_cents,
                "gedeclareerd": g.outcome.claimed_cents,
                "prognose": [g.outlook[b].claimed_cents for b in BANDS],
                "betaald": [g.outlook[b].paid_cents for b in BANDS],
                "ingehouden": [g.outlook[b].unpaid_cents for b in BANDS],
                # The forecast has a band when low and high differ; else one figure is shown.
                "band": g.outlook["low"].claimed_cents != g.outlook["high"].claimed_cents,
            }
        )
    rows.sort(key=lambda r: (-r["ingehouden"][1], r["naam"], r["groep"]))
    t = s.totals
    return {
        "vooruitblik": {
            "regels": rule_set_summary(s.rules),
            "rows": rows,
            "binnen": within,
            "totaal": [
                {
                    "band": label,
                    "prognose": t.get(f"outlook_{b}_claimed_cents", 0),
                    "betaald": t.get(f"outlook_{b}_paid_cents", 0),
                    "ingehouden": t.get(f"outlook_{b}_unpaid_cents", 0),
                }
                for b, label in zip(BANDS, ("Laag", "Midden", "Hoog"), strict=True)
            ],
        }
    }
