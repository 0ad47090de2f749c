"""The kept imports: list them, remove one, and replay them all in a rebuild of the store.

Every accepted ``data import`` keeps a copy of its file under ``$HASHPOWER_HOME/imports``; a rebuild
recreates the store from the embedded data and replays the copies in order, so a user's rows survive
a rebuild and any one of them can be undone (:func:`remove_import`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import duckdb

from hashpower.store.db import (
    DataError,
    _create_from_embedded,
    _discard,
    _discard_stale,
    _fsync_replace,
    _lock,
    _tmp_path,
    db_path,
    home,
    imports_dir,
    is_out_of_space,
    out_of_space,
)
from hashpower.store.ingest import _import_id, read_daily_csv, record_source, upsert_daily, validate_daily

__all__ = ["list_imports", "rebuild", "remove_import"]


def list_imports() -> list[dict[str, Any]]:
    """The kept imports, oldest first: ``id`` (when it was kept), ``file``, ``rows``, ``first_date``, ``last_date``."""
    d = imports_dir()
    out = []
    for f in sorted(d.glob("*.csv")) if d.exists() else []:
        try:
            df = read_daily_csv(f)
            dates = sorted(str(x) for x in df["date"]) if "date" in df.columns else []
            info = {"rows": len(df), "first_date": dates[0] if dates else None,
                    "last_date": dates[-1] if dates else None}
        except ValueError as exc:
            info = {"rows": None, "first_date": None, "last_date": None, "error": str(exc)}
        out.append({"id": _import_id(f), "file": f.name.split("-", 1)[1], **info})
    return out


def remove_import(import_id: str) -> dict[str, Any]:
    """Remove one kept import and rebuild without it; on any failure the import and the store stay as they were."""
    d = imports_dir()
    matches = [f for f in sorted(d.glob("*.csv")) if d.exists() and _import_id(f) == str(import_id)]
    if not matches:
        known = ", ".join(i["id"] for i in list_imports()) or "none"
        raise DataError(f"no kept import with id {import_id!r} (kept: {known}; see 'hashpower data imports')")
    f = matches[0]
    hidden = f.with_name(f".{f.name}.removing")
    os.replace(f, hidden)
    try:
        res = rebuild()
    except BaseException:
        os.replace(hidden, f)
        raise
    hidden.unlink(missing_ok=True)
    return {"removed": _import_id(f), "file": f.name.split("-", 1)[1], **res}


def _aside_name(path: Path) -> Path:
    """A name for the replaced store that no other rebuild uses (time to the microsecond, then a counter)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    cand = path.with_name(f"{path.name}.replaced-{stamp}")
    n = 1
    while cand.exists():
        cand = path.with_name(f"{path.name}.replaced-{stamp}-{n}")
        n += 1
    return cand


def rebuild() -> dict[str, Any]:
    """Rebuild the store from the embedded data and replay the kept imports; the old file is kept aside.

    The new file is written beside the old one, synced, and renamed over it: at every moment the store
    path holds a complete file, the old or the new (the old one stays reachable under a unique
    ``.replaced-<time>`` name, a hard link made before the swap). A kept import that no longer passes
    the checks is skipped and reported in ``imports_skipped``.
    """
    path = db_path()
    home().mkdir(parents=True, exist_ok=True)
    with _lock():
        _discard_stale()
        tmp = _tmp_path()
        replayed, skipped = [], []
        try:
            con = duckdb.connect(str(tmp))
            try:
                _create_from_embedded(con)
                for f in sorted(imports_dir().glob("*.csv")) if imports_dir().exists() else []:
                    try:
                        rows = validate_daily(read_daily_csv(f), what=f.name)
                        n = upsert_daily(con, rows, source="import", what=f.name)
                    except ValueError as exc:  # DataError, or an unreadable kept file
                        skipped.append({"file": f.name, "reason": str(exc)})
                        continue
                    record_source(con, "import", n, f"replayed {f.name}")
                    replayed.append(f.name)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            aside = None
            if path.exists():
                aside = _aside_name(path)
                os.link(path, aside)
            Path(str(path) + ".wal").unlink(missing_ok=True)
            _fsync_replace(tmp, path)
        except (OSError, duckdb.Error) as exc:
            if is_out_of_space(exc):
                raise out_of_space("the rebuild") from None
            raise
        finally:
            _discard(tmp)
    return {"path": str(path), "imports_replayed": replayed, "imports_skipped": skipped,
            "previous_file": str(aside) if aside else None}
