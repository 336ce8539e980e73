"""The audit trail: one registry of event types and an append-only SHA-256 hash chain over `events`.

Each row's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of
{seq, at, type, code, actor, data, prev_hash}. Rows are appended inside BEGIN IMMEDIATE and
`prev_hash` is UNIQUE, so concurrent writers cannot fork the chain. Purging old rows records the
hash of the last purged row in `audit_anchor`, from which the rest still verifies.

Every row's data also names the node that wrote it and, for a session-scoped event, the
session's user, target, login, ticket and client address (`record`), so that an exported event
stands on its own, under the chain. `exported` adds Elastic Common Schema fields for a SIEM
(docs/AUDIT.md, generated from the registry below by `schema_markdown`).

A copy of the chain head can live outside the database: with `configure_syslog`, every committed
event sends "audit head seq=N hash=H type=T" to syslog (and, with `events`, the event as one JSON
line), and `check_heads` compares such lines with the chain, so a database rewritten end to end
(every hash recomputed) is still caught.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import ipaddress
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
from typing import TYPE_CHECKING, Any

from bastion.config import default_node, syslog_address
from bastion.store import Backend, StoreError, dumps, now

if TYPE_CHECKING:
    from bastion.config import Config

GENESIS = "0" * 64
log = logging.getLogger("bastion.audit")


@dataclass(frozen=True)
class EventType:
    """One kind of audit event. `fields` are the keys its `data` may hold (FIELDS says what each
    means); every event also gets `node`, and a session-scoped one (with `session` among its
    fields) gets `access` (see `record`)."""

    name: str
    code: str
    summary: str
    fields: tuple[str, ...] = ()

    @property
    def session_scoped(self) -> bool:
        return "session" in self.fields


def _t(name: str, code: str, summary: str, fields: str = "") -> EventType:
    return EventType(name, code, summary, tuple(fields.split()))


_TYPES = [
    # Setup and users
    _t("bastion.init", "B001", "the home folder was initialised", "created hostname"),
    _t("bastion.started", "B002", "the server started", "listen"),
    _t("bastion.stopped", "B003", "the server stopped", "reason"),
    _t("config.reloaded", "B004", "configuration reloaded"),
    _t("config.rejected", "B005", "a configuration reload was refused", "error"),
    _t("store.migrated", "B101", "the database schema was upgraded (a copy of the old one kept)",
       "old_version new_version backup"),
    _t("user.added", "U001", "a user was enrolled", "user role key"),
    _t("user.removed", "U002", "a user was removed", "user"),
    _t("user.key_added", "U003", "a public key was added to a user", "user key"),
    _t("user.locked", "U004", "a user was locked", "user reason"),
    _t("user.unlocked", "U005", "a user was unlocked", "user"),
    _t("user.totp_reset", "U006", "a user's TOTP secret was replaced", "user"),
    _t("user.role_changed", "U201", "a user's role was changed", "user role was"),
    # Authentication
    _t("auth.success", "A001", "a client authenticated", "client as_name method serial"),
    _t("auth.refused", "A002", "a client was refused", "client reason proven repeated"),
    _t("mfa.success", "A003", "a TOTP code was accepted", "step client"),
    _t("mfa.failure", "A004", "a TOTP code was refused", "reason failures client"),
    _t("mfa.replay", "A005", "a TOTP code was reused", "step client"),
    _t("mfa.lockout", "A006", "a user was locked after repeated TOTP failures", "failures client"),
    _t("cert.consumed", "A007", "a single-use certificate was used", "serial client"),
    _t("connection.ended", "A201",
       "a command or control connection (or its control door) was ended because its user was "
       "locked, removed, or lost the right it needs", "client reason door"),
    # Requests, grants and certificates
    _t("request.created", "G001", "an access request was made",
       "request target login ticket duration reason client"),
    _t("request.approved", "G002", "an access request was approved",
       "request grant user target login ticket ends reason"),
    _t("request.denied", "G003", "an access request was denied", "request reason"),
    _t("request.expired", "G004", "a pending request expired", "request"),
    _t("request.refused", "G005", "an access request was refused as invalid",
       "target login ticket problem client repeated"),
    _t("grant.revoked", "G006", "a grant was revoked", "grant reason"),
    _t("cert.issued", "G007", "a certificate was issued",
       "serial key_id principals valid_before client"),
    _t("cert.revoked", "G008", "a certificate was revoked", "serial reason"),
    _t("cert.refused", "G950", "a certificate was not issued (no live grant for the ticket, or "
       "more than the caps allow)", "kind reason client repeated"),
    _t("vendor.issued", "G009", "a single-use vendor certificate was issued",
       "vendor serial grant target login ticket valid_before"),
    _t("revocation.requested", "G010", "a revocation was requested",
       "serial grant user ticket reason changed"),
    _t("krl.written", "G011", "a key revocation list was written", "path serials"),
    # Sessions
    _t("session.started", "S001", "a proxied session started",
       "session target login ticket grant serial client"),
    _t("session.ended", "S002", "a proxied session ended", "session state reason"),
    _t("session.refused", "S003", "a session could not be opened", "session target login reason"),
    _t("session.killed", "S004", "a session was ended by a supervisor or a revocation",
       "session state reason"),
    _t("session.interrupted", "S005",
       "a session was cut short by the bastion stopping (a crash, or a restart)",
       "session state reason"),
    _t("session.kill_requested", "S006", "a supervisor asked to end a session", "session reason"),
    _t("channel.opened", "S007", "a channel was opened",
       "session channel kind command subsystem pty destination"),
    _t("channel.refused", "S008", "a channel or forwarding request was refused",
       "session kind subsystem destination target login reason repeated"),
    _t("channel.closed", "S009", "a channel was closed",
       "session channel kind exit_status exit_signal destination bytes_sent bytes_received"),
    _t("recording.closed", "S010", "a recording was finished and its digest stored",
       "session path sha256"),
    _t("recording.failed", "S011", "a recording could not be written", "session error"),
    _t("file.transfer", "S012", "a file operation over sftp or scp",
       "session channel protocol path mode bytes_read bytes_written errors closed sha256 "
       "direction kind size bytes result message"),
    _t("grant.warning", "S013", "a user was warned that the grant is ending", "session seconds_left"),
    _t("recording.purged", "S014", "recordings of sessions past the retention were deleted",
       "recordings bytes missing failed older_than sessions"),
    _t("recording.unsealed", "S601", "sealed keystrokes of a recording were opened and shown",
       "session channel path key sealed"),
    _t("recording.unseal_failed", "S602",
       "sealed keystrokes could not be opened (wrong key, or the recording was altered)",
       "path error"),
    _t("channel.request_refused", "S1001",
       "a terminal was refused to a channel whose kind was already fixed (asked for after its "
       "shell, command or subsystem started), or left out for a subsystem, which runs without one",
       "session channel channel_request reason"),
    _t("session.env_dropped", "S1002",
       "locale variables naming a charset other than UTF-8 were not passed to the target "
       "(once per connection)", "session channel names"),
    _t("channel.ended", "S1101",
       "an open channel (a port forward) was ended because the role no longer allows it",
       "session channel kind destination reason"),
    _t("file.protocol_error", "S501", "an scp or sftp stream broke its protocol; its channel was ended",
       "session channel reason"),
    # Commands
    _t("command.verdict", "C001", "a command line was judged", "session channel line verdict rule"),
    _t("command.held", "C002", "a command is waiting for a supervisor",
       "held session command rule timeout"),
    _t("command.confirmed", "C003", "a held command was confirmed", "held session command reason"),
    _t("command.rejected", "C004", "a held command was rejected", "held session command reason"),
    _t("command.expired", "C005", "a held command timed out", "held session command"),
    _t("command.unjudged", "C401",
       "the target showed a command line that ran without a verdict; the session was ended",
       "session channel line"),
    _t("command.dropped", "C402", "lines typed ahead of a refused line were dropped",
       "session channel lines"),
    _t("command.typed_blind", "C601",
       "keys typed without echo at a program's prompt went to the target unjudged as a secret, "
       "or were refused because a policy rule denies them read as a command line",
       "session channel prompt keystrokes verdict rule"),
    # Control
    _t("control.refused", "X001", "a control client was refused", "client op reason kind repeated"),
    _t("control.action", "X002", "a supervisor acted through the control API",
       "op session channel request grant held serial user ticket reason changed"),
    _t("audit.purged", "X003", "old audit events were purged", "rows through_seq anchor_hash"),
    # Text people give
    _t("input.refused", "X701", "a reason or ticket with hidden characters, or too long, was refused",
       "field problem value"),
]
EVENT_TYPES: dict[str, EventType] = {t.name: t for t in _TYPES}

# What each key of an event's `data` means (docs/AUDIT.md is generated from this and _TYPES).
FIELDS: dict[str, str] = {
    "access": "the session's `user`, `target`, `login`, `ticket` and `client` address, as its "
              "session row holds them when the event is written",
    "anchor_hash": "hash of the last purged row, from which the chain now verifies",
    "as_name": "the SSH user name the client logged in with (`NAME` or `LOGIN@TARGET`)",
    "backup": "the copy of the database kept before its schema was upgraded",
    "bytes": "bytes freed (recording.purged); bytes of the file that passed (file.transfer over "
             "scp)",
    "bytes_read": "bytes the server returned to the client for this file",
    "bytes_received": "bytes the forwarded connection sent back to the client",
    "bytes_sent": "bytes the client sent through the forwarded connection",
    "bytes_written": "bytes the client wrote to this file",
    "changed": "how many grants, certificates or rows the action changed",
    "channel": "the channel's number within its session",
    "channel_request": "the SSH channel request refused or left out (`pty-req`)",
    "client": "the client's IP address",
    "closed": "whether the file was closed before the channel ended",
    "command": "the exec command, or the held command line",
    "created": "what `bastion init` created",
    "destination": "HOST:PORT of a forwarding request, or the path of a Unix socket",
    "direction": "`upload` (to the target) or `download` (from it), for a file over scp",
    "door": "which connection ended: `connection` (the command interface with its doors), "
            "`control door`, or `login` (a proxied login before its first channel)",
    "duration": "seconds of access asked for",
    "ends": "when the grant ends (epoch seconds)",
    "error": "what went wrong, one line",
    "errors": "read or write requests on this file that failed",
    "exit_signal": "the signal that ended the remote command, if any",
    "exit_status": "the remote command's exit status, if any",
    "failed": "recordings that could not be deleted",
    "failures": "failed TOTP codes within the lockout window",
    "field": "which input was refused (`reason`, `ticket`, `login`...)",
    "grant": "grant id (g9)",
    "held": "held command id (h3)",
    "hostname": "the bastion's host name in its host certificate",
    "key": "SHA-256 fingerprint of a public key",
    "key_id": "the certificate's key id",
    "kind": "`shell`, `exec`, `subsystem`, `direct-tcpip` and the other SSH channel and "
            "forwarding kinds (channel.*; `session` for a session channel refused); `file` or "
            "`directory` (file.transfer over scp); `bastion-control` (control.refused); `cert` "
            "(cert.refused)",
    "line": "the command line as the bastion read it (keys typed without echo are redacted)",
    "lines": "how many lines typed ahead of a refused line were dropped (command.dropped)",
    "listen": "HOST:PORT the server listens on",
    "login": "the login on the target",
    "message": "what the other side (or the policy) said about a file that did not pass",
    "method": "`key+totp` or `certificate`",
    "missing": "recordings already gone from the disk",
    "mode": "how the file was opened: `read`, `write`, `read+write`, with `+create`, "
            "`+truncate`, `+append`, `+exclusive` (sftp); the file's mode, `0644` (scp)",
    "names": "the environment variables not passed on",
    "new_version": "the database schema version after the upgrade",
    "node": "the name of the node that wrote the event (`[cluster] node`, else $BASTION_NODE, "
            "else the host name)",
    "old_version": "the database schema version before the upgrade",
    "older_than": "the cut-off (epoch seconds)",
    "op": "the control operation (`watch`, `kill`, `revoke`, `lock`, `unlock`, `approve`, "
          "`deny`, `confirm`, `reject`, `recording`)",
    "path": "a file: the recording's file name (recording.*), the file on the target "
            "(file.transfer), or the file written (krl.written)",
    "principals": "the certificate's principals",
    "protocol": "`scp` or `sftp`",
    "problem": "why the request was refused",
    "proven": "whether the client had proven its key before it was refused",
    "pty": "whether the client asked for a terminal",
    "reason": "why, in words (a supervisor's reason, a refusal's cause)",
    "recordings": "recordings deleted",
    "repeated": "further refusals of the same source and reason (of the same person, event and "
                "kind, for refusals after login) within the minute",
    "request": "request id (r17)",
    "result": "what became of a file over scp: `ok`, `refused`, `error`, `incomplete`",
    "role": "the user's role",
    "rows": "audit rows purged",
    "prompt": "the prompt the keys were typed at, as the screen showed it (any wording; empty when the "
              "program showed none on that line)",
    "keystrokes": "how many keys were typed without echo (never the keys themselves)",
    "rule": "the policy rule that decided (`defaults.unmatched` when none matched)",
    "sealed": "how many sealed events were opened",
    "seconds_left": "seconds until the grant ends",
    "serial": "a certificate's serial number",
    "serials": "how many serials the list holds",
    "session": "session id (s4)",
    "sessions": "sessions whose recordings were deleted",
    "sha256": "SHA-256 of the finished recording file (recording.*), of the file's data "
              "(file.transfer)",
    "size": "the file's size as its scp record announced it",
    "state": "the session's end state: `ended`, `killed`, `interrupted`, `failed`",
    "step": "the TOTP time step of the code",
    "subsystem": "the subsystem asked for (`sftp`)",
    "target": "target name",
    "through_seq": "the last purged sequence number",
    "ticket": "ticket id",
    "timeout": "seconds a held command waits before it is rejected",
    "user": "a user name: the one acted on (user.*, revocations, approvals)",
    "valid_before": "when the certificate expires (epoch seconds)",
    "value": "the refused input, spelled out (`visible`), cut at 1,000 characters",
    "was": "the user's role before the change",
    "vendor": "the vendor's name",
    "verdict": "`allow`, `alert`, `confirm` or `deny`",
}
AUTOMATIC_FIELDS = ("node", "access")


class UnknownEvent(KeyError):
    """Code asked to record an event type that is not in the registry (a bug, not bad input)."""


def _row_hash(row: dict[str, Any]) -> str:
    body = {k: row[k] for k in ("seq", "at", "type", "code", "actor", "data", "prev_hash")}
    return hashlib.sha256(dumps(body).encode("utf-8")).hexdigest()


_node: str | None = None


def configure(cfg: Config) -> None:
    """Per process, by whoever loads bastion.toml (`home.open_home`, `home.init`, the server on
    reload): the node name written into every event, and the syslog destination."""
    global _node
    _node = cfg.cluster.node
    configure_syslog(cfg.server.audit_syslog, events=cfg.server.audit_syslog_events)


def node_name() -> str:
    """The node name `record` writes: as configured, else $BASTION_NODE, else the host name."""
    return _node or default_node()


def _access(store: Backend, session_id: Any) -> dict[str, Any] | None:
    # Copied into the event, inside the hashed row: a join with `sessions` at export time would
    # not be covered by the chain, and a rewritten session row would go unnoticed.
    row = store.one("SELECT user, target, login, ticket, client_addr FROM sessions WHERE id = ?",
                    (session_id,))
    if row is None:
        return None
    return {"user": row["user"], "target": row["target"], "login": row["login"],
            "ticket": row["ticket"], "client": row["client_addr"]}


def record(store: Backend, event: str, actor: str, **data: Any) -> int:
    """Append one event to the chain and return its sequence number.

    `actor` is who caused it ("alice", "local:root", "system"); `data` is JSON-able detail under
    the keys its EventType lists. The stored data also holds `node` (this node's name) and, for
    a session-scoped event whose session row exists, `access` (that session's user, target,
    login, ticket and client address), all covered by the row's hash.
    """
    etype = EVENT_TYPES.get(event)
    if etype is None:
        raise UnknownEvent(event)
    if any(key in data for key in AUTOMATIC_FIELDS):
        raise ValueError(f"{event}: {', '.join(AUTOMATIC_FIELDS)} are written by record itself")
    with store.transaction():
        store.lock_audit_head()
        data["node"] = node_name()
        if etype.session_scoped and data.get("session"):
            access = _access(store, data["session"])
            if access is not None:
                data["access"] = access
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
        store.after_commit(lambda: _send_to_syslog(row))
    return row["seq"]


def record_or_log(store: Backend, event: str, actor: str, **data: Any) -> bool:
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


def verify(store: Backend) -> Verification:
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


def export(store: Backend, since: float | None = None) -> Iterator[dict[str, Any]]:
    """Events in chain order as `exported` dicts, optionally only those at or after `since`."""
    sql = "SELECT * FROM events"
    params: tuple = ()
    if since is not None:
        sql += " WHERE at >= ?"
        params = (since,)
    for row in store.execute(sql + " ORDER BY seq", params):
        yield exported(dict(row))


# ECS `event.category` by the first part of the event name (docs/AUDIT.md lists them).
ECS_CATEGORIES: dict[str, str] = {
    "bastion": "process", "config": "configuration", "user": "iam", "auth": "authentication",
    "mfa": "authentication", "cert": "iam", "request": "iam", "grant": "iam", "vendor": "iam",
    "revocation": "iam", "krl": "iam", "session": "session", "channel": "network",
    "recording": "file", "file": "file", "command": "process", "control": "iam",
    "audit": "configuration",
}


def iso_time(at: float) -> str:
    """Epoch seconds as ISO-8601 UTC with microseconds: 2026-11-23T15:25:40.123456Z."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def exported(row: dict[str, Any]) -> dict[str, Any]:
    """One event as `audit export` prints it: the row's own fields (seq, at, type, code, actor,
    data decoded, prev_hash, hash) and beside them Elastic Common Schema fields derived from
    them: @timestamp, event, observer, user, source, destination and `bastion` (docs/AUDIT.md).
    Rows written before node and access were stored lack the fields derived from them."""
    item = dict(row)
    data = json.loads(item["data"]) if isinstance(item["data"], str) else item["data"]
    item["data"] = data
    access = data.get("access") if isinstance(data.get("access"), dict) else {}
    item["@timestamp"] = iso_time(item["at"])
    item["event"] = {"action": item["type"], "code": item["code"], "sequence": item["seq"],
                     "kind": "event", "dataset": "bastion.audit",
                     "category": [ECS_CATEGORIES.get(item["type"].split(".")[0], "process")]}
    if data.get("node"):
        item["observer"] = {"name": data["node"], "product": "bastion", "type": "proxy"}
    user: dict[str, Any] = {}
    if access:
        user["name"] = access.get("user")
        user["effective"] = {"name": access.get("login")}
    else:
        if item["actor"] != "system":
            user["name"] = item["actor"]
        if isinstance(data.get("user"), str) and data["user"] != item["actor"]:
            user["target"] = {"name": data["user"]}
    if user:
        item["user"] = user
    client = access.get("client") or data.get("client")
    if isinstance(client, str) and client:
        item["source"] = {"address": client}
        with contextlib.suppress(ValueError):
            item["source"]["ip"] = str(ipaddress.ip_address(client))
    target = access.get("target") or data.get("target")
    if isinstance(target, str) and target:
        item["destination"] = {"address": target}
    extra = {"session": data.get("session"), "ticket": access.get("ticket") or data.get("ticket")}
    extra = {k: v for k, v in extra.items() if isinstance(v, str) and v}
    if extra:
        item["bastion"] = extra
    return item


def recent(store: Backend, limit: int = 100, event_type: str | None = None) -> list[dict[str, Any]]:
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


def purge(store: Backend, older_than: float, actor: str) -> int:
    """Delete events before `older_than` (epoch seconds), keeping the rest verifiable via the anchor.

    The chain must verify first: purging is never a way to hide a break. Returns rows deleted.
    """
    check = verify(store)
    if not check.ok:
        raise ValueError(f"audit chain does not verify, nothing purged: {check.problem}")
    with store.transaction():
        store.lock_audit_head()
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


# ---------------------------------------------------------------- the schema, for people

_SCHEMA_HEAD = """# Audit events

Generated from `bastion/audit/__init__.py` (`audit.schema_markdown()`); a test fails when this file and the
registry differ. Regenerate with
`python -c 'from bastion import audit; print(audit.schema_markdown(), end="")' > docs/AUDIT.md`.

Every audit event is a row of the hash chain: `seq`, `at` (epoch seconds), `type`, `code`,
`actor` (who caused it: a user, `local:NAME` for the CLI or socket, `system`), `data`, `prev_hash`
and `hash` (SHA-256 of the canonical JSON of the other fields). `bastion audit export` prints one
JSON line per event with those fields, and beside them these Elastic Common Schema (ECS) fields,
derived from the row when it is exported (the facts they come from are in the hashed `data`):

| ECS field | value |
|---|---|
| `@timestamp` | `at` as ISO-8601 UTC, `2026-11-23T15:25:40.123456Z` |
| `event.action`, `event.code`, `event.sequence` | `type`, `code`, `seq` |
| `event.kind`, `event.dataset` | `event`, `bastion.audit` |
| `event.category` | by the type's first part: {categories} |
| `observer.name` | `data.node`: the node that wrote it (`observer.product` bastion, `.type` proxy) |
| `user.name` | session-scoped: the session's user (`data.access.user`); else `actor`, unless `system` |
| `user.effective.name` | session-scoped: the login on the target (`data.access.login`) |
| `user.target.name` | not session-scoped: `data.user` where it names someone other than `actor` |
| `source.address`, `source.ip` | the client's address: `data.access.client`, else `data.client` |
| `destination.address` | the target: `data.access.target`, else `data.target` |
| `bastion.session`, `bastion.ticket` | `data.session`; `data.access.ticket`, else `data.ticket` |

With `audit_syslog` set and `audit_syslog_events = true`, the same JSON line goes to syslog as each
event is committed, right after its chain head (`audit head seq=N hash=H type=T`).

## Fields the bastion adds to `data`

- `node` (every event): {node}
- `access` (every session-scoped event, one with a `session` field, whose session row
  exists): {access}

Rows written before a bastion stored these lack them; their hashes are unchanged and still verify.
"""


def schema_markdown() -> str:
    """docs/AUDIT.md: every event type with its code, meaning and data fields, every field's
    meaning, and the ECS fields `exported` adds."""
    categories = ", ".join(f"`{prefix}.*` {category}" for prefix, category in ECS_CATEGORIES.items())
    lines = [_SCHEMA_HEAD.format(categories=categories, node=FIELDS["node"],
                                 access=FIELDS["access"]).rstrip("\n"),
             "", "## Event types", "",
             "Session-scoped events (those with a `session` field) also carry `access`.", "",
             "| type | code | what happened | data fields |", "|---|---|---|---|"]
    for t in _TYPES:
        fields = ", ".join(f"`{f}`" for f in t.fields) or "none"
        lines.append(f"| `{t.name}` | {t.code} | {t.summary} | {fields} |")
    lines += ["", "## Data fields", "", "| field | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {FIELDS[name]} |" for name in sorted(FIELDS)]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- chain heads kept outside the database

HEAD_PATTERN = re.compile(r"\baudit head seq=(\d+) hash=([0-9a-f]{64})\b")
SYSLOG_FACILITY = logging.handlers.SysLogHandler.LOG_AUTHPRIV


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
    def __init__(self, dest: str, address: str | tuple[str, int], events: bool) -> None:
        self.dest = dest
        self.events = events
        self.failing = False
        self.lock = threading.Lock()
        self.handler = _HeadHandler(address, facility=SYSLOG_FACILITY, socktype=socket.SOCK_DGRAM)
        self.handler.ident = f"bastion[{os.getpid()}]: "

    def send(self, row: dict[str, Any]) -> None:
        records = [logging.LogRecord("bastion.audit.head", logging.INFO, __file__, 0,
                                     "audit head seq=%d hash=%s type=%s",
                                     (row["seq"], row["hash"], row["type"]), None)]
        if self.events:
            # ASCII, as `audit export` prints it: a log host shows lines raw, and a user's
            # U+009B (CSI), U+0085 (NEL) or U+202E would act on or reorder what it shows.
            line = json.dumps(exported(row), sort_keys=True)
            records.append(logging.LogRecord("bastion.audit.event", logging.INFO, __file__, 0,
                                             "%s", (line,), None))
        with self.lock:
            self.handler.failure = None
            for record in records:
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


def configure_syslog(dest: str, *, events: bool = False) -> None:
    """Send the chain head to syslog `dest` after each committed event ("" stops sending), and
    with `events` the event itself too, as one JSON line (`exported`), right after its head.

    Per process: whoever loads bastion.toml calls it, through `configure`. Calling it again with
    the same destination keeps the socket. A host name is resolved here, once, never per event.
    An unreachable or unresolvable destination is logged once and never stops events from being
    recorded. ValueError for a malformed `dest` (bastion.toml has already refused those)."""
    global _heads
    address = syslog_address(dest)
    if _heads is not None and _heads.dest == dest:
        _heads.events = events
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
    _heads = _SyslogHeads(dest, address, events)


def _send_to_syslog(row: dict[str, Any]) -> None:
    heads = _heads
    if heads is not None:
        heads.send(row)


@dataclass(frozen=True)
class HeadCheck:
    ok: bool
    checked: int
    before_anchor: int = 0
    problem: str = ""
    line: int | None = None


def check_heads(store: Backend, lines: Iterable[str]) -> HeadCheck:
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
