"""`jeugdregie demo` serves without DEBUG: no debug page with paths and settings for a visitor."""

import signal

import pytest
from django.core.management import call_command

from jeugdregie.demo.management.commands import demo
from jeugdregie.web.management.commands import serve

pytestmark = pytest.mark.django_db


def test_the_demo_serves_with_debug_off(settings, monkeypatch):
    settings.DEBUG = True
    seen = {}

    def record(self, *args, host, port, **options):
        from django.conf import settings as live

        seen.update(debug=live.DEBUG, hosts=list(live.ALLOWED_HOSTS), host=host, port=port)

    monkeypatch.setattr(serve.Command, "handle", record)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # the test process keeps its handlers
    # The test database is migrated already; migrating inside the test's transaction is not possible.
    monkeypatch.setattr(
        demo,
        "call_command",
        lambda name, *a, **kw: None if name == "migrate" else call_command(name, *a, **kw),
    )
    call_command("demo", no_data=True, port=8123)
    assert seen["debug"] is False and "127.0.0.1" in seen["hosts"] and seen["port"] == 8123


def test_the_demo_loads_the_providers_of_every_copy_of_traffic_generated_at_a_larger_scale(
    settings, tmp_path, monkeypatch
):
    """`generate-demo-data --scale 2` into the demo folder, then `demo`: the messages of the second
    copy's providers must find them, not be refused as from an unknown provider."""
    import json

    from jeugdregie.contracten.models import Aanbieder
    from jeugdregie.demo import region

    settings.VAR_DIR = tmp_path
    (tmp_path / "demo-data").mkdir()
    (tmp_path / "demo-data" / "manifest.json").write_text(json.dumps({"scale": 2}))
    monkeypatch.setattr(
        demo,
        "call_command",
        lambda name, *a, **kw: None if name == "migrate" else call_command(name, *a, **kw),
    )
    call_command("demo", no_data=True, no_serve=True)
    stored = set(Aanbieder.objects.values_list("agb_code", flat=True))
    assert {spec.agb_code for spec in region.aanbieders(2)} <= stored
    assert len(region.aanbieders(2)) == 2 * len(region.aanbieders(1))
