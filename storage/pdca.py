"""PDCA cycles: plan, do, check, act."""

from __future__ import annotations

from storage.db import Database


class PdcaRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
