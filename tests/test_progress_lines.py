"""Long work piped to a file shows progress on stderr: one line every few seconds instead of a bar."""

from __future__ import annotations

import re

from conftest import run_cli


def test_progress_lines_when_stderr_is_not_a_terminal(home):
    # a zero interval prints a line at every step of the run (stderr is a pipe here)
    r = run_cli("simulate", "--preset", "baseline", "--paths", "400", "--years", "1", home=home,
                env={"HASHPOWER_PROGRESS_SECONDS": "0"})
    assert r.returncode == 0, r.stderr
    lines = [x for x in r.stderr.splitlines() if x.startswith("hashpower: simulate baseline: ")]
    assert lines, r.stderr
    done = [int(re.search(r": ([\d,]+) of 400", x).group(1).replace(",", "")) for x in lines]
    assert done == sorted(done) and done[-1] <= 400
    assert all(re.search(r"\(\d+%\), \d+ s$", x) for x in lines)
    assert "simulate baseline" not in r.stdout  # the table stays clean


def test_no_progress_line_for_a_quick_run_or_json(home):
    r = run_cli("simulate", "--preset", "baseline", "--paths", "50", "--years", "1", home=home)
    assert r.returncode == 0 and "simulate baseline:" not in r.stderr
    r = run_cli("simulate", "--preset", "baseline", "--paths", "400", "--years", "1", "--json", home=home,
                env={"HASHPOWER_PROGRESS_SECONDS": "0"})
    assert r.returncode == 0 and "simulate baseline:" not in r.stderr
