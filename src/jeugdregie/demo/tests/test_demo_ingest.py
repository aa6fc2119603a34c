import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command

from jeugdregie.demo.generator import generate
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.demo.management.commands.demo_ingest import demo_data_dir, ingest_marker
from jeugdregie.ijw.models import Bericht

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_demo_ingest_reads_the_generated_traffic_says_how_fast_and_marks_it_done(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    result = generate(demo_data_dir(), seed=3, scale=1, until=dt.date(2021, 1, 31))
    load_demo_region(users=False)
    out = io.StringIO()
    call_command("demo_ingest", stdout=out)
    stored = Bericht.objects.count()
    assert stored == result.total_messages > 100
    said = re.search(r"Ingelezen in (\d+) s \(([\d.]+) berichten/s\): (\d+) berichten", out.getvalue())
    assert said, out.getvalue()
    assert int(said.group(3)) == stored
    assert int(said.group(2).replace(".", "")) > 0
    assert json.loads(ingest_marker().read_text()) == json.loads(
        (demo_data_dir() / "manifest.json").read_text()
    )
