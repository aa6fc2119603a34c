"""Load test of the screens (issue 12): users of the four demo roles log in through the login form
and walk their role's pages over and over.

    JEUGDREGIE_VAR_DIR=/tmp/speed-var .venv/bin/jeugdregie serve --port 8015 &
    .venv/bin/locust -f bench/locustfile.py --headless -u 20 -r 5 -t 60s \\
        --host http://127.0.0.1:8015 --csv /tmp/locust --only-summary

Users are spread over the roles by weight (regio 2, gemeente 2, aanbieder 1, verwijzer 1); each
page is named by its path, so locust's table gives p50/p95 per page. A user reads each page for
0.5-1.5 s before opening the next (`wait_time` between pages, as a person clicks through the
menu); before session 5 the whole walk ran back to back and only then waited, which made 20
"users" about 20 requests in flight at every moment.

The 20 logins at the start are 20 deliberately slow password hashes (PBKDF2) at once; pages asked
for meanwhile wait behind them. `LOCUST_STEADY=1` resets the statistics once every user has
logged in, so the table shows the pages in steady use (the login rows of such a run are empty;
run once without it for them). `LOCUST_CHARTS=1` also fetches the overview's four chart images
after its page, as a browser does.
"""

from __future__ import annotations

import html
import os
import re
import threading

from locust import HttpUser, between, task

PASSWORD = "jeugdregie-demo"  # jeugdregie.demo.region.DEMO_WACHTWOORD
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
STEADY = os.environ.get("LOCUST_STEADY") == "1"
# As a browser does: after the overview page, its four chart images (`LOCUST_CHARTS=1`).
CHARTS = os.environ.get("LOCUST_CHARTS") == "1"
CHART_SRC = re.compile(r'<img class="chart" src="([^"]+)"')
_logged_in = 0
_logged_in_lock = threading.Lock()


class _Role(HttpUser):
    abstract = True
    wait_time = between(0.5, 1.5)
    username = ""
    pages: tuple[str, ...] = ()

    def on_start(self) -> None:
        form = self.client.get("/accounts/login/", name="login (form)")
        token = CSRF.search(form.text)
        assert token, "no CSRF token on the login page"
        response = self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
            headers={"Referer": self.host + "/accounts/login/"},
            name="login (post)",
        )
        if "/accounts/login/" in response.url:
            response.failure(f"login as {self.username} failed")
        self._count_login()

    def _count_login(self) -> None:
        global _logged_in
        with _logged_in_lock:
            _logged_in += 1
            everyone = _logged_in == self.environment.runner.target_user_count
        if STEADY and everyone:
            self.environment.runner.stats.reset_all()
            print(f"LOCUST_STEADY: all {_logged_in} users logged in, statistics reset")

    @task
    def walk(self) -> None:
        for page in self.pages:
            with self.client.get(page, name=f"{self.username} {page}", catch_response=True) as response:
                if response.status_code != 200 or "/accounts/login/" in response.url:
                    response.failure(f"{response.status_code} {response.url}")
                charts = CHART_SRC.findall(response.text) if CHARTS and page == "/overzicht/" else []
            for src in charts:
                self.client.get(page + html.unescape(src), name=f"{self.username} {page} grafiek")
            self.wait()


class Regio(_Role):
    weight = 2
    username = "regio"
    pages = ("/", "/overzicht/", "/kpi/", "/stoplicht/", "/plafonds/", "/rapportage/", "/datakwaliteit/")


class Gemeente(_Role):
    weight = 2
    username = "gemeente-venlo"
    pages = (
        "/",
        "/overzicht/",
        "/gemeente/0983/",
        "/kpi/",
        "/stoplicht/",
        "/plafonds/",
        "/rapportage/",
        "/datakwaliteit/",
    )


class Aanbieder(_Role):
    weight = 1
    username = "aanbieder"
    pages = ("/", "/overzicht/", "/kpi/", "/plafonds/", "/rapportage/", "/datakwaliteit/")


class Verwijzer(_Role):
    weight = 1
    username = "verwijzer"
    pages = ("/", "/stoplicht/")
