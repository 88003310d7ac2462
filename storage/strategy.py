"""Strategy sessions and milestones."""

from __future__ import annotations

from storage.db import Database


class StrategyRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
