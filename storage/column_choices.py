"""Column choices the head confirmed for a CRM export layout, so the next export like it is not asked about."""

from __future__ import annotations

import json
from datetime import datetime

from domain.access import Permission
from storage.access import require_in_team
from storage.db import Database, to_db_time


class ColumnChoiceRepo:
    """Keyed by a signature of the export's headers (analytics.schema.Recognition.header_signature)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, actor_id: int, team_id: int, signature: str) -> dict[str, str] | None:
        await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
        row = await self._db.fetchone(
            "SELECT mapping_json FROM column_mappings WHERE team_id = ? AND header_signature = ?",
            (team_id, signature),
        )
        return None if row is None else _choices(row["mapping_json"])

    async def for_team(self, actor_id: int, team_id: int) -> dict[str, dict[str, str]]:
        """Every remembered layout of the team, by header signature: the engine picks the one of a file itself."""
        await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
        rows = await self._db.fetchall(
            "SELECT header_signature, mapping_json FROM column_mappings WHERE team_id = ?", (team_id,)
        )
        return {row["header_signature"]: _choices(row["mapping_json"]) for row in rows}

    async def save(self, actor_id: int, team_id: int, signature: str, mapping: dict[str, str], now: datetime) -> None:
        payload = json.dumps(mapping, ensure_ascii=False, sort_keys=True)
        async with self._db.transaction():
            await require_in_team(self._db, actor_id, team_id, Permission.UPLOAD_EXPORT)
            await self._db.execute(
                "INSERT INTO column_mappings(team_id, header_signature, mapping_json, updated_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(team_id, header_signature) DO UPDATE SET "
                " mapping_json = excluded.mapping_json, updated_at = excluded.updated_at",
                (team_id, signature, payload, to_db_time(now)),
            )


def _choices(payload: str) -> dict[str, str]:
    """{field: header}; an empty header means "the export has no such column"."""
    return {str(k): str(v) for k, v in json.loads(payload).items()}
