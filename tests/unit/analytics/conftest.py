"""Shared paths for the analytics tests: the per-CRM fixtures and the real exports kept next to the repo."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "exports"
SHARED_EXPORTS = REPO.parent / "shared" / "exports"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def excel_manual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """excel_manual.xlsx, written by tests/fixtures/exports/make_xlsx.py (no binary in the repository)."""
    spec = importlib.util.spec_from_file_location("make_xlsx", FIXTURES / "make_xlsx.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    write: Callable[[Path], Path] = module.write_manual_xlsx
    return write(tmp_path_factory.mktemp("xlsx") / "excel_manual.xlsx")


@pytest.fixture(scope="session")
def shared_export() -> Callable[[str], Path]:
    """A real export from ../shared/exports, or a clean skip when that folder is not there."""

    def find(name: str) -> Path:
        path = SHARED_EXPORTS / name
        if not path.is_file():
            pytest.skip(f"real export {name} not available at {SHARED_EXPORTS}")
        return path

    return find
