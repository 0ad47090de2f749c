"""The fleet routes of the API: a user's own sites and machines, sent in the request body.

``POST /v1/fleet`` (the P&L over the history, and ahead with ``forward_months``), ``POST /v1/fleet/plan``
(the hourly run/curtail plan), ``GET /v1/costs`` and ``POST /v1/costs`` (the cost to mine one bitcoin, of
the network's machines or of a fleet). The keys are those of the matching command's ``--json``
(``hashpower fleet``, ``hashpower fleet plan``, ``hashpower costs``), with the data's age.

The body is a fleet document (the format of :mod:`hashpower.models.fleet`) as TOML text
(``Content-Type: application/toml`` or ``text/plain``) or as a JSON object (``application/json``), in
UTF-8, of at most :data:`MAX_BODY_BYTES`: read incrementally and refused with a 413 as soon as it passes
the bound, whatever its Content-Length said. An unknown content type is a 415, a body that is not
UTF-8 TOML or JSON a 400, a document that is not a valid fleet (an unknown key, a value out of range, a
file reference) a 422 with the reason. A body may use only the embedded machine catalog and the
embedded hourly prices (``"ercot:HB_WEST"``, ``"ercot:LZ_WEST"``): nothing in a request reaches the
filesystem, and nothing is written (the CLI's ``--csv`` is not offered).

The P&L over the history, the plan over days the store covers and the costs are light (milliseconds
for a fleet within :data:`MAX_MACHINE_GROUPS`) and run in the server's thread pool; a forward view,
and a plan that reaches past the store's last day, run the Monte Carlo engine and go through the
bounded pool of :mod:`hashpower.api.heavy`, keyed by the fleet document and the query.
"""

from __future__ import annotations

import json
import tomllib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from hashpower.api import errors, heavy

__all__ = ["ALLOWED", "BODY_LIMITS", "MAX_BODY_BYTES", "fleet_document", "router"]

#: Largest fleet body accepted [bytes]: a fleet of a few hundred machine groups is well under 64 kB.
MAX_BODY_BYTES = 256 * 1024
#: Machine groups ([[site.machines]] entries) of one request's fleet [-]: bounds the work of a light request
#: (the daily P&L holds a few arrays of groups x days; 500 groups over the whole history are about 25 MB each).
MAX_MACHINE_GROUPS = 500
#: Sites and hedges of one request's fleet [-].
MAX_SITES, MAX_HEDGES = 100, 100
#: Deepest nesting of tables and arrays in a body [-] (the format needs three; as the fleet files' bound).
MAX_DEPTH = 32
#: The forward view's bounds per request: months ahead and Monte Carlo paths (as the outlook's).
MAX_FORWARD_MONTHS, MAX_FORWARD_PATHS = 60, 20_000
#: Days of one plan [-] and the plan's default, as hashpower.figures.fleet_plan.MAX_DAYS and DEFAULT_DAYS (restated
#: so that the app loads no numpy; tests/test_api_fleet.py checks they agree).
MAX_PLAN_DAYS, PLAN_DEFAULT_DAYS = 1096, 365
#: Machine groups x hours of one plan [group-hours]: the answer lists each group's on/off spells, up to one
#: per hour (a year of 50 groups; the CLI's bound, hashpower.figures.fleet_plan.MAX_GROUP_HOURS, is 10 x more).
MAX_PLAN_GROUP_HOURS = 500_000
#: Body content types and how each is read.
BODY_TYPES = {"application/toml": "toml", "text/plain": "toml", "application/json": "json"}

ALLOWED: dict[str, set[str]] = {
    "/v1/fleet": {"from", "to", "forward_months", "paths", "seed", "preset", "fair_strikes"},
    "/v1/fleet/plan": {"from", "days"},
    "/v1/costs": {"date", "power_price"},
}
#: Largest body per path [bytes] (the other paths keep the API's general bound).
BODY_LIMITS = dict.fromkeys(ALLOWED, MAX_BODY_BYTES)

router = APIRouter()

