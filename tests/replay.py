"""A local HTTP server on 127.0.0.1 that replays the recorded source responses in tests/data/.

It answers the Coin Metrics, mempool.space and Bitcoin Core JSON-RPC requests
that the sources make, and can misbehave on demand: ``mode`` "malformed"
(a body that is not the documented shape), "error" (HTTP 500), "hang" (no
answer until the client gives up) or "garbage" (not JSON at all); ``delay_s``
slows every answer.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATA = Path(__file__).parent / "data"
RPC_USER, RPC_PASSWORD = "hashpower-test", "s3cret-pa55word"


class Replay:
    """Recorded responses and the behaviour switches."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.delay_s = 0.0
        self.requests: list[str] = []
        self.stop = threading.Event()
        self.cm_pages = [json.loads((DATA / f"coinmetrics_page{i}.json").read_text()) for i in (1, 2)]
        blocks = json.loads((DATA / "mempool_blocks.json").read_text())
        self.blocks = {b["height"]: b for b in blocks}
        self.rpc = json.loads((DATA / "bitcoind_blocks.json").read_text())
        self.by_hash = {v["hash"]: v for v in self.rpc.values()}
        self.by_txid = {v["coinbase_tx"]["txid"]: v for v in self.rpc.values()}
        self.tip = max(self.blocks)


def _handler(state: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: bytes | str, ctype: str = "application/json") -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _misbehave(self) -> bool:
            self.close_connection = True
            if state.delay_s:
                state.stop.wait(state.delay_s)
            if state.mode == "hang":
                state.stop.wait(30)
                return True
            if state.mode == "error":
                self._send(500, '{"error": "internal"}')
                return True
            if state.mode == "garbage":
                self._send(200, "<html>502 Bad Gateway</html>", "text/html")
                return True
            return False

        def do_GET(self) -> None:  # noqa: N802
            state.requests.append(self.path)
            if self._misbehave():
                return
            url = urlparse(self.path)
            q = parse_qs(url.query)
            if url.path == "/v4/timeseries/asset-metrics":
                if state.mode == "malformed":
                    return self._send(200, '{"error": {"type": "bad_parameter"}}')
                page = state.cm_pages[1 if "next_page_token" in q else 0]
                return self._send(200, json.dumps(page))
            if url.path == "/api/blocks/tip/height":
                return self._send(200, str(state.tip), "text/plain")
            if url.path.startswith("/api/v1/blocks/"):
                top = int(url.path.rsplit("/", 1)[1])
                page = [state.blocks[h] for h in range(top, top - 15, -1) if h in state.blocks]
                if state.mode == "malformed":
                    page = [{k: v for k, v in b.items() if k != "extras"} for b in page]
                return self._send(200, json.dumps(page))
            return self._send(404, '{"error": "not found"}')

        def do_POST(self) -> None:  # noqa: N802
            state.requests.append(self.path)
            expected = "Basic " + base64.b64encode(f"{RPC_USER}:{RPC_PASSWORD}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._send(401, "")
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            if self._misbehave():
                return
            replies = [self._rpc(c) for c in body]
            if state.mode == "malformed":
                replies = replies[:-1]
            return self._send(200, json.dumps(replies))

        def _rpc(self, c: dict) -> dict:
            m, p = c["method"], c["params"]
            r = None
            if m == "getblockchaininfo":
                r = {"chain": "main", "blocks": state.tip, "headers": state.tip}
            elif m == "getblockhash" and str(p[0]) in state.rpc:
                r = state.rpc[str(p[0])]["hash"]
            elif m == "getblockheader" and p[0] in state.by_hash:
                r = state.by_hash[p[0]]["header"]
            elif m == "getblockstats" and str(p[0]) in state.rpc:
                r = {k: v for k, v in state.rpc[str(p[0])]["stats"].items() if k in p[1]}
            elif m == "getblock" and p[0] in state.by_hash:
                r = {"hash": p[0], "tx": state.by_hash[p[0]]["block_tx"]}
            elif m == "getrawtransaction" and p[0] in state.by_txid:
                r = state.by_txid[p[0]]["coinbase_tx"]
            if r is None:
                return {"result": None, "error": {"code": -8, "message": f"{m}: not found"}, "id": c["id"]}
            return {"result": r, "error": None, "id": c["id"]}

    return Handler


class ReplayServer:
    """Run a :class:`Replay` on 127.0.0.1 on a free port, in a thread."""

    def __init__(self) -> None:
        self.state = Replay()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":  # run standalone: python tests/replay.py [mode] [delay_s]
    with ReplayServer() as srv:
        srv.state.mode = sys.argv[1] if len(sys.argv) > 1 else "ok"
        srv.state.delay_s = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0
        print(srv.url, flush=True)
        while True:
            time.sleep(3600)
