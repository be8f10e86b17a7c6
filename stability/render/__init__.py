"""Rendering: derivation steps, LaTeX, Markdown, plots and the report."""