_BODY_DOC = {"requestBody": {"required": True, "description": (
    f"A fleet (docs/fleet.md) as TOML or a JSON object, UTF-8, at most {MAX_BODY_BYTES:,} bytes; only the "
    "embedded machine catalog and hourly prices (\"ercot:HB_WEST\", \"ercot:LZ_WEST\"), no file references"),
    "content": {"application/toml": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
                "application/json": {"schema": {"type": "object"}}}}}


# --------------------------------------------------------------------------- the body


def _body_kind(content_type: str | None) -> str:
    """"toml" or "json" from a Content-Type header; a 415 naming the accepted types otherwise."""
    accepted = ", ".join(BODY_TYPES)
    if not content_type:
        raise HTTPException(415, f"no Content-Type: send the fleet as {accepted}")
    media, *params = (p.strip() for p in content_type.split(";"))
    kind = BODY_TYPES.get(media.lower())
    if kind is None:
        raise HTTPException(415, errors.cap(f"Content-Type {media[:40]!r} is not accepted; send the fleet as "
                                            f"{accepted}"))
    for p in params:
        name, _, value = p.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise HTTPException(415, errors.cap(f"charset {value.strip()[:20]!r} is not accepted; send UTF-8"))
    return kind


async def _read(request: Request, limit: int) -> bytes:
    """The body, read chunk by chunk and refused (413) as soon as it passes ``limit`` bytes."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise HTTPException(413, f"request body larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _depth(obj: Any, limit: int, level: int = 0) -> int:
    if level > limit:
        return level
    if isinstance(obj, dict):
        return max((_depth(v, limit, level + 1) for v in obj.values()), default=level)
    if isinstance(obj, list):
        return max((_depth(v, limit, level + 1) for v in obj), default=level)
    return level


def _finite(obj: Any) -> bool:
    """Whether every number in a parsed document is finite (TOML has nan and inf, JSON has neither)."""
    if isinstance(obj, float):
        return obj - obj == 0.0
    if isinstance(obj, dict):
        return all(_finite(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_finite(v) for v in obj)
    return True


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not a JSON number")


def _parse(raw: bytes, kind: str) -> dict[str, Any]:
    """The document of a body: a 400 when it is empty, not UTF-8, not TOML / JSON, or too deeply nested."""
    if not raw.strip():
        raise HTTPException(400, "empty body: send a fleet (docs/fleet.md), e.g. [[site]] with [[site.machines]]")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8 text") from None
    try:
        doc = tomllib.loads(text) if kind == "toml" else json.loads(text, parse_constant=_refuse_constant)
    except tomllib.TOMLDecodeError as exc:
        raise HTTPException(400, errors.clean(f"the body is not valid TOML: {exc}")) from None
    except RecursionError:
        raise HTTPException(400, f"the body is nested too deeply (more than {MAX_DEPTH} levels)") from None
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise HTTPException(400, errors.clean(f"the body is not valid JSON: {exc}")) from None
    if not isinstance(doc, dict):
        raise HTTPException(400, f"the body must be a JSON object (a fleet), not a {type(doc).__name__}")
    if _depth(doc, MAX_DEPTH) > MAX_DEPTH:
        raise HTTPException(400, f"the body is nested too deeply (more than {MAX_DEPTH} levels)")
    if not _finite(doc):
        raise HTTPException(400, "the body has a nan or inf: a fleet takes finite numbers")
    return doc


def _check_size(doc: dict[str, Any]) -> None:
    """A 422 when the fleet has more sites, machine groups or hedges than one request may compute."""
    sites = doc.get("site")
    if isinstance(sites, list):
        if len(sites) > MAX_SITES:
            raise HTTPException(422, f"fleet: {len(sites):,} sites; a request takes at most {MAX_SITES}")
        groups = sum(len(s["machines"]) for s in sites if isinstance(s, dict) and isinstance(s.get("machines"), list))
        if groups > MAX_MACHINE_GROUPS:
            raise HTTPException(422, f"fleet: {groups:,} machine groups ([[site.machines]]); a request takes at "
                                     f"most {MAX_MACHINE_GROUPS} (group identical machines with count)")
    hedges = doc.get("hedge")
    if isinstance(hedges, list) and len(hedges) > MAX_HEDGES:
        raise HTTPException(422, f"fleet: {len(hedges):,} hedges; a request takes at most {MAX_HEDGES}")


def canonical(doc: dict[str, Any]) -> str:
    """The document as compact JSON with sorted keys: the same fleet sent as TOML or JSON is one cache key.

    TOML dates and times (which no fleet key takes) become their ISO text (:func:`_parse` has refused nan and inf).
    """
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), default=str, allow_nan=False)


def to_fleet(doc: dict[str, Any]) -> Any:
    """The :class:`hashpower.models.fleet.Fleet` of a document; ``ValueError`` naming the bad key or the file."""
    from hashpower.figures.fleet import read_fleet

    return read_fleet(doc)


async def fleet_document(request: Request) -> tuple[dict[str, Any], Any]:
    """The fleet of a request's body: content type (415), size (413), syntax (400), validity (422).

    Returns the document as parsed (for the cache key and the heavy pool) and the fleet built from it, so
    that a bad fleet is refused before any other work.
    """
    kind = _body_kind(request.headers.get("content-type"))
    doc = _parse(await _read(request, BODY_LIMITS.get(request.url.path, MAX_BODY_BYTES)), kind)
    _check_size(doc)
    try:
        fleet = await run_in_threadpool(to_fleet, doc)
    except ValueError as exc:
        if errors.is_store_error(exc):
            raise errors.StoreUnavailable from None
        raise HTTPException(422, errors.clean(exc)) from None
    return doc, fleet


# --------------------------------------------------------------------------- the routes


def _clean(obj: Any) -> Any:
    """A figures dict as the API sends it: JSON-safe, with how current the data is (as ``api.app._clean``)."""
    from hashpower.figures.data import with_freshness
    from hashpower.figures.format import json_safe

    return json_safe(with_freshness(obj))


async def _light(fn, *args: Any, **kwargs: Any) -> JSONResponse:
    """Run a light figures function in the thread pool; a store that cannot be read is a 503."""

    def work() -> Any:
        try:
            return _clean(fn(*args, **kwargs))
        except Exception as exc:
            if errors.is_store_error(exc):
                raise errors.StoreUnavailable from None
            raise

    return JSONResponse(await run_in_threadpool(work))


async def _heavy(kind: str, params: dict[str, Any]) -> JSONResponse:
    """The figures of a heavy job (:func:`hashpower.api.heavy.run`), with the data's age added in the thread pool."""

    def clean(value: Any) -> Any:
        try:
            return _clean(value)
        except Exception as exc:
            if errors.is_store_error(exc):
                raise errors.StoreUnavailable from None
            raise

    return JSONResponse(await run_in_threadpool(clean, await heavy.run(kind, params)))


