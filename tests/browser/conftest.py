"""Browser tests: Playwright driving Debian's Chromium (no browser download)."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

from jeugdregie.demo import region
from jeugdregie.demo.loader import load_demo_region
from jeugdregie.web.tests.test_access import build_care

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Playwright's sync API keeps an event loop in the test thread; the ORM calls the tests make
# themselves (fixtures) are safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
SHOTS = Path(
    os.environ.get("JEUGDREGIE_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots")
)


class _OneRequestAtATime(ThreadedWSGIServer):
    """The live server answers one request at a time. On SQLite the test database lives in memory
    and the server's threads share the test's one connection; a page that loads several of our
    URLs at once (charts, the product page) ran queries on it from several threads and the suite
    hung for good (seen in CI, session 5). Connections stay open in parallel (keep-alive); only the
    application call is serialised."""

    _lock = threading.Lock()

    def set_app(self, application):
        lock = self._lock

        def serial(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(serial)


LiveServerThread.server_class = _OneRequestAtATime


def log_in(page, base, username):
    """Log in through the form as a demo user and wait for the home page."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", region.DEMO_WACHTWOORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Regie op jeugdhulp")


@pytest.fixture
def care_data():
    """The demo region with its users and the hand-made care of web.tests.test_access."""
    load_demo_region(users=True)
    return build_care()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium ontbreekt (/usr/bin/chromium); installeer het Debian-pakket 'chromium'.")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
