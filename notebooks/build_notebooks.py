"""Build the notebooks of this folder from their sources: ``<name>.py`` -> executed ``<name>.ipynb``.

Every notebook here is paired with a jupytext *percent* script, ``<name>.py`` (``# %%`` starts a code
cell, ``# %% [markdown]`` a markdown cell). The script is the source; the ``.ipynb`` is its executed
output, committed with outputs so that it reads well on a code host. To change a notebook:

1. edit ``notebooks/<name>.py`` (in an editor, or in Jupyter with the jupytext extension);
2. run ``python notebooks/build_notebooks.py [<name> ...]`` (no names: every notebook);
3. commit both files.

A new notebook is a new ``<name>.py`` in this folder. ``tests/test_notebooks.py`` checks that every
source has its notebook, with the same cells and executed, and re-executes every notebook.

Each notebook runs in a Jupyter kernel of *this* interpreter (a ``python3`` kernel spec pointing at
``sys.executable`` is put first on ``JUPYTER_PATH`` while it runs), with the working directory
``notebooks/`` and a time limit per cell.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import jupytext
import nbformat
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 120  # seconds per cell
KERNEL = "python3"


def sources() -> dict[str, Path]:
    """The notebook sources of this folder, by name: every ``*.py`` but this script."""
    return {path.stem: path for path in sorted(HERE.glob("*.py")) if path.name != Path(__file__).name}


def build(source: Path) -> float:
    """Read ``source``, execute it, write ``<name>.ipynb`` next to it; return the execution time in seconds."""
    nb = jupytext.read(source)
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: rebuilding does not churn the diff
    old = os.environ.get("JUPYTER_PATH")
    with tempfile.TemporaryDirectory() as tmp:
        write_kernel_spec(Path(tmp) / "kernels" / KERNEL)  # a kernel of sys.executable, found first
        os.environ["JUPYTER_PATH"] = os.pathsep.join([tmp, *filter(None, [old])])
        try:
            start = time.perf_counter()
            NotebookClient(
                nb,
                kernel_name=KERNEL,
                timeout=CELL_TIMEOUT,
                resources={"metadata": {"path": str(HERE)}},
                record_timing=False,
            ).execute()  # raises CellExecutionError (with the traceback) on the first failing cell
            elapsed = time.perf_counter() - start
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH")
            else:
                os.environ["JUPYTER_PATH"] = old
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    jupytext.write(nb, source.with_suffix(".ipynb"))
    return elapsed


def main(argv: list[str]) -> int:
    known = sources()
    wanted = [Path(arg).stem for arg in argv] or list(known)  # names, with or without .py / .ipynb
    unknown = [name for name in wanted if name not in known]
    if unknown:
        print(f"unknown notebook(s) {unknown}; known: {list(known)}", file=sys.stderr)
        return 2
    for name in wanted:
        print(f"building {name}.ipynb from {name}.py ...", flush=True)
        print(f"  executed in {build(known[name]):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
