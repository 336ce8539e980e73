"""The hash chain over `events`: appending (`record`), verifying, reading, and purging.

Every row also names the node that wrote it and, for a session-scoped event, the session's
user, target, login, ticket and client address (`record`), so that an exported event stands on
its own, under the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bastion.audit.events import AUDIT_DATA, AUTOMATIC_FIELDS, EVENT_TYPES, UnknownEvent, log
from bastion.audit.heads import _send_to_syslog, configure_syslog
from bastion.config import default_node
from bastion.store import Backend, StoreError, dumps, now
from bastion.text import LISTED_TEXT, cut_mark, cut_text, map_texts

if TYPE_CHECKING:
    from bastion.config import Config

GENESIS = "0" * 64


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
            "data": bounded_data(data),
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


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _cut(value: Any, head: int, cut: dict[str, Any]) -> Any:
    """`value` with every text longer than `head` characters cut (`cut_text`), each noted in
    `cut` by its place (`line`, `names.3`) with its whole length and SHA-256."""
    def change(text: str, place: str) -> str:
        if len(text) <= head:
            return text
        cut[place] = {"chars": len(text), "sha256": hashlib.sha256(_utf8(text)).hexdigest()}
        return cut_text(text, head)

    return map_texts(value, change)


def bounded_data(data: dict[str, Any]) -> str:
    """The JSON `record` stores for `data`: whole when it is within AUDIT_DATA bytes; else its
    texts cut (to LISTED_TEXT characters, then fewer), `cut_fields` saying what each was
    (attack c38o, finding 1: a refused command of 250,000 control characters was a 1.5 MB row,
    which every reader of the log read). The hash covers what is stored."""
    whole = dumps(data)
    if len(whole) <= AUDIT_DATA // 4 or len(_utf8(whole)) <= AUDIT_DATA:
        return whole
    for head in (LISTED_TEXT, 256, 32):
        cut: dict[str, Any] = {}
        text = dumps({**_cut(data, head, cut), "cut_fields": cut})
        if len(_utf8(text)) <= AUDIT_DATA:
            return text
    # Too many texts to keep even their starts: what places the event, and the whole's digest.
    kept = {k: data[k] for k in ("session", "channel", "node", "access", "held") if k in data}
    return dumps({**kept, "cut_fields": {"": {"chars": len(whole), "sha256": hashlib.sha256(
        _utf8(whole)).hexdigest()}}})


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
    """What a walk of the chain found. `rows` counts rows verified after the anchor, `head` and
    `seq` name the last of them (the anchor's when there are none); `complete` is False when the
    walk stopped at its `limit` with rows still to check: pass the result back as `since` to go on."""

    ok: bool
    rows: int
    head: str
    problem: str = ""
    bad_seq: int | None = None
    seq: int = 0
    complete: bool = True


def verify(store: Backend, *, since: Verification | None = None,
           limit: int | None = None) -> Verification:
    """Walk the chain from the anchor (or genesis); report the first row that does not hold.

    With `since` (an earlier good, possibly incomplete result) the walk starts after the row it
    ended on, once that row is found unchanged: rows before it are not read again, so a server
    can check what was added since its last look in work bounded by `limit` rows (the CLI's
    `bastion audit verify` walks everything). A purge since then restarts from the new anchor."""
    anchor = store.one("SELECT seq, hash FROM audit_anchor WHERE id = 1")
    seq, prev = (anchor["seq"], anchor["hash"]) if anchor else (0, GENESIS)
    count = 0
    if since is not None and since.ok and since.seq > seq:
        row = store.one("SELECT hash FROM events WHERE seq = ?", (since.seq,))
        if row is None or row["hash"] != since.head:
            return Verification(False, 0, prev, f"row {since.seq}: changed or removed since it was "
                                f"verified", since.seq, seq)
        seq, prev, count = since.seq, since.head, since.rows
    sql, params = "SELECT * FROM events WHERE seq > ? ORDER BY seq", [seq]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    walked = 0
    for row in store.execute(sql, tuple(params)):
        row = dict(row)
        walked += 1
        if row["seq"] != seq + 1:
            return Verification(False, count, prev, f"row {row['seq']}: expected row {seq + 1} "
                                f"(rows missing or inserted)", row["seq"], seq)
        if row["prev_hash"] != prev:
            return Verification(False, count, prev, f"row {row['seq']}: previous hash does not match "
                                f"row {seq} (a row was changed, removed or inserted)", row["seq"], seq)
        if _row_hash(row) != row["hash"]:
            return Verification(False, count, prev, f"row {row['seq']}: contents do not match its hash "
                                f"(the row was altered)", row["seq"], seq)
        prev = row["hash"]
        seq += 1
        count += 1
    return Verification(True, count, prev, seq=seq, complete=limit is None or walked < limit)


# What `recent` reads of one row's data: a longer one (an engineer's line of control characters,
# six bytes each as JSON) is read as its first RECENT_HEAD characters, `{"cut": "…[N chars]"}`:
# 200 rows of 1.5 MB cost the one loop 6 s to read and decode whole (attack b37o, finding 2).
# Rows are written within AUDIT_DATA now (`bounded_data`); this is for rows an older bastion
# wrote, whose length SQLite still reads whole (attack c38o, finding 1).
RECENT_DATA = 64 * 1024
RECENT_HEAD = LISTED_TEXT
_RECENT = ("SELECT seq, at, type, code, actor, prev_hash, hash, "  # noqa: S608 (constants only)
           f"CASE WHEN length(data) <= {RECENT_DATA} THEN data END AS data, "
           f"CASE WHEN length(data) > {RECENT_DATA} THEN substr(data, 1, {RECENT_HEAD}) END AS head, "
           "length(data) AS size FROM events")


def recent(store: Backend, limit: int = 100, event_type: str | None = None) -> list[dict[str, Any]]:
    """The newest events first, optionally of one type, or of the registered types under a prefix
    ending in '.'. Each type is read through the (type, seq) index, at most `limit` rows of it,
    so the work is bounded whatever the table holds (the console asks every few seconds); a
    row's data past RECENT_DATA characters is read as its start (`export` reads it whole)."""
    if not event_type:
        rows = store.all(f"{_RECENT} ORDER BY seq DESC LIMIT ?", (limit,))
    elif not event_type.endswith("."):
        rows = store.all(f"{_RECENT} WHERE type = ? ORDER BY seq DESC LIMIT ?",
                         (event_type, limit))
    else:
        names = [name for name in EVENT_TYPES if name.startswith(event_type)]
        # The newest seqs of each type off the (type, seq) index, then only the rows kept: a
        # prefix of nine types read 9000 whole rows for 1000 (a tenth of a second and more of
        # the one loop per control request: attack y34o, finding 1).
        seqs = sorted((row["seq"] for name in names for row in store.all(
            "SELECT seq FROM events WHERE type = ? ORDER BY seq DESC LIMIT ?", (name, limit))),
            reverse=True)[:limit]
        rows = [row for start in range(0, len(seqs), 500) for row in store.all(
            "{} WHERE seq IN ({}) ORDER BY seq DESC".format(
                _RECENT, ",".join("?" * len(seqs[start:start + 500]))),
            tuple(seqs[start:start + 500]))]
    for row in rows:
        head, size = row.pop("head"), row.pop("size")
        row["data"] = json.loads(row["data"]) if head is None else {"cut": head + cut_mark(size)}
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
