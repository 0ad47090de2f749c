"""The dashboard on every screen, in a real browser: widths, charts, the view in the address, the CLI's figures, pools.

As in ``test_dashboard.py``: headless Debian chromium (the system's ``chromium``, never ``playwright install``)
driven by Playwright against a real server; on CI (``CI=true``) a missing chromium or Playwright is a failure,
elsewhere a skip with the reason. Screenshots go to ``tests/artifacts/``. The API route the pools panel draws
from, ``/v1/concentration``, is tested here too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from conftest import run_cli
from liveserver import Server
from test_dashboard import ARTIFACTS, _fig, _set, browser, chromium_path, open_page  # noqa: F401 - fixtures

from hashpower.figures.hashprice import DEFAULT_POWER_PRICE_USD_PER_KWH
from hashpower.figures.security import WINDOWS
from hashpower.figures.series import DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH

WIDTHS = (360, 420, 768, 1280, 1920, 2560)
#: The page's charts drawn without a fleet, and the time charts among them (the x axis is days or months).
CHARTS = ("chart-hashprice", "chart-cost-rate", "chart-hashrate", "chart-concentration", "chart-outlook-hashrate",
          "chart-outlook-hashprice")
FLEET_CHARTS = ("chart-fleet-fan", "chart-fleet-plan", "chart-fleet-costs")
TIME_CHARTS = {"chart-hashprice", "chart-hashrate", "chart-concentration", "chart-outlook-hashrate",
               "chart-outlook-hashprice", "chart-fleet-fan"}
#: Every axis's title names its unit (or, for a day axis, the days' time zone).
TITLES = {
    "chart-hashprice": {"xaxis": "day (UTC)", "yaxis": "USD/PH/day"},
    "chart-cost-rate": {"xaxis": "machine models", "yaxis": "%"},
    "chart-hashrate": {"xaxis": "day (UTC)", "yaxis": "EH/s"},
    "chart-concentration": {"xaxis": "day (UTC)", "yaxis": "HHI (0–10,000)", "yaxis2": "pools"},
    "chart-outlook-hashrate": {"xaxis": "month", "yaxis": "EH/s"},
    "chart-outlook-hashprice": {"xaxis": "month", "yaxis": "USD/PH/day"},
    "chart-fleet-fan": {"xaxis": "month", "yaxis": "USD per month"},
    "chart-fleet-plan": {"xaxis": "UTC hour", "yaxis": "on / off", "yaxis2": "USD/kWh"},
    "chart-fleet-costs": {"xaxis": "site", "yaxis": "USD/BTC"},
}
#: The longest wait for the fleet panel's three answers [ms] (test_dashboard_fleet.py's).
FLEET_WAIT_MS = 180_000
#: The first ASIC miners shipped in January 2013 (Canaan's Avalon batch 1): the hashrate chart's default start.
ASIC_START = "2013-01-01"


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def cli_home(built_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home for the CLI with its own copy of the test's store (the server's content)."""
    home = tmp_path_factory.mktemp("dashboard-screens-cli")
    shutil.copyfile(built_store, home / "hashpower.duckdb")
    return home


def _open(browser, server: Server, width: int, path: str = "/", height: int = 900,  # noqa: F811
          until: str = "outlook"):
    return open_page(browser, f"{server.url}{path}", width, height, until=until, timeout_ms=120_000)


# Every chart's boxes [px, viewport coordinates], axis titles as laid out and as drawn, and x range.
GEOMETRY = """() => {
  const box = (e) => {
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return r.width || r.height ? { l: r.left, r: r.right, t: r.top, b: r.bottom, w: r.width, h: r.height } : null;
  };
  const out = {};
  for (const el of document.querySelectorAll('.js-plotly-plot')) {
    const F = el._fullLayout;
    const axes = {};
    for (const k of Object.keys(F).filter((k) => /^[xy]axis\\d*$/.test(k))) {
      axes[k] = { title: F[k].title ? F[k].title.text : '', visible: F[k].visible !== false, type: F[k].type };
    }
    out[el.id] = {
      div: box(el), svg: box(el.querySelector('svg.main-svg')),
      plots: [...el.querySelectorAll('.nsewdrag')].map(box).filter(Boolean),
      modebar: box(el.querySelector('.modebar')),
      buttons: box(el.querySelector('.rangeselector')) || box(el.querySelector('.updatemenu-container')),
      legend: box(el.querySelector('.legend')),
      titles: [...el.querySelectorAll('.g-xtitle text, .g-ytitle text, .g-y2title text')]
        .map((t) => ({ text: t.textContent, ...box(t) })),
      axes, xrange: el.layout.xaxis && el.layout.xaxis.range ? el.layout.xaxis.range.map(String) : null,
      lastDay: el.dataset.lastDay || null, lastMonth: el.dataset.lastMonth || null,
      x0: el.data.length && el.data[0].x && el.data[0].x.length ? String(el.data[0].x[0]) : null,
    };
  }
  return {
    charts: out, width: window.innerWidth,
    scroll: [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.body.scrollWidth],
  };
}"""