Day = Annotated[str | None, Query(max_length=32, description="Day YYYY-MM-DD")]


@router.post("/v1/fleet", openapi_extra=_BODY_DOC)
async def fleet(request: Request, start: Annotated[str | None, Query(
                    alias="from", max_length=32, description="First day (default: a year before the last)")] = None,
                end: Annotated[str | None, Query(alias="to", max_length=32,
                                                  description="Last day (default: the latest in the store)")] = None,
                forward_months: Annotated[int | None, Query(ge=1, le=MAX_FORWARD_MONTHS, description=(
                    "Months ahead of the store's last day: the fleet's monthly margin over Monte Carlo paths"))] = None,
                paths: Annotated[int, Query(ge=1, le=MAX_FORWARD_PATHS)] = 2_000,
                seed: Annotated[int, Query(ge=0, le=2**31)] = 0,
                preset: Annotated[str, Query(max_length=32)] = "baseline",
                fair_strikes: Annotated[bool, Query(description=(
                    "Add the model's fair hashprice strike per tenor of 1..N months (a model value, not a market "
                    "quote); N = forward_months, or 12 without it"))] = False,
                ) -> JSONResponse:
    """The P&L of the fleet in the body (same keys as ``hashpower fleet FILE --json``).

    Over the history (light); with ``forward_months`` also the months ahead (key ``forward``), computed in the
    bounded pool of :mod:`hashpower.api.heavy` and answered from its cache for an identical fleet and query.
    """
    doc, f = await fleet_document(request)
    if forward_months is None and not fair_strikes:
        from hashpower.figures.fleet import fleet_figures

        return await _light(fleet_figures, f, start, end)
    return await _heavy("fleet", {"fleet": canonical(doc), "from": start, "to": end,
                                  "forward_months": forward_months, "paths": paths, "seed": seed, "preset": preset,
                                  "fair_strikes": fair_strikes})


