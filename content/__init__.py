"""Texts and methodology as YAML, validated at start (see content/loader.py)."""

from content.loader import Content, ContentError, load_content

__all__ = ["Content", "ContentError", "load_content"]
