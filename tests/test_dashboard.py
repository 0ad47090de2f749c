"""The dashboard in a real browser: headless Debian chromium driven by Playwright, against a real server.

Never ``playwright install``: the browser is the system's ``chromium``. On CI (``CI=true``) a missing chromium
or Playwright is a failure; elsewhere it is a skip with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from liveserver import Server

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"
WAIT_MS = 30_000  # the longest any browser wait may take


def _on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    if _on_ci():
        pytest.fail(f"{reason} (CI is set: the browser test must run there)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        _unavailable("Debian's chromium is not on PATH (apt-get install chromium); never `playwright install`")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS, timeout=WAIT_MS)
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Every request a browser context makes; anything not to 127.0.0.1 is recorded and aborted."""

    def __init__(self, context):
        self.urls: list[str] = []
        self.foreign: list[str] = []
        self.page_errors: list[str] = []
        context.on("request", lambda req: self.urls.append(req.url))
        context.route(self._is_foreign, self._abort)

    @staticmethod
    def _is_foreign(url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme not in ("data", "blob", "about") and parts.hostname != "127.0.0.1"

    def _abort(self, route) -> None:
        self.foreign.append(route.request.url)
        route.abort()


def open_page(browser, url: str, width: int, height: int = 900, until: str = "figures", timeout_ms: float = WAIT_MS):
    """A new context (its requests watched) and page at ``url``, ``width`` x ``height`` px, once the page has set
    ``data-<until>`` on its body (figures, ready, outlook: app.js's main)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    page.goto(url)
    page.wait_for_function(f"document.body.dataset.{until} === '1'", timeout=timeout_ms)
    return context, page, watch


def _fig(page, selector: str, attr: str = "data-value") -> float:
    value = page.get_attribute(selector, attr)
    assert value not in (None, "", "null"), f"{selector} has no {attr}"
    return float(value)


def _rows(page) -> dict[str, float]:
    """Cost rate by model, in the table's order."""
    js = "rows => Object.fromEntries(rows.map(r => [r.dataset.model, +r.dataset.costRate]))"
    return page.eval_on_selector_all("#machines-body tr[data-model]", js)


def _set(page, selector: str, value: str) -> None:
    page.fill(selector, value)
    page.dispatch_event(selector, "change")


def test_dashboard(browser, server: Server, record_property):
    api = httpx.Client(base_url=server.url, timeout=30)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    try:
        # first load: navigation start to every figure filled (a benchmark: printed, not asserted)
        t0 = time.perf_counter()
        page.goto(f"{server.url}/", wait_until="commit")
        page.wait_for_function("document.body.dataset.figures === '1'")
        figures_wall = time.perf_counter() - t0
        page.wait_for_function("document.body.dataset.ready === '1'")
        marks = page.evaluate("['hashpower-figures', 'hashpower-ready'].map(n => "
                              "performance.getEntriesByName(n)[0].startTime)")
        load = {"figures_filled_ms": round(marks[0]), "charts_drawn_ms": round(marks[1]),
                "figures_filled_wall_ms": round(figures_wall * 1e3)}
        print(f"\ndashboard first load: figures filled {load['figures_filled_ms']} ms after navigation start "
              f"(wall {load['figures_filled_wall_ms']} ms), charts drawn {load['charts_drawn_ms']} ms")
        for k, v in load.items():
            record_property(k, v)
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "dashboard_load.json").write_text(json.dumps(load) + "\n")

        assert page.text_content("#error").strip() == "", page.text_content("#error")
        ids = ["hashprice", "index", "index-band", "index-lowest-since", "hashrate-7d", "hashrate-30d", "drawdown",
               "power-lower", "power-best", "power-upper", "security-budget", "hhi", "nakamoto", "rent-cost",
               "cost-rate-latest"]
        for i in ids:
            text = page.text_content(f"#{i}").strip()
            assert text and text not in ("–", "n/a"), (i, text)

        # the figures are the API's
        hp = api.get("/v1/hashprice").json()
        assert _fig(page, "#hashprice") == pytest.approx(hp["usd_per_ph_day"], rel=1e-12)
        assert page.input_value("#date") == hp["date"]
        # the status says how old the data is, as the API does (not "up to date")
        page.wait_for_function("document.getElementById('status').textContent.startsWith('data to')")
        status = page.text_content("#status")
        assert status.startswith(f"data to {hp['data_last_day']}")
        if hp["data_stale"]:
            assert f"{hp['data_age_days']} days old" in status and "hashpower data refresh" in status
        assert page.get_attribute("#date", "max") == hp["date"] and page.get_attribute("#date", "min")
        idx = api.get("/v1/index").json()
        assert _fig(page, "#index") == pytest.approx(idx["sustainability_index"], rel=1e-12)
        net = api.get("/v1/network").json()  # at the API's default price, which is the CLI's (brief, network)
        assert float(page.get_attribute("#power-at", "data-value")) == net["power_price_usd_per_kwh"]
        for k in ("lower", "best", "upper"):
            assert _fig(page, f"#power-{k}") == pytest.approx(net["power_gw"][k], rel=1e-12)
        sec = api.get("/v1/security").json()
        assert _fig(page, "#hhi") == pytest.approx(sec["hhi"], rel=1e-12)
        assert page.get_attribute("#security-date", "data-value") == sec["date"]
        if sec["date"] < hp["date"]:  # the pool data ends earlier: the figures say which day they are for
            assert sec["date"] in page.text_content("#security-note")

        # charts: the JS hashprice history ends on the API's figure; record lows marked; one bar per machine
        # (after the last day with fee data the chart's fees are the same labelled estimate as the API's)
        last = float(page.get_attribute("#chart-hashprice", "data-last"))
        assert last == pytest.approx(hp["usd_per_ph_day"], rel=1e-9)
        if hp["fees_estimated"]:
            assert page.get_attribute("#chart-hashprice", "data-estimated-from") > hp["fees_last_day"]
        assert int(page.get_attribute("#chart-hashprice", "data-points")) > 5000
        assert int(page.get_attribute("#chart-hashprice", "data-record-lows")) > 10
        assert int(page.get_attribute("#chart-hashrate", "data-points")) > 5000
        rows = _rows(page)
        assert len(rows) > 50 and int(page.get_attribute("#chart-cost-rate", "data-bars")) == len(rows)
        assert list(rows.values()) == sorted(rows.values())

        # a higher power price: every cost rate up in proportion (cost rate = power cost / revenue)
        latest0, best0 = _fig(page, "#cost-rate-latest"), _fig(page, "#power-best")
        _set(page, "#power-price", "0.09")
        page.wait_for_selector("#cost-rate-latest[data-power-price='0.09']")
        page.wait_for_selector("#machines[data-power-price='0.09']")
        page.wait_for_selector("#power-best[data-power-price='0.09']")
        assert _fig(page, "#cost-rate-latest") == pytest.approx(1.5 * latest0, rel=1e-9)
        after = _rows(page)
        assert after.keys() == rows.keys()
        for model, rate in rows.items():
            assert after[model] == pytest.approx(1.5 * rate, rel=1e-9), model
        assert _fig(page, "#power-best") <= best0  # fewer machines pay at a dearer power price

        # another day: the hashprice and the day-bound figures follow; the security figures are for that day
        day = "2025-06-02"
        hp0 = _fig(page, "#hashprice")
        _set(page, "#date", day)
        page.wait_for_selector(f"#hashprice[data-date='{day}']")
        page.wait_for_selector(f"#security-budget[data-date='{day}']")
        page.wait_for_selector(f"#cost-rate-latest[data-date='{day}']")
        hp_day = api.get("/v1/hashprice", params={"date": day}).json()["usd_per_ph_day"]
        assert _fig(page, "#hashprice") == pytest.approx(hp_day, rel=1e-12) and hp_day != pytest.approx(hp0)
        assert page.get_attribute("#cost-rate-latest", "data-power-price") == "0.09"
        assert page.text_content("#security-note").strip() == ""

        assert page.text_content("#error").strip() == "", page.text_content("#error")
        assert watch.page_errors == []
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    finally:
        context.close()
        api.close()
    assert watch.foreign == [], f"requests off 127.0.0.1: {watch.foreign}"
    assert watch.urls and all(urlsplit(u).hostname == "127.0.0.1" for u in watch.urls if u.startswith("http"))


def test_dashboard_shows_api_errors(browser, server: Server):
    context = browser.new_context()
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        page.goto(f"{server.url}/")
        page.wait_for_function("document.body.dataset.figures === '1'")
        _set(page, "#power-price", "-1")
        page.wait_for_function("document.getElementById('error').textContent.includes('power_price')")
        assert page.is_visible("#error")
        text = page.text_content("#error")
        assert ("/v1/machines" in text or "/v1/network" in text) and "422" in text, text  # whichever answers first
        _set(page, "#power-price", "0.05")  # a good value clears the errors
        page.wait_for_function("document.getElementById('error').textContent.trim() === ''")
        assert not page.is_visible("#error")
    finally:
        context.close()
    assert watch.foreign == []