def _store_last_day() -> str:
    from hashpower.figures.data import freshness

    return freshness()["data_last_day"]


def _plan_needs_outlook(f: Any, start: str | None, days: int | None) -> bool:
    """Whether a plan may reach past the store's last day (its hashprice is then the outlook's: heavy work).

    The span follows :func:`hashpower.figures.fleet_plan.plan_figures`: without ``from``, a fleet of flat
    prices and tariffs plans from the day after the store's last day, and one with hourly prices within the
    hours they cover; with ``from``, at most ``days`` (default :data:`PLAN_DEFAULT_DAYS`) from it. A ``from``
    that is not a day is left to the figures function to refuse (a light request).
    """
    import datetime as dt

    last_day = _store_last_day()
    hourly = [s.hourly for s in f.sites if s.hourly is not None]
    if start is None:
        if not hourly:
            return True
        end = min(hp.start + hp.usd_per_kwh.size - 1 for hp in hourly)  # the last hour every site's prices cover
        return str(end.astype("datetime64[D]")) > last_day
    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        return False
    return (first + dt.timedelta(days=(days or PLAN_DEFAULT_DAYS) - 1)).isoformat() > last_day


@router.post("/v1/fleet/plan", openapi_extra=_BODY_DOC)
async def fleet_plan(request: Request, start: Annotated[str | None, Query(
                         alias="from", max_length=32, description=(
                             "First UTC day (default: with hourly prices, the first day of the last whole year "
                             "they cover; otherwise the day after the store's last day)"))] = None,
                     days: Annotated[int | None, Query(ge=1, le=MAX_PLAN_DAYS, description=(
                         f"Days planned (default {PLAN_DEFAULT_DAYS}, or the year of the hourly prices)"))] = None,
                     ) -> JSONResponse:
    """The hourly run/curtail plan of the fleet in the body (same keys as ``hashpower fleet plan FILE --json``).

    Light over days the store covers; a plan past the store's last day uses the outlook's hashprice and is
    computed in the bounded pool of :mod:`hashpower.api.heavy`. Bounded to :data:`MAX_PLAN_GROUP_HOURS`
    machine groups x hours (the answer lists every group's on/off spells).
    """
    doc, f = await fleet_document(request)
    groups = len(f.group_count)
    hours = (days or PLAN_DEFAULT_DAYS + 1) * 24
    if groups * hours > MAX_PLAN_GROUP_HOURS:
        raise HTTPException(422, f"the plan has {groups:,} machine groups x {hours:,} hours; a request takes at most "
                                 f"{MAX_PLAN_GROUP_HOURS:,} group-hours: give fewer days")
    if await run_in_threadpool(_plan_needs_outlook, f, start, days):
        return await _heavy("fleet_plan", {"fleet": canonical(doc), "from": start, "days": days})
    from hashpower.figures.fleet_plan import plan_figures

    return await _light(plan_figures, f, start=start, days=days)


PowerPrice = Annotated[float | None, Query(gt=0, le=10, allow_inf_nan=False, description=(
    "The network's power price [USD/kWh] (default 0.05, CBECI's); a fleet's sites pay their own prices"))]


@router.get("/v1/costs")
async def costs(date: Day = None, power_price: PowerPrice = None) -> JSONResponse:
    """The cost to mine one bitcoin on a day (same keys as ``hashpower costs --json``)."""
    from hashpower.figures.costs import costs_figures

    return await _light(costs_figures, None, date, power_price)


@router.post("/v1/costs", openapi_extra=_BODY_DOC)
async def costs_of_fleet(request: Request, date: Day = None, power_price: PowerPrice = None) -> JSONResponse:
    """The cost to mine one bitcoin at each site of the fleet in the body (as ``hashpower costs --fleet F --json``)."""
    _, f = await fleet_document(request)
    from hashpower.figures.costs import costs_figures

    return await _light(costs_figures, f, date, power_price)
