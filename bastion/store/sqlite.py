"""The SQLite store: HOME/bastion.db in WAL mode, with a busy timeout, the first Backend.

Opening it creates or upgrades the schema (store/schema.py); a transaction holds SQLite's write
lock from its start (BEGIN IMMEDIATE), so no two writers interleave.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bastion.store.backend import StoreError
from bastion.store.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION

BUSY_TIMEOUT_MS = 5000


class Store:
    """An open connection to HOME/bastion.db, at `SCHEMA_VERSION`: the SQLite Backend. Not
    shared between threads."""

    def __init__(self, path: Path, *, create: bool = False,
                 on_migrate: Callable[[Store, int, int], None] | None = None) -> None:
        """Open (with `create`, create) the database, upgrading an older schema first.

        `on_migrate(store, old, new)` runs inside the upgrade's transaction (to audit it); an
        upgrade whose callback fails is not made. StoreError: missing, unreadable, not a
        bastion database, or newer than this code."""
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StoreError(f"{self.path}: no database here (run `bastion init` first)")
        if create and not self.path.exists():
            # Created 0600 from the start: it holds encrypted TOTP secrets and the audit chain.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            self.conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                check_same_thread=False,
            )
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"{self.path}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        self._depth = 0
        self._after_commit: list[Callable[[], None]] = []
        self.upgraded_from: int | None = None  # the schema version this open upgraded, if any
        try:
            self._prepare_schema(create, on_migrate)
        except BaseException:
            self.conn.close()
            raise

    # -- schema versions -------------------------------------------------------------------

    def schema_version(self) -> int | None:
        """The database's schema version; None for a database with no tables yet."""
        try:
            tables = {r[0] for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables:
                return None
            row = None
            if "meta" in tables:
                row = self.conn.execute(
                    "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: {exc}") from None
        try:
            return int(row[0])
        except (TypeError, ValueError):
            raise StoreError(f"{self.path}: not a bastion database (no schema version)") from None

    def _prepare_schema(self, create: bool,
                        on_migrate: Callable[[Store, int, int], None] | None) -> None:
        version = self.schema_version()
        if version is None:
            if not create:
                raise StoreError(f"{self.path}: an empty database (run `bastion init` first)")
            try:
                self.conn.executescript(SCHEMA)
                self.conn.execute("INSERT OR IGNORE INTO meta(key, value) "
                                  "VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
            except sqlite3.Error as exc:
                raise StoreError(f"{self.path}: {exc}") from None
        elif version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}, newer than this bastion "
                             f"knows ({SCHEMA_VERSION}): run the newer bastion, or restore the "
                             "backup made before its upgrade")
        elif version < SCHEMA_VERSION:
            self._migrate(version, on_migrate)

    def _migrate(self, version: int, on_migrate: Callable[[Store, int, int], None] | None) -> None:
        self._backup(self.backup_path(version))
        with self.transaction():
            # Read again under the write lock: another process may have upgraded it meanwhile.
            old = self.schema_version()
            if old is None or old >= SCHEMA_VERSION:
                return
            for step in range(old + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    self.execute(statement)
            self.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                         (str(SCHEMA_VERSION),))
            if on_migrate is not None:
                on_migrate(self, old, SCHEMA_VERSION)
        self.upgraded_from = old

    def backup_path(self, version: int) -> Path:
        """Where the copy made before upgrading from `version` is kept: bastion.db.vN-backup."""
        return self.path.with_name(f"{self.path.name}.v{version}-backup")

    def _backup(self, target: Path) -> None:
        """A consistent copy of the database (SQLite's backup API), private like the original."""
        try:
            fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            os.close(fd)
            os.chmod(target, 0o600)
            copy = sqlite3.connect(str(target))
            try:
                self.conn.backup(copy)
            finally:
                copy.close()
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"{self.path}: cannot keep a copy before upgrading its schema "
                             f"({target}: {exc}); nothing was changed") from None

    def close(self) -> None:
        self.conn.close()

    def set_lock_timeout(self, seconds: float) -> None:
        """How long a statement waits for a lock another process holds before it fails with
        StoreError (BUSY_TIMEOUT_MS until this is called)."""
        self.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")

    def lock_audit_head(self) -> None:
        """Nothing to take: SQLite's `transaction()` holds the database's one write lock from its
        BEGIN IMMEDIATE, so the chain's head cannot move under it (and `prev_hash` is unique
        besides)."""
        if not self._depth:
            raise RuntimeError("lock_audit_head outside a transaction")

    def changes(self) -> tuple[int, int]:
        """(`PRAGMA data_version`, which moves when another connection commits, and this
        connection's own count of changed rows)."""
        row = self.execute("PRAGMA data_version").fetchone()
        return int(row[0]), self.conn.total_changes

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the current transaction commits (now, outside one); never on rollback."""
        if self._depth:
            self._after_commit.append(action)
        else:
            action()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error); nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield self.conn
            finally:
                self._depth -= 1
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(f"store unavailable: {exc}") from None
        self._depth = 1
        try:
            yield self.conn
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise StoreError(f"store write failed: {exc}") from None
        finally:
            self._depth = 0
        actions, self._after_commit = self._after_commit, []
        for action in actions:
            action()

    def _rollback(self) -> None:
        # SQLite rolls back by itself after some errors (SQLITE_FULL, SQLITE_IOERR): then
        # there is nothing left to roll back, and saying ROLLBACK would raise instead.
        self._after_commit.clear()
        if self.conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("ROLLBACK")

    def execute(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        """Run one statement. Any failure of the database (locked, full, corrupt, a constraint
        a concurrent writer broke) is a StoreError, which callers fail closed on; a mistake in
        the statement itself (ProgrammingError) is a bug and stays one."""
        try:
            return self.conn.execute(sql, params)
        except sqlite3.ProgrammingError:
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"store unavailable: {exc}") from None

    def one(self, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
        row = self.execute(sql, params).fetchone()
        return dict(row) if row is not None else None

    def all(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        return [dict(row) for row in self.execute(sql, params).fetchall()]

    def next_value(self, name: str) -> int:
        """Atomically allocate the next value of a named counter (1, 2, 3, ...)."""
        with self.transaction():
            self.execute("INSERT OR IGNORE INTO counters(name, value) VALUES (?, 0)", (name,))
            row = self.execute(
                "UPDATE counters SET value = value + 1 WHERE name = ? RETURNING value", (name,)
            ).fetchone()
        return int(row[0])

    def next_id(self, prefix: str) -> str:
        """Ids as users see them: r17 (requests), g3 (grants), s9 (sessions), h2 (held commands)."""
        return f"{prefix}{self.next_value('id:' + prefix)}"

    def next_serial(self) -> int:
        """A certificate serial, unique across every CA of this bastion, never 0."""
        return self.next_value("serial")
