"""Training modules: progress and assignments."""

from __future__ import annotations

from storage.db import Database


class TrainingRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
