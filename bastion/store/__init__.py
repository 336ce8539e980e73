"""The store: one SQLite database (WAL, busy timeout) and the one place its schema is defined.

Schema versions: `SCHEMA` is the whole current schema, which a new database gets, and
`meta.schema_version` says which version a database has. Opening an older database upgrades it
with the steps in `MIGRATIONS` (version N-1 to N), in one transaction with the new version
number, after a copy of the old file is kept beside it (`bastion.db.vN-backup`). A database newer
than this code is refused rather than used. A change to `SCHEMA` therefore comes with a higher
`SCHEMA_VERSION` and its step here (tests/test_store.py checks that an upgraded database and a
new one have the same schema).

The seam: `Backend` is everything the domain and audit modules use of a store (statements,
transactions, counters, the audit-head lock, the lock timeout, change notification); `Store`, the
SQLite database, implements it, and a PostgreSQL backend (the cluster: docs/ARCHITECTURE.md,
"The store") is to implement it too. Domain modules (grants, mfa, audit, sessions, users) take a
`Backend` and run their queries through it; every multi-step change goes through
`transaction()`, and every "only once" decision (a TOTP step, a single-use certificate, a serial)
is one conditional statement whose row count is checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from bastion.errors import BastionError

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 5000

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created REAL NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    lock_reason TEXT,
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS keys (
    fingerprint TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    public_key TEXT NOT NULL,
    added REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mfa (
    user TEXT PRIMARY KEY REFERENCES users(name),
    secret BLOB NOT NULL,
    last_step INTEGER NOT NULL DEFAULT -1,
    enrolled REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mfa_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mfa_failures_user ON mfa_failures(user, at);
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    target TEXT NOT NULL,
    login TEXT NOT NULL,
    ticket TEXT NOT NULL,
    reason TEXT NOT NULL,
    duration REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
    created REAL NOT NULL,
    expires REAL NOT NULL,
    decided_by TEXT,
    decided_at REAL,
    decision_reason TEXT
);
CREATE TABLE IF NOT EXISTS grants (
    id TEXT PRIMARY KEY,
    request_id TEXT,
    user TEXT NOT NULL,
    target TEXT NOT NULL,
    login TEXT NOT NULL,
    ticket TEXT NOT NULL,
    starts REAL NOT NULL,
    ends REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT 'request',
    revoked INTEGER NOT NULL DEFAULT 0,
    revoked_at REAL,
    revoked_by TEXT,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS grants_lookup ON grants(user, target, login);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE TABLE IF NOT EXISTS certificates (
    serial INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'vendor', 'target', 'host')),
    key_id TEXT NOT NULL,
    principals TEXT NOT NULL,
    valid_after INTEGER NOT NULL,
    valid_before INTEGER NOT NULL,
    user TEXT,
    grant_id TEXT,
    ticket TEXT,
    session_id TEXT,
    subject_fingerprint TEXT,
    single_use INTEGER NOT NULL DEFAULT 0,
    use_count INTEGER NOT NULL DEFAULT 0,
    issued REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    revoked_at REAL,
    revoked_reason TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    target TEXT NOT NULL,
    login TEXT NOT NULL,
    ticket TEXT NOT NULL,
    grant_id TEXT,
    serial INTEGER,
    client_addr TEXT,
    state TEXT NOT NULL CHECK (state IN ('active', 'ended', 'killed', 'interrupted', 'failed')),
    started REAL NOT NULL,
    ended REAL,
    end_reason TEXT,
    kill_requested REAL,
    kill_reason TEXT);
CREATE INDEX IF NOT EXISTS sessions_state ON sessions(state);
CREATE TABLE IF NOT EXISTS recordings (
    path TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    kind TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    sha256 TEXT,
    running_offset INTEGER,
    running_sha256 TEXT
);
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    at REAL NOT NULL,
    line TEXT NOT NULL,
    verdict TEXT NOT NULL,
    rule TEXT,
    message TEXT
);
CREATE TABLE IF NOT EXISTS held (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    user TEXT NOT NULL,
    command TEXT NOT NULL,
    rule TEXT,
    since REAL NOT NULL,
    deadline REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'rejected', 'expired', 'cancelled')),
    decided_by TEXT,
    decided_at REAL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS held_state ON held(state);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    type TEXT NOT NULL,
    code TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    purged_at REAL NOT NULL
);
"""
# Version 3: every grant a certificate covers (a `cert TICKET` certificate covers each live grant
# of the ticket; `certificates.grant_id` holds one of them), so that revoking any one of them
# revokes the certificate; and the index that counts a person's recent certificates.
_V3 = (
    """CREATE TABLE IF NOT EXISTS certificate_grants (
    serial INTEGER NOT NULL,
    grant_id TEXT NOT NULL,
    PRIMARY KEY (serial, grant_id)
)""",
    "CREATE INDEX IF NOT EXISTS certificate_grants_grant ON certificate_grants(grant_id)",
    "CREATE INDEX IF NOT EXISTS certificates_user ON certificates(user, issued)",
)
SCHEMA += "".join(f"{statement};\n" for statement in _V3)
# Version 4: the `recordings` table is the one list of a session's recordings (sessions.recordings,
# a JSON copy of its file names, is gone: `sessions` reads the table, by this index). The sessions
# table above ends in "kill_reason TEXT)" because that is how SQLite leaves it after dropping the
# column, and an upgraded database must have the same schema as a new one.
_V4 = ("CREATE INDEX IF NOT EXISTS recordings_session ON recordings(session_id)",)
SCHEMA += "".join(f"{statement};\n" for statement in _V4)

