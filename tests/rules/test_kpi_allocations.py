"""Allocation-based KPIs on small hand-built data; every expected value is worked out in the test."""

import datetime as dt
from itertools import count

import pytest

from jeugdregie.rules.carepaths import AllocationFact, allocated_volume, care_paths
from jeugdregie.rules.kpi import REGISTRY, ClaimFact, Facts, compute, month, tertial, year

D = dt.date
_ids = count(1)


def alloc(
    client,
    begin,
    end,
    *,
    product="45N01",
    cat="45",
    gemeente="0983",
    aanbieder="98000001",
    pxq=True,
    volume=None,
    freq="",
    claimed=0,
    requested=None,
    allocated_on=None,
    started=None,
    stop="",
    nga=False,
    verwijzer="01",
):
    return AllocationFact(
        id=next(_ids),
        client=client,
        gemeente=gemeente,
        aanbieder=aanbieder,
        categorie="A",
        is_nga=nga,
        segment="4",
        groep="A",
        product=product,
        product_categorie=cat,
        ingangsdatum=begin,
        einddatum=end,
        verwijzer=verwijzer,
        pxq=pxq,
        volume=volume,
        frequentie=freq,
        claimed_volume=claimed,
        toewijzingsdatum=allocated_on,
        aangevraagd_op=requested,
        zorg_start=started,
        stop_reden=stop,
    )


def facts(allocations, as_of=D(2026, 6, 30), claims=()):
    return Facts(claims=list(claims), allocations=list(allocations), as_of=as_of)


def value(kpi, data, period, by=()):
    return compute(kpi, data, period, by)


def test_every_kpi_has_label_definition_unit_and_direction():
    for kpi in REGISTRY.values():
        assert (
            kpi.label and len(kpi.definition) > 20 and kpi.unit and kpi.good in ("lager", "hoger", "neutraal")
        )
    assert set(REGISTRY) >= {
        "spend",
        "clients",
        "clients_in_care",
        "cost_per_client",
        "allocations_new",
        "redemption_rate",
        "extension_rate",
        "avg_duration_months",
        "relapse_rate",
        "nga_share",
        "custom_share",
        "size_class_share",
        "inflow",
        "outflow",
        "waiting_days",
        "top_paths",
        "dropout_rate",
        "no_restart_rate",
    }


def test_clients_in_care_counts_open_ended_and_one_day_overlaps_once():
    data = facts(
        [
            alloc("a", D(2023, 1, 1), None),  # open-ended: valid in every later period
            alloc("a", D(2024, 3, 1), D(2024, 3, 31)),  # same client again: counted once
            alloc("b", D(2023, 6, 1), D(2024, 1, 1)),  # one day in 2024
            alloc("c", D(2024, 12, 31), D(2025, 3, 1)),  # one day in 2024
            alloc("d", D(2023, 1, 1), D(2023, 12, 31)),  # ended before
        ]
    )
    assert value("clients_in_care", data, year(2024)) == {(): 3}
    assert value("clients_in_care", data, year(2023)) == {(): 3}
    assert value("allocations_new", data, year(2024)) == {(): 2}


def test_allocated_volume_per_frequency():
    # 2024-01-01..2024-03-31 = 91 days
    week = alloc("a", D(2024, 1, 1), D(2024, 3, 31), volume=7, freq="2")
    assert allocated_volume(week) == pytest.approx(7 * 91 / 7)  # 91 units
    total = alloc("a", D(2024, 1, 1), D(2024, 3, 31), volume=40, freq="6")
    assert allocated_volume(total) == 40
    day = alloc("a", D(2024, 1, 1), D(2024, 1, 10), volume=1, freq="1")
    assert allocated_volume(day) == 10
    monthly = alloc("a", D(2024, 1, 1), D(2024, 12, 31), volume=10, freq="4")
    assert allocated_volume(monthly) == pytest.approx(10 * 366 / (365.25 / 12))
    assert allocated_volume(alloc("a", D(2024, 1, 1), None, volume=5, freq="2")) is None  # open-ended


def test_redemption_over_pxq_allocations_ended_in_the_period():
    data = facts(
        [
            alloc("a", D(2024, 1, 1), D(2024, 3, 31), volume=7, freq="2", claimed=73),  # 91 allocated
            alloc("b", D(2024, 1, 1), D(2024, 6, 30), volume=40, freq="6", claimed=29),  # 40 allocated
            alloc(
                "c", D(2024, 1, 1), D(2024, 6, 30), volume=12, freq="6", claimed=12, pxq=False
            ),  # trajectory: out
            alloc("d", D(2024, 1, 1), None, volume=5, freq="2", claimed=30),  # open-ended: not ended
            alloc("e", D(2023, 1, 1), D(2023, 12, 31), volume=10, freq="6", claimed=10),  # ended in 2023
        ]
    )
    assert value("redemption_rate", data, year(2024)) == {(): pytest.approx((73 + 29) / (91 + 40))}
    assert value("redemption_rate", data, tertial(2024, 1)) == {(): pytest.approx(73 / 91)}


