"""``stability report``: the post's comparison, run through the front door and written by the renderer.

>>> callable(build_report)
True
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .analysis import analyze
from .maps import stability_map
from .render.report import build_report as _build_report

__all__ = ["build_report"]


def build_report(
    out_dir: str | Path = "report", *, dim: int = 2, dpi: int = 100, progress: Callable[[str], Any] | None = None
) -> Path:
    """Analyse, verify and draw every case of the report (and its stability maps) into ``out_dir``; returns
    ``index.md``'s path."""
    return _build_report(out_dir, analyze=analyze, stability_map=stability_map, dim=dim, dpi=dpi, progress=progress)
