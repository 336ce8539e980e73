"""The audit trail: one registry of event types and an append-only SHA-256 hash chain over `events`.

Each row's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of
{seq, at, type, code, actor, data, prev_hash}. Rows are appended inside BEGIN IMMEDIATE and
`prev_hash` is UNIQUE, so concurrent writers cannot fork the chain. Purging old rows records the
hash of the last purged row in `audit_anchor`, from which the rest still verifies.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bastion.store import Store, StoreError, dumps, now

GENESIS = "0" * 64
log = logging.getLogger("bastion.audit")


@dataclass(frozen=True)
class EventType:
    name: str
    code: str
    summary: str


_TYPES = [
    # Setup and users
    EventType("bastion.init", "B001", "the home folder was initialised"),
    EventType("bastion.started", "B002", "the server started"),
    EventType("bastion.stopped", "B003", "the server stopped"),
    EventType("config.reloaded", "B004", "configuration reloaded"),
    EventType("config.rejected", "B005", "a configuration reload was refused"),
    EventType("user.added", "U001", "a user was enrolled"),
    EventType("user.removed", "U002", "a user was removed"),
    EventType("user.key_added", "U003", "a public key was added to a user"),
    EventType("user.locked", "U004", "a user was locked"),
    EventType("user.unlocked", "U005", "a user was unlocked"),
    EventType("user.totp_reset", "U006", "a user's TOTP secret was replaced"),
    # Authentication
    EventType("auth.success", "A001", "a client authenticated"),
    EventType("auth.refused", "A002", "a client was refused"),
    EventType("mfa.success", "A003", "a TOTP code was accepted"),
    EventType("mfa.failure", "A004", "a TOTP code was refused"),
    EventType("mfa.replay", "A005", "a TOTP code was reused"),
    EventType("mfa.lockout", "A006", "a user was locked after repeated TOTP failures"),
    EventType("cert.consumed", "A007", "a single-use certificate was used"),
    # Requests, grants and certificates
    EventType("request.created", "G001", "an access request was made"),
    EventType("request.approved", "G002", "an access request was approved"),
    EventType("request.denied", "G003", "an access request was denied"),
    EventType("request.expired", "G004", "a pending request expired"),
    EventType("request.refused", "G005", "an access request was refused as invalid"),
    EventType("grant.revoked", "G006", "a grant was revoked"),
    EventType("cert.issued", "G007", "a certificate was issued"),
    EventType("cert.revoked", "G008", "a certificate was revoked"),
    EventType("vendor.issued", "G009", "a single-use vendor certificate was issued"),
    EventType("revocation.requested", "G010", "a revocation was requested"),
    EventType("krl.written", "G011", "a key revocation list was written"),
    # Sessions
    EventType("session.started", "S001", "a proxied session started"),
    EventType("session.ended", "S002", "a proxied session ended"),
    EventType("session.refused", "S003", "a session could not be opened"),
    EventType("session.killed", "S004", "a session was ended by a supervisor or a revocation"),
    EventType("session.interrupted", "S005", "a session was left open by a crash"),
    EventType("session.kill_requested", "S006", "a supervisor asked to end a session"),
    EventType("channel.opened", "S007", "a channel was opened"),
    EventType("channel.refused", "S008", "a channel or forwarding request was refused"),
    EventType("channel.closed", "S009", "a channel was closed"),
    EventType("recording.closed", "S010", "a recording was finished and its digest stored"),
    EventType("recording.failed", "S011", "a recording could not be written"),
    EventType("file.transfer", "S012", "a file operation over sftp or scp"),
    EventType("grant.warning", "S013", "a user was warned that the grant is ending"),
    # Commands
    EventType("command.verdict", "C001", "a command line was judged"),
    EventType("command.held", "C002", "a command is waiting for a supervisor"),
    EventType("command.confirmed", "C003", "a held command was confirmed"),
    EventType("command.rejected", "C004", "a held command was rejected"),
    EventType("command.expired", "C005", "a held command timed out"),
    # Control
    EventType("control.refused", "X001", "a control client was refused"),
    EventType("control.action", "X002", "a supervisor acted through the control API"),
    EventType("audit.purged", "X003", "old audit events were purged"),
]
EVENT_TYPES: dict[str, EventType] = {t.name: t for t in _TYPES}


class UnknownEvent(KeyError):
    """Code asked to record an event type that is not in the registry (a bug, not bad input)."""


def _row_hash(row: dict[str, Any]) -> str:
    body = {k: row[k] for k in ("seq", "at", "type", "code", "actor", "data", "prev_hash")}
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()


def record(store: Store, event: str, actor: str, **data: Any) -> int:
    """Append one event to the chain and return its sequence number.

    `actor` is who caused it ("alice", "local:root", "system"); `data` is any JSON-able detail.
    """
    etype = EVENT_TYPES.get(event)
    if etype is None:
        raise UnknownEvent(event)
    with store.transaction():
        last = store.one("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        if last is None:
            anchor = store.one("SELECT seq, hash FROM audit_anchor WHERE id = 1")
            last = anchor or {"seq": 0, "hash": GENESIS}
        row = {
            "seq": last["seq"] + 1,
            "at": round(now(), 6),
            "type": etype.name,
            "code": etype.code,
            "actor": actor,
            "data": dumps(data),
            "prev_hash": last["hash"],
        }
        row["hash"] = _row_hash(row)
        store.execute(
            "INSERT INTO events(seq, at, type, code, actor, data, prev_hash, hash) "
            "VALUES (:seq, :at, :type, :code, :actor, :data, :prev_hash, :hash)",
            row,
        )
        # Logged once durable: a reader of the log can rely on the row being in the store.
        store.after_commit(lambda: log.info("audit %s %s %s", etype.name, actor, row["data"]))
    return row["seq"]


def record_or_log(store: Store, event: str, actor: str, **data: Any) -> bool:
    """`record`, for events that stand whether or not they are written down (a refusal, a
    channel that closed): when the store fails, the event goes to the log instead, whole, and
    False is returned. Decisions that let someone in use `record`, and fail closed."""
    try:
        record(store, event, actor, **data)
        return True
    except StoreError as exc:
        log.error("not audited (%s): %s %s %s", exc, event, actor, dumps(data))
        return False


@dataclass(frozen=True)
class Verification:
    ok: bool
    rows: int
    head: str
    problem: str = ""
    bad_seq: int | None = None


def verify(store: Store) -> Verification:
    """Walk the chain from the anchor (or genesis); report the first row that does not hold."""
    anchor = store.one("SELECT seq, hash FROM audit_anchor WHERE id = 1")
    expected_seq, prev = (anchor["seq"] + 1, anchor["hash"]) if anchor else (1, GENESIS)
    count = 0
    for row in store.execute("SELECT * FROM events ORDER BY seq"):
        row = dict(row)
        seq = row["seq"]
        if seq != expected_seq:
            return Verification(False, count, prev, f"row {seq}: expected row {expected_seq} "
                                f"(rows missing or inserted)", seq)
        if row["prev_hash"] != prev:
            return Verification(False, count, prev, f"row {seq}: previous hash does not match "
                                f"row {seq - 1} (a row was changed, removed or inserted)", seq)
        if _row_hash(row) != row["hash"]:
            return Verification(False, count, prev, f"row {seq}: contents do not match its hash "
                                f"(the row was altered)", seq)
        prev = row["hash"]
        expected_seq += 1
        count += 1
    return Verification(True, count, prev)


def export(store: Store, since: float | None = None) -> Iterator[dict[str, Any]]:
    """Events in chain order as dicts (data decoded), optionally only those at or after `since`."""
    sql = "SELECT * FROM events"
    params: tuple = ()
    if since is not None:
        sql += " WHERE at >= ?"
        params = (since,)
    for row in store.execute(sql + " ORDER BY seq", params):
        item = dict(row)
        item["data"] = json.loads(item["data"])
        yield item


def recent(store: Store, limit: int = 100, event_type: str | None = None) -> list[dict[str, Any]]:
    """The newest events first, optionally of one type (or type prefix ending in '.')."""
    sql, params = "SELECT * FROM events", []
    if event_type:
        if event_type.endswith("."):
            sql += " WHERE type LIKE ?"
            params.append(event_type + "%")
        else:
            sql += " WHERE type = ?"
            params.append(event_type)
    rows = store.all(sql + " ORDER BY seq DESC LIMIT ?", (*params, limit))
    for row in rows:
        row["data"] = json.loads(row["data"])
    return rows


def purge(store: Store, older_than: float, actor: str) -> int:
    """Delete events before `older_than` (epoch seconds), keeping the rest verifiable via the anchor.

    The chain must verify first: purging is never a way to hide a break. Returns rows deleted.
    """
    check = verify(store)
    if not check.ok:
        raise ValueError(f"audit chain does not verify, nothing purged: {check.problem}")
    with store.transaction():
        last = store.one(
            "SELECT seq, hash FROM events WHERE at < ? ORDER BY seq DESC LIMIT 1", (older_than,)
        )
        if last is None:
            return 0
        # Keep at least one row after the anchor so the head stays visible.
        newest = store.one("SELECT seq FROM events ORDER BY seq DESC LIMIT 1")
        if newest is not None and last["seq"] == newest["seq"]:
            last = store.one("SELECT seq, hash FROM events WHERE seq = ?", (last["seq"] - 1,))
            if last is None:
                return 0
        deleted = store.execute("DELETE FROM events WHERE seq <= ?", (last["seq"],)).rowcount
        store.execute(
            "INSERT INTO audit_anchor(id, seq, hash, purged_at) VALUES (1, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, "
            "purged_at = excluded.purged_at",
            (last["seq"], last["hash"], now()),
        )
        record(store, "audit.purged", actor, rows=deleted, through_seq=last["seq"],
               anchor_hash=last["hash"])
    return deleted
