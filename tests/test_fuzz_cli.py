"""Every CLI option fed junk exits 2 with one line on stderr, never a traceback; the store never changes."""

from __future__ import annotations

import click
import pytest
from conftest import digest

from hashpower import cli

EXAMPLE = __import__("pathlib").Path(__file__).parents[1] / "examples" / "fleet.toml"

JUNK = ["", "x" * 5000, "☃\u202e", "-1", "nan", "inf", "-inf", "1e999", "0x10", "--"]
#: Options whose every string is a legitimate value (free text, credentials, output files).
FREE_TEXT = {"--rpc-user", "--rpc-password", "--html", "--csv"}
#: Extra arguments that keep a valid run quick (the junk goes in front of them).
QUICK = {"pivot": ["--paths", "200"], "brief": ["--no-scenarios"],
         "simulate": ["--preset", "baseline", "--paths", "20", "--years", "1"],
         "sweep": ["--scheduler", "tcp://127.0.0.1:1", "--timeout", "1"],
         "backtest": ["--origin", "2020-01-01", "--paths", "20", "--mode", "conditional"],
         "outlook": ["--months", "1", "--paths", "20"]}
SKIP_COMMANDS = {"serve"}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        elif name not in SKIP_COMMANDS:
            yield (*prefix, name), cmd


def _cases():
    for path, cmd in _commands(cli.cli):
        for p in cmd.params:
            if isinstance(p, click.Option) and not p.is_flag and p.opts[0] not in FREE_TEXT:
                for j, junk in enumerate(JUNK):
                    yield pytest.param(path, p.opts[0], junk, id=f"{' '.join(path)} {p.opts[0]} junk{j}")


@pytest.fixture(scope="module")
def shared_home(built_store, tmp_path_factory):
    """One store for the whole module: no case may change it (checked at the end)."""
    import shutil

    h = tmp_path_factory.mktemp("fuzz-home")
    shutil.copyfile(built_store, h / "hashpower.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HASHPOWER_HOME", str(h))
        for s in ("COINMETRICS", "MEMPOOL", "BITCOIND"):
            mp.setenv(f"HASHPOWER_{s}_URL", "http://127.0.0.1:9")
        mp.setattr("hashpower.store.sources._http.DEFAULT_ATTEMPTS", 1)
        before = digest(h)
        yield h
        assert digest(h) == before


@pytest.mark.parametrize(("path", "option", "junk"), list(_cases()))
def test_option_junk(shared_home, capsys, path, option, junk, monkeypatch):
    monkeypatch.chdir(shared_home.parent)
    args = [*path]
    if path[-1] in ("pnl", "plan"):
        args.append(str(EXAMPLE))
    if path[-1] == "sweep":
        args.append(str(EXAMPLE.with_name("grid.toml")))
    args += QUICK.get(path[-1], []) + [option, junk]  # the junk comes last, so it wins
    code = cli.main(args)
    err = capsys.readouterr().err
    # junk that happens to be a valid value runs normally (exit 0); anything else is bad input
    assert code in (0, 2), (args, code, err)
    if code == 2:
        assert err.startswith("hashpower: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
