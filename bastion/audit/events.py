"""The one registry of audit event types, and docs/AUDIT.md generated from it.

Every security decision records one of these types (chain.record refuses any other name); codes
are stable. `schema_markdown` writes docs/AUDIT.md, and a test fails when the file and the
registry differ.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bastion.audit.ecs import ECS_CATEGORIES

# The audit logger, which chain.py and heads.py both write to: here, at the bottom of
# the package, so that neither imports the other for it.
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
    _t("grant.shortened", "G012", "a grant was cut to what the person's new role allows",
       "grant user ends reason"),
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
       "session path sha256 altered unverified"),
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
    _t("command.held_refused", "C006", "a command was not held: its person already has the "
       "most commands waiting for a supervisor (the first of a minute; the rest counted)",
       "kind session command reason repeated"),
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
    _t("control.refused", "X001", "a control client was refused", "client op reason kind repeated lines"),
    _t("control.action", "X002", "a supervisor acted through the control API",
       "op session channel request grant held serial user ticket reason changed kind repeated"),
    _t("control.dropped", "Q100", "a control client that stopped reading was disconnected",
       "unsent reason"),
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
    "altered": "why a recording a crash left open was closed as altered, left as found and "
               "without a digest: its start is not what the running digest the bastion stored "
               "says (`recording unseal` refuses it)",
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
    "cut_fields": "the texts cut short to keep the event's data within its bound, each by its "
                  "place (`line`, `names.3`) as {\"chars\": N, \"sha256\": HEX}: the whole text's "
                  "length in characters and the SHA-256 of its UTF-8, to match it against the "
                  "recording; the field itself keeps its start and `…[N chars]`",
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
            "(cert.refused); `env` (an environment request refused: channel.refused); `pty-req` "
            "(a terminal type refused: channel.refused); `too many requests` or `requests "
            "waiting` (control.refused); `OP (unchanged)` (control.action: a control request "
            "that changed nothing)",
    "line": "the command line as the bastion read it (keys typed without echo are redacted)",
    "lines": "how many lines typed ahead of a refused line were dropped (command.dropped); how "
             "many control requests were refused or dropped unhandled (control.refused)",
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
    "unsent": "bytes that waited unsent to the client when it was dropped",
    "unverified": "why a recording's digest vouches only for what the file held when it was "
                  "closed: closed after a crash with no running digest to compare (an exec or "
                  "sftp record, a cast before its first), or unreadable",
    "user": "a user name: the one acted on (user.*, revocations, approvals)",
    "valid_before": "when the certificate expires (epoch seconds)",
    "value": "the refused input, spelled out (`visible`), cut at 1,000 characters",
    "was": "the user's role before the change",
    "vendor": "the vendor's name",
    "verdict": "`allow`, `alert`, `confirm` or `deny`",
}
AUTOMATIC_FIELDS = ("node", "access", "cut_fields")
# Characters of JSON an event's data holds at most: longer texts in it are cut when it is written
# (chain.record), so that a reader of the log never reads a row one engineer made large (attack
# c38o, finding 1: 200 rows of 1.5 MB cost the console's `audit` over a second of the one loop).
AUDIT_DATA = 64 * 1024


class UnknownEvent(KeyError):
    """Code asked to record an event type that is not in the registry (a bug, not bad input)."""


_SCHEMA_HEAD = """# Audit events

Generated from `bastion/audit/events.py` (`audit.schema_markdown()`); a test fails when this file and the
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
- `cut_fields` (an event whose data would pass {data_kib} KiB of JSON): {cut_fields}

Rows written before a bastion stored these lack them; their hashes are unchanged and still verify.
"""


def schema_markdown() -> str:
    """docs/AUDIT.md: every event type with its code, meaning and data fields, every field's
    meaning, and the ECS fields `exported` adds."""
    categories = ", ".join(f"`{prefix}.*` {category}" for prefix, category in ECS_CATEGORIES.items())
    lines = [_SCHEMA_HEAD.format(categories=categories, node=FIELDS["node"],
                                 access=FIELDS["access"], cut_fields=FIELDS["cut_fields"],
                                 data_kib=AUDIT_DATA // 1024).rstrip("\n"),
             "", "## Event types", "",
             "Session-scoped events (those with a `session` field) also carry `access`.", "",
             "| type | code | what happened | data fields |", "|---|---|---|---|"]
    for t in _TYPES:
        fields = ", ".join(f"`{f}`" for f in t.fields) or "none"
        lines.append(f"| `{t.name}` | {t.code} | {t.summary} | {fields} |")
    lines += ["", "## Data fields", "", "| field | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {FIELDS[name]} |" for name in sorted(FIELDS)]
    return "\n".join(lines) + "\n"
