"""One aiosqlite connection, numbered migrations, a single-writer transaction, time conversion helpers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[A-Za-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite gives them the mode of the database file


# --- time: aware UTC datetimes in Python, fixed-width ISO-8601 text in SQLite -----------------------------


def to_db_time(value: datetime) -> str:
    """Fixed width (microseconds, +00:00) so that text comparison in SQL orders like time."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def opt_to_db_time(value: datetime | None) -> str | None:
    return None if value is None else to_db_time(value)


def opt_from_db_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


def opt_to_db_date(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def opt_from_db_date(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


# --- migrations ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read `NNNN_name.sql` files in version order; a duplicate version is a packaging error.
    A file holds plain DDL without BEGIN/COMMIT: `_migrate` wraps each file in its own transaction."""
    found: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise RuntimeError(f"bad migration file name: {path.name}")
        version = int(match.group(1))
        if version in found:
            raise RuntimeError(f"duplicate migration version {version}: {path.name}")
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


# --- files: readable by their owner only -------------------------------------------------------------------


def _private_file(path: Path) -> None:
    """Create `path` (and a missing folder, 0700) readable by its owner only; tighten it and its SQLite side files
    if they exist. An existing folder keeps its mode: it may be shared (the working directory, /var/lib)."""
    try:
        path.parent.mkdir(parents=True, mode=PRIVATE_DIR_MODE)
    except FileExistsError:
        pass
    else:
        path.parent.chmod(PRIVATE_DIR_MODE)  # mkdir's mode passes through the umask
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE_MODE)  # an empty file is an empty database
    try:
        with contextlib.suppress(PermissionError):  # another user's file is not ours to change
            os.fchmod(fd, PRIVATE_FILE_MODE)  # a database created before, 0644
    finally:
        os.close(fd)
    _tighten_side_files(path)


def _tighten_side_files(path: Path) -> None:
    for suffix in _SIDE_FILES:
        with contextlib.suppress(FileNotFoundError, PermissionError):
            path.with_name(path.name + suffix).chmod(PRIVATE_FILE_MODE)


# --- database -----------------------------------------------------------------------------------------------

CHECKPOINT_EVERY = 200  # point writes on the loop between two that go through the thread (see Database)


def _open_on_loop(path: str) -> sqlite3.Connection:
    """The event loop's connection: autocommit, never waits for a lock (busy_timeout 0) and never checkpoints."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        for pragma in ("synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=0", "wal_autocheckpoint=0"):
            conn.execute(f"PRAGMA {pragma}")
    except BaseException:
        conn.close()
        raise
    return conn


def _locked(error: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY: another process holds the lock; the statement is retried in the thread, which waits."""
    return getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY or "locked" in str(error)


class Database:
    """The aiosqlite connection, and a second one on the event loop for the hot path's point statements.

    Writes are serialised by an asyncio lock plus BEGIN IMMEDIATE. Reads from other tasks also wait for an open
    transaction, so nobody sees uncommitted rows (all tasks share this one connection). Reads inside the owning
    task's transaction run directly. So never wait, inside a transaction, on another task that uses the database:
    it would deadlock.

    `fetch_by_key` / `write_by_key` (every update's sender, a checklist tap's run and answer) run on the event
    loop on a second connection: a lookup through an index takes tens of microseconds, while a trip to aiosqlite's
    thread costs two thread switches, which under load were the largest part of a tap (bench/README.md). That
    connection never waits: it does not checkpoint the WAL (every CHECKPOINT_EVERY-th point write goes through the
    thread, whose commit checkpoints), and when another process holds the write lock the statement goes to the
    thread, which waits there.
    """

    def __init__(self, conn: aiosqlite.Connection, on_loop: sqlite3.Connection | None = None) -> None:
        self._conn = conn
        self._on_loop = on_loop  # None for ":memory:", a database of its own per connection
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._depth = 0
        self._point_writes = 0

    @classmethod
    async def open(cls, path: str | Path, migrations_dir: Path = MIGRATIONS_DIR) -> Database:
        target = str(path)
        on_disk = target != ":memory:"
        if on_disk:  # company data inside: nobody but the bot's own user reads it
            await asyncio.to_thread(_private_file, Path(target))
        # isolation_level=None: autocommit; transactions are opened explicitly by `transaction()`.
        conn = await aiosqlite.connect(target, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            if on_disk:  # -wal and -shm exist now; left from an older run they may be 0644
                await asyncio.to_thread(_tighten_side_files, Path(target))
            await conn.execute("PRAGMA synchronous=NORMAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=5000")
            db = cls(conn)
            migrations = await asyncio.to_thread(load_migrations, migrations_dir)
            await db._migrate(migrations)
            if on_disk:
                db._on_loop = _open_on_loop(target)
        except BaseException:
            await conn.close()
            raise
        return db

    async def _migrate(self, migrations: Iterable[Migration]) -> None:
        await self._conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        rows = await self._conn.execute_fetchall("SELECT version FROM schema_migrations")
        applied = {int(row[0]) for row in rows}
        for migration in migrations:
            if migration.version in applied:
                continue
            stamp = to_db_time(datetime.now(UTC))
            # executescript commits anything pending first, so the script carries its own transaction:
            # a failing migration leaves neither its tables nor its version row.
            script = (
                f"BEGIN IMMEDIATE;\n{migration.sql}\n;\n"
                f"INSERT INTO schema_migrations(version, applied_at) VALUES ({migration.version:d}, '{stamp}');\n"
                "COMMIT;"
            )
            try:
                await self._conn.executescript(script)
            except sqlite3.Error:
                if self._conn.in_transaction:
                    await self._conn.rollback()
                raise

    # --- transactions ---

    def _owns_transaction(self) -> bool:
        return self._owner is not None and self._owner is asyncio.current_task()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """One writer at a time. Nested use in the same task becomes a savepoint."""
        if self._owns_transaction():
            self._depth += 1
            name = f"sp{self._depth}"
            await self._conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                await self._conn.execute(f"ROLLBACK TO {name}")
                await self._conn.execute(f"RELEASE {name}")
                raise
            else:
                await self._conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            self._owner = asyncio.current_task()
            try:
                yield
            except BaseException:
                await self._conn.rollback()
                raise
            else:
                try:
                    await self._conn.commit()
                except BaseException:
                    await self._conn.rollback()
                    raise
            finally:
                self._owner = None

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        if self._owns_transaction():
            yield
        else:
            async with self._lock:
                yield

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        """A statement inside the caller's open transaction (the caller must own it)."""
        if not self._owns_transaction():
            raise RuntimeError("execute() outside transaction(); use execute_write() for one statement")
        return await self._conn.execute(sql, params)

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        # A single statement needs no savepoint inside the caller's transaction. Outside one, the connection is in
        # autocommit mode: the statement is its own transaction, atomic and committed when it returns, so it
        # needs only the lock (one trip to the database thread instead of BEGIN, the statement and COMMIT).
        if self._owns_transaction():
            yield
        else:
            async with self._lock:
                yield

    async def execute_write(self, sql: str, params: Params = ()) -> int:
        """One write statement in its own transaction (or the caller's); returns the changed row count."""
        async with self._writing():
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """One statement for many rows, inside the caller's open transaction (the caller must own it)."""
        if not self._owns_transaction():
            raise RuntimeError("executemany() outside transaction()")
        await self._conn.executemany(sql, rows)

    async def insert(self, sql: str, params: Params = ()) -> int:
        """One INSERT in its own transaction (or the caller's); returns the new rowid."""
        async with self._writing():
            cursor = await self._conn.execute(sql, params)
            if cursor.lastrowid is None:
                raise RuntimeError("insert() produced no row id")
            return cursor.lastrowid

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self._reading():
            cursor = await self._conn.execute(sql, params)
            row = await cursor.fetchone()
            await cursor.close()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._reading():
            return list(await self._conn.execute_fetchall(sql, params))

    # --- the hot path's point statements, on the event loop ---

    async def fetch_by_key(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """A few rows found through an index (never a scan): on the loop, from the last committed state."""
        if self._on_loop is None or self._owns_transaction():  # the owner must see its own uncommitted rows
            return await self.fetchall(sql, params)
        try:
            return self._on_loop.execute(sql, params).fetchall()
        except sqlite3.OperationalError as error:
            if not _locked(error):
                raise
        return await self.fetchall(sql, params)

    async def write_by_key(self, sql: str, params: Params = ()) -> int:
        """One write statement touching a few rows through an index, committed when it returns; the changed row
        count. On the loop, except every CHECKPOINT_EVERY-th (its commit in the thread checkpoints the WAL) and
        while another process writes (the thread waits for it, the loop never does)."""
        if self._on_loop is None or self._owns_transaction():
            return await self.execute_write(sql, params)
        async with self._lock:  # no transaction of this process is open while it is held
            self._point_writes += 1
            if self._point_writes % CHECKPOINT_EVERY:
                try:
                    return self._on_loop.execute(sql, params).rowcount
                except sqlite3.OperationalError as error:
                    if not _locked(error):
                        raise
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    async def backup_to(self, path: str | Path) -> None:
        """Online copy of the whole database (SQLite backup API), safe while the bot runs."""
        target_path = Path(path)
        await asyncio.to_thread(_private_file, target_path)
        async with aiosqlite.connect(str(target_path)) as target, self._lock:
            await self._conn.backup(target)

    async def close(self) -> None:
        async with self._lock:
            if self._on_loop is not None:
                self._on_loop.close()
                self._on_loop = None
            await self._conn.close()
