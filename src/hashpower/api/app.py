"""The REST API (FastAPI) and the web dashboard: the CLI's figures over HTTP, the same JSON keys.

Start it with ``hashpower serve [--host 127.0.0.1] [--port 8000]``. Bad input gets a 4xx with a
short reason in ``detail`` (no numpy repr, at most 300 bytes: :mod:`hashpower.api.errors`); a store that
cannot be read gets a 503 with a reason and no path; work per request is bounded (simulation paths and
years, pivot paths, outlook paths and months), and the heavy requests run in a bounded pool of low-priority
processes with a cache, a 503 with Retry-After beyond its queue (:mod:`hashpower.api.heavy`); unknown query
parameters are refused; requests larger than :data:`MAX_REQUEST_BYTES` are refused, but for the fleet routes
of :mod:`hashpower.api.fleet`, whose body (a fleet) may reach its ``MAX_BODY_BYTES``. Nothing in a request
reaches the filesystem: the only files served are the package's own dashboard assets.
"""

from __future__ import annotations

import functools
import inspect
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from hashpower import __version__
from hashpower.api import errors, heavy
from hashpower.api import fleet as fleet_routes
from hashpower.api.cache import ResponseCache
from hashpower.figures.format import json_safe


def _clean(obj: Any) -> Any:
    """A figures dict as the API sends it: JSON-safe, with how current the data is (``data_last_day``...)."""
    from hashpower.figures.data import with_freshness

    return json_safe(with_freshness(obj))


#: Largest request accepted (headers' Content-Length and the query string) [bytes].
MAX_REQUEST_BYTES = 16_384
#: Bounds on the work of one request.
MAX_SIM_PATHS, MAX_SIM_YEARS = 2_000, 10
MAX_PIVOT_PATHS = 20_000
MAX_OUTLOOK_PATHS, MAX_OUTLOOK_MONTHS = 20_000, 60
#: The outlook's given price growth [decimal per year]: the engine's own bounds, named here so that a refusal
#: speaks of the query parameter (the API layer does not import the engine).
#: The outlook's price growth bounds, as hashpower.sim.outlook.PRICE_GROWTH_MIN/MAX (kept here so the app loads no
#: numba; tests/test_outlook_api.py checks they agree).
OUTLOOK_GROWTH_MIN, OUTLOOK_GROWTH_MAX = -0.99, 10.0
#: Unknown query parameters named in a refusal (the detail stays short however many were sent).
MAX_UNKNOWN_SHOWN = 5


@asynccontextmanager
async def _lifespan(app: FastAPI):  # noqa: ARG001
    import asyncio

    from hashpower.figures.data import warm

    try:  # fill this process's caches before its first request
        await asyncio.to_thread(warm)
    except ValueError:  # a damaged store: the routes answer 503 until it is rebuilt
        pass
    yield
    heavy.shutdown()


app = FastAPI(title="hashpower", version=__version__, docs_url=None, redoc_url=None, lifespan=_lifespan,
              description="Bitcoin mining economics and network security on real data. "
                          "The schema is at /openapi.json (the interactive docs would load assets from the internet).")

_ALLOWED: dict[str, set[str]] = {**fleet_routes.ALLOWED}
#: Largest body per path [bytes]: the fleet routes take a fleet document (api/fleet.py), the rest none.
_BODY_LIMITS: dict[str, int] = {**fleet_routes.BODY_LIMITS}


