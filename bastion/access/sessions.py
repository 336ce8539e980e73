"""Sessions and held commands as the store knows them: the one place their state changes.

The running server and the CLI meet here: `bastion kill` and `bastion confirm` write their decision
to the store, and the server, which polls it, acts within a second (and over the control socket at
once, when it is running).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bastion import audit
from bastion.access import grants, reasons, users
from bastion.config import Config
from bastion.errors import BastionError
from bastion.store import Backend, now
from bastion.text import LISTED_TEXT, cut_text

END_STATES = ("ended", "killed", "interrupted", "failed")


class SessionError(BastionError):
    """A session or held-command operation was refused."""


def create(store: Backend, *, user: str, target: str, login: str, ticket: str, grant_id: str | None,
           serial: int | None, client_addr: str) -> str:
    with store.transaction():
        sid = store.next_id("s")
        store.execute(
            "INSERT INTO sessions(id, user, target, login, ticket, grant_id, serial, client_addr, "
            "state, started) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)",
            (sid, user, target, login, ticket, grant_id, serial, client_addr, now()))
        audit.record(store, "session.started", user, session=sid, target=target, login=login,
                     ticket=ticket, grant=grant_id, serial=serial, client=client_addr)
    return sid


def end(store: Backend, session_id: str, state: str, reason: str, actor: str = "system",
        at: float | None = None) -> bool:
    """Move an active session to an end state; False if it had already ended. `at`: when it
    ended, if that was before now (its row could not be written then)."""
    if state not in END_STATES:
        raise ValueError(state)
    with store.transaction():
        changed = store.execute(
            "UPDATE sessions SET state = ?, ended = ?, end_reason = ? WHERE id = ? AND state = 'active'",
            (state, at if at is not None else now(), reason, session_id)).rowcount
        if changed:
            event = {"killed": "session.killed", "interrupted": "session.interrupted"}.get(
                state, "session.ended")
            audit.record(store, event, actor, session=session_id, state=state, reason=reason)
            # A command still held dies with its session: each one audited, as any other end.
            for row in store.all("SELECT id FROM held WHERE session_id = ? AND state = 'pending'",
                                 (session_id,)):
                store.execute("UPDATE held SET state = 'cancelled', decided_at = ?, "
                              "reason = 'session ended' WHERE id = ?", (now(), row["id"]))
                audit.record(store, "command.rejected", actor, held=row["id"], session=session_id,
                             reason="session ended")
    return bool(changed)


def add_recording(store: Backend, session_id: str, path: Path, channel: int, kind: str) -> None:
    """List a recording of the session (the `recordings` table is the one list of them); `kind`
    is "cast" for an interactive channel's asciicast, else "exec", "subsystem" or "forward"."""
    store.execute("INSERT INTO recordings(path, session_id, channel, kind, started) "
                  "VALUES (?, ?, ?, ?, ?)", (str(path), session_id, channel, kind, now()))


@dataclass(frozen=True)
class Recording:
    """One recording of a session: its file `name` in HOME/recordings, the channel it records,
    and its kind (add_recording)."""

    name: str
    channel: int
    kind: str


_RECORDINGS_OF_ONE = ("SELECT session_id, path, channel, kind FROM recordings WHERE session_id = ? "
                      "ORDER BY started, channel, path")
_RECORDINGS_OF_LIVE = ("SELECT session_id, path, channel, kind FROM recordings WHERE session_id IN "
                       "(SELECT id FROM sessions WHERE state = 'active') "
                       "ORDER BY started, channel, path")
_RECORDINGS_OF_ALL = "SELECT session_id, path, channel, kind FROM recordings ORDER BY started, channel, path"


def recordings(store: Backend, session_id: str) -> list[Recording]:
    """The session's recordings, in the order they were opened."""
    return _recordings(store, _RECORDINGS_OF_ONE, (session_id,)).get(session_id, [])


