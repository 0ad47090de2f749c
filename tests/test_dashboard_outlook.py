"""The dashboard's outlook panel in a real browser, and the briefing report's outlook section.

As in ``test_dashboard.py``: headless Debian chromium (the system's ``chromium``, never ``playwright install``)
driven by Playwright against a real server; on CI (``CI=true``) a missing chromium or Playwright is a failure,
elsewhere a skip with the reason. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import run_cli
from liveserver import Server
from test_dashboard import ARTIFACTS, CHROMIUM_ARGS, WAIT_MS, Watch, _unavailable

OUTLOOK_QUERY = {"months": ["24"], "paths": ["1000"]}
CURVE_LABEL = "forward hashprice curve (model forecast, not a market quote)"
NARROW = 360


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


@pytest.fixture(scope="module")
def api_outlook(server: Server) -> dict:
    """The panel's request as the API answers it."""
    r = httpx.get(f"{server.url}/v1/outlook", params={"months": 24, "paths": 1000}, timeout=120)
    assert r.status_code == 200, r.text
    return r.json()


def _open(browser, server: Server, width: int, height: int = 900, route=None):
    context = browser.new_context(viewport={"width": width, "height": height})
    watch = Watch(context)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    if route is not None:
        page.route("**/v1/outlook?*", route)
    page.goto(f"{server.url}/")
    page.wait_for_function("document.body.dataset.outlook === '1'")
    return context, page, watch


def _traces(page, chart: str) -> list[dict]:
    js = "el => el.data.map(t => ({name: t.name, x: Array.from(t.x), y: Array.from(t.y), fill: t.fill || null}))"
    return page.eval_on_selector(f"#{chart}", js)


def _axis_titles(page, chart: str) -> tuple[str, str]:
    js = "el => [el.layout.xaxis.title.text, el.layout.yaxis.title.text]"
    return tuple(page.eval_on_selector(f"#{chart}", js))


def test_outlook_panel(browser, server: Server, api_outlook: dict):
    context, page, watch = _open(browser, server, 1280)
    try:
        assert page.text_content("#error").strip() == "", page.text_content("#error")
        # the panel asked for 24 months of 1,000 paths
        asked = [u for u in watch.urls if urlsplit(u).path == "/v1/outlook"]
        assert len(asked) == 1 and parse_qs(urlsplit(asked[0]).query) == OUTLOOK_QUERY, asked
        months = [m["month"] for m in api_outlook["months"]]
        assert len(months) == 24

        for chart, key, unit in (("chart-outlook-hashrate", "hashrate_ehs", "EH/s"),
                                 ("chart-outlook-hashprice", "hashprice_usd_per_ph_day", "USD/PH/day")):
            # drawn: an SVG with the filled bands, the months' points, the API's quantiles
            assert page.locator(f"#{chart} svg.main-svg").count() >= 1
            assert page.locator(f"#{chart} .scatterlayer .trace").count() >= 5
            assert page.get_attribute(f"#{chart}", "data-months") == "24"
            traces = _traces(page, chart)
            by_name = {t["name"]: t for t in traces}
            for name, q in (("p95", "p95"), ("p5-p95", "p5"), ("p75", "p75"), ("p25-p75", "p25"),
                            ("median (p50)", "p50")):
                t = by_name[name]
                assert t["x"] == months, (chart, name)
                assert t["y"] == pytest.approx([m[key][q] for m in api_outlook["months"]], rel=1e-12), (chart, name)
            assert by_name["p5-p95"]["fill"] == "tonexty" and by_name["p25-p75"]["fill"] == "tonexty"
            assert _axis_titles(page, chart) == ("month", unit)

        # the mean hashprice line, labelled as a model forecast (on the chart and in its key)
        curve = {t["name"]: t for t in _traces(page, "chart-outlook-hashprice")}[CURVE_LABEL]
        assert curve["y"] == pytest.approx(api_outlook["forward_hashprice_curve"]["usd_per_ph_day"], rel=1e-12)
        assert CURVE_LABEL in page.text_content("#outlook")

        # the coverage note: the backtest's figures, or why there are none
        note = page.text_content("#outlook-coverage").strip()
        assert note.startswith("Backtest coverage"), note
        if api_outlook["backtest"]["metrics"] is None:
            assert page.get_attribute("#outlook-coverage", "data-coverage") == "0" and "no backtest" in note
        else:
            assert page.get_attribute("#outlook-coverage", "data-coverage") == "1" and "3 mo" in note
        assert api_outlook["start"] in page.text_content("#outlook-caption")

        assert watch.page_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#outlook").screenshot(path=str(ARTIFACTS / "dashboard_outlook.png"))
    finally:
        context.close()
    assert watch.foreign == [], f"requests off 127.0.0.1: {watch.foreign}"


