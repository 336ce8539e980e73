"""The audit trail: one registry of event types and an append-only SHA-256 hash chain over `events`.

Each row's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of
{seq, at, type, code, actor, data, prev_hash}. Rows are appended inside BEGIN IMMEDIATE and
`prev_hash` is UNIQUE, so concurrent writers cannot fork the chain. Purging old rows records the
hash of the last purged row in `audit_anchor`, from which the rest still verifies.

A copy of the chain head can live outside the database: with `configure_syslog`, every committed
event sends "audit head seq=N hash=H type=T" to syslog, and `check_heads` compares such lines
with the chain, so a database rewritten end to end (every hash recomputed) is still caught.
"""

from __future__ import annotations

import hashlib
import json
import logging
import logging.handlers
import os
import re
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from bastion.config import split_host_port
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
    EventType("recording.purged", "S014", "recordings of sessions past the retention were deleted"),
    # Commands
    EventType("command.verdict", "C001", "a command line was judged"),
    EventType("command.held", "C002", "a command is waiting for a supervisor"),
    EventType("command.confirmed", "C003", "a held command was confirmed"),
    EventType("command.rejected", "C004", "a held command was rejected"),
    EventType("command.expired", "C005", "a held command timed out"),
    EventType("command.unjudged", "C401",
              "the target showed a command line that ran without a verdict; the session was ended"),
    EventType("command.dropped", "C402", "lines typed ahead of a refused line were dropped"),
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
        store.after_commit(lambda: _send_head(row))
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


# ---------------------------------------------------------------- chain heads kept outside the database

HEAD_PATTERN = re.compile(r"\baudit head seq=(\d+) hash=([0-9a-f]{64})\b")
SYSLOG_FACILITY = logging.handlers.SysLogHandler.LOG_AUTHPRIV


def syslog_address(dest: str) -> str | tuple[str, int] | None:
    """What an `audit_syslog` setting names: None for "" (off), the path of a unix datagram
    socket ("/dev/log"), or (host, port) for "udp:HOST:PORT". ValueError for anything else."""
    if dest == "":
        return None
    if dest.startswith("udp:"):
        host, port = split_host_port(dest[4:])
        if port == 0:
            raise ValueError(f"port 0 in {dest!r}")
        return host, port
    if dest.startswith("/"):
        return dest
    raise ValueError(f'expected "" (off), a unix socket path such as "/dev/log", or "udp:HOST:PORT", '
                     f"got {dest!r}")


class _HeadHandler(logging.handlers.SysLogHandler):
    """A SysLogHandler whose sockets never block and whose errors are kept, not printed.

    A syslog daemon that stalls (its /dev/log queue full) makes the send fail at once, so the
    head is dropped instead of the bastion waiting. Only datagram sockets: a partial write on
    a non-blocking stream would garble the lines after it."""

    failure: BaseException | None = None

    def createSocket(self) -> None:
        super().createSocket()
        if not self.unixsocket and self.socket is not None:
            self.socket.setblocking(False)

    def _connect_unixsocket(self, address: Any) -> None:
        # Also how emit() reconnects after the daemon restarted: the new socket must not block either.
        super()._connect_unixsocket(address)
        self.socket.setblocking(False)

    def handleError(self, record: logging.LogRecord) -> None:
        self.failure = sys.exc_info()[1]


class _SyslogHeads:
    def __init__(self, dest: str, address: str | tuple[str, int]) -> None:
        self.dest = dest
        self.failing = False
        self.lock = threading.Lock()
        self.handler = _HeadHandler(address, facility=SYSLOG_FACILITY, socktype=socket.SOCK_DGRAM)
        self.handler.ident = f"bastion[{os.getpid()}]: "

    def send(self, seq: int, digest: str, event: str) -> None:
        record = logging.LogRecord("bastion.audit.head", logging.INFO, __file__, 0,
                                   "audit head seq=%d hash=%s type=%s", (seq, digest, event), None)
        with self.lock:
            self.handler.failure = None
            self.handler.handle(record)
            failure = self.handler.failure
            # Once per outage, not once per event: a dead destination must not flood the log.
            if failure is not None and not self.failing:
                log.error("audit heads are not reaching syslog %s (%s); events are recorded all the "
                          "same, and this is not logged again until it works", self.dest, failure)
            elif failure is None and self.failing:
                log.warning("audit heads reach syslog %s again", self.dest)
            self.failing = failure is not None

    def close(self) -> None:
        self.handler.close()


_heads: _SyslogHeads | None = None


def configure_syslog(dest: str) -> None:
    """Send the chain head to syslog `dest` after each committed event ("" stops sending).

    Per process: whoever loads bastion.toml calls it with `server.audit_syslog` (the CLI when it
    opens a home, the server at start and on every reload). Calling it again with the same
    destination keeps the socket. A host name is resolved here, once, never per event. An
    unreachable or unresolvable destination is logged once and never stops events from being
    recorded. ValueError for a malformed `dest` (bastion.toml has already refused those)."""
    global _heads
    address = syslog_address(dest)
    if _heads is not None and _heads.dest == dest:
        return
    if _heads is not None:
        _heads.close()
        _heads = None
    if address is None:
        return
    if isinstance(address, tuple):
        try:
            info = socket.getaddrinfo(address[0], address[1], type=socket.SOCK_DGRAM)
        except OSError as exc:
            log.error("audit heads are not sent to syslog %s: %s", dest, exc)
            return
        address = info[0][4][0], address[1]
    _heads = _SyslogHeads(dest, address)


def _send_head(row: dict[str, Any]) -> None:
    heads = _heads
    if heads is not None:
        heads.send(row["seq"], row["hash"], row["type"])


@dataclass(frozen=True)
class HeadCheck:
    ok: bool
    checked: int
    before_anchor: int = 0
    problem: str = ""
    line: int | None = None


def check_heads(store: Store, lines: Iterable[str]) -> HeadCheck:
    """Compare the chain heads found in `lines` (syslog lines, as `configure_syslog` sends them)
    with the chain; report the first whose (seq, hash) the database does not hold.

    `checked` heads matched a row (or the anchor); `before_anchor` heads name rows purged before
    the anchor, which cannot be checked any more. No head at all is a failure: the file is not
    evidence of anything. Run `verify` too: this only compares heads, it does not walk the chain."""
    anchor = store.one("SELECT seq, hash FROM audit_anchor WHERE id = 1")
    newest = store.one("SELECT seq FROM events ORDER BY seq DESC LIMIT 1")
    checked = before_anchor = 0
    for number, line in enumerate(lines, 1):
        found = HEAD_PATTERN.search(line)
        if found is None:
            continue
        seq, digest = int(found.group(1)), found.group(2)
        row = store.one("SELECT hash FROM events WHERE seq = ?", (seq,))
        if row is None and anchor is not None and seq == anchor["seq"]:
            row = anchor
        if row is None and anchor is not None and seq < anchor["seq"]:
            before_anchor += 1
            continue
        if row is None:
            head = newest["seq"] if newest else 0
            return HeadCheck(False, checked, before_anchor, f"line {number}: head seq={seq} is not in "
                             f"the chain, whose newest row is {head} (rows were removed)", number)
        if row["hash"] != digest:
            return HeadCheck(False, checked, before_anchor, f"line {number}: head seq={seq} hash="
                             f"{digest[:16]} does not match row {seq}, hash {row['hash'][:16]} "
                             f"(the database was rewritten)", number)
        checked += 1
    if checked + before_anchor == 0:
        return HeadCheck(False, 0, 0, "no audit head lines found")
    return HeadCheck(True, checked, before_anchor)