def casts(store: Backend, session_id: str) -> dict[int, str]:
    """The session's asciicasts (interactive channels) by channel number: file names."""
    return {r.channel: r.name for r in recordings(store, session_id) if r.kind == "cast"}


def _recordings(store: Backend, sql: str, params: tuple = ()) -> dict[str, list[Recording]]:
    found: dict[str, list[Recording]] = {}
    for row in store.all(sql, params):
        found.setdefault(row["session_id"], []).append(
            Recording(Path(row["path"]).name, row["channel"], row["kind"]))
    return found


def _with_recordings(rows: list[dict[str, Any]], listed: dict[str, list[Recording]]
                     ) -> list[dict[str, Any]]:
    """`rows` of sessions, each given "recordings": the file names of its recordings."""
    for row in rows:
        row["recordings"] = [r.name for r in listed.get(row["id"], [])]
    return rows


def record_verdict(store: Backend, session_id: str, channel: int, user: str, line: str,
                   action: str, rule: str | None, message: str | None) -> None:
    """A command line judged on a channel: its row in `commands` and its audit event, together."""
    with store.transaction():
        # The row keeps the line's start (LISTED_TEXT characters and `…[N chars]`), as the
        # listing shows it; its audit event the length and SHA-256 of the whole (attack c38o,
        # finding 1: every `sessions` listing read the whole of one engineer's last lines).
        store.execute(
            "INSERT INTO commands(session_id, channel, at, line, verdict, rule, message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", (session_id, channel, now(), cut_text(line), action,
                                             rule, message))
        audit.record(store, "command.verdict", user, session=session_id, channel=channel,
                     line=line, verdict=action, rule=rule)


def recording_progress(store: Backend, path: Path, offset: int, digest: str) -> None:
    store.execute("UPDATE recordings SET running_offset = ?, running_sha256 = ? WHERE path = ?",
                  (offset, digest, str(path)))


ALTERED = "altered"  # the digest stored for a recording closed as altered: unseal refuses it


def close_recording(store: Backend, path: Path, digest: str, actor: str, *, altered: str = "",
                    unverified: str = "") -> None:
    """A recording closed with its digest; `altered`: why it is closed as altered instead (the
    row's digest is ALTERED); `unverified`: why its digest vouches only for what the file held
    when it was closed (both in its `recording.closed` event)."""
    with store.transaction():
        store.execute("UPDATE recordings SET ended = ?, sha256 = ? WHERE path = ?",
                      (now(), ALTERED if altered else digest, str(path)))
        row = store.one("SELECT session_id, channel FROM recordings WHERE path = ?", (str(path),))
        notes = {k: v for k, v in (("altered", altered), ("unverified", unverified)) if v}
        audit.record(store, "recording.closed", actor, path=path.name,
                     sha256="" if altered else digest,
                     session=row["session_id"] if row else None, **notes)


@dataclass(frozen=True)
class Seal:
    """What the store holds to check a recording: the SHA-256 stored when it closed (None while
    it is open or when it closed without one; ALTERED), and the running digest, (offset, hex
    SHA-256 of the first offset bytes) or None."""

    digest: str | None
    running: tuple[int, str] | None


def stored_seals(store: Backend, name: str) -> list[Seal]:
    """`stored_digests`, with each recording's running digest."""
    pattern = "%/" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = store.all("SELECT path, sha256, running_offset, running_sha256 FROM recordings "
                     "WHERE path LIKE ? ESCAPE '\\'", (pattern,))
    return [Seal(row["sha256"] or None, running_digest(row))
            for row in rows if Path(row["path"]).name == name]


def running_digest(row: dict[str, Any]) -> tuple[int, str] | None:
    """A recording row's running digest, (offset, hex SHA-256 of its first offset bytes), or
    None before the first was stored."""
    if row["running_offset"] and row["running_sha256"]:
        return row["running_offset"], row["running_sha256"]
    return None


