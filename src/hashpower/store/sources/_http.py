"""One HTTP helper for every live source: timeouts, bounded retries with backoff, clear errors.

The client is injected (``httpx.Client``), so tests run the sources against a
local server on 127.0.0.1 or an ``httpx.MockTransport``.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

#: Per-request timeouts [s]: connecting, and each read or write.
DEFAULT_TIMEOUT = httpx.Timeout(20.0, connect=5.0)
#: Attempts per request (1 + retries) on a timeout, a connection error, HTTP 429 or 5xx.
DEFAULT_ATTEMPTS = 3
#: First backoff pause [s]; it doubles after each failed attempt.
DEFAULT_BACKOFF_S = 0.5


class SourceError(RuntimeError):
    """A live source failed or answered something unusable; nothing was stored."""


def make_client(base_url: str, timeout: float | None = None, **kwargs: Any) -> httpx.Client:
    """An ``httpx.Client`` for ``base_url`` with the default timeouts (or ``timeout`` seconds)."""
    t = DEFAULT_TIMEOUT if timeout is None else httpx.Timeout(timeout, connect=min(timeout, 5.0))
    return httpx.Client(base_url=base_url, timeout=t, follow_redirects=False, **kwargs)


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    attempts: int | None = None,
    backoff_s: float | None = None,
    what: str = "source",
    **kwargs: Any,
) -> httpx.Response:
    """Send a request, retrying transient failures a bounded number of times.

    ``attempts`` (default :data:`DEFAULT_ATTEMPTS`) bounds the tries; the pause
    before a retry starts at ``backoff_s`` (default :data:`DEFAULT_BACKOFF_S`)
    and doubles.

    Raises
    ------
    SourceError
        After the last attempt, or at once on a 4xx other than 429. The
        message names the source and the path, never credentials.
    """
    attempts = DEFAULT_ATTEMPTS if attempts is None else attempts
    pause = DEFAULT_BACKOFF_S if backoff_s is None else backoff_s
    last = ""
    for attempt in range(1, attempts + 1):
        try:
            resp = client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            last = "timed out"
        except httpx.TransportError as exc:
            last = f"connection failed ({type(exc).__name__})"
        else:
            if resp.status_code < 400:
                return resp
            last = f"HTTP {resp.status_code}"
            if resp.status_code != 429 and resp.status_code < 500:
                break
        if attempt < attempts:
            time.sleep(pause)
            pause *= 2
    raise SourceError(f"{what}: {method} {_path_only(client, url)} failed: {last}")


def _path_only(client: httpx.Client, url: str) -> str:
    u = client.base_url.join(url)
    return f"{u.scheme}://{u.host}{f':{u.port}' if u.port else ''}{u.path}"


def json_body(resp: httpx.Response, what: str) -> Any:
    """Decode a JSON body or raise :class:`SourceError`."""
    try:
        return resp.json()
    except ValueError:
        raise SourceError(f"{what}: the response is not valid JSON ({len(resp.content)} bytes)") from None
