"""Browser-test harness: the app served on 127.0.0.1 by `python -m viz`, Debian's chromium
driven by Playwright, and guards that fail a test if the page fetches anything from outside
127.0.0.1 or misses one of its own assets, or if the server tried to fetch anything (its log
names every attempt: solara's "Could not load URL", viz/assets.py's OFFLINE_MARK), or if a
traceback reached the page, or if the server logged any ERROR line or traceback while the test
ran (every browser test: `server_log_clean`, autouse).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from playwright.sync_api import Error as PlaywrightError

from viz.assets import OFFLINE_MARK

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 1000}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Playwright waits for elements; this bounds each wait (a run of a few small scenarios takes
# seconds, the page's first load a few more on a 2-core machine). Not a speed assertion.
WAIT_MS = 60_000
# A comparison's runs share 2 cores with whatever else the machine runs: its results are awaited
# longer (the table itself, since "Running:" may not have appeared yet when a wait starts).
RUN_WAIT_MS = 10 * WAIT_MS
# A line of the server log that reports an error, whichever logger wrote it.
ERROR_LINE = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback \(most recent call last\)|^\w*(Error|Exception): ")
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(600):
        if process.poll() is not None:
            raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the app did not start serving {url}:\n{log.read_text()[-3000:]}")


class Server:
    """The app's process and its log (stdout and stderr)."""

    def __init__(self, url: str, process: subprocess.Popen, log: Path):
        self.url, self.process, self.log = url, process, log

    def log_text(self, start: int = 0) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[start:]

    def log_size(self) -> int:
        return len(self.log_text())

    def wait_for_log(self, pattern: str, start: int = 0) -> re.Match:
        """The first match of `pattern` in the log after `start`, waiting for it to be written."""
        for _ in range(WAIT_MS // 100):
            found = re.search(pattern, self.log_text(start))
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"the server log never showed {pattern!r}:\n{self.log_text(start)[-3000:]}")

    def errors(self, start: int = 0) -> list[str]:
        """Lines after `start` that log an error: level ERROR or CRITICAL (any logger's format),
        a traceback, or an exception solara or a widget printed."""
        return [line for line in self.log_text(start).splitlines() if ERROR_LINE.search(line)]

    def outside_fetches(self, start: int = 0) -> list[str]:
        return [line for line in self.log_text(start).splitlines()
                if "Could not load URL" in line or OFFLINE_MARK in line]


@pytest.fixture(scope="session")
def results_area(tmp_path_factory):
    """The app's results area (viz/sweeper.py): the Sweeps page reads and writes only here."""
    return tmp_path_factory.mktemp("results")


@pytest.fixture(scope="session")
def server(tmp_path_factory, results_area):
    """Start the app as a planner would (python -m viz) on a free port; stop it afterwards."""
    port = free_port()
    log = tmp_path_factory.mktemp("app") / "server.log"
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "CAKUPAN_RESULTS": str(results_area),
           # a page asset missing from the local cache must fail here, not quietly come from a CDN
           "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/npm/"}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "viz", "--host", "127.0.0.1", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url + "/", process, log)
        yield Server(url, process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def server_log_clean(server):
    """Every browser test fails if the server logged an error while it ran (issue 26: a page that
    looks fine can hide an uncaught exception in the log)."""
    start = server.log_size()
    yield
    time.sleep(0.5)   # the last events' handlers finish writing
    errors = server.errors(start)
    assert not errors, "the server logged errors:\n" + "\n".join(errors[:40])


@pytest.fixture(scope="session")
def app_url(server):
    return server.url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} not found: run ./dev.sh setup (installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Guard:
    """Records requests that leave 127.0.0.1 (and aborts them) and local assets that fail."""

    def __init__(self):
        self.outside: list[str] = []
        self.failed: list[str] = []

    @staticmethod
    def is_outside(url: str) -> bool:
        return urlparse(url).hostname not in LOCAL_HOSTS and not url.startswith(("data:", "blob:"))

    def route(self, route):
        """Only outside requests are routed here (intercepting local ones stalls Solara's page)."""
        self.outside.append(route.request.url)
        route.abort()

    def response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def check(self):
        assert not self.outside, f"requests left 127.0.0.1: {self.outside}"
        assert not self.failed, f"page assets failed to load: {self.failed}"


def guarded_page(browser, url: str):
    """(context, page, guard): a page in its own browser context (its own session) whose
    requests leaving 127.0.0.1 are aborted and recorded, as are its failed assets."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(WAIT_MS)
    guard = Guard()
    context.route(Guard.is_outside, guard.route)
    page = context.new_page()
    page.on("response", guard.response)
    page.goto(url)
    return context, page, guard


@pytest.fixture
def new_page(browser, server):
    """new_page(path) -> a page in its own browser context (its own session), guarded: at the
    end no request left 127.0.0.1 (browser or server) and no page shows a traceback."""
    contexts, guards = [], []
    log_start = server.log_size()

    def make(path: str = "/"):
        context, page, guard = guarded_page(browser, server.url + path)
        contexts.append(context)
        guards.append(guard)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            try:
                shown = page.get_by_text("Traceback").count()
            except PlaywrightError:   # a page the test closed
                continue
            assert shown == 0, "a traceback reached the page"
        context.close()
    for guard in guards:
        guard.check()
    fetched = server.outside_fetches(log_start)
    assert not fetched, f"the server fetched from outside: {fetched}"


def screenshot(page, name: str) -> None:
    """Screenshot of a main view: into docs/screenshots/ (the README's) when UPDATE_SCREENSHOTS=1,
    else into a temporary folder, so a test run leaves the work tree unchanged."""
    folder = DOCS_SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else \
        Path(tempfile.gettempdir()) / "cakupan-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