def stored_digests(store: Backend, name: str) -> list[str | None]:
    """The SHA-256 stored when each recording named `name` (a file of the recordings folder)
    closed: None while it is open, or when a crash left it unreadable; no item when the store
    holds no recording of that name. Looked up by the file's name, not by the home's spelling
    when the server wrote the row: a home behind a symlink or spelled with `..` found no row
    and skipped the check (attack a36o, finding 2)."""
    return [seal.digest for seal in stored_seals(store, name)]


def open_recordings(store: Backend) -> list[dict[str, Any]]:
    return store.all("SELECT * FROM recordings WHERE ended IS NULL")


def get(store: Backend, session_id: str) -> dict[str, Any]:
    """The session's row, with "recordings": the file names of its recordings; SessionError
    when there is no such session."""
    row = store.one("SELECT * FROM sessions WHERE id = ?", (session_id,))
    if row is None:
        raise SessionError(f"no such session: {session_id}")
    return _with_recordings([row], _recordings(store, _RECORDINGS_OF_ONE, (session_id,)))[0]


def list_sessions(store: Backend, *, include_ended: bool = False,
                  newest_ended: int | None = None) -> list[dict[str, Any]]:
    """Live sessions (with `include_ended`, every session; with `newest_ended` too, only that
    many of the ended ones, the newest: a listing on the server's loop) by start time, each as
    `get` gives it."""
    if include_ended and newest_ended is not None:
        listed = ("SELECT id FROM sessions WHERE state = 'active' UNION ALL SELECT * FROM "
                  "(SELECT id FROM sessions WHERE state != 'active' ORDER BY started DESC LIMIT ?)")
        rows = store.all(f"SELECT * FROM sessions WHERE id IN ({listed}) ORDER BY started",  # noqa: S608
                         (newest_ended,))
        return _with_recordings(rows, _recordings(
            store, "SELECT session_id, path, channel, kind FROM recordings WHERE session_id IN ("  # noqa: S608
            + listed + ") ORDER BY started, channel, path", (newest_ended,)))
    sql = "SELECT * FROM sessions"
    if not include_ended:
        sql += " WHERE state = 'active'"
    rows = store.all(sql + " ORDER BY started")
    return _with_recordings(rows, _recordings(store, _RECORDINGS_OF_ALL if include_ended
                                              else _RECORDINGS_OF_LIVE))


MAX_ALERTS_COUNTED = 1000  # a session's not-allowed commands counted for the console ("!1000")
MAX_ENDED_LISTED = 500  # ended sessions a supervisors' listing holds: the newest
LAST_COMMAND = LISTED_TEXT  # characters of a session's last command line the listing holds


def list_for_supervisors(store: Backend, *, include_ended: bool = False) -> list[dict[str, Any]]:
    """`list_sessions`, each row also holding its grant's end (`grant_ends`, None without one),
    its last command line (`last_command`) and how many of its commands were not allowed
    (`alerts`, counted up to MAX_ALERTS_COUNTED): what the console shows, read in one query.
    With `include_ended`, the MAX_ENDED_LISTED newest sessions besides the live ones: the
    console asks every few seconds, on the server's one loop, so no listing grows with the
    history (attack a10o); `bastion sessions --all` lists everything."""
    listed = ("SELECT id FROM sessions WHERE state = 'active' UNION ALL SELECT * FROM "
              "(SELECT id FROM sessions WHERE state != 'active' ORDER BY started DESC LIMIT ?)"
              if include_ended else "SELECT id FROM sessions WHERE state = 'active'")
    bounds = (MAX_ENDED_LISTED,) if include_ended else ()
    # `listed` is one of two constants above: nothing from outside is put into the statements.
    rows = store.all(
        "SELECT s.*, g.ends AS grant_ends, "  # noqa: S608
        # the last line's start only, LAST_COMMAND characters (`…[N chars]` after a longer one):
        # 500 sessions' whole lines were read every few seconds (attack b37o, finding 2). Rows
        # are written so cut (record_verdict); the query cuts rows an older bastion wrote.
        f"(SELECT CASE WHEN length(c.line) > {LAST_COMMAND} THEN substr(c.line, 1, {LAST_COMMAND})"
        " || '…[' || length(c.line) || ' chars]' ELSE c.line END FROM commands c"
        " WHERE c.session_id = s.id ORDER BY c.id DESC LIMIT 1) AS last_command, "
        # Two ranges rather than `!=`, so that the (session_id, verdict) index skips the allowed
        # ones instead of reading them.
        "(SELECT count(*) FROM (SELECT 1 FROM commands c WHERE c.session_id = s.id"
        " AND c.verdict < 'allow' UNION ALL SELECT 1 FROM commands c WHERE c.session_id = s.id"
        " AND c.verdict > 'allow' LIMIT ?)) AS alerts "
        "FROM sessions s LEFT JOIN grants g ON g.id = s.grant_id "
        "WHERE s.id IN (" + listed + ") ORDER BY s.started", (MAX_ALERTS_COUNTED, *bounds))
    return _with_recordings(rows, _recordings(
        store, "SELECT session_id, path, channel, kind FROM recordings WHERE session_id IN ("  # noqa: S608
        + listed + ") ORDER BY started, channel, path", bounds))


