"""The house stays standing: layers by folder, imports only in the allowed direction, no circles, small modules.

Allowed arrows (docs/architecture.md): interfaces (cli, api, report) -> figures -> {models, store, sim};
sim -> models; store -> models; models -> numpy and the standard library only. ``cli`` may also start
``api`` and write a ``report``. Every import counts, also those inside functions, because a circle
through a function-level import is still a circle in the design.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import hashpower

PKG = Path(hashpower.__file__).parent
LAYER_OF_TOP = {"models": "models", "store": "store", "sim": "sim", "figures": "figures",
                "cli": "cli", "api": "api", "report": "report"}
ALLOWED = {
    "models": {"models"},
    "store": {"store", "models"},
    "sim": {"sim", "models"},
    "figures": {"figures", "models", "store", "sim"},
    "report": {"report", "figures"},
    "api": {"api", "figures"},
    "cli": {"cli", "figures", "report", "api"},
}
#: Third-party libraries each layer may import (the standard library is always allowed).
THIRD_PARTY = {
    "models": {"numpy"},
    "store": {"numpy", "pandas", "duckdb", "httpx"},
    "sim": {"numpy", "numba", "distributed", "dask", "plotly", "matplotlib"},
    "figures": {"numpy", "pandas"},
    "report": {"numpy", "pandas", "plotly"},
    "api": {"fastapi", "starlette", "plotly"},
    "cli": {"click", "click_default_group", "rich", "uvicorn", "duckdb"},
}
MAX_LINES = 500
#: Modules allowed over MAX_LINES, with the reason (docs/architecture.md).
LONG_MODULES = {
    "hashpower.sim.engine": "the numba kernel: its on-disk cache is keyed by this one file, so the inlined "
                            "random-number, chain and daily-step functions stay with it",
}


def _modules() -> dict[str, Path]:
    out = {}
    for p in sorted(PKG.rglob("*.py")):
        rel = p.relative_to(PKG.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


MODULES = _modules()


def _resolve(name: str) -> str:
    """The longest prefix of ``name`` that is a module of the package."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(mod: str) -> tuple[set[str], set[str]]:
    """(hashpower modules, third-party top-level names) that ``mod`` imports, anywhere in the file."""
    tree = ast.parse(MODULES[mod].read_text())
    is_pkg = MODULES[mod].name == "__init__.py"
    own, third = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                (own.add(_resolve(a.name)) if a.name.split(".")[0] == "hashpower" else third.add(a.name.split(".")[0]))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                pkg = mod if is_pkg else mod.rpartition(".")[0]
                for _ in range(node.level - 1):
                    pkg = pkg.rpartition(".")[0]
                base = f"{pkg}.{base}" if base else pkg
            if base.split(".")[0] != "hashpower":
                if base != "__future__":
                    third.add(base.split(".")[0])
                continue
            for a in node.names:
                full = f"{base}.{a.name}"
                own.add(full if full in MODULES else _resolve(base))
    own.discard(mod)
    return own, third


def _layer(mod: str) -> str | None:
    parts = mod.split(".")
    return LAYER_OF_TOP.get(parts[1]) if len(parts) > 1 else None


GRAPH = {m: _imports(m)[0] for m in MODULES}


def test_every_module_is_in_a_layer():
    homeless = [m for m in MODULES if m != "hashpower" and _layer(m) is None]
    assert not homeless, f"modules outside the layer folders: {homeless}"


@pytest.mark.parametrize("mod", sorted(m for m in MODULES if m != "hashpower"))
def test_imports_point_the_allowed_way(mod):
    own, third = _imports(mod)
    layer = _layer(mod)
    against = sorted(t for t in own if t != "hashpower" and _layer(t) not in ALLOWED[layer])
    assert not against, f"{mod} ({layer}) imports against the layers: {against}"
    foreign = sorted(t for t in third if t not in sys.stdlib_module_names and t not in THIRD_PARTY[layer])
    assert not foreign, f"{mod} ({layer}) imports libraries its layer may not use: {foreign}"


def test_the_package_root_imports_nothing_at_load():
    own, third = _imports("hashpower")
    tree = ast.parse(MODULES["hashpower"].read_text())
    top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom) and n.module != "__future__"
                 and (getattr(n, "module", "") or "").startswith("hashpower")]
    assert not top_level, "hashpower/__init__.py must load its names lazily"


def test_no_circles():
    """Tarjan's strongly connected components of the module graph: every one must be a single module."""
    index, low, on, stack, sccs, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            sccs.append(comp)

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    circles = [sorted(c) for c in sccs if len(c) > 1]
    assert not circles, f"import circles: {circles}"


def test_the_checker_sees_an_arrow_against_the_layers(tmp_path, monkeypatch):
    """The check itself can fail: a models module importing the store is caught."""
    bad = tmp_path / "bad.py"
    bad.write_text("from hashpower.store import db\nimport pandas\n")
    monkeypatch.setitem(MODULES, "hashpower.models.bad", bad)
    own, third = _imports("hashpower.models.bad")
    assert "hashpower.store.db" in own and _layer("hashpower.store.db") not in ALLOWED["models"]
    assert "pandas" in third and "pandas" not in THIRD_PARTY["models"]


@pytest.mark.parametrize("mod", sorted(MODULES))
def test_modules_are_small(mod):
    n = len(MODULES[mod].read_text().splitlines())
    if mod in LONG_MODULES:
        assert "cache" in LONG_MODULES[mod]
        return
    assert n <= MAX_LINES, f"{mod} has {n} lines (limit {MAX_LINES}); split it"


def test_every_command_has_a_figures_module_named_after_it():
    from hashpower.cli import cli

    commands = set(cli.commands) - {"serve"}
    figures = {p.stem for p in (PKG / "figures").glob("*.py")}
    assert commands <= figures, f"commands without a figures module: {sorted(commands - figures)}"
