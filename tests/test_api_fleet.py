"""The fleet routes of the API against a real server: a fleet in the request body, the CLI's figures back.

``POST /v1/fleet`` (and ``forward_months``), ``POST /v1/fleet/plan``, ``GET`` and ``POST /v1/costs`` give the
values of ``hashpower fleet ... --json``, ``hashpower fleet plan ... --json`` and ``hashpower costs ... --json``
for the same fleet; a body past the bound is a 413 (also without a Content-Length), junk a 415 or 400, a bad
parameter or fleet a 422 with the reason, a file reference in a body is refused and says why, and nothing in
the store changes.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import digest, run_cli
from liveserver import Server
from test_api import same, strict_json

REQUEST_TIMEOUT_S = 180
#: The API's body bound (hashpower.api.fleet.MAX_BODY_BYTES), restated: the test pins the documented figure.
MAX_BODY_BYTES = 256 * 1024
TOML = {"content-type": "application/toml"}
JSON = {"content-type": "application/json"}

#: A small fleet: a flat-price site and a time-of-use site, with a purchase price and a hedge.
FLEET_TOML = """\
[[site]]
name = "flat"
power_price_usd_per_kwh = 0.05
pue = 1.05
pool_fee_rate = 0.02

[[site.machines]]
model = "Antminer S21"
count = 100
usd_per_th = 16.0

[[site.machines]]
model = "Antminer S19j Pro 100T"
count = 50

[[site]]
name = "tou"
tariff_usd_per_kwh = [0.040, 0.038, 0.036, 0.035, 0.035, 0.036, 0.040, 0.048, 0.055, 0.060, 0.064, 0.068,
                      0.072, 0.078, 0.085, 0.095, 0.110, 0.120, 0.105, 0.085, 0.065, 0.055, 0.048, 0.043]
hosting_fee_usd_per_kwh = 0.005

[[site.machines]]
model = "Whatsminer M30S++"
count = 40