# MIGRATIONS[n]: the statements that take a version n-1 database to version n.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # The server polls live sessions, pending requests and pending held commands twice a
    # second; without these, each poll read every row ever written.
    2: ("CREATE INDEX IF NOT EXISTS sessions_state ON sessions(state)",
        "CREATE INDEX IF NOT EXISTS requests_state ON requests(state)",
        "CREATE INDEX IF NOT EXISTS held_state ON held(state)"),
    # Certificates issued before version 3 name every grant they cover in their key id
    # (`grant=g1,g2`); the recorded grant_id is one of them. Both go into certificate_grants.
    3: (*_V3,
        "INSERT OR IGNORE INTO certificate_grants(serial, grant_id) "
        "SELECT serial, grant_id FROM certificates WHERE grant_id IS NOT NULL",
        "WITH RECURSIVE listed(serial, rest) AS ("
        " SELECT serial, substr(key_id, instr(key_id, ' grant=') + 7) || ' ' FROM certificates"
        " WHERE instr(key_id, ' grant=') > 0),"
        " split(serial, grant_id, rest) AS ("
        " SELECT serial, '', substr(rest, 1, instr(rest, ' ') - 1) || ',' FROM listed"
        " UNION ALL SELECT serial, substr(rest, 1, instr(rest, ',') - 1),"
        " substr(rest, instr(rest, ',') + 1) FROM split WHERE rest != '')"
        " INSERT OR IGNORE INTO certificate_grants(serial, grant_id)"
        " SELECT serial, grant_id FROM split WHERE grant_id != ''"),
    # Every name in sessions.recordings has its row in `recordings` (both were written in one
    # transaction since the first release), except the recordings retention purged: their rows
    # and files are gone, and only the stale copy of the name is dropped here.
    4: ("ALTER TABLE sessions DROP COLUMN recordings", *_V4),
}


STORE_BUSY = "the bastion's database is busy; try again in a moment"


class StoreError(BastionError):
    """The store cannot be used (missing, locked beyond the busy timeout, unwritable)."""


class Rows(Protocol):
    """What `Backend.execute` returns: the rows a statement read, and how many it changed."""

    rowcount: int

    def __iter__(self) -> Iterator[Any]: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


@runtime_checkable
class Backend(Protocol):
    """A store as the domain and audit modules use it. Statements use `?` placeholders (or
    `:name` with a dict) and the SQL that SQLite and PostgreSQL share; a backend translates what
    it must. Any failure of the database is a StoreError, which callers fail closed on."""

    def transaction(self) -> contextlib.AbstractContextManager[Any]:
        """All statements inside are one atomic change, holding the write lock from the start
        (no two writers interleave); nested calls join the outer one; an exception rolls back."""
        ...

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` once the current transaction commits (at once outside one), never on
        rollback."""
        ...

    def execute(self, sql: str, params: tuple | dict = ()) -> Rows:
        """Run one statement."""
        ...

    def one(self, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
        """The first row a query reads, as a dict; None when there is none."""
        ...

    def all(self, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
        """Every row a query reads, as dicts."""
        ...

    def next_value(self, name: str) -> int:
        """Counters: the next value of the counter `name` (1, 2, 3...), never handed out twice,
        by any process or node."""
        ...

    def next_id(self, prefix: str) -> str:
        """Ids as users see them: `prefix` and the next value of its counter (r17, g3, s9, h2)."""
        ...

    def next_serial(self) -> int:
        """A certificate serial, unique across every CA of this bastion, never 0."""
        ...

    def lock_audit_head(self) -> None:
        """Inside a transaction: hold the head of the audit chain until it ends, so that no other
        writer appends between reading the last row and writing the next (audit.record)."""
        ...

    def set_lock_timeout(self, seconds: float) -> None:
        """How long a statement waits for a lock another writer holds before it fails with
        StoreError."""
        ...

    def changes(self) -> object:
        """Change notification: a token that compares unequal to an earlier one once anything
        was committed since (by any process, this one included). Equal tokens: nothing changed."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


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


def now() -> float:
    return time.time()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