def _overlap(a: dict | None, b: dict | None) -> bool:
    return bool(a and b) and a["l"] < b["r"] - 0.5 and b["l"] < a["r"] - 0.5 and a["t"] < b["b"] - 0.5 \
        and b["t"] < a["b"] - 0.5


def _day(v: str) -> str:
    return v[:10]


def _check_screen(page, charts: tuple[str, ...]) -> dict:
    """No sideways scroll; every chart's plot area in the viewport, its latest data shown, its titles whole."""
    g = page.evaluate(GEOMETRY)
    width = g["width"]
    assert g["scroll"][0] <= width and g["scroll"][2] <= width, (width, g["scroll"])
    for cid in charts:
        c = g["charts"][cid]
        assert c["svg"] and c["svg"]["w"] == pytest.approx(c["div"]["w"], abs=2), (cid, c["svg"], c["div"])
        assert c["plots"], cid
        for p in c["plots"]:
            assert p["l"] >= 0 and p["r"] <= width + 0.5 and p["w"] > 120, (cid, width, p)
        # the mode bar (shown on hover) sits above the plot area, clear of the range buttons and the legend
        assert c["modebar"], cid
        for other in [*c["plots"], c["buttons"], c["legend"]]:
            assert not _overlap(c["modebar"], other), (cid, width, c["modebar"], other)
        for t in c["titles"]:  # a title drawn whole, inside its chart and the viewport
            assert t["l"] >= c["div"]["l"] - 1 and t["r"] <= c["div"]["r"] + 1 and t["r"] <= width, (cid, width, t)
            assert t["t"] >= c["div"]["t"] - 1 and t["b"] <= c["div"]["b"] + 1, (cid, width, t)
        if cid in TIME_CHARTS:
            lo, hi = c["xrange"]
            last = c["lastDay"] or f"{c['lastMonth']}-01"
            assert _day(lo) <= last <= _day(hi) or hi >= last, (cid, width, c["xrange"], last)
            assert _day(hi) >= last, (cid, width, c["xrange"], last)
    return g


# --------------------------------------------------------------------------- 1. every width


@pytest.mark.parametrize("width", WIDTHS)
def test_every_width(browser, server: Server, width: int):  # noqa: F811
    context, page, watch = _open(browser, server, width, height=1000)
    try:
        page.wait_for_function("document.body.dataset.ready === '1'")
        assert page.text_content("#error").strip() == "", page.text_content("#error")
        _check_screen(page, CHARTS)
        for sel in ("#controls", "#pools", "#pools-windows", "#outlook", "#fleet", ".cards"):
            b = page.locator(sel).first.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5, (sel, width, b)
        assert watch.page_errors == []
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"dashboard_screens_{width}.png"), full_page=True)
    finally:
        context.close()
    assert watch.foreign == [], f"requests off 127.0.0.1: {watch.foreign}"


def test_charts_follow_the_window(browser, server: Server):  # noqa: F811
    """Loaded wide, with a fleet computed, then narrowed and widened: every chart redrawn to its new box."""
    context, page, watch = _open(browser, server, 1280)
    try:
        page.click("#fleet-submit")
        page.wait_for_function("document.getElementById('fleet').dataset.state === 'done'", timeout=FLEET_WAIT_MS)
        assert page.get_attribute("#fleet", "data-errors") == "0", page.text_content("#fleet-error")
        charts = CHARTS + FLEET_CHARTS
        widths = []
        for width in (420, 2560, 360, 768, 1920):
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_function(
                "ids => ids.every(id => { const el = document.getElementById(id); "
                "const svg = el.querySelector('svg.main-svg'); "
                "return svg && Math.abs(svg.getBoundingClientRect().width - el.getBoundingClientRect().width) < 2; })",
                arg=list(charts))
            g = _check_screen(page, charts)
            widths.append(g["charts"]["chart-hashprice"]["svg"]["w"])
            if width == 420:
                ARTIFACTS.mkdir(exist_ok=True)
                page.locator("#fleet").screenshot(path=str(ARTIFACTS / "dashboard_screens_fleet_420.png"))
        assert widths[1] > widths[4] > widths[3] > widths[0] > widths[2], widths  # each drawn to its window
        assert watch.page_errors == []
    finally:
        context.close()
    assert watch.foreign == []


# --------------------------------------------------------------------------- 2. charts


