"""``GET /v1/outlook`` against a real server (``hashpower serve`` in a subprocess, httpx as the client).

The months ahead as :func:`hashpower.figures.outlook.outlook` gives them, ordered quantiles, bad input refused
with a 4xx whose reason names the parameter, and the same request answered with the same body.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from liveserver import Server

REQUEST_TIMEOUT_S = 120
QUANTILES = ("p5", "p25", "p50", "p75", "p95")
SERIES = ("hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day", "hashprice_btc_per_ph_day")
TOP_KEYS = {"start", "months", "next_epochs", "forward_hashprice_curve", "backtest", "paths", "seed", "preset",
            "price_view", "units", "calibration"}


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=REQUEST_TIMEOUT_S) as c:
        yield c


def strict_json(text: str):
    def bad(token: str):
        raise ValueError(f"non-JSON constant {token}")

    return json.loads(text, parse_constant=bad)


def _check_coverage(cov) -> None:
    if cov is None:  # no recorded backtest, or a horizon beyond the scored ones
        return
    assert isinstance(cov["horizon_months"], int) and cov["horizon_months"] >= 1
    for s in ("hashrate_ehs", "difficulty", "hashprice_usd_per_ph_day"):
        for k in ("coverage_90", "coverage_50"):
            v = cov[s][k]
            assert v is None or 0 <= v <= 1, (s, k, v)


def test_outlook_three_months(client: httpx.Client):
    r = client.get("/v1/outlook", params={"months": 3, "paths": 300})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    out = strict_json(r.text)
    assert TOP_KEYS <= set(out), TOP_KEYS - set(out)
    assert out["paths"] == 300 and out["seed"] == 0 and out["preset"] == "baseline"
    assert len(out["months"]) == 3
    labels = [m["month"] for m in out["months"]]
    assert labels == sorted(labels) and len(set(labels)) == 3
    assert all(len(m) == 7 and m[4] == "-" for m in labels)
    ends = [m["end_date"] for m in out["months"]]
    assert ends == sorted(ends) and ends[0] > out["start"]
    for m in out["months"]:
        assert {"month", "end_date", *SERIES, "backtest_coverage"} <= set(m)
        for s in SERIES:
            q = [m[s][k] for k in QUANTILES]
            assert all(isinstance(v, float) and math.isfinite(v) and v > 0 for v in q), (m["month"], s, q)
            assert q == sorted(q), (m["month"], s, q)
            assert q[0] <= m[s]["mean"] <= q[-1], (m["month"], s)
        _check_coverage(m["backtest_coverage"])
    curve = out["forward_hashprice_curve"]
    assert {"label", "months", "usd_per_ph_day", "btc_per_ph_day"} <= set(curve)
    assert "not a market quote" in curve["label"]
    assert curve["months"] == labels and len(curve["usd_per_ph_day"]) == 3
    assert curve["usd_per_ph_day"] == pytest.approx([m["hashprice_usd_per_ph_day"]["mean"] for m in out["months"]])
    heights = [e["height"] for e in out["next_epochs"]]
    assert heights == sorted(heights) and all(e["expected_date"] > out["start"] for e in out["next_epochs"])
    bt = out["backtest"]
    assert {"source", "data_last_day", "origins", "metrics"} <= set(bt)
    if bt["metrics"] is None:  # no recorded backtest yet: no coverage anywhere
        assert all(m["backtest_coverage"] is None for m in out["months"])


def test_outlook_equals_the_figures(client: httpx.Client, home: Path):
    """The API's body is the figures function's result (the same store, the same seed), JSON-safe."""
    from hashpower.figures.data import with_freshness
    from hashpower.figures.format import json_safe
    from hashpower.figures.outlook import outlook

    r = client.get("/v1/outlook", params={"months": 4, "paths": 200, "seed": 5})
    assert r.status_code == 200, r.text
    want = json.loads(json.dumps(json_safe(with_freshness(outlook(months=4, paths=200, seed=5)))))
    assert strict_json(r.text) == want


def test_outlook_defaults_and_growth(client: httpx.Client):
    r = client.get("/v1/outlook", params={"paths": 200})
    assert r.status_code == 200, r.text
    assert len(r.json()["months"]) == 24
    g = client.get("/v1/outlook", params={"months": 6, "paths": 200, "price_growth_per_year": 0.25})
    assert g.status_code == 200, g.text
    assert g.json()["price_view"].startswith("given")


def test_openapi_lists_the_outlook(client: httpx.Client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/outlook"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"months", "paths", "seed", "preset", "price_growth_per_year"}


@pytest.mark.parametrize(("query", "param"), [
    ("months=0", "months"), ("months=61", "months"), ("months=2.5", "months"), ("months=abc", "months"),
    ("paths=0", "paths"), ("paths=100000", "paths"), ("paths=" + "9" * 30, "paths"),
    ("seed=-1", "seed"), ("preset=nope", "preset"),
    ("price_growth_per_year=abc", "price_growth_per_year"), ("price_growth_per_year=nan", "price_growth_per_year"),
    ("price_growth_per_year=inf", "price_growth_per_year"), ("price_growth_per_year=-1", "price_growth_per_year"),
    ("price_growth_per_year=11", "price_growth_per_year"),
    ("price_path=/etc/passwd", "price_path"),  # a file path is never accepted from a request
])
def test_bad_input_is_a_4xx_naming_the_parameter(client: httpx.Client, query: str, param: str):
    r = client.get(f"/v1/outlook?months=2&paths=50&{query}" if not query.startswith(("months", "paths"))
                   else f"/v1/outlook?{query}")
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    detail = strict_json(r.text)["detail"]
    assert isinstance(detail, str) and param in detail, detail
    assert len(detail.encode()) <= 300 and "/etc" not in detail


def test_same_request_same_body(client: httpx.Client):
    url = "/v1/outlook?months=5&paths=250&seed=3"
    a, b = client.get(url), client.get(url)
    assert a.status_code == b.status_code == 200, a.text
    assert a.content == b.content
    c = client.get("/v1/outlook?months=5&paths=250&seed=4")
    assert c.status_code == 200 and c.content != a.content  # the seed is used


def test_zz_server_still_serving(client: httpx.Client, server: Server):
    assert server.proc.poll() is None, server.stderr()
    assert client.get("/healthz").status_code == 200


def test_the_api_bounds_the_price_growth_as_the_engine_does():
    import importlib

    from hashpower.sim import outlook as sim_outlook

    api_app = importlib.import_module("hashpower.api.app")  # the module (the package re-exports the FastAPI app)

    assert (api_app.OUTLOOK_GROWTH_MIN, api_app.OUTLOOK_GROWTH_MAX) == (sim_outlook.PRICE_GROWTH_MIN,
                                                                      sim_outlook.PRICE_GROWTH_MAX)
