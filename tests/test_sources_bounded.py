"""Live sources are bounded (time, bytes, pages, nesting) and never show credentials.

Each fault runs the installed CLI against the replay server with ``--timeout 2``:
it must end within :data:`BOUND_S` with exit status 2, one line on stderr, the
store unchanged and the process's peak memory bounded.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import BIN, digest, run_cli, truncate
from replay import RPC_PASSWORD, RPC_USER, ReplayServer

from hashpower import store
from hashpower.store.sources import SourceError, refresh

CUT_DATE = "2026-05-25"
CUT_HEIGHT = 946_200
#: Longest a failing refresh may take with ``--timeout 2`` [s] (3 attempts x 2 s + 1.5 s of backoff + start-up).
BOUND_S = 15.0
#: Largest peak resident memory of a failing refresh [bytes]: the CLI's own ~130 MB plus the 64 MB body cap
#: and room; without the cap the endless body reached 7.2 GB and the 300 MB body 939 MB.
MAX_RSS_BYTES = 320 * 1024 * 1024
B64 = base64.b64encode(f"{RPC_USER}:{RPC_PASSWORD}".encode()).decode()


@pytest.fixture
def server():
    with ReplayServer() as srv:
        yield srv


def _hwm_bytes(pid: int) -> int:
    """The peak resident memory of a running process so far [bytes] (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_measured(*args: str, home: Path, env: dict | None = None,
                 timeout: float = 30) -> tuple[int, str, str, float, int]:
    """Run the CLI; return (status, stdout, stderr, elapsed [s], peak RSS [bytes]) of that one process.

    The peak is the kernel's VmHWM of the process after its exec, sampled until it exits (``ru_maxrss``
    would count the pytest process it was forked from).
    """
    e = {**os.environ, "HASHPOWER_HOME": str(home), **(env or {})}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen([str(BIN / "hashpower"), *args], stdout=out, stderr=err, env=e)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _hwm_bytes(proc.pid))
            if time.monotonic() - t0 > timeout:
                proc.kill()
                proc.wait()
                break
            time.sleep(0.02)
        elapsed = time.monotonic() - t0
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read(), err.read(), elapsed, peak


def _sources() -> list[dict]:
    return store.status()["sources"]


FAULTS = [
    ("coinmetrics", "endless_chunked", "over the cap of 67,108,864 bytes"),
    ("coinmetrics", "huge_body", "over the cap of 67,108,864 bytes"),
    ("coinmetrics", "drip_body", "within 2 s"),
    ("coinmetrics", "drip_headers", "within 2 s"),
    ("coinmetrics", "looping_token", "repeats an earlier next_page_token"),
    ("coinmetrics", "endless_pages", "after 100 pages"),
    ("coinmetrics", "nested", "deeper than 64 levels"),
    ("coinmetrics", "redirect", "give the final URL with --url"),
    ("mempool", "redirect", "give the final URL with --url"),
    ("mempool", "nested", "deeper than 64 levels"),
    ("bitcoind", "endless_chunked", "over the cap of 67,108,864 bytes"),
    ("bitcoind", "redirect", "give the final URL with --url"),
]


@pytest.mark.parametrize(("source", "mode", "message"), FAULTS, ids=[f"{s}-{m}" for s, m, _ in FAULTS])
def test_faulty_source_fails_fast_in_one_line_and_leaves_store(home, server, source, mode, message):
    truncate(home, last_date=CUT_DATE, last_height=CUT_HEIGHT)
    before, sources_before = digest(home), _sources()
    server.state.mode = mode
    url = f"{server.url}/v4" if source == "coinmetrics" else server.url
    env = {"HASHPOWER_BITCOIND_USER": RPC_USER, "HASHPOWER_BITCOIND_PASSWORD": RPC_PASSWORD}
    rc, out, err, elapsed_s, rss_bytes = run_measured("data", "refresh", "--source", source, "--url", url,
                                                      "--timeout", "2", "--json", home=home, env=env)
    assert rc == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith(f"hashpower: error: {source}"), err
    assert message in err, err
    assert "Traceback" not in err and out == ""
    assert elapsed_s < BOUND_S, f"{mode}: {elapsed_s:.1f} s"
    assert rss_bytes < MAX_RSS_BYTES, f"{mode}: peak RSS {rss_bytes / 2**20:.0f} MB"
    assert digest(home) == before
    assert _sources() == sources_before
    print(f"{source} {mode}: {elapsed_s:.1f} s, peak RSS {rss_bytes / 2**20:.0f} MB")


