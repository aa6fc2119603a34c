"""The generated traffic through the real ingest: every message lands, the market-analysis command
gives the table the KPI registry computes on the XML itself, and the KPI facts the database gives
(``monitoring.facts.load_facts``) are the facts ``demo.kpifacts`` reads from the XML, so every KPI
of the registry is the same on both."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from demo_support import differing_fields, same_value
from django.conf import settings
from django.core.management import call_command

from jeugdregie.demo.generator import GenerationResult
from jeugdregie.demo.kpifacts import read_kpi_facts
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw.services import Ingester
from jeugdregie.monitoring.facts import data_complete_until, load_facts
from jeugdregie.rules import kpi

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

# The short run ends 2022-03-31: 2021-T2 is the last period with the 183 days of follow-up that
# the relapse KPIs need, so it is the tertial compared (the years give None there).
PERIODS = (kpi.year(2021), kpi.year(2022), kpi.tertial(2021, 2))
CUTS: tuple[tuple[str, ...], ...] = ((), ("gemeente",), ("categorie",))


def test_generated_traffic_ingests_cleanly_and_the_kpis_match_the_xml(
    short_run: GenerationResult, capsys
) -> None:
    load_demo_region(users=False)
    summary = Ingester().ingest_paths([short_run.out])
    manifest = json.loads((short_run.out / "manifest.json").read_text())
    assert (
        summary.quarantined_messages == 0 and summary.quarantined_lines == 0 and summary.rejected_files == 0
    )
    assert summary.accepted_messages == manifest["aantallen"]["berichten"]
    assert summary.accepted_lines == (
        manifest["aantallen"]["declaratieregels_debet"] + manifest["aantallen"]["declaratieregels_credit"]
    )

    xml = read_kpi_facts(short_run.out)
    assert xml.as_of == data_complete_until()

    # The market-analysis command on the database = the registry's market table on the XML.
    for year in (2021, 2022):
        call_command("market_analysis", "--year", str(year), "--json")
        rows = json.loads(capsys.readouterr().out)["rows"]
        from_db = {
            (row["cbs_code"], "" if row["segment"] == "vervoer" else row["segment"]): (
                row["clients"],
                row["spend_cent"],
            )
            for row in rows
        }
        assert from_db == kpi.market_table(xml, year)
        assert sum(v[1] for v in from_db.values()) > 0

    # All facts: load over the whole span of the XML facts, so nothing falls outside the window.
    days = [a.ingangsdatum for a in xml.allocations] + [c.periode_begin for c in xml.claims]
    db = load_facts(min(days), max(days), as_of=xml.as_of)
    differing = differing_fields(db, xml, settings.PSEUDONYM_KEY)

    differing_kpis = set()
    for kpi_id in kpi.REGISTRY:
        for period in PERIODS:
            for by in CUTS:
                if not same_value(kpi.compute(kpi_id, db, period, by), kpi.compute(kpi_id, xml, period, by)):
                    differing_kpis.add(kpi_id)
    # Every KPI has values to compare (a comparison of Nones would prove little).
    assert all(
        any(v is not None for period in PERIODS for v in kpi.compute(k, xml, period).values())
        for k in kpi.REGISTRY
    )

    assert differing == set()
    assert differing_kpis == set()

    # As the screens and the kpi command load them (one year at a time, care paths whole): the same.
    for period in PERIODS:
        yearly = load_facts(
            dt.date(period.begin.year, 1, 1), dt.date(period.end.year, 12, 31), as_of=xml.as_of
        )
        for kpi_id in kpi.REGISTRY:
            for by in CUTS:
                assert same_value(
                    kpi.compute(kpi_id, yearly, period, by), kpi.compute(kpi_id, xml, period, by)
                ), (
                    kpi_id,
                    period.label,
                    by,
                )