[[hedge]]
name = "sell-3m"
side = "sell"
quantity_phs = 10.0
strike_usd_per_ph_day = 40.0
tenor_months = 3
"""


def _as_json(toml_text: str) -> dict:
    import tomllib

    return tomllib.loads(toml_text)


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as c:
        yield c


@pytest.fixture(scope="module")
def fleet_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("fleet") / "fleet.toml"
    p.write_text(FLEET_TOML)
    return p


def _cli(server: Server, *args: str) -> dict:
    r = run_cli(*args, "--json", home=server.home, timeout=REQUEST_TIMEOUT_S)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _ok(r: httpx.Response) -> dict:
    assert r.status_code == 200, (r.status_code, r.text[:500])
    assert r.headers["content-type"] == "application/json"
    return strict_json(r.text)


def _refused(r: httpx.Response, status: int | tuple[int, ...], *needles: str) -> str:
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, (r.status_code, r.text[:500])
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.strip()
    assert len(detail.encode()) <= 300, detail
    for n in needles:
        assert n in detail, (n, detail)
    return detail


# --------------------------------------------------------------------------- the CLI's figures


def test_past_pnl_is_the_clis_in_toml_and_in_json(client: httpx.Client, server: Server, fleet_file: Path):
    cli = _cli(server, "fleet", str(fleet_file), "--from", "2025-06-01", "--to", "2026-06-01")
    q = {"from": "2025-06-01", "to": "2026-06-01"}
    toml = _ok(client.post("/v1/fleet", params=q, content=FLEET_TOML.encode(), headers=TOML))
    assert same(cli, toml) == []
    # the same fleet as a JSON object, and as text/plain with a charset
    assert same(cli, _ok(client.post("/v1/fleet", params=q, json=_as_json(FLEET_TOML)))) == []
    plain = {"content-type": "text/plain; charset=utf-8"}
    assert same(cli, _ok(client.post("/v1/fleet", params=q, content=FLEET_TOML.encode(), headers=plain))) == []
    # the figures are the fleet's, with the data's age, and no file was written
    assert toml["days"] == 366 and toml["units"] == 190 and [s["site"] for s in toml["sites"]] == ["flat", "tou"]
    assert toml["profit_usd"] == pytest.approx(toml["revenue_usd"] - toml["power_cost_usd"]
                                               - toml["hosting_cost_usd"], rel=1e-12)
    assert toml["csv"] is None and toml["data_last_day"] and "data_age_days" in toml


def test_default_span_is_the_clis(client: httpx.Client, server: Server, fleet_file: Path):
    cli = _cli(server, "fleet", str(fleet_file))
    assert same(cli, _ok(client.post("/v1/fleet", content=FLEET_TOML.encode(), headers=TOML))) == []


def test_forward_is_the_clis_and_shared_by_toml_and_json(client: httpx.Client, server: Server, fleet_file: Path):
    args = {"forward_months": 4, "paths": 200, "seed": 5}
    cli = _cli(server, "fleet", str(fleet_file), "--forward-months", "4", "--paths", "200", "--seed", "5",
               "--fair-strikes")
    api = _ok(client.post("/v1/fleet", params={**args, "fair_strikes": "true"}, content=FLEET_TOML.encode(),
                          headers=TOML))
    assert same(cli, api) == []
    fwd = api["forward"]
    assert fwd["months_ahead"] == 4 and fwd["paths"] == 200 and len(fwd["months"]) == 4
    assert "hedged_margin_usd" in fwd["months"][0]["fleet"] and len(fwd["fair_strikes"]["tenors"]) == 4
    # the same fleet as JSON: the heavy pool's cache answers it (same canonical document, same query)
    t0 = time.perf_counter()
    again = _ok(client.post("/v1/fleet", params={**args, "fair_strikes": "true"}, json=_as_json(FLEET_TOML)))
    assert same(api, again) == []
    assert time.perf_counter() - t0 < 5
    # another fleet is another computation: the body is part of the key
    other = FLEET_TOML.replace("count = 100", "count = 200")
    more = _ok(client.post("/v1/fleet", params={**args, "fair_strikes": "true"}, content=other.encode(), headers=TOML))
    assert more["units"] == api["units"] + 100
    assert more["forward"]["total"]["revenue_usd"]["p50"] > api["forward"]["total"]["revenue_usd"]["p50"]


def test_costs_are_the_clis(client: httpx.Client, server: Server, fleet_file: Path):
    cli = _cli(server, "costs", "--date", "2026-03-01", "--power-price", "0.06")
    api = _ok(client.get("/v1/costs", params={"date": "2026-03-01", "power_price": 0.06}))
    assert same(cli, api) == [] and api["sites"] == [] and api["fleet"] is None
    cli = _cli(server, "costs", str(fleet_file), "--date", "2026-03-01")
    api = _ok(client.post("/v1/costs", params={"date": "2026-03-01"}, content=FLEET_TOML.encode(), headers=TOML))
    assert same(cli, api) == []
    assert [s["name"] for s in api["sites"]] == ["flat", "tou"] and api["fleet"]["units"] == 190
    assert same(_cli(server, "costs"), _ok(client.get("/v1/costs"))) == []


HOURLY_TOML = """\
[[site]]
name = "west"
hourly_prices = "ercot:HB_WEST"
price_adder_usd_per_kwh = 0.004
min_run_hours = 2