def test_redirect_names_target_without_its_credentials(home, server):
    server.state.mode = "redirect"
    with pytest.raises(SourceError, match="redirect") as err:
        refresh("coinmetrics", f"{server.url}/v4", timeout=2)
    assert "127.0.0.1:9/elsewhere" in str(err.value)
    assert "mirror-pass" not in str(err.value) and "mirror-user" not in str(err.value)


@pytest.mark.parametrize("url", ["::::", "ftp://example.com/v4", "http://", "http://[::1/v4"])
def test_invalid_url_is_one_clear_line(home, url):
    before = digest(home)
    r = run_cli("data", "refresh", "--source", "coinmetrics", "--url", url, "--timeout", "2", home=home)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("hashpower: error: coinmetrics: the URL"), r.stderr
    assert digest(home) == before


def test_whole_response_deadline_is_not_per_read(home, server):
    """Each byte arrives well within the read timeout, but the response as a whole does not."""
    server.state.mode = "drip_headers"
    t0 = time.monotonic()
    with pytest.raises(SourceError, match=r"within 1.5 s"):
        refresh("mempool", server.url, timeout=1.5)
    assert time.monotonic() - t0 < 3 * 1.5 + 1.5 + 2.0


def test_refresh_deadline_bounds_many_slow_pages(home, server):
    truncate(home, last_date=CUT_DATE)
    before = digest(home)
    server.state.mode = "endless_pages"
    server.state.delay_s = 0.2
    t0 = time.monotonic()
    with pytest.raises(SourceError, match=r"coinmetrics: the refresh did not finish within its deadline of 1 s"):
        refresh("coinmetrics", f"{server.url}/v4", timeout=2, deadline_s=1.0)
    assert time.monotonic() - t0 < 3.0
    assert digest(home) == before


def test_unbounded_requests_without_a_refresh_keep_working(server):
    """The helper still works on a plain client (no refresh deadline, no deadline backend)."""
    import httpx

    from hashpower.store.sources import mempool

    with httpx.Client(base_url=server.url) as client:
        assert mempool.fetch_tip(client) == server.state.tip


# --- credentials ---------------------------------------------------------------------------------------------

def _no_secret(*texts: str, secrets: tuple[str, ...] = (RPC_PASSWORD, B64)) -> None:
    for t in texts:
        for s in secrets:
            assert s not in t, f"{s!r} printed in {t!r}"


def _cred_url(server, path: str = "") -> str:
    return f"http://{RPC_USER}:{RPC_PASSWORD}@{server.url.removeprefix('http://')}{path}"


def test_bitcoind_url_credentials_are_redacted_in_json(home, server):
    truncate(home, last_height=CUT_HEIGHT)
    env = {"HASHPOWER_BITCOIND_URL": _cred_url(server), "HASHPOWER_BITCOIND_USER": RPC_USER,
           "HASHPOWER_BITCOIND_PASSWORD": RPC_PASSWORD}
    r = run_cli("data", "refresh", "--source", "bitcoind", "--json", home=home, env=env)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["blocks_added"] == 36 and out["url"].startswith("http://***@127.0.0.1:")
    st = run_cli("data", "status", "--json", home=home)
    _no_secret(r.stdout, r.stderr, st.stdout)


@pytest.mark.parametrize("source", ["coinmetrics", "mempool"])
def test_url_credentials_are_redacted_for_http_sources(home, server, source):
    truncate(home, last_date=CUT_DATE, last_height=CUT_HEIGHT)
    url = _cred_url(server, "/v4" if source == "coinmetrics" else "")
    r = run_cli("data", "refresh", "--source", source, "--url", url, "--json", home=home)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["url"].startswith("http://***@")
    st = run_cli("data", "status", "--json", home=home)
    _no_secret(r.stdout, r.stderr, st.stdout)