def test_axis_titles_name_their_units(browser, server: Server):  # noqa: F811
    context, page, watch = _open(browser, server, 1280)
    try:
        page.click("#fleet-submit")
        page.wait_for_function("document.getElementById('fleet').dataset.state === 'done'", timeout=FLEET_WAIT_MS)
        g = page.evaluate(GEOMETRY)["charts"]
        assert set(g) == set(TITLES)
        for cid, want in TITLES.items():
            axes = {k: a for k, a in g[cid]["axes"].items() if a["visible"]}
            assert set(axes) == set(want), (cid, axes)
            drawn = {t["text"] for t in g[cid]["titles"]}
            for k, unit in want.items():
                assert unit in axes[k]["title"], (cid, k, axes[k]["title"])
                assert axes[k]["title"] in drawn, (cid, k, drawn)  # drawn, not only laid out
        # the cost-rate chart's x title is a title: the colours' key is a list under the chart
        assert "green" not in g["chart-cost-rate"]["axes"]["xaxis"]["title"]
        key = page.eval_on_selector_all("#chart-cost-rate ~ .key li", "lis => lis.map(li => li.textContent.trim())")
        assert key == ["latest generation", "mid", "old", "obsolete"]
        assert watch.page_errors == []
    finally:
        context.close()


def test_hashrate_starts_with_asic_mining_and_switches_scale(browser, server: Server, api: httpx.Client):  # noqa: F811
    context, page, watch = _open(browser, server, 1280, until="ready")
    try:
        hr = page.eval_on_selector("#chart-hashrate", "el => [el.layout.xaxis.range, el.layout.yaxis.range, "
                                   "el.layout.yaxis.type, Array.from(el.data[0].x), Array.from(el.data[0].y)]")
        (x0, x1), (y0, y1), kind, xs, ys = hr
        assert kind == "log" and _day(x0) == ASIC_START and _day(x1) == xs[-1]
        # the y axis spans the hashrate shown (from 2013), not the CPU era's 1e-12 EH/s
        shown = [y for x, y in zip(xs, ys, strict=True) if x >= ASIC_START]
        assert min(ys) < 1e-9 < min(shown)  # the data go back to 2009; the view does not
        assert 10**y0 == pytest.approx(min(shown), rel=0.5) and 10**y0 < min(shown)
        assert 10**y1 == pytest.approx(max(shown), rel=0.5) and 10**y1 > max(shown)
        # the chart's last point is the network card's 7-day hashrate
        net = api.get("/v1/network").json()
        assert ys[-1] == pytest.approx(net["hashrate_ehs_7d"], rel=1e-9) and xs[-1] == net["date"]

        page.click("#hashrate-scale button[data-scale='linear']")
        page.wait_for_function("document.getElementById('chart-hashrate').layout.yaxis.type === 'linear'")
        page.wait_for_function("location.search.includes('hashrate_scale=linear')")
        lin = page.eval_on_selector("#chart-hashrate", "el => [el.layout.yaxis.range, el.layout.yaxis.title.text]")
        assert lin[0][0] <= min(shown) and lin[0][1] >= max(shown) and lin[0][1] < 1.2 * max(shown), lin
        assert lin[1] == "EH/s"
        assert page.get_attribute("#hashrate-scale button[data-scale='linear']", "aria-pressed") == "true"
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#chart-hashrate").screenshot(path=str(ARTIFACTS / "dashboard_screens_hashrate_linear.png"))
        page.click("#hashrate-scale button[data-scale='log']")
        page.wait_for_function("document.getElementById('chart-hashrate').layout.yaxis.type === 'log'")
        assert "hashrate_scale" not in page.evaluate("location.search")  # the default is not written
        assert watch.page_errors == []
    finally:
        context.close()


def _shift_months(day: str, months: int) -> str:
    """``day`` moved by whole months as plotly's range buttons do (d3's UTC offsets: day 31 overflows forward)."""
    d = dt.date.fromisoformat(day)
    y, m = divmod(d.month - 1 + months, 12)
    return (dt.date(d.year + y, m + 1, 1) + dt.timedelta(days=d.day - 1)).isoformat()


def _click_range(page, chart: str, label: str) -> None:
    kind = "rangeselector .button" if chart not in ("chart-outlook-hashrate", "chart-outlook-hashprice") \
        else "updatemenu-button"
    before = page.eval_on_selector(f"#{chart}", "el => String(el.layout.xaxis.range)")
    page.locator(f"#{chart} .{kind}").filter(has_text=re.compile(f"^{label}$")).click()
    page.wait_for_function("([id, before]) => String(document.getElementById(id).layout.xaxis.range) !== before",
                           arg=[chart, before])
    page.wait_for_timeout(150)  # the y axis is fitted right after the x range moves


def _view(page, chart: str) -> dict:
    return page.eval_on_selector(f"#{chart}", """el => {
      const [a, b] = el.layout.xaxis.range.map(String);
      const ys = [];
      for (const t of el.data) for (let i = 0; i < t.x.length; i++) {
        const x = String(t.x[i]).length === 7 ? `${t.x[i]}-01` : String(t.x[i]);
        if (x >= a && x <= b && typeof t.y[i] === 'number' && (t.yaxis || 'y') === 'y') ys.push(t.y[i]);
      }
      return { range: [a, b], y: el.layout.yaxis.range, log: el._fullLayout.yaxis.type === 'log',
               lo: Math.min(...ys), hi: Math.max(...ys), first: String(el.data[0].x[0]) };
    }""")


