"""The methodology articles by title: the one lookup every view that cites an article uses (the XLSX report, the
chat summary), so a title is written once, in content/<locale>/sources.yaml, and no file number reaches a person."""

from __future__ import annotations

from analytics.render_format import TextFn


def article_title(t: TextFn, seed: str) -> str:
    """The article's title for its seed file name ("003_d90d5428d633787a.txt" or without ".txt")."""
    return t(f"sources.{seed.removesuffix('.txt')}")