[[site.machines]]
model = "Antminer S19j Pro 100T"
count = 10
"""


def test_plan_is_the_clis(client: httpx.Client, server: Server, fleet_file: Path):
    # within the store's days: light
    cli = _cli(server, "fleet", "plan", str(fleet_file), "--from", "2026-06-01", "--days", "2")
    api = _ok(client.post("/v1/fleet/plan", params={"from": "2026-06-01", "days": 2}, content=FLEET_TOML.encode(),
                          headers=TOML))
    assert same(cli, api) == []
    assert api["hours"] == 48 and api["hashprice_days_outlook"] == 0 and api["csv"] is None
    tou = {s["name"]: s for s in api["sites"]}["tou"]
    assert sum(sp["hours"] for sp in tou["models"][0]["spells"]) == 48
    # the next day, after the store's last day: on the outlook's hashprice (the heavy pool)
    cli = _cli(server, "fleet", "plan", str(fleet_file), "--days", "1")
    api = _ok(client.post("/v1/fleet/plan", params={"days": 1}, json=_as_json(FLEET_TOML)))
    assert same(cli, api) == []
    assert api["from"] > api["data_last_day"] and api["hashprice_days_outlook"] == 1


def test_plan_on_the_embedded_hourly_prices_is_the_clis(client: httpx.Client, server: Server, tmp_path: Path):
    f = tmp_path / "hourly.toml"
    f.write_text(HOURLY_TOML)
    cli = _cli(server, "fleet", "plan", str(f))
    api = _ok(client.post("/v1/fleet/plan", content=HOURLY_TOML.encode(), headers=TOML))
    assert same(cli, api) == []
    assert api["from"] == "2024-01-01" and api["days"] == 366 and "ERCOT" in api["sites"][0]["price_source"]
    # and the P&L of the same fleet
    assert same(_cli(server, "fleet", str(f), "--from", "2025-01-01", "--to", "2025-03-31"),
                _ok(client.post("/v1/fleet", params={"from": "2025-01-01", "to": "2025-03-31"},
                                content=HOURLY_TOML.encode(), headers=TOML))) == []


def test_a_plan_too_big_for_a_request_is_422(client: httpx.Client):
    groups = "".join(f"[[site.machines]]\nmodel = \"Antminer S21\"\ncount = {i + 1}\n" for i in range(60))
    body = f"[[site]]\nname = \"big\"\npower_price_usd_per_kwh = 0.05\n{groups}".encode()
    _refused(client.post("/v1/fleet/plan", content=body, headers=TOML), 422, "60 machine groups", "500,000")
    # fewer days fit
    assert _ok(client.post("/v1/fleet/plan", params={"from": "2026-01-01", "days": 30}, content=body,
                           headers=TOML))["groups"] == 60


def test_the_apis_restated_bounds_agree_with_the_figures():
    from hashpower.api import fleet as api_fleet
    from hashpower.figures import fleet_plan, outlook
    from hashpower.sim.outlook import MAX_MONTHS

    assert (api_fleet.MAX_PLAN_DAYS, api_fleet.PLAN_DEFAULT_DAYS) == (fleet_plan.MAX_DAYS, fleet_plan.DEFAULT_DAYS)
    assert api_fleet.MAX_PLAN_GROUP_HOURS <= fleet_plan.MAX_GROUP_HOURS
    assert (api_fleet.MAX_FORWARD_MONTHS, api_fleet.MAX_FORWARD_PATHS) == (MAX_MONTHS, outlook.MAX_PATHS)
    assert api_fleet.MAX_BODY_BYTES == MAX_BODY_BYTES


# --------------------------------------------------------------------------- the body's bounds and junk


def _padded(size: int) -> bytes:
    """The fleet, padded with a TOML comment to ``size`` bytes (a valid fleet of that size)."""
    body = FLEET_TOML.encode()
    pad = size - len(body) - 3
    return body + b"\n#" + b"x" * pad + b"\n"


def test_a_body_up_to_the_bound_is_taken_and_one_byte_more_is_413(client: httpx.Client):
    at = _padded(MAX_BODY_BYTES)
    assert len(at) == MAX_BODY_BYTES
    assert _ok(client.post("/v1/fleet", content=at, headers=TOML))["units"] == 190
    over = _padded(MAX_BODY_BYTES + 1)
    _refused(client.post("/v1/fleet", content=over, headers=TOML), 413, f"larger than {MAX_BODY_BYTES} bytes")
    for path in ("/v1/fleet/plan", "/v1/costs"):
        _refused(client.post(path, content=over, headers=TOML), 413)


def test_a_big_body_without_a_content_length_is_413(client: httpx.Client):
    def chunks():  # chunked transfer: the server cannot see the size in advance, it must count
        for _ in range(64):
            yield b"#" + b"x" * 16_383 + b"\n"

    _refused(client.post("/v1/fleet", content=chunks(), headers=TOML), 413, f"larger than {MAX_BODY_BYTES} bytes")


def test_a_lying_content_length_is_bounded(server: Server):
    """A Content-Length of a gigabyte is refused at once; the server never waits for it."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"POST /v1/fleet HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/toml\r\n"
                  b"Content-Length: 1000000000\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 413"), data[:200]


