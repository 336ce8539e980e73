"""The store: the Backend protocol the domain and audit modules use, and its SQLite implementation.

The seam: `Backend` (store/backend.py) is everything the domain and audit modules use of a
store (statements, transactions, counters, the audit-head lock, the lock timeout, change
notification); `Store` (store/sqlite.py), the SQLite database, implements it, and a PostgreSQL
backend (the cluster: docs/ARCHITECTURE.md, "The store") is to implement it too. Domain modules
(grants, mfa, audit, sessions, users) take a `Backend` and run their queries through it; every
multi-step change goes through `transaction()`, and every "only once" decision (a TOTP step, a
single-use certificate, a serial) is one conditional statement whose row count is checked.

The schema and its migrations are store/schema.py. This module re-exports the names callers
use: `from bastion.store import Backend, Store, StoreError, now`.
"""

from bastion.store.backend import STORE_BUSY, Backend, Rows, StoreError, dumps, now
from bastion.store.schema import MIGRATIONS, SCHEMA, SCHEMA_VERSION
from bastion.store.sqlite import BUSY_TIMEOUT_MS, Store

__all__ = [
    "BUSY_TIMEOUT_MS",
    "MIGRATIONS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "STORE_BUSY",
    "Backend",
    "Rows",
    "Store",
    "StoreError",
    "dumps",
    "now",
]