@pytest.mark.parametrize(("source", "mode"), [("bitcoind", "echo_auth_rpc"), ("bitcoind", "echo_auth"),
                                              ("coinmetrics", "echo_auth"), ("mempool", "echo_auth")])
def test_echoed_authorization_is_never_printed(home, server, source, mode):
    truncate(home, last_date=CUT_DATE, last_height=CUT_HEIGHT)
    before = digest(home)
    server.state.mode = mode
    path = "/v4" if source == "coinmetrics" else ""
    env = {"HASHPOWER_BITCOIND_USER": RPC_USER, "HASHPOWER_BITCOIND_PASSWORD": RPC_PASSWORD}
    r = run_cli("data", "refresh", "--source", source, "--url", _cred_url(server, path), "--timeout", "2",
                "--json", home=home, env=env)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    st = run_cli("data", "status", "--json", home=home)
    _no_secret(r.stdout, r.stderr, st.stdout)
    assert digest(home) == before


def test_echoed_cookie_is_never_printed(home, server, tmp_path):
    cookie_secret = "c00kie-secret-0123456789abcdef"
    cookie = tmp_path / ".cookie"
    cookie.write_text(f"__cookie__:{cookie_secret}")
    server.state.mode = "echo_auth_rpc"
    r = run_cli("data", "refresh", "--source", "bitcoind", "--url", server.url, "--rpc-cookie", str(cookie),
                "--timeout", "2", "--json", home=home)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "RPC error" in r.stderr
    b64 = base64.b64encode(f"__cookie__:{cookie_secret}".encode()).decode()
    _no_secret(r.stdout, r.stderr, secrets=(cookie_secret, b64))


# --- the helpers, in process --------------------------------------------------------------------------------

def test_cap_counts_decompressed_bytes():
    """A small gzip body that inflates past the cap is refused (a decompression bomb)."""
    import gzip

    import httpx

    from hashpower.store.sources._http import BoundedClient, request

    bomb = gzip.compress(b"0" * 10_000_000)

    def answer(req: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip", "Content-Length": str(len(bomb))},
                              content=bomb)

    with BoundedClient(base_url="http://t", transport=httpx.MockTransport(answer)) as client:
        with pytest.raises(SourceError, match="t: GET http://t/x: the response is over the cap of 1,000,000 bytes"):
            request(client, "GET", "x", what="t", max_bytes=1_000_000)
        ok = request(client, "GET", "x", what="t", max_bytes=20_000_000)
    assert len(ok.content) == 10_000_000


def test_json_nesting_over_the_limit_is_refused_without_recursion():
    import httpx

    from hashpower.store.sources._http import MAX_JSON_DEPTH, json_body

    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json_body(httpx.Response(200, content=ok.encode()), "t") is not None
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        deep = "[" * depth + "]" * depth
        with pytest.raises(SourceError, match=f"t: the response nests JSON deeper than {MAX_JSON_DEPTH} levels"):
            json_body(httpx.Response(200, content=deep.encode()), "t")


def test_redaction_of_urls_and_auth():
    import httpx

    from hashpower.store.sources._http import redact, redact_url, secrets_of

    assert redact_url("https://u:p%40ss@h.example:8443/v4?api_key=abc&assets=btc") == \
        "https://***@h.example:8443/v4?api_key=***&assets=btc"
    assert redact_url("http://127.0.0.1:8332") == "http://127.0.0.1:8332"
    secrets = secrets_of("http://u:p%40ss-word@h/", httpx.BasicAuth("rpc", "rpc-secret"))
    text = ("echo p@ss-word p%40ss-word " + base64.b64encode(b"u:p@ss-word").decode() + " Basic "
            + base64.b64encode(b"rpc:rpc-secret").decode() + " rpc-secret see http://x:y@host/")
    clean = redact(text, secrets)
    for s in ("p@ss-word", "p%40ss-word", "rpc-secret", base64.b64encode(b"rpc:rpc-secret").decode(), "x:y@"):
        assert s not in clean, clean
    assert "http://***@host/" in clean
