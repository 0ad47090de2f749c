"""Heavy requests (pivot, simulate, outlook, a fleet ahead) off the event loop: a bounded pool, a queue limit, a cache.

A pivot of 20,000 paths over 50 years takes seconds of CPU. Run on the event loop, or in a thread that holds
the interpreter lock most of the time, it delays every light request of the process. Here each heavy request
runs in one of :data:`HEAVY_RUNNING` child processes of lowered priority (``nice`` :data:`HEAVY_NICE`, so
the operating system serves the light requests first); at most :data:`HEAVY_QUEUE` more wait, and a request
beyond that gets a 503 with Retry-After at once. Identical requests share one computation while it runs and
its result afterwards (:data:`CACHE_ENTRIES` kept, dropped when the store file changes), and the server
processes share the results through files beside the store (``cache/heavy-*.json``, keyed by the request and
the store's version).
"""

from __future__ import annotations

import asyncio
import builtins
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from hashpower.api.errors import Busy, StoreUnavailable, is_store_error


def _env_int(name: str, default: int, low: int) -> int:
    try:
        return max(low, int(os.environ.get(name, default)))
    except ValueError:
        return default


#: Heavy computations running at once in one server process (``$HASHPOWER_HEAVY_RUNNING``): the cores are
#: shared with the other server processes and with the light requests, which the lowered priority protects.
HEAVY_RUNNING = _env_int("HASHPOWER_HEAVY_RUNNING", 2, 1)
#: Heavy requests waiting for a slot in one server process before further ones are refused with a 503
#: (``$HASHPOWER_HEAVY_QUEUE``): a few pivots' worth of waiting, seconds each, not minutes.
HEAVY_QUEUE = _env_int("HASHPOWER_HEAVY_QUEUE", 4, 0)
#: Seconds without a heavy computation after which a server process stops its heavy processes
#: (``$HASHPOWER_HEAVY_IDLE_S``): each holds 150-300 MB of libraries and caches; a later request starts
#: them again (about 2 s), and repeated requests are answered from the cache without them.
HEAVY_IDLE_S = _env_int("HASHPOWER_HEAVY_IDLE_S", 20, 1)
#: Niceness added to the heavy processes: the light requests' process keeps the CPU when both want it.
HEAVY_NICE = 10
#: Heavy results kept per server process (a pivot's JSON is a few kB).
CACHE_ENTRIES = 64
#: Heavy results kept in files shared by the server processes (the oldest beyond are removed).
SHARED_ENTRIES = 256
#: How often a heavy process checks that its server process is still alive [s].
PARENT_CHECK_S = 1.0

_pool: ProcessPoolExecutor | None = None
_sem: asyncio.Semaphore | None = None
_admitted = 0
_cache: OrderedDict[tuple, Any] = OrderedDict()
_cache_stamp: tuple | None = None
_inflight: dict[tuple, asyncio.Future] = {}
_watching = False


def _watch_parent() -> None:
    """In a heavy process: exit as soon as the server process that started it is gone.

    A pool's worker holds both ends of its task queue, so it never sees the end of it: without this, a
    server killed or stopped mid-computation would leave its heavy processes running, orphaned, forever.
    """
    global _watching
    if _watching:
        return
    _watching = True
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="hashpower-parent-watch", daemon=True).start()


def _pivot(p: dict[str, Any]) -> Any:
    from hashpower.figures.pivot import Site, pivot_figures

    site = Site().with_(grid_mw=p["mw"], power_price_usd_per_kwh=p["power_price"],
                        efficiency_j_per_th=p["efficiency"], lease_usd_per_mw_year=p["lease_rate"],
                        capex_usd_per_mw_it=p["capex_per_mw"], lead_time_months=p["lead_months"],
                        term_years=p["term_years"], discount_rate=p["discount_rate"])
    return pivot_figures(site, path_kind=p["path"], n_paths=p["paths"], seed=p["seed"],
                         hashprice_usd_per_ph_day=p["hashprice"])


def _simulate(p: dict[str, Any]) -> Any:
    from hashpower.figures.simulate import run

    return run(p["preset"], paths=p["paths"], years=p["years"], seed=p["seed"])


def _outlook(p: dict[str, Any]) -> Any:
    from hashpower.figures.outlook import outlook

    return outlook(months=p["months"], paths=p["paths"], seed=p["seed"], preset=p["preset"],
                   price_growth_per_year=p["price_growth_per_year"])


def _fleet_doc(p: dict[str, Any]) -> Any:
    """The fleet of a fleet job: its document travels as canonical JSON (:func:`hashpower.api.fleet.canonical`)."""
    import json

    from hashpower.figures.costs import _load

    return _load(json.loads(p["fleet"]))


def _fleet(p: dict[str, Any]) -> Any:
    from hashpower.figures.fleet import fleet_figures

    return fleet_figures(_fleet_doc(p), p["from"], p["to"], forward_months=p["forward_months"], paths=p["paths"],
                         seed=p["seed"], preset=p["preset"], fair_strikes=p["fair_strikes"])


def _fleet_plan(p: dict[str, Any]) -> Any:
    from hashpower.figures.fleet_plan import plan_figures

    return plan_figures(_fleet_doc(p), start=p["from"], days=p["days"])


_JOBS = {"pivot": _pivot, "simulate": _simulate, "outlook": _outlook, "fleet": _fleet, "fleet_plan": _fleet_plan}
#: Longest parameter value kept as it is in a cache key [characters]; a longer one (a fleet document) is keyed
#: by its SHA-256, so that the kept keys stay small.
KEY_VALUE_CHARS = 256