def request_kill(store: Backend, session_id: str, actor: str, reason: str) -> None:
    """Ask the server to end a live session; its user reads `reason` (see `reasons`)."""
    reason = reasons.accept(store, actor, reason)
    with store.transaction():
        row = get(store, session_id)
        if row["state"] != "active":
            raise SessionError(f"session {session_id} is {row['state']}, not active")
        store.execute("UPDATE sessions SET kill_requested = ?, kill_reason = ? WHERE id = ?",
                      (now(), reason or f"ended by {actor}", session_id))
        audit.record(store, "session.kill_requested", actor, session=session_id, reason=reason)


def interrupted_on_start(store: Backend) -> list[str]:
    """Sessions a crashed server left active: mark them interrupted. Returns their ids."""
    ids = [r["id"] for r in store.all("SELECT id FROM sessions WHERE state = 'active'")]
    for sid in ids:
        end(store, sid, "interrupted", "the bastion stopped without closing this session")
    return ids


# ---------------------------------------------------------------- held commands

MAX_HELD = 10  # commands of one person waiting for a supervisor at once (attack m22o, F2)


class HeldLimit(SessionError):
    """A person already has MAX_HELD commands waiting: the next is not run."""


def hold(store: Backend, session_id: str, user: str, command: str, rule: str | None,
         timeout: float) -> str:
    """A held command's row (and its audit event); HeldLimit past MAX_HELD pending of `user`,
    counted in the same transaction, so parallel connections cannot each see room for one."""
    with store.transaction():
        t = now()
        waiting = store.one("SELECT count(*) AS n FROM held WHERE user = ? AND state = 'pending' "
                            "AND deadline > ?", (user, t))["n"]
        if waiting >= MAX_HELD:
            raise HeldLimit(f"you already have {MAX_HELD} commands waiting for a supervisor; "
                            "wait until they are decided or expire")
        hid = store.next_id("h")
        store.execute(
            "INSERT INTO held(id, session_id, user, command, rule, since, deadline, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
            (hid, session_id, user, command, rule, t, t + timeout))
        audit.record(store, "command.held", user, held=hid, session=session_id, command=command,
                     rule=rule, timeout=timeout)
    return hid


def held_state(store: Backend, held_id: str) -> dict[str, Any] | None:
    return store.one("SELECT * FROM held WHERE id = ?", (held_id,))


def list_held(store: Backend) -> list[dict[str, Any]]:
    """The pending held commands, each command cut at LISTED_TEXT characters (`cut_text`), as
    every door shows them: the CLI's and the SSH interface's `held`, the control socket's, the
    pushed events (attack c38o, finding 1)."""
    return [listed_held(row) for row in
            store.all("SELECT * FROM held WHERE state = 'pending' ORDER BY since")]


