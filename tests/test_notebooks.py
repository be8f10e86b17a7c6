"""Every notebook in ``notebooks/`` runs top to bottom; its ``assert`` cells check the library's claims.

Each notebook is executed with nbclient in a fresh kernel of *this* interpreter (a ``python3``
kernel spec for ``sys.executable`` is put first on ``JUPYTER_PATH``, so no other installed
``python3`` kernel can be picked up), with the working directory ``notebooks/``, a time limit
per cell and a total budget per notebook. Nothing is written back to the files.

Each notebook is paired with its source, a jupytext percent script ``notebooks/<name>.py``: the
committed ``.ipynb`` must hold the source's cells, executed (with outputs), so that it reads well on
a code host; ``python notebooks/build_notebooks.py <name>`` rebuilds it. Notebooks and sources are
found by glob, so a new notebook is tested as soon as its files are added.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
BUILD_SCRIPT = "build_notebooks.py"
SOURCES = sorted(path for path in NOTEBOOK_DIR.glob("*.py") if path.name != BUILD_SCRIPT)  # percent scripts
KERNEL = "python3"
CELL_TIMEOUT = 120  # seconds, per cell
BUDGET = 300  # seconds, per notebook (kernel start included)


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
    """At least the post's two notebooks, each with its source (more may be added: all are tested)."""
    names = {path.stem for path in NOTEBOOKS} & {path.stem for path in SOURCES}
    assert {"wgan_gp_c0_vs_c1", "post_walkthrough"} <= names


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_built_from_its_source(path):
    """The committed notebook holds its percent source's cells, executed, without errors."""
    source = path.with_suffix(".py")
    assert source in SOURCES, f"{path.name} has no source {source.name}: write it (jupytext --to py:percent)"
    rebuild = f"run python notebooks/{BUILD_SCRIPT} {path.stem}"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    expected = [(cell.cell_type, cell.source) for cell in jupytext.read(source).cells]
    committed = [(cell.cell_type, cell.source) for cell in nb.cells]
    assert committed == expected, f"{path.name} is out of date with {source.name}: {rebuild}"
    assert nb.metadata.kernelspec.name == KERNEL
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code), f"{path.name} was committed unexecuted: {rebuild}"
    assert [cell.execution_count for cell in code] == list(range(1, len(code) + 1)), rebuild
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_source_has_its_notebook(source):
    """Every source is a python3 notebook in percent format, and its notebook is committed next to it."""
    metadata = jupytext.read(source).metadata
    assert metadata.get("jupytext", {}).get("text_representation", {}).get("format_name") == "percent", source.name
    assert metadata.get("kernelspec", {}).get("name") == KERNEL, source.name
    notebook = source.with_suffix(".ipynb")
    assert notebook.exists(), f"{notebook.name} is missing: run python notebooks/{BUILD_SCRIPT} {source.stem}"
