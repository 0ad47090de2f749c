"""The command line: the contract's JSON keys, and bad input -> one line on stderr, exit 2."""

from __future__ import annotations

import json

import pytest
from conftest import digest, run_cli


def test_brief_prints_the_latest_day(home):
    r = run_cli("brief", "--no-scenarios", home=home)
    assert r.returncode == 0, r.stderr
    assert "2026-10-07" in r.stdout and "EH/s" in r.stdout and "per PH/s per day" in r.stdout


def test_brief_json_on_a_date(home):
    r = run_cli("brief", "--date", "2026-02-01", "--no-scenarios", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["date"] == "2026-02-01"
    assert out["hashprice"]["difficulty"] / 1e12 == pytest.approx(141.67, abs=0.01)
    # the day's own price ($76,9xx) and fees; hashprice near the reported $34/PH/day
    assert 30 < out["hashprice"]["usd_per_ph_day"] < 40


def test_data_status_json_contract(home):
    r = run_cli("data", "status", "--json", home=home)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {"rows", "first_date", "last_date", "sources"} <= set(out)
    assert out["rows"] >= 6300 and out["first_date"] == "2009-01-03" and out["last_date"] == "2026-10-07"
    assert out["sources"][0]["name"] == "embedded" and out["sources"][0]["refreshed_at"]


def test_data_import_json(home, tmp_path):
    f = tmp_path / "fix.csv"
    f.write_text("date,price_usd\n2026-01-02,90000\n")
    r = run_cli("data", "import", str(f), "--json", home=home)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows_changed"] == 1


def test_help_lists_the_commands(home):
    r = run_cli("--help", home=home)
    assert r.returncode == 0
    assert "brief" in r.stdout and "data" in r.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("frobnicate",),
        ("brief", "--colour"),
        ("brief", "--date", "2031-01-01"),
        ("brief", "--date", "1999-01-01"),
        ("brief", "--date", "not-a-date"),
        ("brief", "--date", ""),
        ("data", "refresh", "--source", "nowhere"),
        ("data", "refresh", "--timeout", "-1"),
        ("data", "import", "/nonexistent/file.csv"),
        ("data", "import"),
        ("data", "status", "--date"),
    ],
)
def test_bad_input_exits_2_with_one_line(home, args):
    before = digest(home)
    r = run_cli(*args, home=home)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("hashpower: error: ")
    assert "Traceback" not in r.stderr
    assert digest(home) == before


@pytest.mark.parametrize(
    "content",
    [
        "date,price_usd\n2026-02-30,1\n",
        "date;price_usd\n2026-01-02;1\n",
        "date,price_usd\n2026-01-02,-1\n",
        "\x00\x01\x02",
        "",
    ],
)
def test_malformed_csv_exits_2(home, tmp_path, content):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    before = digest(home)
    r = run_cli("data", "import", str(f), home=home)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert digest(home) == before


def test_directory_instead_of_file(home, tmp_path):
    r = run_cli("data", "import", str(tmp_path), home=home)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr


def test_messages_speak_the_clis_words(home, tmp_path):
    """Errors name the flag or the file column and the range with its unit, never the code's own names."""
    from conftest import run_cli

    bad = tmp_path / "bad.csv"
    bad.write_text("date,price_usd\n2026-06-01,-1\n")
    cases = [
        (("data", "import", str(bad)), ("column price_usd is -1", "[0, 1e+08] USD/BTC"), ("np.float64",)),
        (("hashprice", "--hashrate", "1000"), ("write it with its unit", "EH/s"), ("default_unit",)),
        (("hashprice", "--date", "2009-01-03"), ("--price", "2010-07-18"), ("price_usd",)),
        (("simulate", "--preset", "baseline", "--set", "pue=0.5", "--paths", "10", "--years", "1"),
         ("pue must be a number in [1, 3], got 0.5",), ("] -",)),
    ]
    for args, wanted, unwanted in cases:
        r = run_cli(*args, home=home)
        assert r.returncode == 2 and r.stderr.count("\n") == 1, (args, r.stderr)
        for w in wanted:
            assert w in r.stderr, (args, r.stderr)
        for u in unwanted:
            assert u not in r.stderr, (args, r.stderr)


def test_every_option_says_its_default():
    """--help gives every default: shown by click, or written in the option's help."""
    import click

    from hashpower.cli import cli

    #: Options with nothing to default to: files to write or read, credentials, a free choice of a value.
    no_default = {"--html", "--csv", "--out", "--rpc-user", "--rpc-password", "--rpc-cookie", "--origin", "--hashrate",
                  "--set", "--catalog", "--preset", "--window", "--format", "--prices", "--price-path"}

    def walk(g, prefix=()):
        for n, c in g.commands.items():
            if isinstance(c, click.Group):
                yield from walk(c, (*prefix, n))
            else:
                yield (*prefix, n), c

    missing = []
    for path, c in walk(cli):
        for p in c.params:
            if isinstance(p, click.Option) and not p.is_flag and p.opts[0] not in no_default:
                if not p.show_default and "default" not in (p.help or "").lower():
                    missing.append(f"{' '.join(path)} {p.opts[0]}")
    assert not missing, missing