@pytest.mark.parametrize(("headers", "body", "status", "needle"), [
    ({}, FLEET_TOML.encode(), 415, "Content-Type"),
    ({"content-type": "text/html"}, FLEET_TOML.encode(), 415, "application/toml"),
    ({"content-type": "application/x-www-form-urlencoded"}, b"site=1", 415, "not accepted"),
    ({"content-type": "application/toml; charset=latin-1"}, FLEET_TOML.encode(), 415, "UTF-8"),
    (TOML, b"", 400, "empty body"),
    (TOML, b"[[site]\nname = ", 400, "not valid TOML"),
    (TOML, b"\xff\xfe\x00garbage", 400, "not UTF-8"),
    (JSON, b"{\"site\": [", 400, "not valid JSON"),
    (JSON, b"[1, 2, 3]", 400, "JSON object"),
    (JSON, b"{\"site\": NaN}", 400, "NaN"),
    (JSON, b"[" * 100_000, 400, "nested too deeply"),
    (TOML, FLEET_TOML.replace("name = \"sell-3m\"", "name = nan").encode(), 400, "nan or inf"),
    (TOML, FLEET_TOML.replace("pue = 1.05", "pue = inf").encode(), 400, "nan or inf"),
    (TOML, b"a = " + b"[" * 5_000, 400, "nested too deeply"),
    (TOML, b"# a comment and nothing else\n", 422, "no [[site]]"),
    (TOML, b"[[site]]\nname = \"a\"\npower_price_usd_per_kwh = 0.05\n", 422, "no [[site.machines]]"),
    (TOML, FLEET_TOML.replace("count = 100", "count = -1").encode(), 422, "count"),
    (TOML, FLEET_TOML.replace("pue = 1.05", "pue = 9").encode(), 422, "pue"),
    (TOML, FLEET_TOML.replace("Antminer S21", "Nonexistent Miner 9000").encode(), 422, "Nonexistent Miner 9000"),
    (TOML, FLEET_TOML.replace("side = \"sell\"", "side = \"short\"").encode(), 422, "side"),
    (TOML, FLEET_TOML.replace("[[hedge]]", "bogus = 1\n[[hedge]]").encode(), 422, "bogus"),
])
def test_junk_is_refused_with_a_reason(client: httpx.Client, headers: dict, body: bytes, status: int, needle: str):
    for path in ("/v1/fleet", "/v1/fleet/plan", "/v1/costs"):
        _refused(client.post(path, content=body, headers=headers), status, needle)


def test_too_many_machine_groups_is_422(client: httpx.Client):
    groups = "".join(f"[[site.machines]]\nmodel = \"Antminer S21\"\ncount = {i + 1}\n" for i in range(501))
    body = f"[[site]]\nname = \"big\"\npower_price_usd_per_kwh = 0.05\n{groups}".encode()
    _refused(client.post("/v1/fleet", content=body, headers=TOML), 422, "501 machine groups", "at most 500")


@pytest.mark.parametrize(("path", "query", "needle"), [
    ("/v1/fleet", "forward_months=0", "forward_months"), ("/v1/fleet", "forward_months=61", "forward_months"),
    ("/v1/fleet", "forward_months=abc", "forward_months"), ("/v1/fleet", "paths=0", "paths"),
    ("/v1/fleet", "paths=20001", "paths"), ("/v1/fleet", "seed=-1", "seed"),
    ("/v1/fleet", "fair_strikes=maybe", "fair_strikes"), ("/v1/fleet/plan", "days=0", "days"),
    ("/v1/fleet/plan", "days=1097", "days"), ("/v1/costs", "power_price=-1", "power_price"),
    ("/v1/costs", "power_price=0", "power_price"), ("/v1/costs", "power_price=nan", "power_price"),
    ("/v1/costs", "power_price=11", "power_price"),
])
def test_a_bad_parameter_is_422(client: httpx.Client, path: str, query: str, needle: str):
    _refused(client.post(f"{path}?{query}", content=FLEET_TOML.encode(), headers=TOML), 422, needle)
    if path == "/v1/costs":
        _refused(client.get(f"{path}?{query}"), 422, needle)


@pytest.mark.parametrize(("path", "query", "needle"), [
    ("/v1/fleet", "from=2099-01-01", "2099-01-01"), ("/v1/fleet", "from=2026-02-30", "2026-02-30"),
    ("/v1/fleet", "from=2026-01-01&to=2025-01-01", "after"), ("/v1/fleet", "forward_months=3&preset=nope", "nope"),
    ("/v1/costs", "date=1999-01-01", "1999-01-01"), ("/v1/costs", "date=garbage", "garbage"),
])
def test_a_bad_day_or_preset_is_a_4xx_with_a_reason(client: httpx.Client, path: str, query: str, needle: str):
    _refused(client.post(f"{path}?{query}", content=FLEET_TOML.encode(), headers=TOML), (400, 422), needle)


