from jeugdregie.rules.signals import budget_signals, ceiling_signals, kpi_signals, waterbed_signal


def test_ceiling_signals_at_90_and_100_percent():
    found = ceiling_signals(
        [("P1", 89_99, 100_00), ("P2", 90_00, 100_00), ("P3", 100_00, 100_00), ("P4", 5, 0)]
    )
    assert [(s.sleutel, s.ernst) for s in found] == [("P2", "waarschuwing"), ("P3", "kritiek")]
    assert found[1].uitleg == (
        "Verwachte productie EUR 100 is 100% van het plafond EUR 100: overschrijding, "
        "overleg en goedkeuring nodig."
    )


def test_municipality_over_budget():
    found = budget_signals([("0983", 1_060_00, 1_000_00), ("0889", 900_00, 1_000_00)])
    assert [(s.sleutel, s.ernst) for s in found] == [("0983", "kritiek")]
    assert "+6,0%" in found[0].uitleg


def test_waterbed_needs_rising_c_share_and_full_groups():
    assert waterbed_signal(0.16, 0.13, {"A": 0.97}).soort == "waterbed"
    assert waterbed_signal(0.16, 0.13, {}) is None
    assert waterbed_signal(0.14, 0.13, {"A": 0.97}) is None


def test_kpi_out_of_norm():
    regional = {"avg_duration_months": (None, 12.0), "no_restart_rate": (0.85, None)}
    # P2 has its own, looser norm; P3 has none of its own; P4 is a C provider without a stuuropdracht.
    norms = {"P1": regional, "P2": {**regional, "no_restart_rate": (0.75, None)}, "P3": regional}
    found = kpi_signals(
        [
            ("P1", "avg_duration_months", "Duur", 13.5),
            ("P1", "no_restart_rate", "Geen nieuwe start", 0.9),
            ("P2", "no_restart_rate", "Geen nieuwe start", 0.8),
            ("P2", "avg_duration_months", "Duur", 12.5),
            ("P3", "avg_duration_months", "Duur", None),
            ("P3", "no_restart_rate", "Geen nieuwe start", 0.7),
            ("P4", "no_restart_rate", "Geen nieuwe start", 0.1),
        ],
        norms,
    )
    assert [(s.sleutel, s.uitleg) for s in found] == [
        ("P1", "Duur: 13,50 buiten de norm (maximaal 12,00)."),
        ("P2", "Duur: 12,50 buiten de norm (maximaal 12,00)."),
        ("P3", "Geen nieuwe start: 0,70 buiten de norm (minimaal 0,85)."),
    ]
    # With units: a fraction reads as a percentage.
    (as_share,) = kpi_signals(
        [("P1", "no_restart_rate", "Geen nieuwe start", 0.8)], norms, {"no_restart_rate": "fractie"}
    )
    assert as_share.uitleg == "Geen nieuwe start: 80,0% buiten de norm (minimaal 85,0%)."


def test_c_budget_uses_the_ceiling_rule():
    (found,) = ceiling_signals(
        [("C", 95_000_00, 100_000_00)],
        soort="c-budget",
        niveau="regio",
        wat="Verwachte uitgaven",
        grens="het C-budget",
    )
    assert (found.soort, found.niveau, found.ernst) == ("c-budget", "regio", "waarschuwing")
    assert found.uitleg == "Verwachte uitgaven EUR 95.000 is 95% van het C-budget EUR 100.000: bijna vol."
