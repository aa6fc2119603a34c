"""The generated traffic through the real ingest and the real market-analysis command: every
message lands, and the table from the database equals the table computed from the XML itself."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from jeugdregie.demo import analysis as A
from jeugdregie.demo.generator import GenerationResult
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.demo.xmlfacts import read_facts
from jeugdregie.ijw.services import Ingester

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_generated_traffic_ingests_cleanly_and_market_analysis_matches_the_xml(
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

    xml = A.market_table(read_facts(short_run.out, kinds=("JW323",)).claims)
    for year in (2021, 2022):
        call_command("market-analysis".replace("-", "_"), "--year", str(year), "--json")
        rows = json.loads(capsys.readouterr().out)["rows"]
        from_db = {
            (row["cbs_code"], "V" if row["segment"] == "vervoer" else row["segment"]): (
                row["clients"],
                row["spend_cent"],
            )
            for row in rows
        }
        from_xml = {(g, s): v for (y, g, s), v in xml.items() if y == year}
        assert from_db == from_xml
        assert sum(v[1] for v in from_db.values()) > 0
