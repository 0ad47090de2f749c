"""Schemathesis against the server's own OpenAPI spec: no generated request gets a 5xx."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from liveserver import live_server

#: The simulator and the pivot run Monte Carlo work per request (bounded): fewer examples for them.
HEAVY = {"/v1/simulate", "/v1/pivot"}


@pytest.fixture(scope="module")
def live(built_store, tmp_path_factory):
    with live_server(built_store, tmp_path_factory.mktemp("schema-home")) as srv:
        yield srv


def _fuzz(op, url: str, statuses: list[int]) -> None:
    @settings(max_examples=8 if op.path in HEAVY else 30, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=op.as_strategy())
    def run(case):
        try:
            response = case.call(base_url=url, timeout=120)
        except (requests.exceptions.InvalidURL, requests.exceptions.InvalidHeader, UnicodeError, ValueError):
            reject()  # a request the client itself cannot send (say, a NUL byte in the URL) tests nothing
        statuses.append(response.status_code)
        assert response.status_code < 500, f"{case.path} {case.query!r} {response.text[:300]}"
        if response.status_code >= 400:
            assert response.json().get("detail"), response.text[:300]

    run()


def test_no_server_errors(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    ops = [r.ok() for r in schema.get_all_operations()]
    assert {op.path for op in ops} >= {"/v1/hashprice", "/v1/machines", "/v1/network", "/v1/index", "/v1/security",
                                       "/v1/pivot", "/v1/simulate", "/v1/history"}
    seen = {}
    for op in ops:
        statuses: list[int] = []
        _fuzz(op, live.url, statuses)
        seen[op.path] = statuses
    assert all(seen.values())
    assert sum(len(v) for v in seen.values()) >= 100
