"""The REST API against a real server (``hashpower serve`` in a subprocess, on loopback, httpx as the client).

The JSON keys are the CLI's contract and the values equal the CLI's ``--json`` for the same inputs; bad input
gets a 4xx with a reason in ``detail`` and never a 500; nothing outside the package's assets is served; and the
server keeps serving after all of it.
"""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import run_cli
from liveserver import Server

REQUEST_TIMEOUT_S = 60


# --------------------------------------------------------------------------- a real server


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as c:
        yield c


def strict_json(text: str):
    """Parse JSON refusing NaN and Infinity (they are not JSON)."""

    def bad(token: str):
        raise ValueError(f"non-JSON constant {token}")

    return json.loads(text, parse_constant=bad)


def raw_request(port: int, head: bytes, timeout: float = 10) -> tuple[int | None, bytes]:
    """Send bytes as they are (no URL normalisation by a client) and read the answer: (status, whole response)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(head)
            while len(data) < 10_000_000:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, BrokenPipeError):
            pass
    status = None
    if data.startswith(b"HTTP/1.1 "):
        status = int(data[9:12])
    return status, data


def same(a, b, path: str = "") -> list[str]:
    """Differences between two JSON values (floats to 1e-12 relative)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{path}/{k}: missing on one side" for k in set(a) ^ set(b)]
        for k in set(a) & set(b):
            out += same(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} != {len(b)} items"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in same(x, y, f"{path}[{i}]")]
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, int | float) and isinstance(b, int | float) and math.isclose(a, b, rel_tol=1e-12):
            return []
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


# --------------------------------------------------------------------------- serving


