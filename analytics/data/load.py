"""A tiny cached loader for the YAML data files of this package.

Files are read on first use (never at import) and kept per process; callers treat the result as read-only.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml


@lru_cache(maxsize=16)
def load_data(name: str) -> Any:
    """The parsed content of analytics/data/<name> (e.g. "columns.yaml")."""
    text = resources.files("analytics.data").joinpath(name).read_text(encoding="utf-8")
    return yaml.safe_load(text)
