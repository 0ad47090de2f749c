"""Every command shown in the README and the docs runs as written, so that they stay true.

A command is taken from a fenced code block (a line starting with ``hashpower `` or ``$ hashpower ``)
or from inline code (`` `hashpower ...` ``). Synopses with placeholders run in their plainest form: the optional
``[...]`` parts left out, ``FLEET.toml``, ``GRID.toml``, ``SITE.toml`` by the examples; what still holds a
placeholder (``DIR``, ``FILE.csv``, ``A | B``) is left out; a bare mention in the text
(`` `hashpower simulate` ``) runs with ``--help`` (the command exists); everything else runs against
the test store from the project's root and must exit 0. The README's Python blocks run too.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Commands that need the network, start a server that runs until stopped, or change the user's store.
NOT_RUN = ("serve", "data refresh", "data rebuild", "data import", "data undo")
#: A token that is a placeholder, not a value (upper-case names, synopsis marks).
PLACEHOLDER = re.compile(r"^(?:[A-Z][A-Z0-9_]*(?:\.[a-z]+)?|[A-Z]+=[A-Z]+|tcp://HOST:PORT|\.\.\.|[-\w]*=?[A-Z]{1,2})$")


def _commands(path: Path) -> list[tuple[str, bool]]:
    """The commands of a page, each with whether it is inline text (True) or a code block (False)."""
    text = path.read_text()
    found: list[tuple[str, bool]] = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.strip().removeprefix("$ ").strip()
            if line.startswith("hashpower "):
                found.append((line.split("  #")[0].split(" # ")[0].strip(), False))
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    for m in re.findall(r"`(hashpower [^`]+)`", text):
        found.append((m.strip(), True))
    for line in re.findall(r"^ {4}(hashpower .+)$", text, flags=re.M):  # indented code
        found.append((line.split("  #")[0].strip(), False))
    return found


def _is_mention(argv: list[str]) -> bool:
    """A command path alone (`hashpower fleet plan`), or with an option named without its value
    (`hashpower machines --tariff`): the text names it, it is not an example to run."""
    import click

    from hashpower.cli import cli

    cmd: click.Command = cli
    rest = list(argv)
    while rest and isinstance(cmd, click.Group) and rest[0] in cmd.commands:
        cmd = cmd.commands[rest.pop(0)]
    if not rest:
        return True
    if not all(a.startswith("--") for a in rest):
        return False
    last = next((p for p in cmd.params if isinstance(p, click.Option) and rest[-1] in p.opts), None)
    return last is not None and not last.is_flag


#: Placeholders of the synopses and the example each stands for.
EXAMPLE_FOR = {"FLEET.toml": "examples/fleet.toml", "GRID.toml": "examples/grid.toml",
               "SITE.toml": "examples/site.toml", "--preset P": "--preset baseline",
               "--preset NAME": "--preset baseline"}


def _instance(cmd: str) -> str:
    """A synopsis as its plainest run: optional ``[...]`` parts left out, placeholders by the examples."""
    while True:
        shorter = re.sub(r"\s*\[[^\[\]]*\]", "", cmd)
        if shorter == cmd:
            break
        cmd = shorter
    for k, v in EXAMPLE_FOR.items():
        cmd = re.sub(rf"(?<![\w/.]){re.escape(k)}(?![\w.])", v, cmd)
    return cmd.strip()


#: Options whose value is a file the command writes (in the test's own folder).
OUTPUT_OPTIONS = {"--csv", "--out", "--html"}


def _runnable(cmd: str, inline: bool) -> list[str] | None:
    synopsis = "[" in cmd
    cmd = _instance(cmd)
    if any(c in cmd for c in "[]|<>{}") or "..." in cmd:
        return None
    try:
        argv = shlex.split(cmd)[1:]
    except ValueError:
        return None
    if not argv or any(PLACEHOLDER.match(a) for a in argv) or argv[0].startswith("-"):
        return None
    for prev, a in zip(["", *argv], argv, strict=False):
        if prev in OUTPUT_OPTIONS or a.startswith("-"):
            continue
        if ("/" in a or re.search(r"\.(csv|toml|json|html)$", a)) and not (ROOT / a).exists():
            return None  # a user's file that is not in the repository, or a list of commands ("status/refresh")
    if inline and not synopsis and _is_mention(argv):
        cmd = [a for a in argv if not a.startswith("-")]
        return [*cmd, "--help"]
    if any(" ".join(argv).startswith(n) for n in NOT_RUN):
        return None
    return argv


CASES = sorted({(p.relative_to(ROOT).as_posix(), " ".join(a)) for p in DOCS for c, inline in _commands(p)
                if (a := _runnable(c, inline)) is not None})


def test_the_docs_show_commands_to_run():
    assert len(CASES) >= 20, CASES
    assert {c.split()[0] for _, c in CASES} >= {"brief", "hashprice", "machines", "network", "index", "security"}


@pytest.mark.parametrize(("doc", "cmd"), CASES, ids=[f"{d}: {c}" for d, c in CASES])
def test_a_documented_command_runs(home, doc, cmd, monkeypatch, tmp_path):
    argv = shlex.split(cmd)
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # the docs' paths are the repository's; outputs land here
    r = subprocess.run([str(Path(sys.executable).parent / "hashpower"), *argv], capture_output=True, text=True,
                       cwd=tmp_path, timeout=600, check=False,
                       env={**__import__("os").environ, "HASHPOWER_HOME": str(home), "COLUMNS": "100"})
    assert r.returncode == 0, f"{doc}: `hashpower {cmd}` exited {r.returncode}: {r.stderr[-800:]}"
    assert "Traceback" not in r.stderr


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)


@pytest.mark.parametrize("k", range(len(_python_blocks())))
def test_the_readmes_python_runs(home, k, tmp_path):
    code = _python_blocks()[k]
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=600,
                       check=False, env={**__import__("os").environ, "HASHPOWER_HOME": str(home)})
    assert r.returncode == 0, r.stderr[-1500:]


assert run_cli  # the fixture module's helper is the same environment as the CLI tests