def listed_held(row: dict[str, Any]) -> dict[str, Any]:
    """A held command's row as a listing shows it: its command cut at LISTED_TEXT."""
    return {**row, "command": cut_text(row["command"])}


def decide_held(store: Backend, config: Config, held_id: str, actor: str, *, confirm: bool,
                reason: str = "") -> None:
    """Confirm or reject a held command: by a supervisor who is not the one who typed it."""
    if not grants.can_supervise(store, config, actor):
        raise SessionError(f"{actor} may not confirm or reject commands")
    reason = reasons.accept(store, actor, reason)
    with store.transaction():
        row = held_state(store, held_id)
        if row is None:
            raise SessionError(f"no such held command: {held_id}")
        if row["user"] in users.people_of(actor):
            raise SessionError("nobody confirms or rejects their own command")
        person = users.get(store, row["user"])
        if confirm and (person is None or person.locked):
            # A removed or locked person's command never runs (removal rejects it at once).
            raise SessionError(f"user {row['user']} was removed or is locked; "
                               f"held command {held_id} cannot be confirmed")
        state = "confirmed" if confirm else "rejected"
        changed = store.execute(
            "UPDATE held SET state = ?, decided_by = ?, decided_at = ?, reason = ? "
            "WHERE id = ? AND state = 'pending'", (state, actor, now(), reason, held_id)).rowcount
        if not changed:
            raise SessionError(f"held command {held_id} is {row['state']}, not pending")
        audit.record(store, "command.confirmed" if confirm else "command.rejected", actor,
                     held=held_id, session=row["session_id"], command=row["command"], reason=reason)


def reject_held(store: Backend, session_ids: list[str], reason: str) -> None:
    """The bastion rejects the commands held in these sessions (it is stopping): each one an
    audited `command.rejected` by "system"."""
    with store.transaction():
        for sid in session_ids:
            for row in store.all("SELECT id, command FROM held WHERE session_id = ? AND "
                                 "state = 'pending'", (sid,)):
                store.execute("UPDATE held SET state = 'rejected', decided_by = 'system', "
                              "decided_at = ?, reason = ? WHERE id = ?", (now(), reason, row["id"]))
                audit.record(store, "command.rejected", "system", held=row["id"], session=sid,
                             command=row["command"], reason=reason)


def cancel_held(store: Backend, held_id: str, actor: str) -> bool:
    """The user withdrew a held command (Ctrl-C)."""
    with store.transaction():
        changed = store.execute(
            "UPDATE held SET state = 'cancelled', decided_at = ?, reason = 'cancelled by the user' "
            "WHERE id = ? AND state = 'pending'", (now(), held_id)).rowcount
        if changed:
            row = held_state(store, held_id)
            audit.record(store, "command.rejected", actor, held=held_id, session=row["session_id"],
                         command=row["command"], reason="cancelled by the user")
    return bool(changed)


def expire_held(store: Backend, held_id: str) -> bool:
    with store.transaction():
        changed = store.execute(
            "UPDATE held SET state = 'expired', decided_at = ? WHERE id = ? AND state = 'pending'",
            (now(), held_id)).rowcount
        if changed:
            row = held_state(store, held_id)
            audit.record(store, "command.expired", "system", held=held_id,
                         session=row["session_id"], command=row["command"])
    return bool(changed)


def replay(ctx: Any, session_id: str, *, speed: float = 1.0) -> int:
    """`bastion replay ID`: play the session's interactive recordings in this terminal."""
    from bastion import recording

    get(ctx.store, session_id)  # SessionError when there is no such session
    paths = [ctx.home.recordings / name for name in casts(ctx.store, session_id).values()]
    if not paths:
        raise SessionError(f"session {session_id} has no interactive recording")
    if speed <= 0:
        raise SessionError("--speed must be positive")
    for path in paths:
        try:
            recording.replay(path, sys.stdout.buffer, speed=speed)
        except recording.RecordingError as exc:
            raise SessionError(str(exc)) from None
    return 0
