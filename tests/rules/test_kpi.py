import datetime as dt

from jeugdregie.rules.kpi import ClaimFact, claim_only, compute, market_table, month, tertial, year


def fact(
    client,
    amount,
    *,
    gemeente="0983",
    segment="4",
    day=dt.date(2023, 3, 1),
    nga=False,
    custom="",
    aanbieder="98000001",
):
    return ClaimFact(client, gemeente, aanbieder, "A", nga, segment, "A", "45N01", custom, day, amount, 1)


def test_periods():
    assert tertial(2024, 1).end == dt.date(2024, 4, 30)
    assert tertial(2024, 2).begin == dt.date(2024, 5, 1) and tertial(2024, 2).end == dt.date(2024, 8, 31)
    assert tertial(2024, 3).end == dt.date(2024, 12, 31)
    assert month(2024, 2).end == dt.date(2024, 2, 29)
    assert month(2024, 12).end == dt.date(2024, 12, 31)


def test_spend_is_net_of_credits_and_clients_need_a_positive_net():
    facts = [
        fact("a", 10_000),
        fact("a", -10_000),  # fully credited: no client, no spend
        fact("b", 7_500),
        fact("b", -2_500),  # partly credited: 5000 and a client
        fact("c", 1_234),
        fact("d", 9_999, day=dt.date(2024, 1, 1)),  # other year
    ]
    assert compute("spend", claim_only(facts), year(2023)) == {(): 6_234}
    assert compute("clients", claim_only(facts), year(2023)) == {(): 2}
    assert compute("cost_per_client", claim_only(facts), year(2023)) == {(): 3_117.0}


def test_money_is_attributed_to_the_period_of_care():
    facts = [fact("a", 100, day=dt.date(2022, 12, 1)), fact("a", 200, day=dt.date(2023, 1, 1))]
    assert compute("spend", claim_only(facts), year(2022)) == {(): 100}
    assert compute("spend", claim_only(facts), tertial(2023, 1)) == {(): 200}


def test_shares_and_cuts():
    facts = [fact("a", 9_500), fact("b", 500, nga=True, custom="maatwerk", gemeente="0889")]
    assert compute("nga_share", claim_only(facts), year(2023)) == {(): 0.05}
    assert compute("custom_share", claim_only(facts), year(2023)) == {(): 0.05}
    assert compute("spend", claim_only(facts), year(2023), ("gemeente",)) == {
        ("0889",): 500,
        ("0983",): 9_500,
    }
    assert compute("spend", claim_only(facts), year(2023), ("categorie",)) == {("A",): 9_500, ("NGA",): 500}


def test_market_table_counts_a_client_once_per_segment():
    facts = [
        fact("a", 100, segment="3"),
        fact("a", 200, segment="4"),
        fact("a", 300, segment="4"),
        fact("b", 50, segment=""),
        fact("c", 10, segment="4", gemeente="0889"),
    ]
    assert market_table(claim_only(facts), 2023) == {
        ("0983", "3"): (1, 100),
        ("0983", "4"): (1, 500),
        ("0983", ""): (1, 50),
        ("0889", "4"): (1, 10),
    }
