"""The database and uploaded files are readable by the bot's own user only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.downloads import uploads_root
from storage.db import Database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(folder: Path) -> dict[str, int]:
    return {p.name: _mode(p) for p in folder.iterdir()}


def _as_an_older_version_left_it(folder: Path) -> None:
    (folder / "coach.db-wal").touch()  # a crash leaves the write-ahead log behind
    for p in folder.iterdir():
        p.chmod(0o644)
    folder.chmod(0o755)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual 022: what made the database 0644 in a 0755 folder."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


async def test_new_database_folder_is_0700_and_files_0600(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "data" / "coach.db"
    db = await Database.open(path)
    try:
        await db.execute_write(
            "INSERT INTO send_failures(chat_id, method, error, created_at) VALUES (1, 'm', 'e', 't')"
        )
        assert _mode(path.parent) == 0o700
        assert _mode(path) == 0o600
        side = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(p.exists() for p in side)
        assert [_mode(p) for p in side] == [0o600, 0o600]
    finally:
        await db.close()


async def test_an_old_world_readable_database_is_tightened(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "coach.db"
    db = await Database.open(path)
    await db.close()
    _as_an_older_version_left_it(tmp_path)
    db = await Database.open(path)
    try:
        assert _modes(tmp_path) == {"coach.db": 0o600, "coach.db-wal": 0o600, "coach.db-shm": 0o600}
        assert _mode(tmp_path) == 0o755  # a folder that existed is not ours to change: it may be shared
    finally:
        await db.close()


async def test_backup_is_0600(tmp_path: Path, open_umask: None) -> None:
    db = await Database.open(tmp_path / "coach.db")
    try:
        await db.backup_to(tmp_path / "backups" / "copy.db")
    finally:
        await db.close()
    assert _mode(tmp_path / "backups") == 0o700
    assert _mode(tmp_path / "backups" / "copy.db") == 0o600


def test_uploads_live_next_to_the_database(tmp_path: Path) -> None:
    settings = Settings(bot_token="42:TEST", database_path=tmp_path / "db" / "coach.db")  # type: ignore[arg-type]
    assert uploads_root(settings) == tmp_path / "db" / "uploads" / "coach.db"
    demo = Settings(bot_token="42:TEST", database_path=tmp_path / "db" / "demo.db")  # type: ignore[arg-type]
    assert uploads_root(demo) != uploads_root(settings)  # a start of one never sweeps the other's files