def _key_value(value: Any) -> Any:
    if isinstance(value, str) and len(value) > KEY_VALUE_CHARS:
        import hashlib

        return ("sha256", hashlib.sha256(value.encode()).hexdigest())
    return value


def job(kind: str, params: dict[str, Any]) -> tuple[str, Any]:
    """Run one heavy computation (in a child process): ("ok", JSON-safe figures) or (error kind, message).

    Errors travel as plain strings: a DuckDB exception need not survive pickling.
    """
    from hashpower.figures.format import json_safe

    _watch_parent()
    try:
        return "ok", json_safe(_JOBS[kind](params))
    except Exception as exc:  # noqa: BLE001 - every failure is sent back to the server process as data
        if is_store_error(exc):
            return "store", ""
        if isinstance(exc, ValueError):
            return "value", str(exc)
        if isinstance(exc, ArithmeticError):
            return "arith", type(exc).__name__
        return "error", f"{type(exc).__name__}: {exc}"


def _raise(kind: str, message: str) -> None:
    if kind == "store":
        raise StoreUnavailable
    if kind == "value":
        raise ValueError(message)
    if kind == "arith":
        cls = getattr(builtins, message, ArithmeticError)
        raise (cls if isinstance(cls, type) and issubclass(cls, ArithmeticError) else ArithmeticError)()
    raise RuntimeError(message)


def _stamp() -> tuple | None:
    """The store file's identity and version, shared with the response cache (:mod:`hashpower.api.cache`)."""
    from hashpower.figures.data import store_version

    return store_version()


def _get_pool() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        # os.nice itself is the initializer: it runs before the first job's unpickling imports the API and the
        # figures, so even those imports yield the CPU to the light requests
        _pool = ProcessPoolExecutor(max_workers=HEAVY_RUNNING, mp_context=multiprocessing.get_context("spawn"),
                                    initializer=os.nice, initargs=(HEAVY_NICE,))
    return _pool


def _reset_pool() -> None:
    global _pool
    if _pool is not None:
        procs = list(getattr(_pool, "_processes", {}).values())  # the pool has no public way to stop a running job
        _pool.shutdown(wait=False, cancel_futures=True)
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
    _pool = None


_activity = 0


def _schedule_release() -> None:
    """Stop the pool once :data:`HEAVY_IDLE_S` pass with nothing admitted (no job can be running then)."""
    global _activity
    _activity += 1
    mark = _activity

    def release() -> None:
        if mark == _activity and _admitted == 0:
            _reset_pool()

    asyncio.get_running_loop().call_later(HEAVY_IDLE_S, release)


def shutdown() -> None:
    """Stop the heavy processes (at the server's shutdown)."""
    _reset_pool()


def _shared_path(key: tuple) -> Any:
    """Where the server processes share a heavy result: ``$HASHPOWER_HOME/cache/heavy-<hash>.json``."""
    import hashlib

    from hashpower.figures.data import db_path

    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    return db_path().parent / "cache" / f"heavy-{digest}.json"


def _shared_get(key: tuple) -> Any:
    import json

    try:
        return json.loads(_shared_path(key).read_text())
    except (OSError, ValueError):
        return None


def _shared_put(key: tuple, value: Any) -> None:
    """Write beside, then rename (another process never reads half a file); a failure only costs speed."""
    import json

    try:
        path = _shared_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(value))
        os.replace(tmp, path)
        kept = sorted(path.parent.glob("heavy-*.json"), key=lambda f: f.stat().st_mtime)
        for old in kept[:-SHARED_ENTRIES]:  # the oldest beyond the bound
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        pass


async def _compute(key: tuple, kind: str, params: dict[str, Any]) -> Any:
    """One admitted computation (a task of its own).

    The result another server process kept, or: wait for a slot, run it in the pool and keep the result.
    """
    global _sem, _admitted
    if _sem is None:
        _sem = asyncio.Semaphore(HEAVY_RUNNING)
    shared = _shared_get(key)
    if shared is not None:
        _admitted -= 1
        _inflight.pop(key, None)
        if key[2] == _cache_stamp:
            _cache[key] = shared
        return shared
    try:
        async with _sem:
            try:
                status, value = await asyncio.get_running_loop().run_in_executor(_get_pool(), job, kind, params)
            except BrokenProcessPool:  # a heavy process died (killed, out of memory): start afresh next time
                _reset_pool()
                raise Busy from None
    finally:
        _admitted -= 1
        _inflight.pop(key, None)
        _schedule_release()
    if status != "ok":
        _raise(status, value)
    _shared_put(key, value)
    if key[2] == _cache_stamp:
        _cache[key] = value
        while len(_cache) > CACHE_ENTRIES:
            _cache.popitem(last=False)
    return value


async def run(kind: str, params: dict[str, Any]) -> Any:
    """The figures of a heavy request: from the cache, from an identical request in flight, or computed.

    The computation is a task of its own: a client that goes away does not cancel it for the others waiting
    on the same request, and its result is kept. Raises :class:`Busy` when :data:`HEAVY_RUNNING` +
    :data:`HEAVY_QUEUE` computations are already admitted in this process.
    """
    global _admitted, _cache_stamp
    stamp = _stamp()
    if stamp != _cache_stamp:
        _cache.clear()
        _cache_stamp = stamp
    key = (kind, tuple(sorted((k, _key_value(v)) for k, v in params.items())), stamp)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    task = _inflight.get(key)
    if task is None:
        if _admitted >= HEAVY_RUNNING + HEAVY_QUEUE:
            raise Busy
        _admitted += 1
        task = _inflight[key] = asyncio.ensure_future(_compute(key, kind, params))
        task.add_done_callback(lambda t: t.cancelled() or t.exception())  # retrieved even if nobody waits
    return await asyncio.shield(task)
