"""One HTTP helper for every live source: deadlines, a size cap, bounded retries with backoff, clear errors.

The client is injected (``httpx.Client``), so tests run the sources against a
local server on 127.0.0.1 or an ``httpx.MockTransport``.

Every request is bounded three ways, so that a misbehaving server cannot hold
a refresh or the machine's memory: the whole response (headers and body) must
arrive within a deadline (not only each read: a server that drips one byte a
second never trips a per-read timeout); the body is streamed and refused past
:data:`MAX_RESPONSE_BYTES`; and the whole refresh has a deadline too
(:func:`refresh_deadline`). Redirects are refused, not followed.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx

#: Per-request timeouts [s]: connecting, and each read or write.
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
#: Deadline for one whole response [s] (headers and body) when no timeout is given; with a timeout
#: of T seconds the whole response must arrive within T seconds.
DEFAULT_REQUEST_DEADLINE_S = 120.0
#: Deadline for one whole refresh [s]: the largest refresh (10,000 blocks, about 670 mempool pages or
#: 200 bitcoind batches) takes about ten minutes on a slow link; thirty leaves room and still ends.
DEFAULT_REFRESH_DEADLINE_S = 1800.0
#: Largest response body we read [bytes], after decompression. The largest honest answer is a bitcoind
#: batch of 50 ``getblock`` (about 4,000 txids of 67 bytes each per block, so about 14 MB); 64 MB leaves
#: four times that and keeps one refresh's memory well under a gigabyte.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
#: Attempts per request (1 + retries) on a timeout, a connection error, HTTP 429 or 5xx.
DEFAULT_ATTEMPTS = 3
#: First backoff pause [s]; it doubles after each failed attempt.
DEFAULT_BACKOFF_S = 0.5

#: The monotonic time by which the current request must be done (None: no deadline).
_REQUEST_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("request_deadline", default=None)
#: The monotonic time and the length [s] of the current refresh's deadline.
_REFRESH_DEADLINE: contextvars.ContextVar[tuple[float, float] | None] = contextvars.ContextVar(
    "refresh_deadline", default=None)


class SourceError(RuntimeError):
    """A live source failed or answered something unusable; nothing was stored."""


class _DeadlineExceeded(TimeoutError):
    """The current request's deadline passed (raised by the network layer)."""


def _remaining_s() -> float | None:
    deadline = _REQUEST_DEADLINE.get()
    return None if deadline is None else deadline - time.monotonic()


def _bounded(timeout: float | None) -> float | None:
    """``timeout`` shortened to what is left before the request deadline."""
    rem = _remaining_s()
    if rem is None:
        return timeout
    if rem <= 0:
        raise _DeadlineExceeded
    return rem if timeout is None else min(timeout, rem)