def test_unknown_parameters_are_refused(client: httpx.Client):
    for path in ("/v1/fleet", "/v1/fleet/plan", "/v1/costs"):
        _refused(client.post(f"{path}?csv=out.csv", content=FLEET_TOML.encode(), headers=TOML), 400,
                 "unknown parameters", "csv")
    _refused(client.get("/v1/costs?fleet=x.toml"), 400, "unknown parameters")


def test_a_get_of_a_post_route_is_405(client: httpx.Client):
    for path in ("/v1/fleet", "/v1/fleet/plan"):
        assert client.get(path).status_code == 405


# --------------------------------------------------------------------------- files: refused, and none changed


@pytest.mark.parametrize(("body", "needles"), [
    ("machines_csv = \"/etc/passwd\"\n" + FLEET_TOML, ("machines_csv", "not allowed")),
    ("machines_csv = \"my_models.csv\"\n" + FLEET_TOML, ("machines_csv", "not allowed")),
    (FLEET_TOML.replace("power_price_usd_per_kwh = 0.05", "hourly_prices = \"prices.csv\""),
     ("hourly_prices", "not allowed", "ercot:HB_WEST")),
    (FLEET_TOML.replace("power_price_usd_per_kwh = 0.05", "hourly_prices = \"/etc/hosts\""),
     ("hourly_prices", "not allowed")),
    (FLEET_TOML.replace("power_price_usd_per_kwh = 0.05", "hourly_prices = \"../../hashpower.duckdb\""),
     ("hourly_prices", "not allowed")),
])
def test_a_file_reference_in_a_body_is_refused_and_says_why(client: httpx.Client, body: str, needles: tuple):
    for path in ("/v1/fleet", "/v1/fleet/plan", "/v1/costs"):
        detail = _refused(client.post(path, content=body.encode(), headers=TOML), 422, *needles)
        assert "root:" not in detail and "localhost" not in detail  # nothing of the file was read
    as_json = _as_json(body)
    _refused(client.post("/v1/fleet", json=as_json), 422, *needles)


def test_nothing_stored_changes(client: httpx.Client, server: Server):
    def files() -> set[str]:  # the home's files, but the server's log and the heavy results it may keep
        return {str(p.relative_to(server.home)) for p in server.home.rglob("*")
                if p.is_file() and p.name != "serve.log" and "cache" not in p.relative_to(server.home).parts}

    before, listing = digest(server.home), files()
    bad = [("machines_csv = \"x.csv\"\n" + FLEET_TOML).encode(), b"[[site]", _padded(MAX_BODY_BYTES + 1),
           FLEET_TOML.replace("count = 50", "count = 5e9").encode()]
    for body in bad:
        for path in ("/v1/fleet", "/v1/fleet/plan", "/v1/costs"):
            assert 400 <= client.post(path, content=body, headers=TOML).status_code < 500
    assert client.post("/v1/fleet", content=FLEET_TOML.encode(), headers=TOML).status_code == 200
    assert client.post("/v1/costs", content=FLEET_TOML.encode(), headers=TOML).status_code == 200
    assert digest(server.home) == before
    assert files() == listing


def test_the_routes_are_in_the_schema_with_their_bodies(client: httpx.Client):
    spec = client.get("/openapi.json").json()["paths"]
    for path in ("/v1/fleet", "/v1/fleet/plan"):
        body = spec[path]["post"]["requestBody"]
        assert set(body["content"]) == {"application/toml", "text/plain", "application/json"}, path
    assert "get" in spec["/v1/costs"] and "post" in spec["/v1/costs"]
    params = {p["name"] for p in spec["/v1/fleet"]["post"]["parameters"]}
    assert params == {"from", "to", "forward_months", "paths", "seed", "preset", "fair_strikes"}


def test_zz_server_still_serving(client: httpx.Client, server: Server):
    assert server.proc.poll() is None, server.stderr()
    assert client.get("/healthz").status_code == 200
    assert "Traceback" not in server.stderr()
