"""The screen cache (issues 12 and 13): `precompute` fills it for every role's default view, a page
view after it computes nothing, and new ingested data or a changed configuration gives new figures.

The data is a hand-made stream of iJw messages for the demo region's parties: allocations and claim
lines of 2024 by the demo provider for clients of Venlo, sent until January 2025 (so the KPI screen
opens on 2024 and the newest complete tertial is 2024-T3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from jeugdregie.accounts.testing import login
from jeugdregie.contracten.models import Aanbieder
from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.ijw import messages as m
from jeugdregie.ijw.bsn import generate_bsn
from jeugdregie.ijw.services import Ingester
from jeugdregie.ijw.writer import to_xml
from jeugdregie.web import screen_cache
from jeugdregie.zorg.models import DeclaratieRegel

pytestmark = pytest.mark.django_db

VENLO = "0983"
TARIEF = 10_000  # cents per instalment


@pytest.fixture
def cache_on(settings, tmp_path):
    """The file cache as `jeugdregie serve` uses it, in a directory of this test."""
    settings.SCREEN_CACHE = "file"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "screens": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }
    screen_cache.forget_local()
    screen_cache.computed.clear()
    yield tmp_path / "cache"
    screen_cache.forget_local()


@pytest.fixture
def agb():
    load_demo_region()
    return region.aanbieders()[0].agb_code  # the demo user "aanbieder"


def bsn(n: int) -> str:
    import random

    return generate_bsn(random.Random(n))  # noqa: S311 - a test BSN, not a secret


def messages(agb: str, clients: range, *, ident: str, month: int = 3) -> list[tuple[str, bytes]]:
    """Per client an allocation of 45L01 for 2024 and one claim line of `month` 2024 of TARIEF."""
    out = []
    for n in clients:
        nummer = f"{ident}00{n}"
        allocation = m.Toewijzing(
            m.Header(VENLO, agb, f"T{nummer}", dt.date(2024, 1, 5)),
            m.ClientIdentity(bsn(n), dt.date(2012, 5, 17), "2"),
            (
                m.ToegewezenProduct(
                    toewijzing_nummer=nummer,
                    product_categorie="45",
                    product_code="45L01",
                    toewijzingsdatum=dt.date(2024, 1, 2),
                    ingangsdatum=dt.date(2024, 1, 1),
                    einddatum=dt.date(2024, 12, 31),
                    omvang=m.Omvang(12, "82", "6"),
                ),
            ),
        )
        begin = dt.date(2024, month, 1)
        end = dt.date(2024, month + 1, 1) - dt.timedelta(days=1)
        claim = m.Declaratie(
            m.Header(agb, VENLO, f"D{nummer}", dt.date(2025, 1, 10)),
            f"N{nummer}",
            begin,
            end,
            dt.date(2025, 1, 10),
            (
                m.DeclaratieClient(
                    bsn(n),
                    (
                        m.Prestatie(
                            f"R{nummer}", nummer, "45", "45L01", begin, end, 1, "82", TARIEF, TARIEF, "D"
                        ),
                    ),
                ),
            ),
        )
        out += [
            (f"{nummer}-1-toewijzing.xml", to_xml(allocation)),
            (f"{nummer}-2-declaratie.xml", to_xml(claim)),
        ]
    return out


def ingest(files) -> None:
    ingester = Ingester()
    for name, data in files:
        summary = ingester.ingest_file(name, data)
        assert summary.quarantined_messages == 0 and summary.accepted_messages == 1, summary.errors


DEFAULT_PAGES = {
    "regio": ["/kpi/", "/stoplicht/", "/plafonds/", "/rapportage/", "/datakwaliteit/"],
    "gemeente-venlo": ["/kpi/", "/stoplicht/", "/plafonds/", "/rapportage/", "/datakwaliteit/"],
    "aanbieder": ["/kpi/", "/plafonds/", "/rapportage/", "/datakwaliteit/"],
    "verwijzer": ["/stoplicht/"],
}


def test_precompute_fills_the_cache_and_no_default_page_computes_afterwards(cache_on, agb):
    ingest(messages(agb, range(6), ident="1"))
    call_command("precompute")
    assert screen_cache.computed["kpi"] > 0
    # Another process (the server): nothing in memory, everything from the shared cache on disk.
    screen_cache.forget_local()
    screen_cache.computed.clear()
    for user, pages in DEFAULT_PAGES.items():
        client = login(user)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (user, page)
    assert screen_cache.figures_computed() == {}


def test_new_ingested_data_gives_new_figures(cache_on, agb):
    ingest(messages(agb, range(6), ident="1"))
    call_command("precompute")
    regio = login("regio")
    # 6 clients x 1 instalment of EUR 100,00 in March 2024.
    assert "600" in _spend(regio)
    screen_cache.computed.clear()
    assert "600" in _spend(regio)
    assert screen_cache.computed["kpi"] == 0
    ingest(messages(agb, range(6, 9), ident="2"))  # 3 more clients: EUR 900,00
    assert DeclaratieRegel.objects.count() == 9
    assert "900" in _spend(regio)
    assert screen_cache.computed["kpi"] == 1


def test_a_changed_configuration_gives_a_new_version(cache_on, agb):
    ingest(messages(agb, range(2), ident="1"))
    before = screen_cache.version()
    assert screen_cache.version() == before  # stable while nothing changes
    provider = Aanbieder.objects.get(agb_code=agb)
    provider.naam = provider.naam + " (nieuw)"
    provider.save()
    assert screen_cache.version() != before


def test_the_ingest_command_precomputes_once_at_the_end(cache_on, agb, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in messages(agb, range(6), ident="1"):
        (folder / name).write_bytes(data)
    call_command("ingest", str(folder), "--no-progress")
    screen_cache.forget_local()
    screen_cache.computed.clear()
    assert "600" in _spend(login("regio"))
    assert screen_cache.figures_computed() == {}


def _spend(client) -> str:
    """The region's spend row on the KPI screen."""
    html = client.get("/kpi/").content.decode()
    start = html.index(">Kosten<")
    return html[start : start + 400]


