"""The dashboard's "My fleet" panel in a real browser: a fleet pasted or uploaded, its three charts, its errors.

As in ``test_dashboard.py``: headless Debian chromium (the system's ``chromium``, never ``playwright install``)
driven by Playwright against a real server; on CI (``CI=true``) a missing chromium or Playwright is a failure,
elsewhere a skip with the reason. Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from liveserver import Server
from test_dashboard import ARTIFACTS, _fig, browser, chromium_path, open_page  # noqa: F401 - fixtures

#: The panel's requests (app.js: FLEET_FORWARD, FLEET_PLAN).
FORWARD = {"forward_months": 12, "paths": 1000, "seed": 0}
PLAN = {"days": 1}
#: The longest wait for the panel's three answers [ms]: the P&L ahead starts the heavy pool and the engine cold.
FLEET_WAIT_MS = 180_000
NARROW = 360


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=FLEET_WAIT_MS / 1000) as c:
        yield c


def _open(browser, server: Server, width: int, height: int = 900):  # noqa: F811 - the fixture imported above
    return open_page(browser, f"{server.url}/", width, height)


def _submit(page, runs: int = 1) -> None:
    page.click("#fleet-submit")
    page.wait_for_function(f"document.getElementById('fleet').dataset.runs === '{runs}' && "
                           "document.getElementById('fleet').dataset.state === 'done'", timeout=FLEET_WAIT_MS)


def _post(api: httpx.Client, path: str, params: dict, text: str) -> dict:
    kind = "application/json" if text.strip().startswith("{") else "application/toml"
    r = api.post(path, params=params, content=text.encode(), headers={"content-type": kind})
    assert r.status_code == 200, r.text[:500]
    return r.json()


def _traces(page, chart: str) -> list[dict]:
    js = ("el => el.data.map(t => ({name: t.name || null, type: t.type, x: Array.from(t.x || []), "
          "y: Array.from(t.y || []), z: t.z ? t.z.map(r => Array.from(r)) : null}))")
    return page.eval_on_selector(f"#{chart}", js)


def _cells(page, body: str) -> dict[str, list[float | None]]:
    """A panel table's rows: site -> the data-value of each numeric cell (None when the figure is missing)."""
    js = ("rows => Object.fromEntries(rows.map(r => [r.dataset.site, Array.from(r.querySelectorAll('td.num'))"
          ".map(td => td.dataset.value === undefined ? null : Number(td.dataset.value))]))")
    return page.eval_on_selector_all(f"#{body} tr[data-site]", js)