def _with_backtest(body: dict) -> dict:
    """The API's outlook with a made-up recorded backtest (the package may not carry one yet)."""
    out = copy.deepcopy(body)
    metrics = {s: {h: {"n": 20, "coverage_90": c90, "coverage_50": c50}
                   for h, c90, c50 in (("3", 0.85, 0.45), ("6", 0.8, 0.4), ("12", 0.75, 0.35))}
               for s in ("hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day")}
    metrics["hashprice_usd_per_ph_day"]["12"] = {"n": 20, "coverage_90": 0.7, "coverage_50": 0.3}
    out["backtest"] = {"source": "test", "data_last_day": "2026-06-01", "origins": 20, "metrics": metrics}
    return out


def test_outlook_coverage_note_with_a_backtest(browser, server: Server):
    def route(r):
        resp = r.fetch()
        r.fulfill(response=resp, body=json.dumps(_with_backtest(resp.json())))

    context, page, watch = _open(browser, server, 1280, route=route)
    try:
        assert page.get_attribute("#outlook-coverage", "data-coverage") == "1"
        note = page.text_content("#outlook-coverage")
        assert "over 20 past origins" in note and "90% / 50%" in note, note
        assert "hashrate 3 mo 85% / 45%, 6 mo 80% / 40%, 12 mo 75% / 35%" in note, note
        assert "hashprice 3 mo 85% / 45%, 6 mo 80% / 40%, 12 mo 70% / 30%" in note, note
        assert "difficulty" not in note
        assert watch.page_errors == []
    finally:
        context.close()
    assert watch.foreign == []


def test_no_horizontal_scroll_at_360px(browser, server: Server):
    context, page, watch = _open(browser, server, NARROW, 780)
    try:
        page.wait_for_function("document.body.dataset.ready === '1'")
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth, "
                               "document.body.scrollWidth]")
        assert widths[0] <= widths[1] == NARROW and widths[2] <= NARROW, widths
        box = page.locator("#outlook").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW, box
        for chart in ("chart-outlook-hashrate", "chart-outlook-hashprice"):
            b = page.locator(f"#{chart} svg.main-svg").first.bounding_box()
            assert b["width"] > 200 and b["x"] + b["width"] <= NARROW, (chart, b)
        assert watch.page_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard_outlook_360.png"), full_page=True)
    finally:
        context.close()
    assert watch.foreign == []


# --------------------------------------------------------------------------- the briefing's HTML report


@pytest.fixture(scope="module")
def brief_html(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("brief-outlook-home")
    shutil.copyfile(built_store, home / "hashpower.duckdb")
    f = home / "brief.html"
    r = run_cli("brief", "--no-scenarios", "--html", str(f), home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    return f


def test_brief_html_has_the_outlook_section(brief_html: Path):
    doc = brief_html.read_text()
    section = re.search(r'<section id="outlook".*?</section>', doc, flags=re.S)
    assert section, "no outlook section"
    text = section.group(0)
    assert text.count('class="plotly-graph-div"') == 2  # hashrate and hashprice fans
    assert "Outlook: hashrate, EH/s" in text and "Outlook: hashprice, USD/PH/day" in text
    assert CURVE_LABEL in text and "1,000 paths" in text and "24 months" in text
    assert "Backtest coverage" in text
    assert doc.count("plotly.js v") == 1  # the library still inline once, before the outlook's charts
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?://", doc)


def test_brief_html_outlook_renders_offline(browser, brief_html: Path):
    """Opened from the file with every network request refused, the outlook's fans are drawn."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    refused: list[str] = []
    context.route(lambda url: urlsplit(url).scheme in ("http", "https"),
                  lambda r: (refused.append(r.request.url), r.abort()))
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(brief_html.as_uri())
        charts = page.locator("#outlook .plotly-graph-div")
        page.wait_for_function("document.querySelectorAll('#outlook .plotly-graph-div .main-svg').length >= 2")
        assert charts.count() == 2
        names = page.eval_on_selector_all("#outlook .plotly-graph-div", "els => els.map(e => e.data.map(t => t.name))")
        assert all("median (p50)" in n for n in names) and CURVE_LABEL in names[1]
        assert errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#outlook").screenshot(path=str(ARTIFACTS / "brief_outlook.png"))
    finally:
        context.close()
    assert refused == [], refused