def _check_y_fits(v: dict) -> None:
    """The y axis spans the data inside the x range, with a margin of at most a fifth of its span each side."""
    lo, hi = (v["lo"], v["hi"])
    if v["log"]:
        import math

        lo, hi = math.log10(lo), math.log10(hi)
    span = max(hi - lo, 1e-9)
    assert v["y"][0] <= lo and v["y"][1] >= hi, v
    assert lo - v["y"][0] <= 0.2 * span + 0.5 and v["y"][1] - hi <= 0.2 * span + 0.5, v


def test_range_buttons(browser, server: Server, api: httpx.Client):  # noqa: F811
    last = api.get("/v1/hashprice").json()["date"]
    pool_last = api.get("/v1/security").json()["date"]
    outlook = api.get("/v1/outlook", params={"months": 24, "paths": 1000}).json()
    months = [f"{m['month']}-01" for m in outlook["months"]]
    context, page, watch = _open(browser, server, 1280)
    try:
        for chart, end, param in (("chart-hashprice", last, "hashprice_range"), ("chart-hashrate", last,
                                   "hashrate_range"), ("chart-concentration", pool_last, "concentration_range")):
            for label, months_back in (("1M", 1), ("1Y", 12), ("5Y", 60)):
                _click_range(page, chart, label)
                v = _view(page, chart)
                assert [_day(x) for x in v["range"]] == [_shift_months(end, -months_back), end], (chart, label, v)
                _check_y_fits(v)
                q = parse_qs(urlsplit(page.url).query)
                assert q[param] == [label.lower()], (chart, label, page.url)
            _click_range(page, chart, "ALL")
            v = _view(page, chart)
            assert [_day(x) for x in v["range"]] == [v["first"], end], (chart, v)
            _check_y_fits(v)
        ARTIFACTS.mkdir(exist_ok=True)
        _click_range(page, "chart-hashprice", "1Y")
        page.locator("#chart-hashprice").screenshot(path=str(ARTIFACTS / "dashboard_screens_hashprice_1y.png"))

        # the months ahead count forward from the first month; both outlook charts show the same months
        _click_range(page, "chart-outlook-hashprice", "6M")
        for chart in ("chart-outlook-hashrate", "chart-outlook-hashprice"):
            page.wait_for_function("id => document.getElementById(id).layout.xaxis.range[1] < '2100' && "
                                   "document.getElementById(id).layout.xaxis.range[0] !== undefined", arg=chart)
            v = _view(page, chart)
            first = dt.date.fromisoformat(months[0]) - dt.timedelta(days=15)
            sixth = dt.date.fromisoformat(months[5]) + dt.timedelta(days=15)
            assert [_day(x) for x in v["range"]] == [first.isoformat(), sixth.isoformat()], (chart, v)
            _check_y_fits(v)
        assert parse_qs(urlsplit(page.url).query)["outlook_range"] == ["6m"]
        _click_range(page, "chart-outlook-hashrate", "ALL")
        v = _view(page, "chart-outlook-hashprice")
        assert _day(v["range"][1]) == (dt.date.fromisoformat(months[-1]) + dt.timedelta(days=15)).isoformat()
        assert "outlook_range" not in parse_qs(urlsplit(page.url).query)  # the default
        assert watch.page_errors == []
    finally:
        context.close()


# --------------------------------------------------------------------------- 3. the CLI's figures


