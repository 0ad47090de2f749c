"""The example notebooks run, top to bottom, on the embedded data, in the venv's own kernel.

Each notebook of ``examples/`` is executed with nbclient in the ``python3`` kernel that ipykernel's wheel
installs under the venv (``share/jupyter/kernels``), with ``$HASHPOWER_HOME`` pointing at a private copy
of the test store, and fails on the first cell that raises. The notebooks are committed without outputs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest
from conftest import digest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NOTEBOOKS = sorted(p.stem for p in EXAMPLES.glob("*.ipynb"))
#: Longest a cell may take [s]: the slowest cell runs in about 1 s with the engine's kernel cached, and a cold
#: compile of that kernel (numba) adds about 7 s on this project's 2-core machines; the rest is margin.
CELL_TIMEOUT_S = 300
#: Longest a whole notebook may take [s]: "well under a minute" (about 3 s each here, warm).
NOTEBOOK_BUDGET_S = 60


def test_there_is_one_notebook_per_kind_of_user():
    assert NOTEBOOKS == ["analyst", "operator", "researcher"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebooks_are_valid_and_committed_without_outputs(name):
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.cells[0].cell_type == "markdown"  # each opens by saying what it is for


def test_the_python3_kernel_is_the_venvs():
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    assert Path(spec.resource_dir).resolve().is_relative_to(Path(sys.prefix).resolve())
    assert spec.argv[0] == "python"  # jupyter_client runs it with this interpreter, sys.executable


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_on_the_embedded_data(name, home):
    from nbclient import NotebookClient
    from nbformat.v4 import new_code_cell

    before = digest(home)
    nb = nbformat.read(EXAMPLES / f"{name}.ipynb", as_version=4)
    # a last cell that says which interpreter and which store the notebook ran on
    nb.cells.append(new_code_cell("import os, sys\nprint(sys.prefix)\nprint(os.environ['HASHPOWER_HOME'])"))
    t0 = time.monotonic()
    NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    elapsed = time.monotonic() - t0
    prefix, store_home = nb.cells[-1].outputs[0]["text"].split()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(store_home) == home
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    assert elapsed < NOTEBOOK_BUDGET_S, f"{name} took {elapsed:.0f} s"
    assert digest(home) == before  # reading only: the store is unchanged