def _check_panel(page, api: httpx.Client, text: str) -> None:
    """The panel's figures and charts are the API's answers for the same fleet."""
    fleet = _post(api, "/v1/fleet", FORWARD, text)
    plan = _post(api, "/v1/fleet/plan", PLAN, text)
    costs = _post(api, "/v1/costs", {}, text)
    fwd = fleet["forward"]
    months = [m["month"] for m in fwd["months"]]
    hedged = bool(fwd["hedges"])

    # the P&L ahead: the fan of the fleet's monthly margin, hedged beside unhedged when the fleet has hedges
    assert page.locator("#chart-fleet-fan svg.main-svg").count() >= 1
    assert page.get_attribute("#chart-fleet-fan", "data-months") == str(len(months)) == "12"
    assert page.get_attribute("#chart-fleet-fan", "data-hedged") == ("1" if hedged else "0")
    by_name = {t["name"]: t for t in _traces(page, "chart-fleet-fan")}
    kinds = [("unhedged", "margin_usd")] + ([("hedged", "hedged_margin_usd")] if hedged else [])
    assert len(by_name) == 3 * len(kinds)
    for label, key in kinds:
        for name, q in ((f"{label} p95", "p95"), (f"{label} p5-p95", "p5"), (f"{label} median (p50)", "p50")):
            t = by_name[name]
            assert t["x"] == months, name
            assert t["y"] == pytest.approx([m["fleet"][key][q] for m in fwd["months"]], rel=1e-12), name
    assert _fig(page, "#fleet-margin-p50") == pytest.approx(fwd["months"][0]["fleet"]["margin_usd"]["p50"], rel=1e-12)
    if hedged:
        assert _fig(page, "#fleet-margin-hedged-p50") == pytest.approx(
            fwd["months"][0]["fleet"]["hedged_margin_usd"]["p50"], rel=1e-12)
    assert _fig(page, "#fleet-profit") == pytest.approx(fleet["profit_usd"], rel=1e-12)
    assert _fig(page, "#fleet-units") == fleet["units"]
    assert page.get_attribute("#fleet-profit", "data-from") == fleet["from"]

    # the plan of the next day: one heatmap row per machine group, on (1) / off (0) by UTC hour, and the prices
    assert page.get_attribute("#chart-fleet-plan", "data-from") == plan["from"] and plan["days"] == 1
    traces = _traces(page, "chart-fleet-plan")
    heat = traces[0]
    assert heat["type"] == "heatmap"
    want = []
    for s in plan["sites"]:
        for m in s["models"]:
            row = [int(sp["on"]) for sp in m["spells"] for _ in range(sp["hours"])]
            assert len(row) == 24
            want.append(row)
    assert heat["z"] == want and len(heat["y"]) == len(want) == int(page.get_attribute("#chart-fleet-plan",
                                                                                       "data-rows"))
    hours_on = _cells(page, "fleet-plan-body")
    assert list(hours_on) == [s["name"] for s in plan["sites"]]
    for s in plan["sites"]:
        on, margin, saving = hours_on[s["name"]]
        assert on == pytest.approx(24 - s["hours_curtailed"], rel=1e-12)
        assert margin == pytest.approx(s["margin_usd"], rel=1e-12)
        assert saving == pytest.approx(s["savings_usd"], rel=1e-12)
    prices = {t["name"]: t for t in traces[1:]}
    assert int(page.get_attribute("#chart-fleet-plan", "data-priced")) == len(prices)
    doc = json.loads(text) if text.strip().startswith("{") else tomllib.loads(text)
    given = {s.get("name", f"site-{i + 1}"): s for i, s in enumerate(doc["site"])}
    for s in plan["sites"]:  # a drawn price is the fleet's price of each hour, a step from hour h to h + 1
        if f"{s['name']} price" not in prices:
            continue
        t = prices[f"{s['name']} price"]
        site = given[s["name"]]
        want = site.get("tariff_usd_per_kwh") or [site["power_price_usd_per_kwh"]] * 24
        assert t["x"] == list(range(25)) and t["y"] == [*want, want[-1]]
        assert sum(t["y"][:24]) / 24 == pytest.approx(s["price_mean_usd_per_kwh"], rel=1e-9)

    # the cost per bitcoin of each site and of the fleet, beside the day's price
    assert float(page.get_attribute("#chart-fleet-costs", "data-price")) == pytest.approx(costs["price_usd"],
                                                                                         rel=1e-12)
    rows = _cells(page, "fleet-costs-body")
    assert list(rows) == [s["name"] for s in costs["sites"]] + ["fleet"]
    for s in [*costs["sites"], {**costs["fleet"], "name": "fleet"}]:
        for got, level in zip(rows[s["name"]], ("electricity", "cash", "fully_loaded"), strict=True):
            v = s[f"{level}_usd_per_btc"]
            assert (got is None) if v is None else got == pytest.approx(v, rel=1e-12), (s["name"], level)
    bars = {t["name"]: t for t in _traces(page, "chart-fleet-costs")}
    assert bars["cash"]["y"] == pytest.approx([s["cash_usd_per_btc"] for s in costs["sites"]]
                                              + [costs["fleet"]["cash_usd_per_btc"]], rel=1e-12)


def test_fleet_panel(browser, server: Server, api: httpx.Client):  # noqa: F811 - the fixture imported above
    context, page, watch = _open(browser, server, 1280)
    try:
        assert page.get_attribute("#fleet", "data-state") == "idle"
        text = page.input_value("#fleet-text")
        assert "[[site]]" in text and "[[hedge]]" in text  # the example fleet, with a hedge
        _submit(page)
        assert page.get_attribute("#fleet", "data-errors") == "0", page.text_content("#fleet-error")
        assert not page.is_visible("#fleet-error")
        _check_panel(page, api, text)
        # both example sites give their price by hour (a flat price, a tariff): both lines drawn
        assert page.get_attribute("#chart-fleet-plan", "data-priced") == "2"
        assert page.text_content("#error").strip() == "", page.text_content("#error")
        assert watch.page_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#fleet").screenshot(path=str(ARTIFACTS / "dashboard_fleet.png"))
    finally:
        context.close()
    assert watch.foreign == [], f"requests off 127.0.0.1: {watch.foreign}"