def _cli_json(home: Path, *args: str) -> dict:
    r = run_cli(*args, "--json", home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("day", [None, "2025-06-02"], ids=["latest", "2025-06-02"])
def test_same_figures_as_the_cli(browser, server: Server, cli_home: Path, day: str | None):  # noqa: F811
    args = ("--date", day) if day else ()
    b = _cli_json(cli_home, "brief", "--no-scenarios", *args)
    net_cli = _cli_json(cli_home, "network", *args)
    context, page, watch = _open(browser, server, 1280, f"/?date={day}" if day else "/", until="figures")
    try:
        assert page.text_content("#error").strip() == "", page.text_content("#error")
        # the day
        assert page.input_value("#date") == b["date"] == b["hashprice"]["date"]
        assert page.get_attribute("#hashprice", "data-date") == b["date"]
        assert page.get_attribute("#hashrate-7d", "data-date") == b["date"]
        # hashprice and hashrate
        hp = b["hashprice"]["usd_per_ph_day"]
        assert _fig(page, "#hashprice") == pytest.approx(hp, rel=1e-12)
        assert page.text_content("#hashprice") == f"{hp:,.2f}"
        h7 = b["network"]["hashrate_ehs_7d"]
        assert _fig(page, "#hashrate-7d") == pytest.approx(h7, rel=1e-12)
        assert page.text_content("#hashrate-7d") == f"{h7:,.1f}"
        # network power: the CLI's default price (CBECI's), its bounds, as brief and network print them
        assert b["network"]["power_price_usd_per_kwh"] == net_cli["power_price_usd_per_kwh"] \
            == DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH
        assert float(page.get_attribute("#power-at", "data-value")) == DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH
        assert page.text_content("#power-at") == f"at {DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH} USD/kWh"
        for k in ("lower", "best", "upper"):
            v = b["network"]["power_gw"][k]
            assert v == pytest.approx(net_cli["power_gw"][k], rel=1e-12)
            assert _fig(page, f"#power-{k}") == pytest.approx(v, rel=1e-12), k
            assert page.text_content(f"#power-{k}") == (f"{v:,.1f}" if k == "best" else f"{v:,.1f} GW"), k
        # the index
        idx = b["index"]["sustainability_index"]
        assert _fig(page, "#index") == pytest.approx(idx, rel=1e-12)
        assert page.text_content("#index") == f"{idx:,.1f}"
        assert page.get_attribute("#index-band", "data-value") == b["index"]["band"]
        # security: the day with pool data, its budget and concentration
        sec = b["security"]
        assert page.get_attribute("#security-date", "data-value") == sec["date"]
        assert _fig(page, "#security-budget") == pytest.approx(sec["security_budget_usd_per_day"], rel=1e-12)
        assert page.text_content("#security-budget") == f"${sec['security_budget_usd_per_day'] / 1e6:,.2f}M"
        assert _fig(page, "#hhi") == pytest.approx(sec["hhi"], rel=1e-12)
        assert _fig(page, "#nakamoto") == sec["nakamoto_coefficient"]
        # cost rates: the CLI's default price for machines (brief's and hashpower machines')
        assert b["machines"]["power_price_usd_per_kwh"] == DEFAULT_POWER_PRICE_USD_PER_KWH
        assert float(page.get_attribute("#cost-at", "data-value")) == DEFAULT_POWER_PRICE_USD_PER_KWH
        assert _fig(page, "#cost-rate-latest") == pytest.approx(
            b["machines"]["generations"]["latest"]["median_cost_rate"], rel=1e-12)
        assert watch.page_errors == []
        if day is None:
            ARTIFACTS.mkdir(exist_ok=True)
            page.locator(".cards").screenshot(path=str(ARTIFACTS / "dashboard_screens_cards_as_cli.png"))
    finally:
        context.close()


def test_power_price_defaults_come_from_the_api(browser, server: Server, api: httpx.Client):  # noqa: F811
    # the page hard-codes no price: it asks without one and shows the price the API answered with
    # (index.html's example fleet has its own site's price: a user's input, not a default of the page)
    for name in ("app.js", "charts.js", "pools.js", "fleet.js"):
        text = api.get(f"/static/{name}").text
        assert not re.search(r"power_?price\w*\s*[:=]\s*\d", text, re.IGNORECASE), name
    machines = api.get("/v1/machines").json()["power_price_usd_per_kwh"]
    network = api.get("/v1/network").json()["power_price_usd_per_kwh"]
    assert (machines, network) == (DEFAULT_POWER_PRICE_USD_PER_KWH, DEFAULT_CBECI_POWER_PRICE_USD_PER_KWH)
    context, page, watch = _open(browser, server, 1280, until="figures")
    try:
        asked = [parse_qs(urlsplit(u).query) for u in watch.urls if urlsplit(u).path in ("/v1/machines",
                                                                                         "/v1/network")]
        assert len(asked) == 2 and all("power_price" not in q for q in asked), asked
        assert page.input_value("#power-price") == ""
        assert float(page.get_attribute("#power-default", "data-machines")) == machines
        assert float(page.get_attribute("#power-default", "data-network")) == network
        hint = page.text_content("#power-default")
        assert f"cost rates {machines}" in hint and f"network power {network}" in hint, hint
        # a price given applies to both; cleared, the defaults again
        _set(page, "#power-price", "0.08")
        page.wait_for_selector("#power-best[data-power-price='0.08']")
        page.wait_for_selector("#cost-rate-latest[data-power-price='0.08']")
        assert parse_qs(urlsplit(page.url).query)["power"] == ["0.08"]
        _set(page, "#power-price", "")
        page.wait_for_selector(f"#power-best[data-power-price='{network}']")
        page.wait_for_selector(f"#cost-rate-latest[data-power-price='{machines}']")
        assert "power" not in parse_qs(urlsplit(page.url).query)
        assert page.text_content("#error").strip() == ""
        assert watch.page_errors == []
    finally:
        context.close()


# --------------------------------------------------------------------------- 4. the view in the address


# Every figure of the page (its raw value), the inputs, the charts' ranges and scale, the pools table.
STATE = """() => ({
  figures: Object.fromEntries([...document.querySelectorAll('.cards .fig, #pools .fig')]
    .filter((e) => e.id).map((e) => [e.id, e.dataset.value ?? e.textContent])),
  date: document.getElementById('date').value, power: document.getElementById('power-price').value,
  ranges: Object.fromEntries(['chart-hashprice', 'chart-hashrate', 'chart-concentration', 'chart-outlook-hashrate',
    'chart-outlook-hashprice'].map((id) => [id,
      document.getElementById(id).layout.xaxis.range.map((v) => String(v).slice(0, 10))])),
  scale: document.getElementById('chart-hashrate').layout.yaxis.type,
  pressed: [...document.querySelectorAll(
    '#pools-windows button[aria-pressed=true], #hashrate-scale button[aria-pressed=true]')].map((b) => b.textContent),
  pools: [...document.querySelectorAll('#pools-body tr')].map((r) => [r.dataset.pool, +r.dataset.share]),
  poolsWindow: document.getElementById('pools-table').dataset.window,
})"""


def _settled(page) -> dict:
    page.wait_for_function("document.getElementById('status').textContent.startsWith('data to')")
    page.wait_for_timeout(300)
    return page.evaluate(STATE)


def test_the_view_lives_in_the_address(browser, server: Server):  # noqa: F811
    day = "2023-03-15"
    context, page, watch = _open(browser, server, 1280)
    try:
        latest = _settled(page)
        steps = []
        _set(page, "#date", day)
        page.wait_for_selector(f"#hashprice[data-date='{day}']")
        page.wait_for_selector(f"#pools-table[data-date='{day}']")
        steps.append(_settled(page))
        _set(page, "#power-price", "0.07")
        page.wait_for_selector("#power-best[data-power-price='0.07']")
        steps.append(_settled(page))
        page.click("#pools-windows button[data-window='1m']")
        page.wait_for_selector("#pools-table[data-window='1m']")
        page.wait_for_selector("#chart-concentration[data-window='1m']")
        steps.append(_settled(page))
        page.click("#hashrate-scale button[data-scale='linear']")
        page.wait_for_function("document.getElementById('chart-hashrate').layout.yaxis.type === 'linear'")
        steps.append(_settled(page))
        for chart, label in (("chart-hashprice", "5Y"), ("chart-concentration", "1Y"),
                             ("chart-outlook-hashprice", "6M")):
            _click_range(page, chart, label)
            steps.append(_settled(page))
        url = page.url
        q = parse_qs(urlsplit(url).query)
        assert q == {"date": [day], "power": ["0.07"], "pools": ["1m"], "hashrate_scale": ["linear"],
                     "hashprice_range": ["5y"], "concentration_range": ["1y"], "outlook_range": ["6m"]}, url
        final = steps[-1]
        assert final["date"] == day and final["power"] == "0.07" and final["scale"] == "linear"
        assert final["poolsWindow"] == "1m" and sorted(final["pressed"]) == ["1m", "linear"]
        assert final["figures"]["hashprice"] != latest["figures"]["hashprice"]

        # the address in a fresh page: the same view and figures
        context2, page2, watch2 = _open(browser, server, 1280, urlsplit(url).path + "?" + urlsplit(url).query)
        try:
            again = _settled(page2)
            assert again == final
            assert watch2.page_errors == []
            ARTIFACTS.mkdir(exist_ok=True)
            page2.screenshot(path=str(ARTIFACTS / "dashboard_screens_shared_view.png"), full_page=True)
        finally:
            context2.close()

        # back: each change undone in turn (pushState), to the latest day; forward again
        for previous in reversed([latest, *steps[:-1]]):
            page.go_back()
            assert _settled(page) == previous
        assert urlsplit(page.url).query == ""
        page.go_forward()
        assert _settled(page) == steps[0] and parse_qs(urlsplit(page.url).query) == {"date": [day]}
        assert watch.page_errors == []
    finally:
        context.close()
    assert watch.foreign == []


def test_a_bad_address_is_said_and_left_at_the_defaults(browser, server: Server):  # noqa: F811
    context, page, watch = _open(browser, server, 1280, "/?pools=2w&hashrate_scale=cubic&hashprice_range=9y&x=1",
                                 until="ready")
    try:
        text = page.text_content("#error")
        for needle in ("pools=2w", "hashrate_scale=cubic", "hashprice_range=9y", "x (not a parameter of the page)"):
            assert needle in text, text
        assert page.get_attribute("#pools-table", "data-window") == "1w"
        assert page.eval_on_selector("#chart-hashrate", "el => el.layout.yaxis.type") == "log"
        assert watch.page_errors == []
    finally:
        context.close()


# --------------------------------------------------------------------------- 5. the pools panel


def _pool_rows(page) -> list[tuple[str, str, int, float]]:
    js = "rows => rows.map(r => [r.dataset.pool, r.cells[0].textContent, +r.dataset.blocks, +r.dataset.share])"
    return [tuple(r) for r in page.eval_on_selector_all("#pools-body tr", js)]


def test_pools_panel(browser, server: Server, api: httpx.Client):  # noqa: F811
    context, page, watch = _open(browser, server, 1280, until="ready")
    try:
        assert page.get_attribute("#pools-windows button[data-window='1w']", "aria-pressed") == "true"
        tables = {}
        for w in ("24h", "3d", "1m", "all", "1y", "1w"):
            page.click(f"#pools-windows button[data-window='{w}']")
            page.wait_for_selector(f"#pools-table[data-window='{w}']")
            page.wait_for_selector(f"#chart-concentration[data-window='{w}']")
            rows = _pool_rows(page)
            sec = api.get("/v1/security", params={"window": w, "top": 10}).json()
            c = sec["concentration"]
            assert rows == [(p["pool"], p["name"], p["blocks"], pytest.approx(p["share"], rel=1e-12))
                            for p in c["pool_shares"]], w
            assert sum(r[3] for r in rows) == pytest.approx(1.0, abs=1e-9), w  # every block counted once
            assert sum(r[2] for r in rows) == c["blocks"]
            assert rows[-1][:2] == ("others", "Others") and len(rows) <= 12
            assert page.get_attribute("#pools-table", "data-date") == sec["date"]
            assert _fig(page, "#pools-hhi") == pytest.approx(c["hhi"], rel=1e-12)
            assert _fig(page, "#pools-nakamoto") == c["nakamoto_coefficient"]
            assert page.text_content("#pools-span") == f"{c['start_date']} to {c['end_date']}"
            for b in page.eval_on_selector_all("#pools-windows button", "bs => bs.map(b => [b.dataset.window, "
                                               "b.getAttribute('aria-pressed')])"):
                assert b[1] == ("true" if b[0] == w else "false"), (w, b)
            q = parse_qs(urlsplit(page.url).query)
            assert q.get("pools") == (None if w == "1w" else [w]), page.url
            # the chart: the HHI of every day over the window, ending on the table's day with the table's HHI
            days = WINDOWS[w] or 365
            assert page.get_attribute("#chart-concentration", "data-window-days") == str(days)
            assert page.get_attribute("#chart-concentration", "data-last-day") == sec["date"]
            if WINDOWS[w]:
                assert float(page.get_attribute("#chart-concentration", "data-last-hhi")) == pytest.approx(
                    c["hhi"], rel=1e-9), w
            tables[w] = rows
            if w == "1m":
                ARTIFACTS.mkdir(exist_ok=True)
                page.locator("#pools").screenshot(path=str(ARTIFACTS / "dashboard_screens_pools.png"))
        assert len({tuple(r[3] for r in t) for t in tables.values()}) == len(tables)  # each window its own shares
        assert page.text_content("#error").strip() == "", page.text_content("#error")
        assert watch.page_errors == []
    finally:
        context.close()
    assert watch.foreign == []


def test_pools_panel_at_360px(browser, server: Server):  # noqa: F811
    context, page, watch = _open(browser, server, 360, height=800, until="ready")
    try:
        page.click("#pools-windows button[data-window='all']")
        page.wait_for_selector("#pools-table[data-window='all']")
        g = _check_screen(page, ("chart-concentration",))
        assert g["scroll"][0] <= 360
        for sel in ("#pools", "#pools-windows", "#pools-table"):
            b = page.locator(sel).bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= 360, (sel, b)
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#pools").screenshot(path=str(ARTIFACTS / "dashboard_screens_pools_360.png"))
        assert watch.page_errors == []
    finally:
        context.close()


# --------------------------------------------------------------------------- /v1/concentration


def test_concentration_route(api: httpx.Client):
    r = api.get("/v1/concentration", params={"window": "1m"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["window_days"] == 30 and d["window"] == "1m" and d["merge_templates"] is False
    assert d["columns"] == ["blocks", "hhi", "nakamoto_coefficient", "top_pool", "top_pool_share",
                            "unattributed_share"]
    assert d["units"]["hhi"] == "0-10,000" and d["rows"] == len(d["data"]) > 1000
    assert d["data_last_day"]  # how current the data is, as every route
    days = [row["date"] for row in d["data"]]
    assert days == sorted(days) and len(set(days)) == len(days)
    # a day's row is /v1/security's concentration for that day and window
    last = api.get("/v1/security", params={"window": "1m"}).json()
    assert days[-1] == last["date"]
    assert d["data"][-1]["hhi"] == pytest.approx(last["hhi"], rel=1e-12)
    assert d["data"][-1]["nakamoto_coefficient"] == last["nakamoto_coefficient"]
    assert d["data"][-1]["blocks"] == last["concentration"]["blocks"]
    # the default window is /v1/security's (7 days); start and end cut the rows
    cut = api.get("/v1/concentration", params={"start": "2023-03-01", "end": "2023-03-15"}).json()
    assert cut["window_days"] == 7 and [row["date"] for row in cut["data"]][::14] == ["2023-03-01", "2023-03-15"]
    mid = api.get("/v1/security", params={"date": "2023-03-15"}).json()
    assert cut["data"][-1]["hhi"] == pytest.approx(mid["hhi"], rel=1e-12)
    assert cut["data"][-1]["top_pool"] == mid["concentration"]["pools"][0]["pool"]
    assert cut["data"][-1]["top_pool_share"] == pytest.approx(mid["concentration"]["pools"][0]["share"], rel=1e-12)
    by_days = api.get("/v1/concentration", params={"window_days": 30, "start": days[-1]}).json()
    assert by_days["data"] == d["data"][-1:]


@pytest.mark.parametrize(("params", "status", "needle"), [
    ({"window": "1m", "window_days": 30}, 400, "not both"),
    ({"window": "all"}, 422, "window"),
    ({"window_days": 0}, 422, "window_days"),
    ({"window_days": 366}, 422, "window_days"),
    ({"start": "yesterday"}, 400, "start"),
    ({"start": "2024-02-01", "end": "2024-01-01"}, 400, "start"),
    ({"days": 7}, 400, "unknown parameters"),
])
def test_concentration_route_refuses_bad_input(api: httpx.Client, params: dict, status: int, needle: str):
    r = api.get("/v1/concentration", params=params)
    assert r.status_code == status, r.text
    assert needle in r.json()["detail"], r.json()


# --------------------------------------------------------------------------- /v1/daily (the history charts' series)


@pytest.mark.parametrize("day", [None, "2016-07-09", "2023-03-15"])  # the latest day, a halving, an ordinary day
def test_daily_route_gives_the_figures_of_each_day(api: httpx.Client, day: str | None):
    hp = api.get("/v1/hashprice", params={"date": day} if day else {}).json()
    day = hp["date"]
    q = {"start": day, "end": day}
    row = api.get("/v1/daily", params={"series": "hashprice", **q}).json()["data"][0]
    assert row["date"] == day and row["price_usd"] == hp["price_usd"]
    assert row["fees_estimated"] is bool(hp.get("fees_estimated"))
    if day != "2016-07-09":  # on a halving day `hashprice --date` prices the next block's subsidy (docs/notebooks.md)
        assert row["hashprice_usd_per_ph_day"] == pytest.approx(hp["usd_per_ph_day"], rel=1e-12)
    net = api.get("/v1/network", params={"date": day}).json()
    hr = api.get("/v1/daily", params={"series": "hashrate", "columns": "hashrate_7d_ehs,hashrate_30d_ehs", **q}).json()
    assert hr["columns"] == ["hashrate_7d_ehs", "hashrate_30d_ehs"] and hr["units"]["hashrate_7d_ehs"] == "EH/s"
    assert hr["data"][0]["hashrate_7d_ehs"] == pytest.approx(net["hashrate_ehs_7d"], rel=1e-12)
    assert hr["data"][0]["hashrate_30d_ehs"] == pytest.approx(net["hashrate_ehs_30d"], rel=1e-12)
    idx = api.get("/v1/index", params={"date": day}).json()
    ix = api.get("/v1/daily", params={"series": "index", **q}).json()["data"][0]
    assert ix["sustainability_index"] == pytest.approx(idx["sustainability_index"], rel=1e-12)
    assert ix["band"] == idx["band"] and ix["lowest_since"] == idx["lowest_since"]  # dates as YYYY-MM-DD


def test_daily_route_whole_series(api: httpx.Client):
    d = api.get("/v1/daily", params={"series": "hashrate", "columns": "hashrate_7d_ehs"}).json()
    days = [r["date"] for r in d["data"]]
    assert d["series"] == "hashrate" and d["rows"] == len(days) > 6000 and days == sorted(days)
    assert days[0] == "2009-01-03" and d["data"][0]["hashrate_7d_ehs"] is None  # no 7-day window yet: null, not NaN
    assert d["data_last_day"] == days[-1]


@pytest.mark.parametrize(("params", "status", "needle"), [
    ({"series": "hashprices"}, 400, "series must be one of hashprice, hashrate, index, indicators"),
    ({}, 422, "series"),
    ({"series": "index", "columns": "index"}, 400, "columns of series index are sustainability_index"),
    ({"series": "index", "columns": ","}, 400, "columns"),
    ({"series": "index", "start": "2024-02-01", "end": "2024-01-01"}, 400, "start"),
    ({"series": "index", "window_days": 7}, 400, "unknown parameters"),
])
def test_daily_route_refuses_bad_input(api: httpx.Client, params: dict, status: int, needle: str):
    r = api.get("/v1/daily", params=params)
    assert r.status_code == status, r.text
    assert needle in r.json()["detail"], r.json()
