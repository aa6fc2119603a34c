from jeugdregie.rules.traffic_light import Colour, Thresholds, traffic_light


def light(util=0.5, wait=10, norm=28, kpis=()):
    return traffic_light(
        projected_utilisation=util,
        waiting_median_days=wait,
        waiting_norm_days=norm,
        kpis_out_of_norm=list(kpis),
    )


def test_green_when_all_parts_are_green():
    result = light()
    assert result.colour == Colour.GROEN and result.colour.label == "groen"
    assert result.parts == {"budget": Colour.GROEN, "wachttijd": Colour.GROEN, "kpi": Colour.GROEN}


def test_budget_thresholds():
    assert light(util=0.8999).parts["budget"] == Colour.GROEN
    assert light(util=0.90).parts["budget"] == Colour.ORANJE
    assert light(util=0.9999).parts["budget"] == Colour.ORANJE
    red = light(util=1.00)
    assert red.colour == Colour.ROOD and "vol, niet meer verwijzen" in red.reasons[0]


def test_waiting_time_against_the_norm():
    assert light(wait=28, norm=28).parts["wachttijd"] == Colour.GROEN
    assert light(wait=42, norm=28).parts["wachttijd"] == Colour.ORANJE  # exactly 1.5 x norm
    assert light(wait=43, norm=28).parts["wachttijd"] == Colour.ROOD
    assert light(wait=None, norm=28).parts["wachttijd"] == Colour.ONBEKEND


def test_kpis_out_of_norm():
    assert light(kpis=["duur"]).parts["kpi"] == Colour.ORANJE
    two = light(kpis=["duur", "recidive"])
    assert two.parts["kpi"] == Colour.ROOD and "duur, recidive" in two.reasons[0]


def test_overall_is_the_worst_with_its_reason_first():
    result = light(util=0.95, wait=50, norm=28, kpis=[])
    assert result.colour == Colour.ROOD
    assert result.reasons[0].startswith("wachttijd: mediaan 50 dagen, norm 28")
    assert result.reasons[1].startswith("budget: verwachte uitnutting 95%")
    orange = light(util=0.5, wait=10, norm=28, kpis=["kosten per cliënt"])
    assert orange.colour == Colour.ORANJE


def test_unknown_parts_do_not_make_it_worse_and_thresholds_are_configurable():
    assert light(util=None, wait=None).colour == Colour.GROEN
    strict = Thresholds(budget_orange=0.80, budget_red=0.95)
    result = traffic_light(
        projected_utilisation=0.85,
        waiting_median_days=None,
        waiting_norm_days=None,
        kpis_out_of_norm=[],
        thresholds=strict,
    )
    assert result.colour == Colour.ORANJE