def test_an_uploaded_json_fleet(browser, server: Server, api: httpx.Client, tmp_path: Path):  # noqa: F811
    machines = [{"model": "Antminer S21", "count": 50}, {"model": "Whatsminer M30S++", "count": 20}]
    doc = {"site": [{"name": "solo", "power_price_usd_per_kwh": 0.06, "machines": machines}]}
    f = tmp_path / "fleet.json"
    f.write_text(json.dumps(doc))
    context, page, watch = _open(browser, server, 1280)
    try:
        page.set_input_files("#fleet-file", str(f))  # the upload fills the text and submits it
        page.wait_for_function("document.getElementById('fleet').dataset.state === 'done'", timeout=FLEET_WAIT_MS)
        assert json.loads(page.input_value("#fleet-text")) == doc
        assert page.get_attribute("#fleet", "data-errors") == "0", page.text_content("#fleet-error")
        _check_panel(page, api, f.read_text())
        assert page.get_attribute("#chart-fleet-fan", "data-hedged") == "0"  # no hedge: the unhedged fan only
        assert page.get_attribute("#chart-fleet-plan", "data-priced") == "1"
        assert watch.page_errors == []
    finally:
        context.close()
    assert watch.foreign == []


@pytest.mark.parametrize(("fleet", "needles"), [
    ("[[site]]\nname = \"a\"\npower_price_usd_per_kwh = 0.05\nvoltage = 480\n"
     "[[site.machines]]\nmodel = \"Antminer S21\"\n", ("HTTP 422", "unknown keys", "voltage")),
    ("[[site]\nname = ", ("HTTP 400", "not valid TOML")),
    ("machines_csv = \"/etc/passwd\"\n[[site]]\npower_price_usd_per_kwh = 0.05\n"
     "[[site.machines]]\nmodel = \"Antminer S21\"\n", ("HTTP 422", "machines_csv", "not allowed")),
], ids=["unknown-key", "bad-toml", "file-reference"])
def test_a_bad_fleet_shows_its_error(browser, server: Server, fleet: str, needles: tuple,  # noqa: F811
                                     request: pytest.FixtureRequest):
    context, page, watch = _open(browser, server, 1280)
    try:
        _submit(page)  # first a good fleet: its charts are then greyed out, not left as if current
        page.fill("#fleet-text", fleet)
        _submit(page, runs=2)
        assert page.is_visible("#fleet-error")
        text = page.text_content("#fleet-error")
        for n in needles:
            assert n in text, (n, text)
        # the three routes refused the fleet for the same reason: said once, naming them
        lines = page.eval_on_selector_all("#fleet-error p", "ps => ps.map(p => p.textContent)")
        assert len(lines) == 1 and lines[0].startswith("/v1/fleet, /v1/fleet/plan, /v1/costs (HTTP 4"), lines
        assert page.get_attribute("#fleet", "data-errors") == "3"
        assert "fleet-stale" in page.get_attribute("#fleet", "class")  # the last good fleet's charts greyed out
        assert page.text_content("#error").strip() == ""  # the page's other figures are not affected
        assert watch.page_errors == []
        if request.node.callspec.id == "unknown-key":
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator("#fleet").screenshot(path=str(ARTIFACTS / "dashboard_fleet_error.png"))
    finally:
        context.close()
    assert watch.foreign == []


def test_no_horizontal_scroll_at_360px(browser, server: Server):  # noqa: F811
    context, page, watch = _open(browser, server, NARROW, 780)
    try:
        _submit(page)
        assert page.get_attribute("#fleet", "data-errors") == "0", page.text_content("#fleet-error")
        page.wait_for_function("document.body.dataset.ready === '1'")
        widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth, "
                               "document.body.scrollWidth]")
        assert widths[0] <= widths[1] == NARROW and widths[2] <= NARROW, widths
        for sel in ("#fleet", "#fleet-text", "#fleet-submit", "#fleet-file", "#fleet-plan-table",
                    "#fleet-costs-table"):
            box = page.locator(sel).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW, (sel, box)
        for chart in ("chart-fleet-fan", "chart-fleet-plan", "chart-fleet-costs"):
            b = page.locator(f"#{chart} svg.main-svg").first.bounding_box()
            assert b["width"] > 200 and b["x"] + b["width"] <= NARROW, (chart, b)
        assert watch.page_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#fleet").screenshot(path=str(ARTIFACTS / "dashboard_fleet_360.png"))
    finally:
        context.close()
    assert watch.foreign == []