class _Limits:
    """Refuse oversized requests and unknown query parameters before any work (a plain ASGI middleware)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            detail, status = self._check(scope)
            if detail:
                await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)
                return
        await self.inner(scope, receive, send)

    @staticmethod
    def _check(scope) -> tuple[str | None, int]:
        limit = _BODY_LIMITS.get(scope.get("path", ""), MAX_REQUEST_BYTES)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                return f"request body larger than {limit} bytes", 413
        query = scope.get("query_string", b"")
        if len(query) > MAX_REQUEST_BYTES:
            return f"query string longer than {MAX_REQUEST_BYTES} bytes", 414
        allowed = _ALLOWED.get(scope.get("path", ""))
        if allowed is not None and query:
            from urllib.parse import parse_qsl

            keys = {k for k, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True)}
            unknown = sorted(keys - allowed)
            if unknown:
                shown = [k[: errors.MAX_QUOTED_VALUE_CHARS] for k in unknown[:MAX_UNKNOWN_SHOWN]]
                more = f" and {len(unknown) - MAX_UNKNOWN_SHOWN} more" if len(unknown) > MAX_UNKNOWN_SHOWN else ""
                return errors.cap(f"unknown parameters {shown}{more}; allowed: {sorted(allowed)}"), 400
        return None, 200


app.add_middleware(_Limits)
app.include_router(fleet_routes.router)  # POST /v1/fleet, /v1/fleet/plan, GET and POST /v1/costs
# outermost: a kept response is replayed before any other work (api/cache.py)
app.add_middleware(ResponseCache)


def _store_unavailable() -> JSONResponse:
    return JSONResponse({"detail": errors.STORE_UNREADABLE}, status_code=503,
                        headers={"Retry-After": str(errors.RETRY_AFTER_S)})


@app.exception_handler(ValueError)
async def _value_error(request: Request, exc: ValueError) -> JSONResponse:
    if errors.is_store_error(exc):
        return _store_unavailable()
    return JSONResponse({"detail": errors.clean(exc, request.query_params)}, status_code=400)


@app.exception_handler(ArithmeticError)
async def _arithmetic_error(request: Request, exc: ArithmeticError) -> JSONResponse:
    return JSONResponse({"detail": errors.out_of_range(type(exc).__name__, request.query_params)}, status_code=400)


@app.exception_handler(errors.StoreUnavailable)
async def _store_error(request: Request, exc: errors.StoreUnavailable) -> JSONResponse:  # noqa: ARG001
    return _store_unavailable()


@app.exception_handler(errors.Busy)
async def _busy(request: Request, exc: errors.Busy) -> JSONResponse:  # noqa: ARG001
    return JSONResponse({"detail": "busy: too many heavy requests (pivot, simulate, outlook, fleet) at once; "
                                   "retry later"}, status_code=503, headers={"Retry-After": str(errors.RETRY_AFTER_S)})


@app.exception_handler(RequestValidationError)
async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:  # noqa: ARG001
    parts = []
    for e in exc.errors():
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "query")
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return JSONResponse({"detail": errors.clean("; ".join(parts) or "invalid request")}, status_code=422)


def _guard(fn):
    """``fn`` with a store that cannot be read (a DuckDB error from any depth) raised as StoreUnavailable."""
    if inspect.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def guarded(*args, **kwargs):
            try:
                return await fn(*args, **kwargs)
            except Exception as exc:
                if errors.is_store_error(exc):
                    raise errors.StoreUnavailable from None
                raise
    else:
        @functools.wraps(fn)
        def guarded(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if errors.is_store_error(exc):
                    raise errors.StoreUnavailable from None
                raise
    return guarded


def _route(path: str, *params: str, any_query: bool = False):
    """Register a GET route that refuses query parameters other than ``params`` (all, with ``any_query``)."""
    if not any_query:
        _ALLOWED[path] = set(params)

    def register(fn):
        app.get(path)(_guard(fn))
        return fn

    return register


Date = Annotated[str | None, Query(description="Day YYYY-MM-DD (default: the latest in the store)", max_length=32)]
Pos = Annotated[float | None, Query(gt=0, allow_inf_nan=False)]
NonNeg = Annotated[float | None, Query(ge=0, allow_inf_nan=False)]


@_route("/v1/hashprice", "date", "price", "difficulty", "hashrate", "fees_btc_per_block")
async def hashprice(date: Date = None, price: Pos = None, difficulty: Pos = None,
                    hashrate: Annotated[str | None, Query(max_length=64)] = None,
                    fees_btc_per_block: NonNeg = None) -> JSONResponse:
    """Hashprice on a day (same keys as ``hashpower hashprice --json``).

    Cheap (well under a millisecond once the history is cached), so it runs on the event loop.
    """
    from hashpower.figures.hashprice import hashprice_figures, parse_hashrate

    hs = parse_hashrate(hashrate) if hashrate is not None else None
    return JSONResponse(_clean(hashprice_figures(date, price_usd=price, difficulty=difficulty, hashrate_hs=hs,
                                                 fees_btc_per_block=fees_btc_per_block)))


@_route("/v1/machines", "date", "power_price", "price", "difficulty", "hashprice", "pue", "pool_fee", "uptime",
        "generation")
def machines(date: Date = None,
             power_price: Annotated[float, Query(ge=0, le=10, allow_inf_nan=False)] = 0.06,
             price: Pos = None, difficulty: Pos = None, hashprice: Pos = None,
             pue: Annotated[float, Query(ge=1, le=3, allow_inf_nan=False)] = 1.0,
             pool_fee: Annotated[float, Query(ge=0, lt=1, allow_inf_nan=False)] = 0.0,
             uptime: Annotated[float, Query(ge=0, le=1, allow_inf_nan=False)] = 1.0,
             generation: Annotated[str | None, Query(pattern="^(latest|mid|old|obsolete)$")] = None) -> dict[str, Any]:
    """Unit economics of every ASIC at a power price (same keys as ``hashpower machines --json``)."""
    from hashpower.figures.machines import machine_figures

    return _clean(machine_figures(date, power_price_usd_per_kwh=power_price, price_usd=price, difficulty=difficulty,
                                  hashprice_usd_per_th_day=hashprice / 1e3 if hashprice else None, pue=pue,
                                  pool_fee_rate=pool_fee, uptime=uptime, generation=generation))


@_route("/v1/network", "date", "power_price", "window_days", "method", "tip_height", "tip_time", "now")
def network(date: Date = None,
            power_price: Annotated[float, Query(gt=0, le=10, allow_inf_nan=False)] = 0.05,
            window_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
            method: Annotated[str, Query(pattern="^(hashpower|ccaf)$",
                                         description="network power: ours or CCAF's own computation")] = "hashpower",
            tip_height: Annotated[int | None, Query(ge=0, le=10**9, description=(
                "tip of the next-adjustment estimate [block] (default: the last block of the day, the store's "
                "last block by default)"))] = None,
            tip_time: Annotated[str | None, Query(max_length=64, description=(
                "header time of the tip, ISO-8601 UTC or unix seconds (default: the block's time in the store, "
                "else the end of its day)"))] = None,
            now: Annotated[str | None, Query(max_length=64, description=(
                "time of the estimate, ISO-8601 UTC or unix seconds (default: the clock, but not past the end "
                "of the tip's day)"))] = None,
            ) -> dict[str, Any]:
    """Hashrate estimates, drawdown, network power and energy, miner indicators (as ``hashpower network --json``)."""
    from hashpower.figures.network import network_figures

    f = _clean(network_figures(date, power_price, window_days, method=method, tip_height=tip_height,
                               tip_time=tip_time, now=now))
    if (f.get("difficulty_outlook") or {}).get("now_from") == "clock":
        # the estimate moves with the clock: not kept by the response cache (api/cache.py)
        return JSONResponse(f, headers={"Cache-Control": "no-store"})
    return f


@_route("/v1/index", "date")
async def index(date: Date = None) -> JSONResponse:
    """The sustainability index (same keys as ``hashpower index --json``); cheap, on the event loop."""
    from hashpower.figures.index import index_figures

    return JSONResponse(_clean(index_figures(date)))


@_route("/v1/security", "date", "window_days", "window", "top", "merge_templates")
def security(date: Annotated[str | None, Query(description="Day YYYY-MM-DD, any day with a price (default: the "
                                               "latest day with pool data)", max_length=32)] = None,
             window_days: Annotated[int | None, Query(ge=1, le=365, description="Concentration window [days] "
                                                      "(default 7)")] = None,
             window: Annotated[str | None, Query(pattern="^(24h|3d|1w|1m|3m|6m|1y|all)$", description=(
                 "Concentration window as on mempool.space, instead of window_days: 24h/3d the blocks of the "
                 "24/72 h before the day's end (UTC, block time), 1w..1y whole days, all since the pool data "
                 "begin"))] = None,
             top: Annotated[int, Query(ge=1, le=1000, description="Pools shown by name, the rest as one "
                                                                  "'others' row")] = 10,
             merge_templates: bool = False) -> dict[str, Any]:
    """Security budget, attack costs, concentration (same keys as ``hashpower security --json``).

    Any day with a price; before or after the per-block pool data the concentration is null and
    ``concentration_reason`` says why.
    """
    from hashpower.figures.security import security_figures

    return _clean(security_figures(date, window_days, window=window, top=top, merge_templates=merge_templates))


def _frame_answer(df, **meta: Any) -> JSONResponse:
    """A frame of :mod:`hashpower.figures.frames` as JSON records, with its columns and units.

    The records are :func:`~hashpower.figures.frames.frame_records`'s (this layer does not import pandas).
    """
    from hashpower.figures.frames import frame_records

    records = frame_records(df)
    return JSONResponse(_clean({**meta, "rows": len(records), "columns": list(df.columns),
                                "units": df.attrs["units"], "data": records}))


@_route("/v1/daily", "series", "start", "end", "columns")
def daily(series: Annotated[str, Query(max_length=32, description=(
              "hashprice, hashrate, index or indicators: hashpower.hashprice_daily() ... indicators_daily()"))],
          start: Date = None, end: Date = None,
          columns: Annotated[str | None, Query(max_length=512, description="Comma-separated (default: all)")] = None,
          ) -> JSONResponse:
    """A derived daily series (the notebooks' frames, docs/notebooks.md): the dashboard's charts draw these."""
    from hashpower.figures.frames import daily_frame

    return _frame_answer(daily_frame(series, start, end, columns), series=series)


@_route("/v1/concentration", "start", "end", "window_days", "window", "merge_templates")
def concentration(start: Date = None, end: Date = None,
                  window_days: Annotated[int | None, Query(ge=1, le=365, description="Trailing window [days] "
                                                           "(default 7, as /v1/security)")] = None,
                  window: Annotated[str | None, Query(pattern="^(24h|3d|1w|1m|3m|6m|1y)$", description=(
                      "Trailing window by name, as /v1/security's (24h = 1 day ... 1y = 365 days), instead of "
                      "window_days"))] = None,
                  merge_templates: bool = False) -> JSONResponse:
    """HHI and Nakamoto coefficient of every day of the per-block pool data, over a trailing window.

    The rows of :func:`hashpower.figures.frames.concentration_daily` (a day's ``hhi`` and ``nakamoto_coefficient``
    are ``/v1/security``'s for that day and window); one pass over the cached per-block pools per window.
    """
    from hashpower.figures.frames import concentration_daily
    from hashpower.figures.security import window_days_of

    days = window_days_of(window_days, window)
    df = concentration_daily(start, end, window_days=days, merge_templates=merge_templates)
    return _frame_answer(df, window_days=days, window=window, merge_templates=merge_templates)


@_route("/v1/pivot", "mw", "power_price", "efficiency", "lease_rate", "capex_per_mw", "lead_months", "term_years",
        "discount_rate", "hashprice", "path", "paths", "seed")
async def pivot(mw: Pos = None, power_price: NonNeg = None, efficiency: Pos = None, lease_rate: NonNeg = None,
          capex_per_mw: NonNeg = None, lead_months: Annotated[int | None, Query(ge=0, le=120)] = None,
          term_years: Annotated[float | None, Query(gt=0, le=50)] = None,
          discount_rate: Annotated[float | None, Query(gt=-1, le=1)] = None, hashprice: Pos = None,
          path: Annotated[str, Query(pattern="^(engine|gbm|flat|history)$")] = "engine",
          paths: Annotated[int, Query(ge=2, le=MAX_PIVOT_PATHS)] = 2_000,
          seed: Annotated[int, Query(ge=0, le=2**31)] = 0) -> dict[str, Any]:
    """Mining versus AI hosting on a site (same keys as ``hashpower pivot --json``).

    Heavy: computed in the bounded pool of :mod:`hashpower.api.heavy`, identical requests answered from its cache.
    """
    return _clean(await heavy.run("pivot", {"mw": mw, "power_price": power_price, "efficiency": efficiency,
                                            "lease_rate": lease_rate, "capex_per_mw": capex_per_mw,
                                            "lead_months": lead_months, "term_years": term_years,
                                            "discount_rate": discount_rate, "hashprice": hashprice, "path": path,
                                            "paths": paths, "seed": seed}))


@_route("/v1/simulate", "preset", "paths", "years", "seed")
async def simulate(preset: Annotated[str, Query(max_length=32)] = "baseline",
             paths: Annotated[int, Query(ge=1, le=MAX_SIM_PATHS)] = 500,
             years: Annotated[int, Query(ge=1, le=MAX_SIM_YEARS)] = 5,
             seed: Annotated[int, Query(ge=0, le=2**31)] = 0) -> dict[str, Any]:
    """The scenario simulator, bounded per request (same keys as ``hashpower simulate --json``).

    Heavy: computed in the bounded pool of :mod:`hashpower.api.heavy`, identical requests answered from its cache.
    """
    return _clean(await heavy.run("simulate", {"preset": preset, "paths": paths, "years": years, "seed": seed}))


@_route("/v1/outlook", "months", "paths", "seed", "preset", "price_growth_per_year")
async def outlook(months: Annotated[int, Query(ge=1, le=MAX_OUTLOOK_MONTHS)] = 24,
                  paths: Annotated[int, Query(ge=1, le=MAX_OUTLOOK_PATHS)] = 2_000,
                  seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
                  preset: Annotated[str, Query(max_length=32)] = "baseline",
                  price_growth_per_year: Annotated[float | None, Query(
                      ge=OUTLOOK_GROWTH_MIN, le=OUTLOOK_GROWTH_MAX, allow_inf_nan=False,
                      description="A given price path instead of the preset's price model: growth per year "
                                  "(decimal, compounded daily) from the latest price")] = None) -> dict[str, Any]:
    """The months ahead from the store's latest day (same keys as :func:`hashpower.figures.outlook.outlook`).

    Hashrate, difficulty and hashprice bands by month, the next epochs, the forward hashprice curve (a model
    forecast, not a market quote) and the backtest's coverage at the matching horizons.

    Heavy: computed in the bounded pool of :mod:`hashpower.api.heavy`, identical requests answered from its cache.
    A price path from a file (the CLI's) is not offered: nothing in a request reaches the filesystem.
    """
    return _clean(await heavy.run("outlook", {"months": months, "paths": paths, "seed": seed, "preset": preset,
                                              "price_growth_per_year": price_growth_per_year}))


HISTORY_FORMATS = ("json", "csv")


@_route("/v1/history", "start", "end", "columns", "format")
def history(start: Date = None, end: Date = None, columns: Annotated[str | None, Query(max_length=512)] = None,
            format: Annotated[str, Query(pattern="^(json|csv)$")] = "json") -> Response:  # noqa: A002
    """The daily history between two days, as JSON records or CSV."""
    from hashpower.figures.data import history_window

    h = history_window(start, end, columns)
    if format == "csv":
        return PlainTextResponse(h.to_csv(index_label="date"), media_type="text/csv")
    records = h.reset_index(names="date").to_dict(orient="records")
    return JSONResponse(_clean({"rows": len(records), "columns": list(h.columns), "data": records}))


# --------------------------------------------------------------------------- the dashboard

_ASSETS = {"app.js": "text/javascript", "charts.js": "text/javascript", "pools.js": "text/javascript",
           "fleet.js": "text/javascript", "style.css": "text/css"}


# The page's view (day, power price, pools window, scales, ranges) lives in its address: web/app.js reads it and
# says what it did not understand, so any query string is the page's.
@_route("/", any_query=True)
def dashboard() -> HTMLResponse:
    """The dashboard: the briefing's figures and charts, a date picker and a power-price input."""
    return HTMLResponse((resources.files("hashpower") / "web" / "index.html").read_text())


@app.get("/static/{name}")
def static(name: str) -> Response:
    """The dashboard's own assets and the chart library, from the installed packages only."""
    if name == "plotly.min.js":
        import plotly

        js = resources.files(plotly) / "package_data" / "plotly.min.js"
        return Response(js.read_bytes(), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
    if name not in _ASSETS:
        raise HTTPException(status_code=404, detail="no such asset")
    return Response((resources.files("hashpower") / "web" / name).read_bytes(), media_type=_ASSETS[name])


@_route("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness."""
    return {"status": "ok", "version": __version__}
