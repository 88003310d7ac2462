"""Call listening: weekly targets, rotation, call reviews."""

from __future__ import annotations

from storage.db import Database


class CallReviewRepo:
    def __init__(self, db: Database) -> None:
        self._db = db
