"""The control API: one handler behind two doors, the Unix socket HOME/control.sock (the caller named
by SO_PEERCRED as local:NAME) and the SSH subsystem `bastion-control` (supervisors and admins after
key + TOTP). Every action is an audit event naming the supervisor.

Watchers get a snapshot of the session's recent output, then its live output. A watcher that
reads slowly never slows the session: its output is dropped while its buffer is full, and it gets a
fresh snapshot (a `resync`) once it drains.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import pwd
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bastion import audit, recording
from bastion.access import grants, sessions, users
from bastion.config.durations import parse_duration
from bastion.control.pacing import Pacer
from bastion.control.protocol import (
    LIST_TEXT,
    OPERATIONS,
    SUBSYSTEM,
    VERSION,
    LineReader,
    ProtocolError,
    bounded,
    decode,
    encode,
    fitted,
    require_unicode,
)
from bastion.errors import BastionError

if TYPE_CHECKING:
    from bastion.runtime.app import Runtime

log = logging.getLogger("bastion.control.operations")

WATCH_HIGH_WATER = 1 << 20   # bytes queued to a watcher before its output is dropped
WATCH_LOW_WATER = 64 << 10   # bytes queued below which a dropped watcher gets a resync
MAX_UNSENT = 8 << 20  # bytes queued to a control client (replies, events) before it is dropped
RECORDING_CHUNK = 32 * 1024  # characters of events per `recording` reply
MAX_CURSORS = 16  # pages a connection may resume (`recording`): a replay or two at once
MAX_REQUESTS_LISTED = 500  # the newest requests a listing holds: it runs on the one loop
MAX_WATCHED = 4096  # sessions a connection remembers it audited a `watch` of
MAX_SERIAL = grants.MAX_SERIAL  # the store's integers: anything larger cannot name a row


class ControlConnection:
    """One control client. `write` sends bytes, `buffered` tells how many wait unsent, `close`
    closes the door when the client is done, `end(reason)` when its actor lost the right."""

    def __init__(self, app: Runtime, actor: str, write: Callable[[bytes], None],
                 buffered: Callable[[], int], close: Callable[[], None],
                 end: Callable[[str], None], abort: Callable[[], None] | None = None,
                 enrolled: float | None = None, *, pause: Callable[[], None] | None = None,
                 resume: Callable[[], None] | None = None) -> None:
        self.app = app
        self.actor = actor
        self.enrolled = enrolled  # over SSH: the person who authenticated (users.get)
        self._write = write
        self._buffered = buffered
        self._close = close
        self._end = end
        self._abort = abort or close  # drops what waits unsent (a client that stopped reading)
        self.reader = LineReader()
        self._cursors: dict[tuple[str, int], int] = {}
        self._viewed: set[tuple[str, int]] = set()  # recordings read (`recording`, audited)
        self.watching: set[str] = set()
        self.dropped: set[str] = set()
        self.closed = False
        self.pacer = Pacer(self, pause, resume)  # requests queued and paced (attack y34o, 1)
        self._watched: set[str] = set()  # sessions this connection's `watch` was audited for

    def start(self) -> None:
        """Say hello and start receiving events (once the transport can carry data)."""
        self.app.subscribers.add(self.on_event)
        self.send({"event": "hello", "version": VERSION, "actor": self.actor})

    # -- transport ---------------------------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        if not self.closed and self._buffered() > MAX_UNSENT:
            self._drop()
        if not self.closed:
            try:
                self._write(encode(fitted(message)))  # at most REPLY_BUDGET (a36o, 3)
            except (OSError, BastionError, RuntimeError):
                self.connection_lost()

    def unsent(self) -> int:
        return self._buffered()

    def data_received(self, data: bytes) -> None:
        """Lines queued, handled off the reading (bastion.control.pacing)."""
        self.reader.add(data)
        self.pacer.pull()

    def handle_item(self, item: bytes | ProtocolError) -> None:
        if isinstance(item, ProtocolError):
            self.send({"id": None, "ok": False, "error": str(item)})
        else:
            self.handle_line(item)

    def note(self, event: str, kind: str, **data: Any) -> None:
        """A row the person may cause many of (a refused burst, an action that changed
        nothing): the first of its kind in a minute, then a count (Refusals.note_refusal)."""
        counted = getattr(self.app, "user_refusals", None)  # None: one row each (pure tests)
        if counted is None or counted.note(self.actor, f"{event} {kind}", time.monotonic()):
            audit.record_or_log(self.app.store, event, self.actor, kind=kind, **data)

    def dropped_waiting(self) -> None:
        """The connection closed with requests waiting: none of them is handled; one row."""
        count = self.pacer.discard()
        if count:
            audit.record_or_log(self.app.store, "control.refused", self.actor, lines=count,
                                kind="requests waiting",
                                reason=f"the door closed with {count} requests waiting")

    def _drop(self) -> None:
        """The client stopped reading: every event but `output` was still queued for it, without
        bound (attack a10o). Disconnected, what waited unsent discarded, and audited."""
        unsent = self._buffered()
        self.connection_lost()
        audit.record_or_log(self.app.store, "control.dropped", self.actor, unsent=unsent,
                            reason=f"more than {MAX_UNSENT} bytes waited unsent")
        self._abort()

    def eof_received(self) -> None:
        if self.pacer.waiting or self.pacer.task is not None:
            self.pacer.eof = True  # the requests sent before the end are answered first
            return
        self.connection_lost()
        self._close()

    def connection_lost(self) -> None:
        if not self.closed:
            self.closed = True
            self.app.subscribers.discard(self.on_event)

    def withdraw(self, reason: str) -> None:
        """The actor lost the right to be here: say why (an error line without an id), then
        nothing more is sent or taken."""
        self.send({"id": None, "ok": False, "error": reason})
        self.connection_lost()

    # -- events pushed by the server -----------------------------------------------------------

    def on_event(self, message: dict[str, Any]) -> None:
        if message["event"] == "shutdown":
            # The server's last word on this connection: it is going away.
            self.send(message)
            self.connection_lost()
            self._close()
            return
        if message["event"] not in ("output", "resize"):
            self.send(message)
            return
        session = message["session"]
        if session not in self.watching:
            return
        if message["event"] == "resize":
            # Dropped with the output while the watcher lags: the resync's snapshot has the size.
            if session not in self.dropped:
                self.send(message)
            return
        if self._buffered() > WATCH_HIGH_WATER:
            self.dropped.add(session)
            return
        if session in self.dropped:
            if self._buffered() > WATCH_LOW_WATER:
                return
            self.dropped.discard(session)
            self.send({"event": "resync", **self.snapshot(session)})
            return
        self.send({"event": "output", "session": session, "channel": message["channel"],
                   "data": base64.b64encode(message["data"]).decode("ascii")})

    def snapshot(self, session_id: str) -> dict[str, Any]:
        live = self.app.live.get(session_id)
        screens = [(ch.number, screen) for ch in live.channels
                   if (screen := ch.screen()) is not None] if live else []
        if not screens:
            return {"session": session_id, "channel": 0, "width": 80, "height": 24, "data": ""}
        number, (width, height, tail) = screens[-1]
        return {"session": session_id, "channel": number, "width": width, "height": height,
                "data": base64.b64encode(tail).decode("ascii")}

    # -- requests ------------------------------------------------------------------------------

    def handle_line(self, line: bytes) -> None:
        rid: Any = None
        try:
            message = decode(line)
            rid = message.get("id")
            require_unicode(message)
            op = message.get("op")
            if not isinstance(op, str) or op not in OPERATIONS:
                raise ProtocolError(f"unknown operation {op!r}")
            if not grants.can_supervise(self.app.store, self.app.config, self.actor,
                                        self.enrolled):
                self._refuse(rid, op)
                return
            reply = getattr(self, f"op_{op}")(message)
            self.send({"id": rid, "ok": True, **reply})
        except (ProtocolError, BastionError, ValueError, KeyError, TypeError, ArithmeticError,
                RecursionError) as exc:
            text = str(exc) if not isinstance(exc, KeyError) else f"missing field {exc}"
            self.send({"id": rid, "ok": False, "error": text.splitlines()[0] if text else "refused"})
        except Exception:  # one bad request must not end the supervisor's connection
            log.exception("control request failed")
            self.send({"id": rid, "ok": False, "error": "internal error (see the bastion's log)"})

    def _refuse(self, rid: Any, op: str) -> None:
        """The actor may no longer supervise (locked, removed, demoted): refuse and end."""
        reason = f"{self.actor} may no longer supervise"
        waiting = self.pacer.discard()  # none of them is handled, and none is a row of its own
        audit.record_or_log(self.app.store, "control.refused", self.actor, op=op, reason=reason,
                            lines=waiting)
        self.send({"id": rid, "ok": False, "error": reason})
        self.connection_lost()
        self._end(reason)

    def _field(self, message: dict[str, Any], name: str) -> str:
        value = message.get(name)
        if not isinstance(value, str) or not value:
            raise ProtocolError(f"field {name!r} is required (a string)")
        return value

    def _integer(self, message: dict[str, Any], name: str, default: int | None, low: int,
                 high: int) -> int:
        """A whole-number field (a JSON number, never true or false) from `low` to `high`."""
        value = message.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ProtocolError(f"{name} must be a whole number from {low} to {high}")
        return value

    def _flag(self, message: dict[str, Any], name: str) -> bool:
        value = message.get(name, False)
        if not isinstance(value, bool):
            raise ProtocolError(f"{name} must be true or false")
        return value

    def _reason(self, message: dict[str, Any]) -> str:
        reason = message.get("reason", "")
        if not isinstance(reason, str):
            raise ProtocolError("reason must be a string")
        return reason  # its length and characters are checked where it is used (bastion.access.reasons)

    def _acted(self, op: str, **data: Any) -> None:
        audit.record(self.app.store, "control.action", self.actor, op=op, **data)

    def _unchanged(self, op: str, **data: Any) -> None:
        """A request that changed nothing (an unlock of someone not locked, a revocation that
        revoked nothing, a lock again with the same reason, a watch again): the first of its
        kind a minute per person is a row, the rest a count (attack y34o, finding 1: 2 rows
        each, without bound)."""
        self.note("control.action", f"{op} (unchanged)", op=op, **data)

    def op_sessions(self, message: dict[str, Any]) -> dict[str, Any]:
        rows = sessions.list_for_supervisors(self.app.store, include_ended=self._flag(message, "all"))
        t = time.time()
        for row in rows:
            ends, last, alerts = row.pop("grant_ends"), row.pop("last_command"), row.pop("alerts")
            row["grant_ends"] = ends
            row["time_left"] = max(0.0, ends - t) if ends is not None else None
            row["last_command"] = last  # cut at sessions.LAST_COMMAND (a36o 3, b37o 2)
            row["alerts"] = alerts
        return {"sessions": rows}

    def op_watch(self, message: dict[str, Any]) -> dict[str, Any]:
        session = self._field(message, "session")
        if session not in self.app.live:
            raise BastionError(f"session {session} is not live")
        self.watching.add(session)
        self.dropped.discard(session)
        if session in self._watched:  # watched again by this connection: counted, not a row each
            self._unchanged("watch", session=session)
        else:
            if len(self._watched) >= MAX_WATCHED:
                self._watched.clear()
            self._watched.add(session)
            self._acted("watch", session=session)
        return {"snapshot": self.snapshot(session)}

    def op_unwatch(self, message: dict[str, Any]) -> dict[str, Any]:
        self.watching.discard(self._field(message, "session"))
        return {}

    def op_kill(self, message: dict[str, Any]) -> dict[str, Any]:
        session, reason = self._field(message, "session"), self._reason(message)
        sessions.request_kill(self.app.store, session, self.actor,
                              reason or f"ended by {self.actor}")
        self._acted("kill", session=session, reason=reason)
        self.app.enforce()
        return {}

    def op_revoke(self, message: dict[str, Any]) -> dict[str, Any]:
        selectors = {k: message[k] for k in ("serial", "grant", "user", "ticket") if k in message}
        if len(selectors) != 1:
            raise ProtocolError("revoke needs exactly one of serial, grant, user, ticket")
        if "serial" in selectors:
            selectors["serial"] = self._integer(message, "serial", None, 1, MAX_SERIAL)
        for key in ("grant", "user", "ticket"):
            if key in selectors:
                selectors[key] = self._field(message, key)
        reason = self._reason(message)
        changed = grants.revoke(self.app.store, actor=self.actor, reason=reason,
                                record_unchanged=False, **selectors)
        if not changed:
            self._unchanged("revoke", **selectors)
            return {"changed": 0}
        self._acted("revoke", reason=reason, changed=changed, **selectors)
        self.app.publish("revoked", reason=reason, **selectors)
        self.app.enforce()
        return {"changed": changed}

    def op_lock(self, message: dict[str, Any]) -> dict[str, Any]:
        user, reason = self._field(message, "user"), self._reason(message)
        person = users.get(self.app.store, user)
        if person is not None and person.locked and person.lock_reason == (
                reason or f"locked by {self.actor}"):
            self._unchanged("lock", user=user)
            return {}
        users.lock(self.app.store, user, reason or f"locked by {self.actor}", self.actor)
        self._acted("lock", user=user, reason=reason)
        self.app.enforce()
        return {}

    def op_unlock(self, message: dict[str, Any]) -> dict[str, Any]:
        user = self._field(message, "user")
        person = users.get(self.app.store, user)
        if (person is not None and not person.locked and user not in users.people_of(self.actor)
                and not users.has_failed_codes(self.app.store, user)):
            self._unchanged("unlock", user=user)
            return {}
        users.unlock(self.app.store, user, self.actor)
        self._acted("unlock", user=user)
        return {}

    def op_requests(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"requests": grants.list_requests(
            self.app.store, state=None if self._flag(message, "all") else "pending",
            newest=MAX_REQUESTS_LISTED)}

    def op_approve(self, message: dict[str, Any]) -> dict[str, Any]:
        request = self._field(message, "request")
        duration = message.get("duration")
        seconds = parse_duration(duration) if duration is not None else None
        grant = grants.approve(self.app.store, self.app.config, request, self.actor,
                               duration=seconds, reason=self._reason(message))
        self._acted("approve", request=request, grant=grant.id)
        self.app.publish("request_decided", request=request, state="approved", by=self.actor)
        return {"grant": grant.id, "ends": grant.ends}

    def op_deny(self, message: dict[str, Any]) -> dict[str, Any]:
        request = self._field(message, "request")
        grants.deny(self.app.store, self.app.config, request, self.actor, self._reason(message))
        self._acted("deny", request=request)
        self.app.publish("request_decided", request=request, state="denied", by=self.actor)
        return {}

    def op_held(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"held": sessions.list_held(self.app.store)}

    def op_confirm(self, message: dict[str, Any]) -> dict[str, Any]:
        held = self._field(message, "held")
        sessions.decide_held(self.app.store, self.app.config, held, self.actor, confirm=True,
                             reason=self._reason(message))
        self._acted("confirm", held=held)
        self.app.held_decided(held)
        return {}

    def op_reject(self, message: dict[str, Any]) -> dict[str, Any]:
        held = self._field(message, "held")
        sessions.decide_held(self.app.store, self.app.config, held, self.actor, confirm=False,
                             reason=self._reason(message))
        self._acted("reject", held=held)
        self.app.held_decided(held)
        return {}

    def op_recording(self, message: dict[str, Any]) -> dict[str, Any]:
        """A page of a session's asciicast: events from `offset` (an event index), for replay."""
        session = self._field(message, "session")
        offset = self._integer(message, "offset", 0, 0, MAX_SERIAL)
        asked = (self._integer(message, "channel", None, 0, MAX_SERIAL) if "channel" in message
                 else None)
        sessions.get(self.app.store, session)  # SessionError when there is no such session
        casts = sessions.casts(self.app.store, session)
        if not casts:
            raise BastionError(f"session {session} has no interactive recording")
        channel = min(casts) if asked is None else asked
        if channel not in casts:
            raise ProtocolError(f"session {session} has no recording for channel {channel!r}")
        path = self.app.home.recordings / casts[channel]
        # Where the page after each one this connection read starts, so that paging through a
        # long recording reads each page once instead of everything before it every time.
        key = (str(path), offset)
        page = recording.cast_page(path, offset, RECORDING_CHUNK, resume=self._cursors.pop(key, None))
        if page.following is not None and page.resume is not None:
            self._cursors[(str(path), page.following)] = page.resume
            while len(self._cursors) > MAX_CURSORS:
                del self._cursors[next(iter(self._cursors))]
        header, events, following = page.header, page.events, page.following
        # Audited once per recording a connection reads, whatever page it starts at (attack K:
        # a read from offset 1 went unaudited).
        if (session, channel) not in self._viewed:
            self._viewed.add((session, channel))
            self._acted("recording", session=session, channel=channel)
        return {"session": session, "channel": channel, "channels": sorted(casts),
                "header": header, "events": events, "next": following}

    def op_audit(self, message: dict[str, Any]) -> dict[str, Any]:
        limit = self._integer(message, "limit", 100, 1, 1000)
        kind = message.get("type")
        if kind is not None and not isinstance(kind, str):
            raise ProtocolError("type must be a string")
        check = self.app.verify_audit()
        # texts cut at LIST_TEXT: the audit keeps them whole (`bastion audit`; a36o, finding 3)
        return {"events": bounded(audit.recent(self.app.store, limit, kind), LIST_TEXT),
                "verify": {"ok": check.ok, "rows": check.rows, "problem": check.problem,
                           "complete": check.complete}}