def test_serve_binds_loopback_by_default(server: Server):
    assert f"127.0.0.1:{server.port}" in server.stderr()
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, port = local.rsplit(":", 1)
            if state == "0A" and int(port, 16) == server.port:  # 0A: LISTEN
                listening.append(addr)
    if Path("/proc/net/tcp").exists():  # Linux: the one listening socket on the port is 127.0.0.1 (little-endian hex)
        assert listening == ["0100007F"], listening
    # and nothing answers on the machine's other addresses
    try:
        others = {ai[4][0] for ai in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    except socket.gaierror:
        others = set()
    for ip in sorted(others - {"127.0.0.1"}):
        if ip.startswith("127."):
            continue
        with pytest.raises(OSError), socket.create_connection((ip, server.port), timeout=2):
            pass


def test_healthz(client: httpx.Client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["version"]


def test_dashboard_page_and_assets(client: httpx.Client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for needle in ('id="date"', 'id="power-price"', 'id="error"', "/static/app.js", "/static/plotly.min.js"):
        assert needle in page.text
    assert "https://" not in page.text.replace("https://www.w3.org", "")  # no CDN, no web fonts
    for name, kind in (("app.js", "javascript"), ("style.css", "text/css"), ("plotly.min.js", "javascript")):
        r = client.get(f"/static/{name}")
        assert r.status_code == 200 and kind in r.headers["content-type"], name
    assert client.get("/static/nope.js").status_code == 404


def test_openapi_lists_every_v1_path(client: httpx.Client):
    spec = client.get("/openapi.json").json()
    v1 = {p for p in spec["paths"] if p.startswith("/v1/")}
    assert v1 == {"/v1/hashprice", "/v1/machines", "/v1/network", "/v1/index", "/v1/security", "/v1/pivot",
                  "/v1/simulate", "/v1/history", "/v1/outlook", "/v1/fleet", "/v1/fleet/plan", "/v1/costs",
                  "/v1/concentration", "/v1/daily"}
    posted = {"/v1/fleet", "/v1/fleet/plan", "/v1/costs"}
    assert all("get" in spec["paths"][p] for p in v1 - {"/v1/fleet", "/v1/fleet/plan"})
    assert all("post" in spec["paths"][p] for p in posted)


# --------------------------------------------------------------------------- the contract

CONTRACT = {
    "/v1/hashprice": {"date", "price_usd", "difficulty", "hashrate_ehs", "subsidy_btc", "fees_btc_per_block",
                      "usd_per_th_day", "usd_per_ph_day", "btc_per_ph_day"},
    "/v1/machines": {"hashprice_usd_per_ph_day", "power_price_usd_per_kwh", "machines"},
    "/v1/network": {"date", "hashrate_ehs_7d", "hashrate_ehs_30d", "change_1y", "drawdown", "largest_drawdown_since",
                    "power_gw", "energy_twh_per_year"},
    "/v1/index": {"date", "sustainability_index", "lowest_since"},
    "/v1/security": {"security_budget_usd_per_day", "fee_share", "attack_cost", "hhi", "nakamoto_coefficient"},
    "/v1/pivot": {"mining_npv_usd", "ai_npv_usd", "option_value_usd", "recommendation"},
}
MACHINE_KEYS = {"model", "manufacturer", "generation", "hashrate_ths", "power_w", "efficiency_j_per_th", "cost_rate",
                "margin_usd_per_day", "breakeven_power_price_usd_per_kwh", "shutdown_price_usd"}


@pytest.mark.parametrize("path", sorted(CONTRACT))
def test_contract_keys(client: httpx.Client, path: str):
    params = {"paths": 500} if path == "/v1/pivot" else {}
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    out = strict_json(r.text)
    assert CONTRACT[path] <= set(out), CONTRACT[path] - set(out)
    if path == "/v1/machines":
        assert out["machines"] and all(MACHINE_KEYS <= set(m) for m in out["machines"])
        assert out["generations"]["latest"]["median_cost_rate"] > 0
    if path == "/v1/network":
        assert {"peak_date", "trough_date", "depth"} <= set(out["drawdown"])
        assert {"lower", "best", "upper"} <= set(out["power_gw"]) and {"lower", "best", "upper"} <= set(
            out["energy_twh_per_year"])
        assert out["power_gw"]["lower"] <= out["power_gw"]["best"] <= out["power_gw"]["upper"]
    if path == "/v1/security":
        assert {"rent_usd_per_hour", "hardware_usd", "energy_usd_per_hour"} <= set(out["attack_cost"])
        assert isinstance(out["nakamoto_coefficient"], int) and 0 < out["hhi"] <= 10_000


@pytest.mark.parametrize(("cli_args", "path", "params"), [
    (["hashprice", "--date", "2024-04-20", "--price", "64000"], "/v1/hashprice", {"date": "2024-04-20",
                                                                                   "price": 64000}),
    (["machines", "--power-price", "0.08", "--date", "2026-02-01"], "/v1/machines", {"power_price": 0.08,
                                                                                     "date": "2026-02-01"}),
    (["network", "--power-price", "0.06"], "/v1/network", {"power_price": 0.06}),
    (["pivot", "--paths", "400", "--seed", "7", "--mw", "50"], "/v1/pivot", {"paths": 400, "seed": 7, "mw": 50}),
])
def test_same_values_as_the_cli(client: httpx.Client, server: Server, cli_args, path, params):
    r = run_cli(*cli_args, "--json", home=server.home)
    assert r.returncode == 0, r.stderr
    api = client.get(path, params=params)
    assert api.status_code == 200, api.text
    assert same(json.loads(r.stdout), strict_json(api.text)) == []


def test_security_same_values_as_the_cli(client: httpx.Client, server: Server):
    r = run_cli("security", "--date", "2025-06-01", "--json", home=server.home)
    assert r.returncode == 0, r.stderr
    cli = json.loads(r.stdout)
    api = strict_json(client.get("/v1/security", params={"date": "2025-06-01"}).text)
    # the CLI adds the double-spend odds (options --q/--z, which the API does not take)
    assert set(api) <= set(cli), set(api) - set(cli)
    assert same({k: cli[k] for k in api}, api) == []


def test_security_without_a_date_uses_the_last_day_with_pool_data(client: httpx.Client):
    out = client.get("/v1/security").json()
    latest = client.get("/v1/hashprice").json()["date"]
    assert out["date"] <= latest
    late = client.get("/v1/security", params={"date": latest})
    if out["date"] < latest:  # the pool data end before the price data: a later day has no concentration, and why
        assert late.status_code == 200 and late.json()["concentration"] is None
        assert out["date"] in late.json()["concentration_reason"]


def test_machines_cost_rate_scales_with_power_price(client: httpx.Client):
    a = client.get("/v1/machines", params={"power_price": 0.05}).json()
    b = client.get("/v1/machines", params={"power_price": 0.10}).json()
    assert b["generations"]["latest"]["median_cost_rate"] == pytest.approx(
        2 * a["generations"]["latest"]["median_cost_rate"], rel=1e-9)


# --------------------------------------------------------------------------- history


def test_history_json_and_csv(client: httpx.Client):
    params = {"start": "2026-05-01", "end": "2026-05-31", "columns": "price_usd,difficulty"}
    j = client.get("/v1/history", params=params)
    assert j.status_code == 200
    out = strict_json(j.text)
    assert out["columns"] == ["price_usd", "difficulty"] and out["rows"] == 31 == len(out["data"])
    assert out["data"][0]["date"] == "2026-05-01" and out["data"][-1]["date"] == "2026-05-31"
    assert set(out["data"][0]) == {"date", "price_usd", "difficulty"}

    c = client.get("/v1/history", params={**params, "format": "csv"})
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    lines = c.text.strip().splitlines()
    assert lines[0] == "date,price_usd,difficulty" and len(lines) == 32
    day, price, difficulty = lines[1].split(",")
    assert day == "2026-05-01"
    assert float(price) == pytest.approx(out["data"][0]["price_usd"], rel=1e-12)
    assert float(difficulty) == pytest.approx(out["data"][0]["difficulty"], rel=1e-12)


def test_history_all_columns(client: httpx.Client):
    out = client.get("/v1/history", params={"start": "2026-10-06"}).json()
    assert out["rows"] == 2 and {"price_usd", "difficulty", "hashrate_ths", "blocks"} <= set(out["columns"])


# --------------------------------------------------------------------------- bad input: 4xx, never 500

BAD = [
    # negative, zero where positive is required, NaN, infinities, overflow
    "/v1/hashprice?price=-1", "/v1/hashprice?price=0", "/v1/hashprice?price=nan", "/v1/hashprice?price=inf",
    "/v1/hashprice?price=-inf", "/v1/hashprice?price=1e400", "/v1/hashprice?difficulty=NaN",
    "/v1/hashprice?fees_btc_per_block=-0.1", "/v1/machines?power_price=-0.01", "/v1/machines?power_price=nan",
    "/v1/machines?power_price=inf", "/v1/machines?power_price=11", "/v1/machines?pue=0.5", "/v1/machines?uptime=2",
    "/v1/machines?pool_fee=1", "/v1/network?power_price=0", "/v1/network?power_price=-inf",
    "/v1/pivot?mw=-5", "/v1/pivot?discount_rate=-1", "/v1/pivot?power_price=nan",
    # dates out of range or not dates
    "/v1/hashprice?date=1900-01-01", "/v1/hashprice?date=2099-12-31", "/v1/hashprice?date=2026-02-30",
    "/v1/hashprice?date=garbage", "/v1/hashprice?date=", "/v1/hashprice?date=%00",
    "/v1/hashprice?date=2026-06-01T00:00",
    "/v1/index?date=2009-01-03", "/v1/network?date=1999-01-01", "/v1/security?date=2099-01-01",
    "/v1/security?date=2010-01-01", "/v1/machines?date=2030-01-01", "/v1/history?start=2030-01-01",
    "/v1/history?start=2026-01-01&end=2025-01-01", "/v1/history?end=1800-01-01",
    # unknown parameters
    "/v1/hashprice?foo=1", "/v1/machines?powerprice=0.05", "/v1/history?colums=price_usd", "/healthz?x=1",
    "/v1/pivot?paths=100&evil=1",
    # garbage strings
    "/v1/hashprice?price=abc", "/v1/hashprice?price=0x10", "/v1/hashprice?hashrate=garbage",
    "/v1/hashprice?hashrate=nan%20EH/s", "/v1/hashprice?hashrate=-5%20EH/s", "/v1/machines?generation=newest",
    "/v1/security?merge_templates=maybe", "/v1/history?format=xml", "/v1/history?columns=nope",
    "/v1/history?columns=,,,", "/v1/history?columns=price_usd;DROP%20TABLE%20daily", "/v1/pivot?path=../../etc",
    "/v1/network?window_days=abc", "/v1/hashprice?date=" + "9" * 40,
    # huge numbers
    "/v1/hashprice?hashrate=1e300%20EH/s", "/v1/pivot?paths=" + "9" * 30, "/v1/pivot?seed=" + "9" * 30,
    "/v1/pivot?lead_months=1000000000", "/v1/pivot?term_years=1e308", "/v1/pivot?mw=1e308",
    "/v1/network?window_days=" + "9" * 25, "/v1/security?window_days=100000", "/v1/machines?power_price=1e308",
    # too much work for the pivot
    "/v1/pivot?paths=20001", "/v1/pivot?paths=1000000", "/v1/pivot?paths=1",
]


@pytest.mark.parametrize("path", BAD)
def test_bad_input_is_a_4xx_with_a_reason(client: httpx.Client, path: str):
    r = client.get(path)
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.strip(), r.text


def test_the_page_takes_its_view_from_any_query(client: httpx.Client):
    """``/`` is the page whatever the query: the page reads its view from it and says what it does not understand
    (test_dashboard_screens.py); every other route refuses a parameter it does not know."""
    for q in ("", "?date=2023-03-15&pools=1m", "?x=1"):
        r = client.get(f"/{q}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), (q, r.status_code)
        assert 'id="error"' in r.text  # where the page says what it did not understand


@pytest.mark.parametrize("path", [
    "/v1/hashprice?price=1e308", "/v1/hashprice?difficulty=1e-300", "/v1/hashprice?fees_btc_per_block=1e308",
    "/v1/machines?price=1e-300", "/v1/machines?difficulty=1e-300", "/v1/pivot?efficiency=1e300&paths=2",
    "/v1/network?date=2009-01-03", "/v1/hashprice?date=2026-06-01&date=2026-01-01",
])
def test_extreme_but_valid_input_is_never_a_500_nor_invalid_json(client: httpx.Client, path: str):
    r = client.get(path)
    assert r.status_code < 500, r.text[:300]
    out = strict_json(r.text)  # no NaN / Infinity tokens
    if r.status_code >= 400:
        assert out["detail"]


def test_oversized_query_string_is_414(client: httpx.Client, server: Server):
    r = client.get("/v1/hashprice", params={"date": "a" * (16 * 1024 + 1)})
    assert r.status_code == 414 and "query string" in r.json()["detail"]
    r = client.get("/v1/hashprice?" + "&".join(f"p{i}=1" for i in range(3000)))
    assert r.status_code == 414
    # a request line far beyond the limit: refused before routing (uvicorn may answer a bare 400 or drop the line)
    status, _ = raw_request(server.port, b"GET /v1/hashprice?date=" + b"a" * 1_000_000 +
                            b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert status is None or 400 <= status < 500


def test_oversized_body_is_refused(client: httpx.Client, server: Server):
    r = client.post("/v1/hashprice", content=b"x" * 100_000)
    assert r.status_code == 413 and r.json()["detail"]
    # a Content-Length announcing a gigabyte that never comes: answered at once, without reading a body
    status, data = raw_request(server.port, b"POST /v1/pivot HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               b"Content-Length: 1000000000\r\nConnection: close\r\n\r\n")
    assert status in (405, 413), data[:200]
    assert client.post("/v1/hashprice", content=b"{}").status_code == 405


TRAVERSAL = [
    b"/static/..%2F..%2Fetc%2Fpasswd", b"/static/%2e%2e/pyproject.toml", b"/static/../../pyproject.toml",
    b"/static/..%2f..%2f..%2fpyproject.toml", b"/static/%2e%2e%2fapi.py", b"/static/..%5c..%5capi.py",
    b"/static/%252e%252e%252fapi.py", b"/static/....//....//etc/passwd", b"/static//etc/passwd",
    b"/static/app.js%00.py", b"/static/..", b"/static/%2e%2e", b"/static/api.py", b"/static/__init__.py",
    b"/static/index.html/../../api.py",
]


@pytest.mark.parametrize("target", TRAVERSAL, ids=lambda t: t.decode())
def test_static_path_traversal_is_404_and_serves_no_file(server: Server, target: bytes):
    status, data = raw_request(server.port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               b"Connection: close\r\n\r\n")
    assert status == 404, data[:300]
    for secret in (b"root:", b"[project]", b"def static", b"import ", b"hashpower ="):
        assert secret not in data


def test_zz_server_still_serving_after_all_that(client: httpx.Client, server: Server):
    """Last in the module: the server survived every request above."""
    assert server.proc.poll() is None, server.stderr()
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert client.get("/v1/hashprice").status_code == 200
    assert "Traceback" not in server.stderr()


def test_the_api_says_how_old_the_data_is_and_serves_raw_fees(client: httpx.Client):
    # every figures body carries the data's age (as the CLI's JSON); /v1/history gives the raw data: the days
    # after the last day with fee data (2026-06-01) have no fees, not the figures' estimate
    hp = client.get("/v1/hashprice").json()
    assert hp["data_last_day"] == "2026-10-07" and hp["fees_last_day"] == "2026-06-01"
    assert hp["fees_included"] is False and hp["fees_estimated"] is True
    assert client.get("/v1/index").json()["data_age_days"] == hp["data_age_days"]
    h = client.get("/v1/history", params={"start": "2026-06-01", "end": "2026-06-03",
                                          "columns": "fees_btc,revenue_usd"}).json()
    fees = [r["fees_btc"] for r in h["data"]]
    assert fees[0] is not None and fees[1:] == [None, None]
    assert [r["revenue_usd"] for r in h["data"]][1:] == [None, None]
