"""`mlpm workshop` in a real headless chromium: edit an idea, see the results move, find it saved."""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from mlpm_kit.idea.files import load_idea
from tests.conftest import ROOT
from tests.workshop.conftest import start_workshop

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
# The README's screenshot is refreshed only on request (MLPM_UPDATE_SCREENSHOT=1), so a test
# run never changes a tracked file; otherwise the screenshot goes to the test's temporary folder.
README_SCREENSHOT = ROOT / "docs" / "workshop.png"
DOCS = ROOT / "docs"
PROJECTORS = [(1024, 768), (1280, 720)]
RESULTS = ".mlpm-results-panel"


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

    url, idea = workshop.url, workshop.idea
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


def screenshot_path(tmp_path: Path, name: str) -> Path:
    """docs/NAME when refreshing the README's screenshots (MLPM_UPDATE_SCREENSHOT=1), else a temp file."""
    return DOCS / name if os.environ.get("MLPM_UPDATE_SCREENSHOT") else tmp_path / name


def test_workshop_on_a_projector(workshop, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width, height in PROJECTORS:
                page = browser.new_page(viewport={"width": width, "height": height})
                page.goto(workshop.url)
                page.wait_for_selector(f"{RESULTS} >> text=Expected value", timeout=120_000)
                # Nothing needs horizontal scrolling, on the page or inside the results panel.
                sizes = page.evaluate(
                    """() => [document.documentElement, document.querySelector('.mlpm-panel')]
                        .map(e => [e.scrollWidth, e.clientWidth])"""
                )
                assert all(scroll <= client for scroll, client in sizes), (width, sizes)
                # Value, cost and evidence are open; the decision slot is at the top of the panel.
                for field in ("value-users", "cost-team_week_cost", "evidence-confidence"):
                    assert page.locator(f".mlpm-field-{field} input").is_visible(), field
                assert not page.locator(".mlpm-field-title input").is_visible()
                first = page.locator(f"{RESULTS} .mlpm-results > *").first
                assert first.get_attribute("data-slot") == "decision"
                font = page.evaluate(
                    "parseFloat(getComputedStyle(document.querySelector('.mlpm-results td')).fontSize)"
                )
                assert font >= 16
                page.screenshot(
                    path=str(screenshot_path(tmp_path, f"workshop-{width}x{height}.png"))
                )
                # The results stay in view while the form scrolls.
                form_top = "document.querySelector('.mlpm-form').getBoundingClientRect().top"
                panel_top = "document.querySelector('.mlpm-panel').getBoundingClientRect().top"
                start = page.evaluate(form_top)
                page.mouse.move(width * 0.25, height * 0.5)
                page.mouse.wheel(0, 1500)
                page.wait_for_timeout(700)
                assert page.evaluate(form_top) < start - 1000  # the form moved up
                assert 0 <= page.evaluate(panel_top) < 40  # the panel did not
                page.close()
        finally:
            browser.close()


def test_five_participants_estimate_and_the_facilitator_adopts(tmp_path):
    from playwright.sync_api import sync_playwright

    running = start_workshop(tmp_path, "--share", "--host", "127.0.0.1", "--draws", "300")
    try:
        admin = re.search(r"/\?token=(\S+)", running.line_with("/?token=")).group(1)
        join = re.search(r"/join\?token=(\S+)", running.line_with("/join?token=")).group(1)
        base = f"http://127.0.0.1:{running.port}"
        running.wait_for_http(f"{base}/group?token={admin}")
        before = running.idea.read_text(encoding="utf-8")
        ranges = [(100, 300), (150, 260), (120, 280), (90, 240), (900, 1500)]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                room = browser.new_page(viewport={"width": 1280, "height": 720})
                room.goto(f"{base}/group?token={admin}")
                assert "token" not in room.url  # moved into a cookie, off the projector
                room.wait_for_selector("text=0 participant(s) have answered.")
                for i, (low, high) in enumerate(ranges):
                    phone = browser.new_context(viewport={"width": 390, "height": 844})
                    page = phone.new_page()
                    page.goto(f"{base}/join?token={join}")
                    page.fill("input[name='value.users.low']", str(low))
                    page.fill("input[name='value.users.high']", str(high))
                    for name in ("value.hours_saved_per_user_week", "value.adoption"):
                        page.fill(f"input[name='{name}.low']", "1" if "hours" in name else "0.5")
                        page.fill(f"input[name='{name}.high']", "3" if "hours" in name else "0.8")
                    page.click("text=Send my ranges")
                    page.wait_for_selector("text=Sent.")
                    if i == 0:
                        size = len(page.content().encode())
                        assert size < 100_000
                        page.screenshot(path=str(screenshot_path(tmp_path, "workshop-phone.png")))
                    room.wait_for_selector(f"text={i + 1} participant(s) have answered.")
                    phone.close()
                users = room.locator("#input-value\\.users")
                assert users.locator(".bar.far").count() == 1  # 900 to 1500 is far from the others
                room.screenshot(
                    path=str(screenshot_path(tmp_path, "workshop-group.png")), full_page=True
                )
                adopt = users.locator("button.adopt")
                pooled = adopt.inner_text().removeprefix("Adopt ").removesuffix(" into the idea")
                adopt.click()
                room.wait_for_selector(f"text=Adopted {pooled}")
            finally:
                browser.close()
        after = running.idea.read_text(encoding="utf-8")
        diff = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
                if line[:1] in "+-" and line[:3] not in ("+++", "---")]  # fmt: skip
        assert len(diff) == 2 and diff[1].startswith(f"+  users: {pooled} ")
        assert "# group estimate of 5 participants on " in diff[1]
        assert str(load_idea(running.idea).value.users) == pooled
        kept = json.dumps(running.idea.with_name("ticket-triage.estimates.yaml").read_text())
        assert kept.count("value.users") >= 5
    finally:
        running.stop()