class _DeadlineStream:
    """A network stream whose every read and write ends by the request deadline."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None) -> Any:
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, _bounded(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend:
    """The connection pool's network backend, with streams bounded by the request deadline."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> _DeadlineStream:
        return _DeadlineStream(self._inner.connect_tcp(host, port, _bounded(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> Any:
        return _DeadlineStream(self._inner.connect_unix_socket(path, _bounded(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class BoundedClient(httpx.Client):
    """An ``httpx.Client`` that carries the deadline of one whole response [s] for :func:`request`."""

    def __init__(self, *args: Any, deadline_s: float = DEFAULT_REQUEST_DEADLINE_S, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.deadline_s = float(deadline_s)
        # httpx 0.28 / httpcore 1.0: the connection pools (also those of proxies from the environment) do
        # their I/O through a network backend; wrap it so that every read and write ends by the deadline.
        for transport in (self._transport, *self._mounts.values()):
            pool = getattr(transport, "_pool", None)
            if pool is not None and hasattr(pool, "_network_backend"):
                pool._network_backend = _DeadlineBackend(pool._network_backend)


def make_client(base_url: str, timeout: float | None = None, **kwargs: Any) -> BoundedClient:
    """A client for ``base_url`` with the default timeouts (or ``timeout`` seconds), redirects not followed.

    Each whole response must arrive within ``timeout`` seconds (default
    :data:`DEFAULT_REQUEST_DEADLINE_S`), so that a server dripping headers or
    body cannot outlast it.
    """
    t = DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout, connect=min(timeout, 5.0))
    deadline_s = DEFAULT_REQUEST_DEADLINE_S if timeout is None else float(timeout)
    return BoundedClient(base_url=base_url, timeout=t, follow_redirects=False, deadline_s=deadline_s, **kwargs)


@contextlib.contextmanager
def refresh_deadline(seconds: float | None = None) -> Iterator[None]:
    """Bound every request made inside to end within ``seconds`` (default :data:`DEFAULT_REFRESH_DEADLINE_S`)."""
    length = DEFAULT_REFRESH_DEADLINE_S if seconds is None else float(seconds)
    token = _REFRESH_DEADLINE.set((time.monotonic() + length, length))
    try:
        yield
    finally:
        _REFRESH_DEADLINE.reset(token)


def _check_refresh_deadline(what: str) -> float | None:
    """The monotonic end of the refresh, or raise when it has passed."""
    rd = _REFRESH_DEADLINE.get()
    if rd is None:
        return None
    if time.monotonic() >= rd[0]:
        raise SourceError(f"{what}: the refresh did not finish within its deadline of {rd[1]:g} s")
    return rd[0]


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    attempts: int | None = None,
    backoff_s: float | None = None,
    what: str = "source",
    max_bytes: int | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Send a request, retrying transient failures a bounded number of times; the body is read in full.

    ``attempts`` (default :data:`DEFAULT_ATTEMPTS`) bounds the tries; the pause
    before a retry starts at ``backoff_s`` (default :data:`DEFAULT_BACKOFF_S`)
    and doubles. Each attempt must receive the whole response within the
    client's deadline (its timeout, else :data:`DEFAULT_REQUEST_DEADLINE_S`)
    and at most ``max_bytes`` (default :data:`MAX_RESPONSE_BYTES`).

    Raises
    ------
    SourceError
        After the last attempt, at once on a redirect, a body over the cap or a
        4xx other than 429, or when the refresh deadline passes. The message
        names the source and the path, never credentials.
    """
    attempts = DEFAULT_ATTEMPTS if attempts is None else attempts
    pause = DEFAULT_BACKOFF_S if backoff_s is None else backoff_s
    cap_bytes = MAX_RESPONSE_BYTES if max_bytes is None else max_bytes
    deadline_s = getattr(client, "deadline_s", DEFAULT_REQUEST_DEADLINE_S)
    where = f"{what}: {method} {_path_only(client, url)}"
    last = ""
    for attempt in range(1, attempts + 1):
        end = time.monotonic() + deadline_s
        refresh_end = _check_refresh_deadline(what)
        if refresh_end is not None and refresh_end < end:
            end = refresh_end
        token = _REQUEST_DEADLINE.set(end)
        try:
            resp = _send(client, method, url, end, cap_bytes, where, **kwargs)
        except (httpx.TimeoutException, TimeoutError):
            last = f"timed out (the whole response must arrive within {deadline_s:g} s)"
        except httpx.TransportError as exc:
            last = f"connection failed ({type(exc).__name__})"
        except httpx.HTTPError as exc:
            last = f"the response could not be read ({type(exc).__name__})"
        else:
            if resp.status_code < 400:
                return resp
            last = f"HTTP {resp.status_code}"
            if resp.status_code != 429 and resp.status_code < 500:
                break
        finally:
            _REQUEST_DEADLINE.reset(token)
        if attempt < attempts:
            refresh_end = _check_refresh_deadline(what)
            time.sleep(pause if refresh_end is None else max(0.0, min(pause, refresh_end - time.monotonic())))
            pause *= 2
    _check_refresh_deadline(what)
    raise SourceError(f"{where} failed: {last}")


def _send(client: httpx.Client, method: str, url: str, end: float, cap_bytes: int, where: str,
          **kwargs: Any) -> httpx.Response:
    """One attempt: stream the response, refuse redirects and bodies over ``cap_bytes``, stop at ``end``."""
    with client.stream(method, url, **kwargs) as resp:
        if 300 <= resp.status_code < 400:
            target = redact_url(resp.headers.get("Location", "?"))
            raise SourceError(f"{where}: the source answered a redirect (HTTP {resp.status_code}) to {target}; "
                              "give the final URL with --url")
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap_bytes:
            raise SourceError(f"{where}: the response of {int(declared):,} bytes is over the cap of "
                              f"{cap_bytes:,} bytes")
        body = bytearray()
        for chunk in resp.iter_bytes():
            body += chunk
            if len(body) > cap_bytes:
                raise SourceError(f"{where}: the response is over the cap of {cap_bytes:,} bytes")
            if time.monotonic() > end:
                raise _DeadlineExceeded
        headers = [(k, v) for k, v in resp.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(resp.status_code, headers=headers, content=bytes(body), request=resp.request)


def _path_only(client: httpx.Client, url: str) -> str:
    u = client.base_url.join(url)
    return f"{u.scheme}://{u.host}{f':{u.port}' if u.port else ''}{u.path}"


def redact_url(url: str) -> str:
    """``url`` without credentials: the user and password become ``***``, secret query values too."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        query = parts.query
    except ValueError:
        return "<an unreadable URL>" if "@" in url else url
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    if query:
        secret = ("key", "token", "secret", "pass", "auth", "sig")
        kept = []
        for item in query.split("&"):
            name = item.split("=", 1)[0]
            kept.append(f"{name}=***" if any(s in name.lower() for s in secret) and "=" in item else item)
        query = "&".join(kept)
    return parts._replace(netloc=netloc, query=query).geturl()


#: Deepest JSON nesting we decode; the documented answers nest four levels at most.
MAX_JSON_DEPTH = 64


def json_body(resp: httpx.Response, what: str) -> Any:
    """Decode a JSON body or raise :class:`SourceError`; nesting is bounded by :data:`MAX_JSON_DEPTH`."""
    content = resp.content
    try:
        value = json.loads(content)
    except RecursionError:
        raise SourceError(f"{what}: the response nests JSON deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise SourceError(f"{what}: the response is not valid JSON ({len(content)} bytes)") from None
    if _depth_over(value, MAX_JSON_DEPTH):
        raise SourceError(f"{what}: the response nests JSON deeper than {MAX_JSON_DEPTH} levels")
    return value


def _depth_over(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists and dicts deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = list(v.values())
        elif not isinstance(v, list):
            continue
        if d > limit:
            return True
        stack.extend((x, d + 1) for x in v if isinstance(x, (list, dict)))
    return False


def secrets_of(url: str, auth: Any = None) -> list[str]:
    """The strings that must never be printed or stored: passwords, Authorization values, their base64.

    From the userinfo of ``url`` and from the header that ``auth`` (an ``httpx.Auth``, such as the
    RPC user/password or cookie pair) sets. Longest first, so that a redaction replaces whole values.
    """
    import base64
    from urllib.parse import unquote

    pairs: list[tuple[str, str]] = []
    try:
        parts = urlsplit(url)
        if parts.username is not None or parts.password is not None:
            pairs.append((parts.username or "", parts.password or ""))
    except ValueError:
        pass
    found: set[str] = set()
    if auth is not None:
        with contextlib.suppress(Exception):
            req = next(auth.auth_flow(httpx.Request("GET", "http://127.0.0.1/")))
            header = req.headers.get("Authorization", "")
            if header:
                found.add(header)
                scheme, _, cred = header.partition(" ")
                found.add(cred)
                if scheme.lower() == "basic":
                    user, _, pw = base64.b64decode(cred).decode("utf-8", "replace").partition(":")
                    pairs.append((user, pw))
    for user, pw in pairs:
        for u, p in ((user, pw), (unquote(user), unquote(pw))):
            cred = base64.b64encode(f"{u}:{p}".encode()).decode()
            found.update({p, f"{u}:{p}", cred, f"Basic {cred}"})
    return sorted((s for s in found if len(s) >= 3), key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret, and the userinfo of any URL in it, replaced by ``***``."""
    import re

    for s in secrets:
        text = text.replace(s, "***")
    return re.sub(r"(\w+://)[^/\s@]*@", r"\1***@", text)


def check_url(url: str, what: str) -> httpx.URL:
    """``url`` parsed, or a :class:`SourceError` that names the source (credentials redacted)."""
    try:
        u = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise SourceError(f"{what}: the URL {redact_url(str(url))!r} is not valid ({exc}); "
                          "give an http:// or https:// URL with --url") from None
    if u.scheme not in ("http", "https") or not u.host:
        raise SourceError(f"{what}: the URL {redact_url(str(url))!r} is not an http:// or https:// URL with a host; "
                          "give one with --url")
    return u
