import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from storage.db import (
    MIGRATIONS_DIR,
    Database,
    from_db_time,
    load_migrations,
    opt_from_db_date,
    opt_to_db_date,
    to_db_time,
)


async def _scalar(db: Database, sql: str) -> object:
    row = await db.fetchone(sql)
    assert row is not None
    return row[0]


async def test_open_creates_folder_sets_pragmas_and_applies_migrations(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.sqlite3"
    db = await Database.open(path)
    try:
        assert path.exists()
        assert await _scalar(db, "PRAGMA journal_mode") == "wal"
        assert await _scalar(db, "PRAGMA foreign_keys") == 1
        assert await _scalar(db, "PRAGMA busy_timeout") == 5000
        assert await _scalar(db, "PRAGMA synchronous") == 1  # NORMAL
        versions = [r["version"] for r in await db.fetchall("SELECT version FROM schema_migrations")]
        shipped = sorted(int(f.name[:4]) for f in MIGRATIONS_DIR.glob("*.sql"))
        assert versions == shipped and versions[:6] == [1, 2, 3, 4, 5, 6]
        tables = {r["name"] for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")}
        expected = {
            "users", "teams", "memberships", "invites", "checklist_runs", "checklist_answers", "tasks",
            "fsm_states", "send_failures", "metric_snapshots", "column_mappings", "manager_plans", "snapshot_reports",
            "uploads_in_progress",
        }  # fmt: skip
        assert expected <= tables
    finally:
        await db.close()


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    first = [tuple(r) for r in await db.fetchall("SELECT version, applied_at FROM schema_migrations")]
    await db.close()
    db = await Database.open(path)
    try:
        again = [tuple(r) for r in await db.fetchall("SELECT version, applied_at FROM schema_migrations")]
        assert again == first
    finally:
        await db.close()


async def test_memory_database_works() -> None:
    db = await Database.open(":memory:")
    try:
        assert await _scalar(db, "SELECT COUNT(*) FROM schema_migrations") == len(list(MIGRATIONS_DIR.glob("*.sql")))
    finally:
        await db.close()


def _write(folder: Path, name: str, sql: str) -> None:
    (folder / name).write_text(sql, encoding="utf-8")


async def test_failing_migration_leaves_no_trace_and_later_fix_applies(tmp_path: Path) -> None:
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    _write(migrations, "0001_a.sql", "CREATE TABLE a (x INTEGER);")
    _write(migrations, "0002_b.sql", "CREATE TABLE b (x INTEGER);\nINSERT INTO missing_table VALUES (1);")
    path = tmp_path / "bot.sqlite3"
    with pytest.raises(sqlite3.OperationalError):
        await Database.open(path, migrations_dir=migrations)

    _write(migrations, "0002_b.sql", "CREATE TABLE b (x INTEGER);")
    db = await Database.open(path, migrations_dir=migrations)
    try:
        versions = [r["version"] for r in await db.fetchall("SELECT version FROM schema_migrations")]
        assert versions == [1, 2]
        assert await _scalar(db, "SELECT COUNT(*) FROM b") == 0
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("names", "message"),
    [(["0001_a.sql", "0001_b.sql"], "duplicate"), (["1_a.sql"], "bad migration file name")],
)
def test_migration_files_are_checked(tmp_path: Path, names: list[str], message: str) -> None:
    for name in names:
        _write(tmp_path, name, "SELECT 1;")
    with pytest.raises(RuntimeError, match=message):
        load_migrations(tmp_path)


def test_shipped_migrations_are_numbered_without_gaps() -> None:
    versions = [m.version for m in load_migrations(MIGRATIONS_DIR)]
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 6


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite3")
    yield database
    await database.close()


async def _failure_count(db: Database) -> object:
    return await _scalar(db, "SELECT COUNT(*) FROM send_failures")


_INSERT = "INSERT INTO send_failures(chat_id, method, error, created_at) VALUES (?, 'm', 'e', 't')"


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(ZeroDivisionError):
        async with db.transaction():
            await db.execute(_INSERT, (1,))
            _ = 1 / 0
    assert await _failure_count(db) == 0


async def test_nested_transaction_is_a_savepoint(db: Database) -> None:
    async with db.transaction():
        await db.execute(_INSERT, (1,))
        with pytest.raises(KeyError):
            async with db.transaction():
                await db.execute(_INSERT, (2,))
                raise KeyError("inner")
        await db.execute(_INSERT, (3,))
    rows = await db.fetchall("SELECT chat_id FROM send_failures ORDER BY chat_id")
    assert [r["chat_id"] for r in rows] == [1, 3]


async def test_execute_requires_an_open_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError):
        await db.execute(_INSERT, (1,))


async def test_single_writes_return_rowid_and_rowcount(db: Database) -> None:
    first = await db.insert(_INSERT, (10,))
    second = await db.insert(_INSERT, (20,))
    assert second == first + 1
    assert await db.execute_write("UPDATE send_failures SET method = 'x'") == 2


async def test_other_tasks_do_not_see_uncommitted_rows(db: Database) -> None:
    inserted = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        async with db.transaction():
            await db.execute(_INSERT, (7,))
            inserted.set()
            await release.wait()

    writing = asyncio.create_task(writer())
    await inserted.wait()
    reading = asyncio.create_task(_failure_count(db))
    await asyncio.sleep(0.02)
    assert not reading.done()  # the reader waits for the writer instead of reading its open transaction
    release.set()
    await writing
    assert await reading == 1


async def test_backup_copies_the_database(db: Database, tmp_path: Path) -> None:
    await db.insert(_INSERT, (42,))
    target = tmp_path / "backups" / "copy.sqlite3"
    await db.backup_to(target)
    copy = await Database.open(target)
    try:
        row = await copy.fetchone("SELECT chat_id FROM send_failures")
        assert row is not None and row["chat_id"] == 42
    finally:
        await copy.close()


def test_times_are_stored_as_fixed_width_utc_text() -> None:
    moscow = timezone(timedelta(hours=3))
    assert to_db_time(datetime(2024, 3, 1, 12, 0, tzinfo=moscow)) == "2024-03-01T09:00:00.000000+00:00"
    back = from_db_time("2024-03-01T09:00:00.000000+00:00")
    assert back == datetime(2024, 3, 1, 9, tzinfo=UTC)
    assert back.utcoffset() == timedelta(0)
    # text order equals time order, microseconds or not
    early, late = datetime(2024, 1, 1, 10, tzinfo=UTC), datetime(2024, 1, 1, 10, 0, 0, 5, tzinfo=UTC)
    assert to_db_time(early) < to_db_time(late)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        to_db_time(datetime(2024, 1, 1))


def test_dates_round_trip() -> None:
    assert opt_to_db_date(date(2024, 2, 29)) == "2024-02-29"
    assert opt_from_db_date("2024-02-29") == date(2024, 2, 29)
    assert opt_to_db_date(None) is None and opt_from_db_date(None) is None
