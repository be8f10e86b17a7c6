"""Every notebook in ``notebooks/`` runs top to bottom; its ``assert`` cells check the library's claims.

Each notebook is executed with nbclient in a fresh kernel of *this* interpreter (a ``python3``
kernel spec for ``sys.executable`` is put first on ``JUPYTER_PATH``, so no other installed
``python3`` kernel can be picked up), with the working directory ``notebooks/``, a time limit
per cell and a total budget per notebook. Nothing is written back to the files.

The committed notebooks must also be the ones ``notebooks/build_notebooks.py`` writes (same
cells), and executed (with outputs), so that they read well on a code host.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"
CELL_TIMEOUT = 120  # seconds, per cell
BUDGET = 300  # seconds, per notebook (kernel start included)


def _build_script():
    spec = importlib.util.spec_from_file_location("build_notebooks", NOTEBOOK_DIR / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def this_interpreter_kernel(tmp_path_factory):
    """A ``python3`` kernel spec running ``sys.executable``, first on ``JUPYTER_PATH``."""
    root = tmp_path_factory.mktemp("jupyter")
    write_kernel_spec(root / "kernels" / KERNEL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", os.pathsep.join([str(root), *filter(None, [os.environ.get("JUPYTER_PATH")])]))
        yield KERNEL


def test_the_kernel_is_this_interpreter(this_interpreter_kernel):
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(this_interpreter_kernel)
    assert spec.argv[0] == sys.executable


def test_the_notebooks_are_there():
    names = {path.name for path in NOTEBOOKS}
    assert {"wgan_gp_c0_vs_c1.ipynb", "post_walkthrough.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, this_interpreter_kernel):
    nb = nbformat.read(path, as_version=4)
    deadline = time.monotonic() + BUDGET

    def cell_timeout(cell) -> int:
        return max(1, min(CELL_TIMEOUT, int(deadline - time.monotonic())))

    client = NotebookClient(
        nb,
        kernel_name=this_interpreter_kernel,
        timeout=CELL_TIMEOUT,
        timeout_func=cell_timeout,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
        record_timing=False,
    )
    start = time.monotonic()
    client.execute()  # raises CellExecutionError (with the traceback) on the first failing cell
    elapsed = time.monotonic() - start
    assert elapsed < BUDGET, f"{path.name} took {elapsed:.0f} s (budget {BUDGET} s)"
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors


@pytest.mark.parametrize("name", sorted(_build_script().NOTEBOOKS))
def test_notebook_is_committed_as_built(name):
    """The committed file holds the build script's cells, executed, without errors."""
    path = NOTEBOOK_DIR / name
    assert path.exists(), f"{name} is missing: run python notebooks/build_notebooks.py"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    expected = _build_script().NOTEBOOKS[name]
    committed = [(cell.cell_type, cell.source) for cell in nb.cells]
    assert committed == expected, f"{name} is out of date: run python notebooks/build_notebooks.py {path.stem}"
    assert nb.metadata.kernelspec.name == KERNEL
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), f"{name} was committed without executing it"
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1))
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
