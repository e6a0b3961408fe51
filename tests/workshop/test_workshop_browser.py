"""`mlpm workshop` in a real headless chromium: edit an idea, see the results move, find it saved."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from mlpm_kit.idea.files import load_idea
from tests.conftest import EXAMPLES, ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
# The README's screenshot is refreshed only on request (MLPM_UPDATE_SCREENSHOT=1), so a test
# run never changes a tracked file; otherwise the screenshot goes to the test's temporary folder.
README_SCREENSHOT = ROOT / "docs" / "workshop.png"
RESULTS = ".mlpm-results-panel"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"mlpm workshop exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(
        f"mlpm workshop did not answer on {url} within {timeout} s:\n{log.read_text()}"
    )


@pytest.fixture
def workshop(tmp_path):
    """A running `mlpm workshop` on a copy of an example idea; the server group is killed afterwards."""
    shutil.copytree(EXAMPLES / "interviews", tmp_path / "interviews")  # the idea's notes
    (tmp_path / "ideas").mkdir()
    shutil.copy(EXAMPLES / "ideas" / "mlpm.yaml", tmp_path / "ideas")  # the folder's defaults
    idea = tmp_path / "ideas" / "ticket-triage.yaml"
    shutil.copy(EXAMPLES / "ideas" / "ticket-triage.yaml", idea)
    port = free_port()
    log = tmp_path / "workshop.log"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mlpm_kit", "workshop", str(idea), "--port", str(port), "--draws", "500"],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, proc, log)
        yield url, idea, log
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass


def results_text(page) -> str:
    return page.inner_text(RESULTS)


def edit(page, section: str, field_class: str, value: str) -> None:
    """Open a section of the form, type into a field, press Enter, wait for the results to change."""
    before = results_text(page)
    box = page.locator(f".{field_class} input")
    if not box.is_visible():
        page.get_by_text(section, exact=True).first.click()
    box.wait_for(state="visible", timeout=10_000)
    box.fill(value)
    box.press("Enter")
    page.wait_for_function(
        "([sel, before]) => document.querySelector(sel).innerText !== before",
        arg=[RESULTS, before],
        timeout=20_000,
    )


def test_workshop_in_a_browser(workshop, tmp_path):
    from playwright.sync_api import sync_playwright

    url, idea, log = workshop
    original = idea.read_text(encoding="utf-8")
    outside: list[str] = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:  # the workshop must work offline: record and refuse anything else
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1500})
            context.route("**/*", only_local)
            page, other_tab = context.new_page(), context.new_page()
            for tab in (page, other_tab):
                tab.goto(url)
                tab.wait_for_selector(f"{RESULTS} >> text=Expected value", timeout=90_000)
            assert "show_scorecard" not in page.inner_text("body")  # no code visible
            start = results_text(page)

            edit(page, "Value per year", "mlpm-field-value-users", "400 to 600")
            after_users = results_text(page)
            assert after_users != start
            edit(page, "Cost", "mlpm-field-cost-team_week_cost", "5000")
            assert results_text(page) != after_users
            page.wait_for_selector(".mlpm-status >> text=Saved at", timeout=10_000)

            saved = idea.read_text(encoding="utf-8")
            assert saved != original
            assert "users: 400 to 600               # tier-1 agents at the 15 accounts" in saved
            # The folder's mlpm.yaml set 4000; the edit gives this idea its own value.
            assert "\n  team_week_cost: 5000\n" in saved
            assert saved.startswith("# Money in USD")
            loaded = load_idea(idea)
            assert (loaded.value.users.low, loaded.cost.team_week_cost.low) == (400, 5000)

            # The other tab has its own kernel and its own copy: its save is refused, not lost.
            other_tab.get_by_text("Opportunity cost", exact=True).first.click()
            box = other_tab.locator(".mlpm-field-opportunity-value_per_engineer_week input")
            box.fill("7000")
            box.press("Enter")
            other_tab.wait_for_selector(
                ".mlpm-status >> text=changed by someone else", timeout=20_000
            )
            assert idea.read_text(encoding="utf-8") == saved

            # Invalid input is shown next to its field and never reaches the file.
            page.get_by_text("Value per year", exact=True).first.click()
            page.locator(".mlpm-field-value-adoption input").fill("0.6 to 1.5")
            page.locator(".mlpm-field-value-adoption input").press("Enter")
            page.wait_for_selector(".mlpm-error >> text=share between 0 and 1", timeout=20_000)
            assert idea.read_text(encoding="utf-8") == saved

            page.evaluate("document.querySelectorAll('*').forEach(e => { e.scrollTop = 0; })")
            shot = (
                README_SCREENSHOT
                if os.environ.get("MLPM_UPDATE_SCREENSHOT")
                else tmp_path / "workshop.png"
            )
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
    assert outside == [], f"the workshop page asked the network for {outside}"
