"""The Backend protocol: what the domain and audit modules may rely on of a store.

A second backend (PostgreSQL, for the cluster: docs/ARCHITECTURE.md, "The store") implements
`Backend`; every failure of a database is a `StoreError`, on which callers fail closed. `now`
and `dumps` are the clock and the canonical JSON every module writes rows with.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol, runtime_checkable

from bastion.errors import BastionError

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


def now() -> float:
    return time.time()


def dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