def test_extension_exactly_31_days_after_counts_32_does_not():
    first = alloc("a", D(2024, 1, 1), D(2024, 3, 31))
    after_31 = alloc("a", D(2024, 5, 1), D(2024, 8, 31))  # 2024-03-31 + 31 days
    other_first = alloc("b", D(2024, 1, 1), D(2024, 3, 31))
    after_32 = alloc("b", D(2024, 5, 2), D(2024, 8, 31))  # + 32 days
    other_product = alloc("c", D(2024, 1, 1), D(2024, 4, 30), product="45N02")
    new_product = alloc("c", D(2024, 5, 1), D(2024, 8, 31))  # next day, but another product: no extension
    data = facts([first, after_31, other_first, after_32, other_product, new_product])
    assert value("extension_rate", data, tertial(2024, 2)) == {(): pytest.approx(1 / 3)}
    assert data.extensions == {after_31.id}


def test_a_one_day_allocation_is_no_extension_of_itself():
    one_day = alloc("d", D(2024, 6, 1), D(2024, 6, 1))  # ends 0 days before it starts
    next_day = alloc("d", D(2024, 6, 2), D(2024, 6, 30))
    data = facts([one_day, next_day])
    assert data.extensions == {next_day.id}
    assert value("extension_rate", data, tertial(2024, 2)) == {(): pytest.approx(1 / 2)}


def test_care_paths_join_overlaps_and_gaps_up_to_31_days_and_split_on_32():
    a1 = alloc("a", D(2024, 1, 1), D(2024, 6, 30))
    a2 = alloc("a", D(2024, 3, 1), D(2024, 4, 30))  # overlap, ends earlier: path end stays 06-30
    a3 = alloc("a", D(2024, 7, 31), D(2024, 9, 30), product="45N02")  # 31 days after: joins
    a4 = alloc("a", D(2024, 11, 1), D(2024, 12, 31))  # 32 days after 09-30: new path
    other_cat = alloc("a", D(2024, 2, 1), D(2024, 2, 28), cat="54", product="54N01")
    paths = care_paths([a1, a2, a3, a4, other_cat])
    summary = [(p.product_categorie, p.begin, p.end, p.products) for p in paths]
    assert summary == [
        ("45", D(2024, 1, 1), D(2024, 9, 30), ("45N01", "45N02")),
        ("45", D(2024, 11, 1), D(2024, 12, 31), ("45N01",)),
        ("54", D(2024, 2, 1), D(2024, 2, 28), ("54N01",)),
    ]
    data = facts([a1, a2, a3, a4, other_cat], as_of=D(2025, 12, 31))
    # Paths ended in 2024: 273, 60 and 27 days.
    assert value("avg_duration_months", data, year(2024)) == {
        (): pytest.approx((273 + 60 + 27) / 3 / (365.25 / 12))
    }
    assert value("top_paths", data, year(2024)) == {
        (): [
            {"producten": ["45N01"], "aantal": 1},
            {"producten": ["45N01", "45N02"], "aantal": 1},
            {"producten": ["54N01"], "aantal": 1},
        ]
    }


def test_open_ended_path_has_not_ended():
    data = facts([alloc("a", D(2024, 1, 1), D(2024, 3, 31)), alloc("a", D(2024, 4, 15), None)])
    assert [p.end for p in data.paths] == [None]
    assert value("avg_duration_months", data, year(2024)) == {(): None}


def test_relapse_needs_183_days_of_follow_up():
    ended = alloc("a", D(2024, 1, 1), D(2024, 1, 31))
    back_after_32 = alloc("a", D(2024, 3, 3), D(2024, 4, 30), cat="41", product="41N01")  # 32 days after
    quiet = alloc("b", D(2024, 1, 1), D(2024, 1, 20))
    back_after_184 = alloc("b", D(2024, 7, 22), D(2024, 8, 31))  # 184 days after 01-20: no relapse
    allocations = [ended, back_after_32, quiet, back_after_184]
    jan = month(2024, 1)
    # 2024-01-31 + 183 days = 2024-08-01: before that the rate is unknown.
    assert value("relapse_rate", facts(allocations, as_of=D(2024, 7, 31)), jan) == {(): None}
    known = facts(allocations, as_of=D(2024, 8, 1))
    assert value("relapse_rate", known, jan) == {(): 0.5}
    assert value("no_restart_rate", known, jan) == {(): 0.5}


def test_relapse_boundary_183_days_counts():
    ended = alloc("a", D(2024, 1, 1), D(2024, 1, 31))
    back_after_183 = alloc("a", D(2024, 8, 1), D(2024, 9, 30), cat="41", product="41N01")
    data = facts([ended, back_after_183], as_of=D(2025, 1, 1))
    assert value("relapse_rate", data, month(2024, 1)) == {(): 1.0}