def _entity_pages(agb: str) -> dict[str, list[str]]:
    """The overview and the municipality and provider pages each role opens (issue 12)."""
    return {
        "regio": ["/overzicht/", f"/gemeente/{VENLO}/", f"/aanbieder/{agb}/"],
        "gemeente-venlo": ["/overzicht/", f"/gemeente/{VENLO}/", f"/aanbieder/{agb}/"],
        "aanbieder": ["/overzicht/", f"/aanbieder/{agb}/"],
    }


def _without_tokens(html: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_after_precompute_the_overview_and_entity_pages_compute_nothing_and_show_the_same(
    cache_on, agb, settings
):
    ingest(messages(agb, range(6), ident="1"))
    call_command("precompute")
    assert screen_cache.computed["overzicht-maanden"] > 0
    assert screen_cache.computed["gemeentepagina"] > 0 and screen_cache.computed["aanbiederpagina"] > 0
    screen_cache.forget_local()  # another process: the server
    screen_cache.computed.clear()
    cached = {}
    for user, pages in _entity_pages(agb).items():
        client = login(user)
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (user, page)
            cached[(user, page)] = _without_tokens(response.content.decode())
    assert screen_cache.figures_computed() == {}
    # The same pages computed afresh, without any cache, show exactly the same.
    settings.SCREEN_CACHE = "off"
    for (user, page), html in cached.items():
        fresh = _without_tokens(login(user).get(page).content.decode())
        assert fresh == html, (user, page)
    assert screen_cache.computed["overzicht-maanden"] == 3
    assert screen_cache.computed["gemeentepagina"] == 2 and screen_cache.computed["aanbiederpagina"] == 3
    # The figures themselves are there: 6 clients x EUR 100,00 claimed in March 2024.
    assert "600" in cached[("regio", f"/gemeente/{VENLO}/")]


def test_cached_table_fragments_show_what_a_fresh_render_shows(cache_on, agb, settings):
    """The big screens' tables come from the screen cache as rendered HTML (`screen_fragment`):
    per role and query string the same as a render without any cache, also for filters."""
    ingest(messages(agb, range(6), ident="1"))
    # Besides each default page, one with a filter: a year for everyone, Venlo where allowed.
    query = {"regio": f"?jaar=2024&gemeente={VENLO}", "gemeente-venlo": f"?jaar=2024&gemeente={VENLO}"}
    # Not the report screen: it has no fragment, and its charts' SVG ids differ per render.
    wrapped = {user: [u for u in urls if u != "/rapportage/"] for user, urls in DEFAULT_PAGES.items()}
    pages = {
        user: [*urls, *[u + query.get(user, "?jaar=2024") for u in urls]] for user, urls in wrapped.items()
    }
    cached = {}
    for round_ in (1, 2):  # the second round is served from the cache
        for user, urls in pages.items():
            client = login(user)
            for url in urls:
                response = client.get(url)
                assert response.status_code == 200, (user, url)
                cached[(user, url, round_)] = _without_tokens(response.content.decode())
    # Rendered once each, then reused.
    assert screen_cache.computed["fragment"] == sum(len(urls) for urls in pages.values()) == 24
    settings.SCREEN_CACHE = "off"
    for (user, url, _round), html in cached.items():
        assert _without_tokens(login(user).get(url).content.decode()) == html, (user, url)
    assert ">Kosten<" in cached[("regio", "/kpi/", 2)]


def test_a_cached_fragment_is_not_reused_under_another_small_number_threshold(cache_on, agb, settings):
    """The file cache outlives a restart with another JEUGDREGIE_SMALL_NUMBER_THRESHOLD: a table
    rendered under the old threshold must not be shown under the new one."""
    ingest(messages(agb, range(6), ident="1"))
    client = login("gemeente-venlo")
    client.get("/kpi/")
    client.get("/kpi/")
    assert screen_cache.computed["fragment"] == 1
    settings.SMALL_NUMBER_THRESHOLD = 10
    client.get("/kpi/")
    assert screen_cache.computed["fragment"] == 2


def test_a_stale_version_is_computed_again_by_one_thread_while_the_others_use_the_previous(
    cache_on, settings, monkeypatch
):
    import threading

    settings.SCREEN_VERSION_TTL = 60
    release, started = threading.Event(), threading.Event()
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        if len(calls) > 1:  # the refresh: holds until the test lets it finish
            started.set()
            assert release.wait(10)
        return f"v{len(calls)}"

    monkeypatch.setattr(screen_cache, "_compute_version", compute)
    assert screen_cache.version() == "v1"
    name = next(iter(screen_cache._version_memo))
    screen_cache._version_memo[name] = (0.0, "v1")  # expired
    refreshed: list[str] = []
    refresher = threading.Thread(target=lambda: refreshed.append(screen_cache.version()))
    refresher.start()
    assert started.wait(10)
    assert screen_cache.version() == "v1"  # not computed a third time meanwhile
    assert len(calls) == 2
    release.set()
    refresher.join(10)
    assert refreshed == ["v2"]
    assert screen_cache.version() == "v2" and len(calls) == 2
    assert screen_cache.version(fresh=True) == "v3"


def test_the_home_page_shows_the_message_count_of_the_current_data(cache_on, agb):
    ingest(messages(agb, range(2), ident="1"))
    regio = login("regio")
    assert "4 ingelezen iJw-berichten" in regio.get("/").content.decode()
    ingest(messages(agb, range(2, 3), ident="2"))
    assert "6 ingelezen iJw-berichten" in regio.get("/").content.decode()
    assert screen_cache.computed["berichten-aantal"] == 2


def test_the_data_version_is_reused_for_ten_times_what_computing_it_took(cache_on, settings, monkeypatch):
    """At scale 10 counting the rows takes 0.6-0.8 s; reusing it only 2 s spent a fifth of a core."""
    settings.SCREEN_VERSION_TTL = 2
    clock = [100.0]
    calls: list[str] = []

    def compute() -> str:
        calls.append("x")
        clock[0] += 1.5  # counting took 1.5 s
        return f"v{len(calls)}"

    monkeypatch.setattr(screen_cache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(screen_cache, "_compute_version", compute)
    assert screen_cache.version() == "v1"
    clock[0] += 14.9  # within 10 x 1.5 s of when it was there
    assert screen_cache.version() == "v1" and len(calls) == 1
    clock[0] += 0.2
    assert screen_cache.version() == "v2" and len(calls) == 2
    # Cheap to compute: the TTL applies as before.
    monkeypatch.setattr(screen_cache, "_compute_version", lambda: calls.append("y") or "v3")
    screen_cache.forget_local()
    assert screen_cache.version() == "v3"
    clock[0] += 1.9
    assert screen_cache.version() == "v3" and len(calls) == 3
    clock[0] += 0.2
    screen_cache.version()
    assert len(calls) == 4
    # Very slow to compute: reused for a minute at most.
    monkeypatch.setattr(screen_cache, "_compute_version", lambda: clock.__setitem__(0, clock[0] + 30) or "v5")
    screen_cache.forget_local()
    screen_cache.version()
    clock[0] += 59.9
    assert screen_cache.version() == "v5"
    monkeypatch.setattr(screen_cache, "_compute_version", lambda: "v6")
    clock[0] += 0.2
    assert screen_cache.version() == "v6"


def test_entries_of_an_older_data_version_are_let_go_in_the_process(cache_on):
    """During an ingest the version changes every few seconds: the process keeps only the newest
    version's entries; an older one still comes from the shared cache, not computed again."""
    made: list[str] = []
    assert screen_cache.cached("a", (1,), lambda: made.append("a") or "A", at="v1") == "A"
    assert screen_cache.cached("b", (1,), lambda: made.append("b") or "B", at="v1") == "B"
    assert len(screen_cache._local) == 2
    assert screen_cache.cached("a", (1,), lambda: made.append("a2") or "A2", at="v2") == "A2"
    assert list(screen_cache._local) == [next(k for k in screen_cache._local if ":v2:" in k)]
    assert screen_cache.cached("b", (1,), lambda: made.append("b2") or "B2", at="v1") == "B"
    assert made == ["a", "b", "a2"]


def test_viewer_shaped_figures_are_made_once_per_version_and_shared_between_processes(cache_on, agb):
    """The suppressed traffic lights, the Plafonds rows, the answers' tables of Datakwaliteit and
    the group names were shaped again on every view (at scale 10, 50-100 ms each)."""
    from jeugdregie.budget.services import current_groups
    from jeugdregie.web.settlement_rows import group_names

    ingest(messages(agb, range(6), ident="1"))
    shaped = ("stoplicht-onderdrukt", "plafonds-scherm", "datakwaliteit-antwoorden")
    gemeente, regio = login("gemeente-venlo"), login("regio")
    for _ in range(2):
        for client, page in ((gemeente, "/stoplicht/"), (gemeente, "/plafonds/"), (regio, "/plafonds/")):
            assert client.get(page).status_code == 200
        assert gemeente.get("/datakwaliteit/?jaar=2024").status_code == 200
    # One each, the Plafonds rows once per scope (the regio and a municipality).
    assert {name: screen_cache.computed[name] for name in shaped} == {
        "stoplicht-onderdrukt": 1,
        "plafonds-scherm": 2,
        "datakwaliteit-antwoorden": 1,
    }
    screen_cache.forget_local()  # another process: the server
    screen_cache.computed.clear()
    assert gemeente.get("/stoplicht/?kleur=groen").status_code == 200
    assert regio.get("/plafonds/").status_code == 200
    assert {name: screen_cache.computed[name] for name in shaped} == dict.fromkeys(shaped, 0)
    names = {code: g.naam for code, g in current_groups()[1].items()}
    assert group_names() == group_names() == names and sorted(names) == ["A", "D", "V", "W"]
    assert screen_cache.computed["groepsnamen"] == 1


def _without_svg(html: str) -> str:
    import re

    return re.sub(r"data:image/svg\+xml;base64,[^\"]*", "svg", _without_tokens(html))


def test_the_report_screen_is_rendered_once_and_shows_what_a_fresh_render_shows(cache_on, agb, settings):
    """The Tertiaalrapportage screen is a fragment now: at scale 10 rendering it took 65 ms a
    view. Its charts' SVG ids differ from one fresh render to the next, so those are left out of
    the comparison with a render without any cache; the cached views are the same bytes."""
    ingest(messages(agb, range(6), ident="1"))
    urls = {"regio": ["/rapportage/", f"/rapportage/?gemeente={VENLO}"], "aanbieder": ["/rapportage/"]}
    seen: dict[tuple[str, str], list[str]] = {}
    for _ in range(2):
        for user, pages in urls.items():
            client = login(user)
            for url in pages:
                response = client.get(url)
                assert response.status_code == 200, (user, url)
                seen.setdefault((user, url), []).append(_without_tokens(response.content.decode()))
    assert screen_cache.computed["fragment"] == 3
    assert all(first == second for first, second in seen.values())
    assert "Tertiaalrapportage 2024-T3" in seen[("regio", "/rapportage/")][0]
    assert "data:image/svg+xml;base64," in seen[("regio", "/rapportage/")][0]
    settings.SCREEN_CACHE = "off"
    for (user, url), (html, _) in seen.items():
        assert _without_svg(login(user).get(url).content.decode()) == _without_svg(html), (user, url)


def test_an_overview_chart_is_drawn_once_per_scope_and_query(cache_on, agb, settings):
    """A browser opening the overview asks for four charts (0.2-0.3 s of matplotlib each at
    scale 10): drawn once per data version, scope and query, after the access check."""
    ingest(messages(agb, range(6), ident="1"))
    url = "/overzicht/grafiek/kosten/?jaar=2024&format=png"
    regio, venlo = login("regio"), login("gemeente-venlo")
    first = regio.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert regio.get(url).content == first.content
    assert screen_cache.computed["grafiek"] == 1
    assert venlo.get(url).status_code == 200  # another scope: its own drawing
    assert venlo.get(url + "&gemeente=0889").status_code == 403  # refused before any cache
    assert screen_cache.computed["grafiek"] == 2
    settings.SCREEN_CACHE = "off"
    assert login("regio").get(url).content == first.content
