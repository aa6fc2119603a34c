"""The data-quality report inside `shared_facts()` (the screens' precompute, issue 13): each check and
iJw rule runs once for the region and every party, the quarantine's payloads are read once, and
every party's report is the one computed on its own. `check_totals` (the tertiaalrapportage's
summary) gives the report's counts, clients and amounts. Hand-made rows of test_dataquality."""

import dataclasses
import datetime as dt
from collections import Counter

import pytest

from jeugdregie.ijw.models import QuarantaineItem
from jeugdregie.monitoring import ijw_findings as monitoring_ijw
from jeugdregie.monitoring.dataquality import check_totals, data_quality_report
from jeugdregie.monitoring.facts import shared_facts
from jeugdregie.rules import dataquality as check_rules
from jeugdregie.rules import ijw_findings as ijw_rules

from . import test_dataquality

pytestmark = pytest.mark.django_db
AS_OF = test_dataquality.AS_OF
region, care = test_dataquality.region, test_dataquality.care  # the hand-made rows


@pytest.fixture
def counted(monkeypatch):
    """Counts the runs of every check and rule and the quarantine payloads read."""
    runs: Counter[str] = Counter()

    def counting(registry, check_id):
        check = registry[check_id]

        def run(data, period):
            runs[check_id] += 1
            return check.run(data, period)

        monkeypatch.setitem(registry, check_id, dataclasses.replace(check, run=run))

    for check_id in list(check_rules.REGISTRY):
        counting(check_rules.REGISTRY, check_id)
    for check_id in list(ijw_rules.CHECKS):
        counting(ijw_rules.CHECKS, check_id)
    read = monitoring_ijw.read_bytes

    def read_bytes(data, name):
        runs["payload"] += 1
        return read(data, name)

    monkeypatch.setattr(monitoring_ijw, "read_bytes", read_bytes)
    return runs


def _parties(first, second):
    return [(None, None), ("0983", None), ("0889", None), (None, first.agb_code), (None, second.agb_code)]


def _quarantined(first):
    """Two TR056 items of June 2024 whose payload cannot be read: the item's own sender and date
    count (a JW315 from the first provider, a JW301 from Venlo)."""
    for n, (soort, afzender) in enumerate((("JW315", first.agb_code), ("JW301", "0983"))):
        item = QuarantaineItem.objects.create(
            bestandsnaam=f"bericht-{n}.xml",
            niveau=QuarantaineItem.Niveau.BERICHT,
            payload=b"<niet-leesbaar/>",
            soort=soort,
            afzender=afzender,
            bericht_identificatie=f"ID-{n}",
            regel="message.identification_reused",
            melding="identificatie al gebruikt",
        )
        created = dt.datetime(2024, 6, 1 + n, 12, tzinfo=dt.UTC)
        QuarantaineItem.objects.filter(pk=item.pk).update(aangemaakt_op=created)


def test_each_check_runs_once_for_every_party_with_the_same_reports(care, counted):
    first, second = care
    _quarantined(first)
    parties = _parties(first, second)
    alone = [data_quality_report(2024, gemeente=g, aanbieder=a) for g, a in parties]
    once_each = len(check_rules.REGISTRY) + len(ijw_rules.CHECKS)
    assert counted["claims_outside_allocation"] == len(parties)  # outside the block: every time
    assert counted["payload"] == 2 * len(parties)
    counted.clear()
    with shared_facts():
        together = [data_quality_report(2024, gemeente=g, aanbieder=a) for g, a in parties]
    assert together == alone
    assert counted["payload"] == 2  # each item's payload once
    del counted["payload"]
    assert sum(counted.values()) == once_each and set(counted.values()) == {1}
    region_checks = {c["id"]: c for c in together[0]["checks"]}
    assert (region_checks["claims_outside_allocation"]["count"], region_checks["never_started"]["count"]) == (
        3,
        1,
    )
    assert {c["id"]: c["count"] for c in together[4]["checks"]}["never_started"] == 1  # the second provider


def test_reused_identifications_per_party_inside_the_block(care):
    first, second = care
    _quarantined(first)
    with shared_facts():
        reports = {
            (g, a): data_quality_report(2024, gemeente=g, aanbieder=a) for g, a in _parties(first, second)
        }

    def reused(key):
        check = next(c for c in reports[key]["ijw_regels"] if c["id"] == "tr056_reused_id")
        return [(f["gemeente"], f["aanbieder"], f["begin"]) for f in check["findings"]]

    assert reused((None, None)) == [("", first.agb_code, "2024-06-01"), ("0983", "", "2024-06-02")]
    assert reused(("0983", None)) == [("0983", "", "2024-06-02")]
    assert reused(("0889", None)) == []
    assert reused((None, first.agb_code)) == [("", first.agb_code, "2024-06-01")]
    assert reused((None, second.agb_code)) == []
    with shared_facts():
        assert data_quality_report(2025)["ijw_regels"][-1]["findings"] == []  # another year


def test_check_totals_are_the_reports_figures(care):
    first, second = care
    for gemeente, aanbieder in _parties(first, second):
        report = data_quality_report(2024, gemeente=gemeente, aanbieder=aanbieder, as_of=AS_OF)
        with shared_facts():
            totals = check_totals(2024, gemeente=gemeente, aanbieder=aanbieder, as_of=AS_OF)
        assert totals == [
            {k: c[k] for k in ("id", "label", "severity", "count", "clients", "bedrag_cent")}
            for c in report["checks"]
        ]
    region_totals = {t["id"]: t for t in check_totals(2024, as_of=AS_OF)}
    outside = region_totals["claims_outside_allocation"]
    assert (outside["count"], outside["clients"], outside["bedrag_cent"]) == (3, 1, 800_00 + 100_00 + 62_00)
    assert region_totals["claims_after_stop"]["bedrag_cent"] == 500_00
    assert region_totals["short_trajectories"]["bedrag_cent"] == 600_00