def test_dropout_uses_the_stop_reason_of_the_last_allocation():
    data = facts(
        [
            alloc("a", D(2024, 1, 1), D(2024, 2, 29), stop="31"),
            alloc("a", D(2024, 3, 1), D(2024, 4, 30), stop="33"),  # joins the path and ends it early
            alloc("b", D(2024, 1, 1), D(2024, 4, 15), stop="31"),
            alloc("c", D(2024, 1, 1), D(2024, 4, 10), stop="34"),
            alloc("d", D(2024, 1, 1), D(2024, 4, 10), stop="35"),  # external circumstances: not uitval
        ]
    )
    assert value("dropout_rate", data, tertial(2024, 1)) == {(): 0.5}


def test_inflow_and_outflow():
    data = facts(
        [
            alloc("new", D(2024, 5, 10), D(2024, 7, 31)),  # first care ever: inflow in T2
            alloc("back", D(2023, 6, 1), D(2023, 10, 31)),  # care ended 2023-10-31
            alloc(
                "back", D(2024, 5, 1), D(2024, 12, 31)
            ),  # 183 days before 05-01 reaches 2023-10-31: no inflow
            alloc("later", D(2023, 1, 1), D(2023, 10, 30)),
            alloc("later", D(2024, 5, 1), D(2024, 12, 31)),  # 2023-10-30 is 184 days before: inflow
            alloc("leaves", D(2024, 1, 1), D(2024, 6, 30)),  # valid at 05-01, not at 08-31: outflow
            alloc("stays", D(2024, 1, 1), None),
        ]
    )
    t2 = tertial(2024, 2)
    assert value("inflow", data, t2) == {(): 2}
    assert value("outflow", data, t2) == {(): 1}


def test_waiting_days_from_request_else_allocation_date():
    data = facts(
        [
            alloc(
                "a",
                D(2024, 2, 1),
                None,
                requested=D(2024, 1, 2),
                allocated_on=D(2024, 1, 20),
                started=D(2024, 2, 1),
            ),
            alloc("b", D(2024, 2, 1), None, allocated_on=D(2024, 1, 20), started=D(2024, 2, 5)),  # 16 days
            alloc("c", D(2024, 2, 1), None, allocated_on=D(2024, 1, 30), started=D(2024, 2, 9)),  # 10 days
            alloc("d", D(2024, 2, 1), None, allocated_on=D(2024, 1, 30)),  # never started: not counted
            alloc("e", D(2024, 2, 1), None, allocated_on=D(2023, 11, 1), started=D(2024, 2, 1)),  # 92 days
        ]
    )
    # Waits: a 30, b 16, c 10, e 92 -> median 23, p90 (nearest rank: 4th of 4) 92.
    assert value("waiting_days", data, month(2024, 2)) == {(): 23}
    assert value("waiting_days_p90", data, month(2024, 2)) == {(): 92.0}


def claim(client, amount, aanbieder="98000001", day=D(2024, 3, 1), **kw):
    base = dict(
        gemeente="0983",
        categorie="A",
        is_nga=False,
        segment="4",
        groep="A",
        product="45N01",
        custom="",
        periode_begin=day,
        bedrag_cent=amount,
        volume=1,
    )
    base.update(kw)
    return ClaimFact(client=client, aanbieder=aanbieder, **base)


def test_size_classes_by_yearly_regional_spend():
    claims = [
        claim("a", 24_999_999, aanbieder="1"),  # micro: just under EUR 250k
        claim("b", 25_000_000, aanbieder="2"),  # klein: exactly EUR 250k
        claim("c", 60_000_000, aanbieder="3", day=D(2024, 1, 1)),
        claim("c", 40_000_000, aanbieder="3", day=D(2024, 9, 1)),  # groot: EUR 1M over the year
    ]
    data = facts([], claims=claims)
    shares = value("size_class_share", data, year(2024))[()]
    total = 24_999_999 + 25_000_000 + 100_000_000
    assert shares == pytest.approx(
        {"micro": 24_999_999 / total, "klein": 25_000_000 / total, "groot": 1e8 / total}
    )
    # In T1 the provider still counts as groot: the class is set by the calendar year.
    assert value("size_class_share", data, tertial(2024, 1))[()]["groot"] == pytest.approx(
        6e7 / (6e7 + 49_999_999)
    )


def test_cuts_by_referrer_and_category():
    data = facts(
        [
            alloc("a", D(2024, 1, 1), None, verwijzer="02"),
            alloc("b", D(2024, 1, 1), None, verwijzer="02"),
            alloc("c", D(2024, 1, 1), None, verwijzer="01", nga=True),
        ]
    )
    assert value("allocations_new", data, year(2024), ("verwijzer",)) == {("01",): 1, ("02",): 2}
    assert value("allocations_new", data, year(2024), ("categorie",)) == {("A",): 2, ("NGA",): 1}
    with pytest.raises(ValueError, match="Onbekende uitsnede"):
        value("allocations_new", data, year(2024), ("kleur",))
