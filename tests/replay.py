"""A local HTTP server on 127.0.0.1 that replays the recorded source responses in tests/data/.

It answers the Coin Metrics, mempool.space and Bitcoin Core JSON-RPC requests
that the sources make, and can misbehave on demand: ``mode`` "malformed"
(a body that is not the documented shape), "error" (HTTP 500), "hang" (no
answer until the client gives up) or "garbage" (not JSON at all); ``delay_s``
slows every answer.

Modes that a bounded client must survive: "endless_chunked" (a chunked body
that never ends), "drip_body" (the body at one byte a second), "drip_headers"
(the headers at one byte a second), "looping_token" (Coin Metrics pages that
always name the same next page), "endless_pages" (a new next page forever),
"huge_body" (a 300 MB body with its Content-Length), "nested" (JSON nested
200,000 levels deep) and "redirect" (a 302 with a JSON body). "echo_auth"
answers HTTP 500 whose body echoes the request's Authorization header and URL;
"echo_auth_rpc" answers a JSON-RPC batch whose errors echo it.
"""

from __future__ import annotations

import base64
import itertools
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DATA = Path(__file__).parent / "data"
RPC_USER, RPC_PASSWORD = "hashpower-test", "s3cret-pa55word"
#: Size of the "huge_body" answer [bytes].
HUGE_BODY_BYTES = 300 * 1024 * 1024
#: Pause between the bytes of a "drip" answer [s].
DRIP_PAUSE_S = 1.0


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
        self.page_counter = itertools.count()


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

        def _write(self, data: bytes) -> bool:
            """Write raw bytes; False once the client has gone."""
            try:
                self.wfile.write(data)
                self.wfile.flush()
            except OSError:
                return False
            return not state.stop.is_set()

        def _unbounded(self) -> bool:
            """The answers that only a bounded client survives; True when one was sent."""
            mode = state.mode
            if mode == "endless_chunked":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                chunk = b" " * 65536
                frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
                while self._write(frame):
                    pass
            elif mode == "drip_body":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                while self._write(b" "):
                    state.stop.wait(DRIP_PAUSE_S)
            elif mode == "drip_headers":
                if self._write(b"HTTP/1.1 200 OK\r\nX-Drip: "):
                    while self._write(b"a"):
                        state.stop.wait(DRIP_PAUSE_S)
            elif mode == "huge_body":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(HUGE_BODY_BYTES))
                self.end_headers()
                chunk, sent = b" " * 65536, 0
                while sent < HUGE_BODY_BYTES and self._write(chunk):
                    sent += len(chunk)
            elif mode == "nested" and not self.path.endswith("/tip/height"):
                self._send(200, "[" * 200_000 + "]" * 200_000)
            elif mode == "redirect":
                self.send_response(302)
                self.send_header("Location", "http://mirror-user:mirror-pass@127.0.0.1:9/elsewhere")
                body = b'{"data": [], "result": null}'
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self._write(body)
            else:
                return False
            return True

        def _echo(self) -> bool:
            """Answer with the request's credentials in the error body; True when one was sent."""
            if state.mode not in ("echo_auth", "echo_auth_rpc"):
                return False
            echoed = f"unauthorized: Authorization={self.headers.get('Authorization')} path={self.path}"
            if state.mode == "echo_auth" or self.command == "GET":
                self._send(500, json.dumps({"result": None, "error": {"code": -1, "message": echoed}, "id": 0}))
                return True
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self._send(200, json.dumps([{"result": None, "error": {"code": -1, "message": echoed}, "id": c["id"]}
                                        for c in body]))
            return True

        def _misbehave(self) -> bool:
            self.close_connection = True
            if state.delay_s:
                state.stop.wait(state.delay_s)
            if self._unbounded():
                return True
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
            if self._echo() or self._misbehave():
                return
            url = urlparse(self.path)
            q = parse_qs(url.query)
            if url.path == "/v4/timeseries/asset-metrics":
                if state.mode == "malformed":
                    return self._send(200, '{"error": {"type": "bad_parameter"}}')
                page = state.cm_pages[1 if "next_page_token" in q else 0]
                if state.mode in ("looping_token", "endless_pages"):
                    n = next(state.page_counter) if state.mode == "endless_pages" else 0
                    page = {**state.cm_pages[0], "next_page_token": f"token-{n}"}
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
            if self._echo():
                return
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


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hung up (as a bounded one does) is no error; others are printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ReplayServer:
    """Run a :class:`Replay` on 127.0.0.1 on a free port, in a thread."""

    def __init__(self) -> None:
        self.state = Replay()
        self.httpd = _Server(("127.0.0.1", 0), _handler(self.state))
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
