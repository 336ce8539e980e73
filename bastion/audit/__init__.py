"""The audit trail: one registry of event types and an append-only SHA-256 hash chain over `events`.

Each row's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of
{seq, at, type, code, actor, data, prev_hash}. Rows are appended inside BEGIN IMMEDIATE and
`prev_hash` is UNIQUE, so concurrent writers cannot fork the chain. Purging old rows records the
hash of the last purged row in `audit_anchor`, from which the rest still verifies.

The parts, one module each:
- audit/events.py: the registry (every event type, its code and fields) and docs/AUDIT.md,
  generated from it by `schema_markdown`;
- audit/chain.py: `record` (fails closed) and `record_or_log` (falls back to the log),
  `verify`, `recent`, `purge`, and the node name every event carries;
- audit/ecs.py: `export` and `exported`, the events with Elastic Common Schema fields for a SIEM;
- audit/heads.py: chain heads sent to syslog (`configure_syslog`) and checked against the chain
  (`check_heads`), so a database rewritten end to end is still caught.

This module re-exports their public names: callers write `audit.record(store, ...)`.
"""

from bastion.audit.chain import (
    GENESIS,
    Verification,
    configure,
    node_name,
    purge,
    recent,
    record,
    record_or_log,
    verify,
)
from bastion.audit.ecs import ECS_CATEGORIES, export, exported, iso_time
from bastion.audit.events import (
    AUTOMATIC_FIELDS,
    EVENT_TYPES,
    FIELDS,
    EventType,
    UnknownEvent,
    log,
    schema_markdown,
)
from bastion.audit.heads import HEAD_PATTERN, SYSLOG_FACILITY, HeadCheck, check_heads, configure_syslog

__all__ = [
    "AUTOMATIC_FIELDS",
    "ECS_CATEGORIES",
    "EVENT_TYPES",
    "FIELDS",
    "GENESIS",
    "HEAD_PATTERN",
    "SYSLOG_FACILITY",
    "EventType",
    "HeadCheck",
    "UnknownEvent",
    "Verification",
    "check_heads",
    "configure",
    "configure_syslog",
    "export",
    "exported",
    "iso_time",
    "log",
    "node_name",
    "purge",
    "recent",
    "record",
    "record_or_log",
    "schema_markdown",
    "verify",
]
