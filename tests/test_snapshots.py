"""Every command's JSON and the API's responses for fixed inputs, byte for byte against recorded snapshots.

The snapshots in ``tests/data/snapshots/`` pin the output contract: a refactoring must leave them identical. A
deliberate change of a figure re-records them with ``HASHPOWER_UPDATE_SNAPSHOTS=1 pytest tests/test_snapshots.py``
and the diff is reviewed with the change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest
from conftest import run_cli
from liveserver import Server

SNAPSHOTS = Path(__file__).parent / "data" / "snapshots"
EXAMPLES = Path(__file__).parent.parent / "examples"
UPDATE = os.environ.get("HASHPOWER_UPDATE_SNAPSHOTS") == "1"

#: name -> argv; fixed dates and seeds, so the output depends only on the code and the embedded data.
CLI_CASES: dict[str, list[str]] = {
    "hashprice": ["hashprice", "--date", "2026-02-01", "--json"],
    "hashprice-price": ["hashprice", "--date", "2026-02-01", "--price", "76176", "--json"],
    "hashprice-hashrate": ["hashprice", "--date", "2026-02-01", "--hashrate", "900EH/s", "--json"],
    "machines": ["machines", "--date", "2026-02-01", "--power-price", "0.05", "--json"],
    "fleet": ["fleet", str(EXAMPLES / "fleet.toml"), "--from", "2026-01-01", "--to", "2026-02-01", "--json"],
    "network": ["network", "--date", "2026-02-15", "--json"],
    "index": ["index", "--date", "2026-01-28", "--json"],
    "security": ["security", "--date", "2026-03-01", "--json"],
    "security-fee-growth": ["security", "--date", "2026-03-01", "--fee-growth", "0.5", "--json"],
    "pivot": ["pivot", "--paths", "400", "--json"],
    "pivot-site": ["pivot", str(EXAMPLES / "site.toml"), "--paths", "400", "--json"],
    "simulate": ["simulate", "--preset", "baseline", "--paths", "50", "--years", "2", "--json"],
    "simulate-fee": ["simulate", "--preset", "fee-driven", "--paths", "50", "--years", "2", "--seed", "3", "--json"],
    "brief": ["brief", "--date", "2026-02-01", "--json"],
    "fleet-forward": ["fleet", str(EXAMPLES / "fleet.toml"), "--from", "2026-01-01", "--to", "2026-02-01",
                      "--forward-months", "3", "--paths", "200", "--fair-strikes", "--json"],
    "fleet-plan": ["fleet", "plan", str(EXAMPLES / "fleet-ercot.toml"), "--from", "2024-06-01", "--days", "2",
                   "--json"],
    "costs": ["costs", str(EXAMPLES / "fleet.toml"), "--date", "2026-02-01", "--json"],
    "costs-network": ["costs", "--date", "2026-02-01", "--power-price", "0.06", "--json"],
    "machines-tariff": ["machines", "--date", "2024-06-01", "--tariff", "ercot:HB_WEST", "--json"],
}

#: name -> (path, expected status)
API_CASES: dict[str, str] = {
    "api-hashprice": "/v1/hashprice?date=2026-02-01&price=76176",
    "api-machines": "/v1/machines?date=2026-02-01&power_price=0.05&generation=latest",
    "api-network": "/v1/network?date=2026-02-15",
    "api-index": "/v1/index?date=2026-01-28",
    "api-security": "/v1/security?date=2026-03-01",
    "api-pivot": "/v1/pivot?paths=200",
    "api-simulate": "/v1/simulate?paths=50&years=1",
    "api-history": "/v1/history?start=2026-05-01&end=2026-05-10&columns=price_usd,difficulty",
    "api-bad-price": "/v1/hashprice?price=-1",
    "api-bad-date": "/v1/hashprice?date=2099-01-01",
    "api-unknown-param": "/v1/index?nope=1",
    "api-not-found": "/nope",
}


#: What depends on the clock, not on the code or the data: the data's age against today (``data_age_days``,
#: ``data_stale`` and, when stale, ``data_refresh``) is masked; tests/test_freshness.py checks those keys.
_CLOCK = [(re.compile(r'("data_age_days":\s*)-?\d+'), r'\1"<days>"'),
          (re.compile(r'("data_stale":\s*)(true|false)'), r'\1"<bool>"'),
          (re.compile(r',(\s*)"data_refresh":\s*"[^"]*"'), "")]


def _unclocked(text: str) -> str:
    for pattern, repl in _CLOCK:
        text = pattern.sub(repl, text)
    return text


def _check(name: str, text: str) -> None:
    text = _unclocked(text)
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI"):
            pytest.fail(f"no snapshot {path.name}; record it with HASHPOWER_UPDATE_SNAPSHOTS=1")
        path.write_text(text)
        return
    assert text == path.read_text(), f"{name} differs from its snapshot {path}"


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_json_is_unchanged(name: str, home: Path) -> None:
    r = run_cli(*CLI_CASES[name], home=home, timeout=300)
    assert r.returncode == 0, r.stderr
    json.loads(r.stdout)
    _check(name, r.stdout)


@pytest.mark.parametrize("argv", [["hashprice", "--price", "-1"], ["index", "--date", "2099-01-01"],
                                  ["security", "--window-days", "0"], ["fleet", "/nonexistent.toml"],
                                  ["simulate", "--preset", "nope"]])
def test_cli_bad_input_exit_code_is_unchanged(argv: list[str], home: Path) -> None:
    r = run_cli(*argv, home=home)
    name = "exit-" + "-".join(a.strip("-/").replace("/", "_").replace(".", "_") for a in argv)
    _check(name, f"{r.returncode}\n{r.stderr}")


@pytest.mark.parametrize("name", sorted(API_CASES))
def test_api_response_is_unchanged(name: str, server: Server) -> None:
    r = httpx.get(server.url + API_CASES[name], timeout=120)
    _check(name, f"{r.status_code}\n{r.text}")
