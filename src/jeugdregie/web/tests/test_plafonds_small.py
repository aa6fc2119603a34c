"""Plafonds screen: outside regio a level resting on fewer than 5 clients is not shown, also a
municipality without clients this year whose forecast still rests on last year's few clients
(SYSTEM.md section 6)."""

from types import SimpleNamespace

from jeugdregie.budget.forecasting import LevelForecast
from jeugdregie.rules.forecast import Forecast
from jeugdregie.web.budget import SuppressedLevel, _suppressed


def level(key, claimed, forecast, level="gemeente"):
    chosen = Forecast("blend", 2025, 24300, forecast)
    return LevelForecast(level, key, {"blend": chosen}, chosen, claimed, None, 0)


def test_small_and_client_less_levels_with_an_amount_are_hidden_outside_regio():
    levels = [
        level("0983", 1_000_000, 12_000_000),  # Venlo: 6 clients this year, shown
        level("0984", 0, 900_000),  # Venray: no client this year, forecast from last year's 3: hidden
        level("0889", 200_000, 2_400_000),  # Beesel: 2 clients: hidden
        level("0957", 0, 0),  # Roermond: nothing at all: zeros reveal nobody, shown
        level("regio", 1_200_000, 15_300_000, level="regio"),
    ]
    counts = SimpleNamespace(providers={}, per_municipality={"0983": 6, "0889": 2}, per_category={})
    kept, _ = _suppressed(levels, [], counts)
    hidden = {f.key for f in kept if isinstance(f, SuppressedLevel)}
    assert hidden == {"0984", "0889"}