# ---------------------------------------------------------------- the Unix socket door

def peer_actor(sock: socket.socket) -> str:
    """local:NAME of the process on the other end of a Unix socket (SO_PEERCRED), with the
    sudo claim its environment makes, local:NAME(sudo:WHO) (users.local_actor_name)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, _ = struct.unpack("3i", creds)
    try:
        name = pwd.getpwuid(uid).pw_name
    except KeyError:
        name = str(uid)
    return users.local_actor_name(name, sudo_claim(pid, uid))


def sudo_claim(pid: int, uid: int) -> str | None:
    """SUDO_USER in the environment process `pid` started with, when that process (still) runs
    as `uid`; None when there is none or it cannot be read. Read here rather than sent by the
    client, so that every client on the socket (the CLI, the console, a script) carries it."""
    proc = Path(f"/proc/{pid}")
    try:
        if proc.stat().st_uid != uid:  # the peer is gone and its pid reused by someone else
            return None
        environ = (proc / "environ").read_bytes()
    except OSError:
        return None
    for entry in environ.split(b"\0"):
        if entry.startswith(b"SUDO_USER="):
            return entry[len(b"SUDO_USER="):].decode("utf-8", "replace")
    return None


class _SocketProtocol(asyncio.Protocol):
    def __init__(self, app: Runtime) -> None:
        self.app = app
        self.conn: ControlConnection | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        sock = transport.get_extra_info("socket")
        actor = peer_actor(sock)
        self.conn = ControlConnection(self.app, actor, transport.write,
                                      transport.get_write_buffer_size, transport.close,
                                      lambda _reason: transport.close(), transport.abort,
                                      pause=transport.pause_reading,
                                      resume=transport.resume_reading)
        self.conn.start()

    def data_received(self, data: bytes) -> None:
        self.conn.data_received(data)

    def eof_received(self) -> bool:
        # The requests read before the EOF are still answered (bastion.control.pacing); the
        # connection closes after them.
        self.conn.eof_received()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        if self.conn is not None:
            self.conn.connection_lost()


async def start_socket(app: Runtime) -> asyncio.AbstractServer:
    """Listen on HOME/control.sock, mode 0600 from the start."""
    path = app.home.control_socket
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    old = os.umask(0o177)
    try:
        server = await asyncio.get_running_loop().create_unix_server(
            lambda: _SocketProtocol(app), str(path))
    finally:
        os.umask(old)
    os.chmod(path, 0o600)
    return server


# ---------------------------------------------------------------- the SSH subsystem door

def attach_subsystem(app: Runtime, session: Any) -> bool:
    """Called for `bastion-control` on the command interface: supervisors and admins only."""
    user, enrolled = session.user, session.server.enrolled
    if not grants.can_supervise(app.store, app.config, user, enrolled):
        app.note_refusal("control.refused", user, SUBSYSTEM, client=session.server.client_addr,
                         reason="not a supervisor")
        return False
    chan = session.chan
    session.control = ControlConnection(
        app, user, chan.write, chan.get_write_buffer_size, chan.close, session.end, chan.abort,
        enrolled, pause=chan.pause_reading, resume=chan.resume_reading)
    return True
