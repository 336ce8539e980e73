"""`bastion serve`: the asyncssh server, its authentication decisions, and the loop that keeps live
sessions within what the store says (revocations, locks, kills, grant ends, idle time, store and
disk health).

User names: `NAME` is the command interface (enrolled key + TOTP); `LOGIN@TARGET` is a proxied
session (enrolled key + TOTP, or a user certificate this bastion issued). The name is split at its
last `@`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncssh

import certs
from bastion import audit, config, recording
from bastion.access import grants, limits, mfa, rights, sessions, users
from bastion.command_control.policy import load_policy
from bastion.config import LOGIN_NAME, TARGET_NAME, durations
from bastion.control import operations as control
from bastion.control import protocol
from bastion.errors import BastionError
from bastion.runtime.home import Context
from bastion.ssh import auth, commands, ending, forward, proxy
from bastion.ssh.auth import Decision
from bastion.ssh.proxy import Identity, LiveSession
from bastion.store import SCHEMA_VERSION, STORE_BUSY, StoreError
from bastion.text import VisibleFormatter, visible

log = logging.getLogger("bastion.ssh.server")

CLIENT_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr")
NAME_CHANGE_REFUSAL = "change of user name between authentication requests"
SERVICE_REFUSAL = "authentication request for a service other than ssh-connection"
SERVER_BUSY_TIMEOUT_MS = 1000  # the server's own waits for a locked store: short, it runs every session
ENFORCE_INTERVAL = 0.5
DIGEST_INTERVAL = 5.0
RATE_SWEEP_INTERVAL = 10.0
SHUTDOWN_GRACE = 5.0  # seconds for sessions to close once told; well within TimeoutStopSec
STORE_LOST = "the bastion lost its database; revocation cannot be checked"
# A connection whose end began this long ago and that is still open is closed at once, without
# waiting for its client (the enforcement loop looks at every pass).
END_DEADLINE = 1.0


@dataclass(frozen=True)
class Name:
    """A parsed SSH user name: the command interface (user) or a session (login, target)."""

    kind: str  # "command" | "session" | "invalid"
    user: str = ""
    login: str = ""
    target: str = ""


@dataclass(frozen=True)
class Login:
    """What one proven key or certificate stands for, made fresh by every key decision that
    did not refuse: the SSH user name it was proven for, the person it belongs to, and for
    LOGIN@TARGET the session's identity. The TOTP step checks this person's code, and the
    connection runs as this person: nothing else carries over between requests."""

    username: str
    user: str
    identity: Identity | None = None
    consume: int | None = None  # a single-use certificate, claimed as the login completes


def parse_username(username: str) -> Name:
    if "@" in username:
        login, _, target = username.rpartition("@")
        if LOGIN_NAME.match(login) and TARGET_NAME.match(target) and len(target) <= 64:
            return Name("session", login=login, target=target)
        return Name("invalid")
    if users.USER_NAME.match(username):
        return Name("command", user=username)
    return Name("invalid")


class Bastion:
    """The running server's state: configuration, store, CAs, live sessions and subscribers."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.home = ctx.home
        self.config: config.Config = ctx.config
        audit.configure(self.config)
        self.store = ctx.store
        # One event loop serves every session: a write waiting for a lock held by another process
        # stalls them all, so the server gives up sooner than the CLI does (fail closed).
        self.store.set_lock_timeout(SERVER_BUSY_TIMEOUT_MS / 1000)
        self.user_ca = ctx.user_ca
        self.target_ca = ctx.target_ca
        self.policy = ctx.policy
        self.live: dict[str, LiveSession] = {}
        self.connections: set[BastionServer] = set()
        self.per_source: dict[str, int] = {}
        self.rate = limits.ConnectionRate()
        self.rate_swept = 0.0
        self.refusals = limits.RefusalLog()
        self.request_refusals = limits.RefusalLog()  # per user: a flood of refused requests
        self.user_refusals = limits.RefusalLog()  # per person, event and kind (`note_refusal`)
        self.rows_to_end: dict[str, tuple[str, str, str, float]] = {}
        self.stalled_recordings: list[tuple[Any, Callable[[], str], str]] = []
        self.subscribers: set[Callable[[dict[str, Any]], None]] = set()
        self.store_failing_since: float | None = None
        self.disk_ok = True
        self.server: asyncssh.SSHAcceptor | None = None
        self.control_server: asyncio.AbstractServer | None = None
        self.stopping = False
        self.held_waiters: dict[str, asyncio.Event] = {}
        self.seen_requests: set[str] | None = None
        self.seen_held: set[str] | None = None
        self.seen_changes: object = None  # the store's change token when they were last read

    # -- hooks for command control and the control API ---------------------------------

    def publish(self, event: str, **data: Any) -> None:
        """Push `event` (one of protocol.EVENTS, else ValueError) to every control subscriber;
        texts longer than protocol.EVENT_TEXT are cut."""
        message = {"event": protocol.check_event(event), "at": round(time.time(), 3),
                   **protocol.bounded(data)}
        for subscriber in list(self.subscribers):
            subscriber(message)

    def broadcast_output(self, session_id: str | None, channel: int, data: bytes) -> None:
        if self.subscribers:
            message = {"event": "output", "session": session_id, "channel": channel, "data": data}
            for subscriber in list(self.subscribers):
                subscriber(message)

    def broadcast_resize(self, session_id: str | None, channel: int, width: int, height: int
                         ) -> None:
        """The user's terminal changed size: watchers resize their copy of the screen, or its
        rows and the cursor would no longer line up with the output."""
        if self.subscribers:
            message = {"event": "resize", "session": session_id, "channel": channel,
                       "width": width, "height": height}
            for subscriber in list(self.subscribers):
                subscriber(message)

    def held_decided(self, held_id: str) -> None:
        """A supervisor decided a held command; the gate holding it acts now."""
        waiter = self.held_waiters.get(held_id)
        if waiter is not None:
            waiter.set()

    def publish_store_changes(self) -> None:
        """Requests and held commands can change in other processes (the CLI): push the news.
        Nothing is read while the store says nothing was committed since the last look."""
        changes = self.store.changes()
        if changes == self.seen_changes:
            return
        pending = grants.pending_requests(self.store)
        held = {r["id"]: r for r in sessions.list_held(self.store)}
        if self.seen_requests is not None:
            for rid in pending.keys() - self.seen_requests:
                self.publish("request_created", request=pending[rid])
            for rid in self.seen_requests - pending.keys():
                state, by = grants.request_decision(self.store, rid)
                self.publish("request_decided", request=rid, state=state, by=by)
        if self.seen_held is not None:
            for hid in held.keys() - self.seen_held:
                self.publish("command_held", held=held[hid])
            for hid in self.seen_held - held.keys():
                self.held_decided(hid)
        self.seen_requests, self.seen_held = set(pending), set(held)
        self.seen_changes = changes

    def check_can_record(self) -> None:
        """Refuse new sessions while recordings cannot be kept (fail closed)."""
        if not self.recordings_usable():
            raise BastionError("the bastion cannot record sessions right now (recordings "
                               "folder full or unwritable); try again later")

    # -- the enforcement loop --------------------------------------------------------------

    async def enforce_forever(self) -> None:
        last_digest = time.monotonic()
        while not self.stopping:
            await asyncio.sleep(ENFORCE_INTERVAL)
            self.enforce()
            if time.monotonic() - last_digest >= DIGEST_INTERVAL:
                last_digest = time.monotonic()
                try:
                    self.save_running_digests()
                except Exception:  # the loop that enforces revocation must never die
                    log.exception("saving running digests failed")

    def enforce(self) -> None:
        """One pass: every authenticated connection against its person's standing now (lock,
        removal, role), every proxied session against its row (kill, revocation, grant end, idle
        time), and every login without a row yet against its certificate and grants. One store
        query for all of them (rights.read). Never raises: a pass that fails is logged and the
        next one runs; what asked for it (a kill, a revocation, a lock) stands in the store."""
        try:
            self._enforce()
        except Exception:  # the loop that enforces revocation must never die
            log.exception("enforcement pass failed")

    def _enforce(self) -> None:
        self.check_disk()
        self.sweep_limits()
        mono = time.monotonic()
        ending.each(self.connections, lambda c: c.finish_ending(mono), "closing an ended connection")
        open_ = [c for c in self.connections if c.user is not None and not c.is_ending()]
        proxied = [c.live.access() for c in open_ if c.live is not None]
        try:
            snapshot = rights.read(
                self.store, (c.user for c in open_ if c.live is None),
                (a.session for a in proxied if a.session is not None),
                (a for a in proxied if a.session is None))
            self.publish_store_changes()
            self.retry_ended_rows()
            self.finish_stalled_recordings()
            self.store_failing_since = None
        except StoreError as exc:
            self._store_trouble(exc)
            return
        t = time.time()
        ending.each(open_, lambda c: c.hold_to(snapshot, self.config, t), "enforcing rights")
        for conn in open_:
            live = conn.live
            if live is None or live.id is None or live.ending:
                continue
            row = snapshot.sessions.get(live.id)
            if row is None:
                continue
            left = row["ends"] - t if row["ends"] else None
            if left is not None and left <= self.config.server.grant_warning and not live.warned:
                live.warned = True
                minutes = max(1, round(left / 60))
                live.notice(f"your access grant ends in {minutes} minute{'s' * (minutes != 1)}")
                audit.record_or_log(self.store, "grant.warning", live.identity.user,
                                    session=live.id, seconds_left=round(left))
            idle = time.monotonic() - live.last_activity
            if idle >= self.config.server.idle_timeout:
                self.end_live(live, "ended", f"idle for {durations.format_duration(idle)}")

    def end_session_row(self, session_id: str, state: str, reason: str, actor: str) -> None:
        """Mark a session row ended; while the store fails, keep trying from the enforcement
        loop (the session itself is already over: only its row waits)."""
        at = time.time()  # when it ended: before the store's busy wait, before the log line
        try:
            sessions.end(self.store, session_id, state, reason, actor, at=at)
        except StoreError as exc:
            log.error("session %s ended (%s) but its row is not updated yet: %s", session_id,
                      reason, exc)
            self.rows_to_end[session_id] = (state, reason, actor, at)

    def defer_session_row(self, session_id: str, state: str, reason: str, actor: str) -> None:
        """A session ended now whose row the store cannot take now: `retry_ended_rows` writes it."""
        self.rows_to_end[session_id] = (state, reason, actor, time.time())

    def retry_ended_rows(self) -> None:
        for session_id, (state, reason, actor, at) in list(self.rows_to_end.items()):
            sessions.end(self.store, session_id, state, reason, actor, at=at)  # StoreError: next pass
            del self.rows_to_end[session_id]
            log.info("session %s row updated: %s", session_id, state)

    def stall_recording(self, recorder: Any, closer: Callable[[], str], user: str) -> None:
        """A recording that could not be written or closed (a full disk, a failed store):
        kept, with what it still had to write, and finished by `finish_stalled_recordings`
        once that works, so that nothing it held is lost."""
        log.error("recording %s could not be finished; it will be once it can be written",
                  recorder.path.name)
        self.stalled_recordings.append((recorder, closer, user))

    def finish_stalled_recordings(self) -> None:
        for item in list(self.stalled_recordings):
            recorder, closer, user = item
            try:
                if not recorder.resume():
                    continue
                digest = closer()
                sessions.close_recording(self.store, recorder.path, digest, user)
            except (recording.RecordingError, OSError, StoreError):
                continue  # still failing: the next pass tries again
            self.stalled_recordings.remove(item)
            log.warning("recording %s finished after its fault", recorder.path.name)

    def refuse_connection(self, source: str, reason: str, **detail: Any) -> None:
        """Audit and log a refusal before authentication: the first of a source and reason in a
        minute at once (with `detail`), the rest as one row with their count (`sweep_limits`),
        so that a flood of refused connections is not also a flood of writes."""
        if self.refusals.note(source, reason, time.monotonic()):
            log.warning("%s; refusing %s", reason, source)
            audit_refusal(self.store, "unknown", source, reason, proven=False, **detail)

    def sweep_limits(self, now: float | None = None) -> None:
        """Write the counts of refusals whose minute is over (all of them with `now` = inf)."""
        now = time.monotonic() if now is None else now
        # The rate buckets (up to limits.MAX_SOURCES) are swept every few seconds, not at every
        # enforcement pass: a bucket only fills up again over a minute.
        if now - self.rate_swept >= RATE_SWEEP_INTERVAL and now != math.inf:
            self.rate_swept = now
            self.rate.sweep(self.config.server.connection_rate_per_source, now)
        for source, reason, more in self.refusals.due(now):
            log.warning("%s: refused %d more connections from %s in the last minute", reason, more,
                        source)
            audit_refusal(self.store, "unknown", source, reason, proven=False, repeated=more)
        for user, problem, more in self.request_refusals.due(now):
            log.warning("refused %d more requests of %s in the last minute", more, visible(user))
            audit.record_or_log(self.store, "request.refused", user, problem=problem,
                                repeated=more)
        for user, what, more in self.user_refusals.due(now):
            event, kind = what.split(" ", 1)
            log.warning("%s: %d more of %s (%s) in the last minute", event, more, visible(user),
                        kind)
            audit.record_or_log(self.store, event, user, kind=kind, repeated=more)

    def note_refusal(self, event: str, user: str, kind: str, **data: Any) -> None:
        """Audit a refusal to an authenticated person (a channel or forwarding request of `kind`,
        the control door, a certificate): the first of its event and kind for that person in a
        minute at once, with `data`; the rest counted, and written as one row with `repeated`
        once the minute is over (or the server stops), so that a flood of refused requests is
        not a flood of audit rows."""
        if self.user_refusals.note(user, f"{event} {kind}", time.monotonic()):
            audit.record_or_log(self.store, event, user, kind=kind, **data)

    def end_live(self, live: LiveSession, state: str, reason: str, *, row: bool = True) -> None:
        """End a live session now, telling its user and the watchers why (`LiveSession.end`)."""
        log.info("ending session %s: %s", live.id or "(no channel yet)", reason)
        live.end(state, reason, row=row)  # at once; its row follows when the store lets it
        if live.id is not None:
            self.publish("session_ended", session=live.id, reason=reason)

    def _store_trouble(self, exc: Exception) -> None:
        t = time.monotonic()
        if self.store_failing_since is None:
            self.store_failing_since = t
            log.error("store unavailable: %s", exc)
        if t - self.store_failing_since >= self.config.server.store_grace:
            # Their rows wait for the store (rows_to_end): writing them now would wait out the
            # busy timeout once per session, on the loop every session shares.
            for live in list(self.live.values()):
                if not live.ending:
                    self.end_live(live, "failed", STORE_LOST, row=False)

    def recordings_usable(self) -> bool:
        folder = self.home.recordings
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            return False
        return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK) and (
            free >= self.config.server.recordings_min_free)

    def check_disk(self) -> None:
        ok = self.recordings_usable()
        if ok != self.disk_ok:
            log.log(logging.WARNING if ok else logging.ERROR, "recordings folder %s",
                    "usable again" if ok else
                    "below recordings_min_free or unwritable: new sessions are refused")
        self.disk_ok = ok
        if not ok:
            for live in list(self.live.values()):
                if not live.ending:
                    self.end_live(live, "failed", "the recordings folder is full or unwritable")

    def save_running_digests(self) -> None:
        for live in list(self.live.values()):
            for ch in live.channels:
                if ch.cast is not None and not ch.cast.closed:
                    try:
                        ch.cast.flush()
                        offset, digest = ch.cast.running_digest()
                        sessions.recording_progress(self.store, ch.cast.path, offset, digest)
                    except StoreError as exc:
                        # The recording is fine; the store is not: store_grace decides.
                        self._store_trouble(exc)
                    except Exception as exc:
                        ch.recording_failed(exc)

    # -- lifecycle -------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """What this process holds now; logged on SIGUSR1 (the soak in bench/ watches it)."""
        try:
            fds = len(os.listdir("/proc/self/fd"))
            with open("/proc/self/statm", encoding="ascii") as f:
                rss_kib = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except OSError:
            fds = rss_kib = -1
        return {"connections": len(self.connections), "sessions": len(self.live),
                "tasks": len(asyncio.all_tasks()), "fds": fds, "rss_kib": rss_kib,
                "subscribers": len(self.subscribers), "held_waiters": len(self.held_waiters),
                "rate_sources": len(self.rate), "refusal_windows": len(self.refusals),
                "rows_to_end": len(self.rows_to_end),
                "stalled_recordings": len(self.stalled_recordings)}

    def log_stats(self) -> None:
        log.info("stats: %s", " ".join(f"{k}={v}" for k, v in self.stats().items()))

    def shutdown(self, reason: str) -> None:
        """Graceful stop (SIGTERM): no new connections; held commands rejected and audited;
        control clients sent a `shutdown` event and closed; live sessions told `reason` and
        ended `interrupted`, their recordings closed. `drain` then waits for them to go."""
        self.stopping = True
        log.info("stopping: %s", reason)
        if self.server is not None:
            self.server.close()
        if self.control_server is not None:
            self.control_server.close()
        try:
            sessions.reject_held(self.store, list(self.live), reason)
        except StoreError as exc:
            log.error("held commands not marked rejected: %s", exc)
        self.publish("shutdown", reason=reason, sessions=list(self.live))
        ending.each(self.live.values(), lambda live: live.end("interrupted", reason),
                    "ending a session at shutdown")
        self.sweep_limits(math.inf)  # the refusals counted so far, written before the server goes

    async def drain(self, reason: str, timeout: float = SHUTDOWN_GRACE) -> None:
        """After `shutdown`: wait (at most `timeout`) for the live sessions' connections to
        close, then disconnect every connection left (command users, logins) with `reason`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.live and loop.time() < deadline:
            await asyncio.sleep(0.05)
        for client in list(self.connections):
            if client.conn is not None:
                client.conn.disconnect(asyncssh.DISC_BY_APPLICATION, reason)

    def reload(self) -> None:
        try:
            new = config.load_config(self.home.config_file)
            new_policy = load_policy(self.home.policy_file)
        except config.ConfigError as exc:
            log.error("reload refused: %s", exc)
            audit.record_or_log(self.store, "config.rejected", "system", error=str(exc))
            return
        old_escrow = self.config.recordings.escrow_key
        self.config = self.ctx.config = new
        self.policy = new_policy
        audit.configure(new)
        audit.record_or_log(self.store, "config.reloaded", "system")
        log.info("configuration reloaded")
        if new.recordings.escrow_key != old_escrow:
            self.log_escrow()
        # A role that lost a right loses it at once, on every connection already open.
        try:
            self.enforce()
        except Exception:
            log.exception("enforcement pass after a reload failed")

    def log_escrow(self) -> None:
        """Say in the log what becomes of keys typed without echo (at start, and when it changes)."""
        key = self.config.recordings.escrow_key
        if key is None:
            log.warning("no [recordings] escrow_key: keys typed without echo are recorded as "
                        "redaction markers only, and are lost")
        else:
            log.info("keys typed without echo are sealed to escrow key %s in channels opened from "
                     "now on", key.fingerprint)


class BastionServer(auth.TwoFactorServer):
    """One client connection: decides authentication and hands out channel sessions."""

    def __init__(self, app: Bastion) -> None:
        self.app = app
        self.conn: asyncssh.SSHServerConnection | None = None
        self.client_addr = ""
        self.login: Login | None = None  # the pending login, until authentication completes
        # Set once, from `login`, when authentication completes:
        self.identity: Identity | None = None
        self.live: LiveSession | None = None
        self.command_user: str | None = None
        self.user: str | None = None  # the person, either way: what the enforcer checks
        self.doors: set[commands.CommandSession] = set()  # command and control channels
        self.ending_since: float | None = None  # when `end` began (time.monotonic)
        self.certificates_issued = 0  # `cert` on this connection (grants.CERTS_PER_CONNECTION)
        self._closer: asyncio.Task | None = None
        self.login_timer: asyncio.TimerHandle | None = None
        self.authenticated = False

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self.conn = conn
        peer = conn.get_extra_info("peername") or ("", 0)
        self.client_addr = peer[0]
        app = self.app
        app.connections.add(self)
        app.per_source[self.client_addr] = app.per_source.get(self.client_addr, 0) + 1
        settings = app.config.server  # read per connection: SIGHUP changes apply to the next one
        within_rate = app.rate.allow(self.client_addr, settings.connection_rate_per_source,
                                     time.monotonic())
        if (len(app.connections) > settings.max_connections
                or app.per_source[self.client_addr] > settings.max_connections_per_source):
            self._hang_up("connection limit reached")
        elif not within_rate:
            self._hang_up("connection rate limit reached")
        else:
            self.login_timer = asyncio.get_running_loop().call_later(
                settings.login_timeout, self._login_timed_out, settings.login_timeout)

    def _login_timed_out(self, seconds: float) -> None:
        self.login_timer = None
        if self.conn is None or self.authenticated:
            return
        self._hang_up(f"login timeout ({durations.format_duration(seconds)})")

    def _hang_up(self, reason: str) -> None:
        """Refuse before authentication, and tell the client why (the ssh client prints it),
        not only "Disconnected by application"."""
        self.app.refuse_connection(self.client_addr, reason)
        self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, f"bastion: {reason}")

    def connection_lost(self, exc: Exception | None) -> None:
        app = self.app
        if isinstance(exc, asyncssh.IllegalUserName):
            # asyncssh hangs up on names it cannot accept (over 1 KB, control or bidi
            # characters) before any of our callbacks sees them: still a refusal to audit.
            self._audit_refusal("(illegal name)", self.client_addr,
                                f"illegal user name: {exc.reason}", proven=False)
        elif isinstance(exc, asyncssh.ServiceNotAvailable) and not self.authenticated:
            app.refuse_connection(self.client_addr, SERVICE_REFUSAL)
        if self.login_timer is not None:
            self.login_timer.cancel()
            self.login_timer = None
        app.connections.discard(self)
        n = app.per_source.get(self.client_addr, 1) - 1
        if n <= 0:
            app.per_source.pop(self.client_addr, None)
        else:
            app.per_source[self.client_addr] = n
        if self.live is not None:
            self.live.connection_lost()

    # -- authentication decisions ------------------------------------------------------------

    def user_cas(self) -> list[asyncssh.SSHKey]:
        return [self.app.user_ca.public_key]

    def known_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        name = parse_username(username)
        owner = users.user_for_key(self.app.store, key)
        if name.kind == "command":
            return owner == name.user
        return name.kind == "session" and owner is not None

    def key_proven(self, username: str, key: asyncssh.SSHKey, cert: asyncssh.SSHCertificate | None,
                   client_addr: str) -> Decision:
        # Whatever an earlier key step left is gone before this one is judged.
        self.login = None
        decision, login = self._unless_store_fails(self._key_decision, username, key, cert,
                                                   client_addr)
        if decision.outcome is not auth.Outcome.REFUSE:
            self.login = login
        return decision

    def totp_check(self, username: str, code: str) -> Decision:
        decision, _ = self._unless_store_fails(self._totp_decision, username, code)
        return decision

    def _unless_store_fails(self, decide: Callable[..., tuple[Decision, Login | None]],
                            *args: Any) -> tuple[Decision, Login | None]:
        # Fail closed, with a reason the user can act on, rather than a generic failure.
        try:
            return decide(*args)
        except StoreError as exc:
            log.error("authentication from %s refused: %s", self.client_addr, exc)
            return Decision.REFUSE(STORE_BUSY), None

    def _key_decision(self, username: str, key: asyncssh.SSHKey,
                      cert: asyncssh.SSHCertificate | None, client_addr: str
                      ) -> tuple[Decision, Login | None]:
        app = self.app
        name = parse_username(username)
        if name.kind == "invalid":
            return Decision.REFUSE("invalid user name"), None
        if cert is not None:
            return self._cert_proven(name, username, cert, client_addr)
        user = users.user_for_key(app.store, key)
        person = users.get(app.store, user) if user else None
        if person is None:
            return Decision.REFUSE("unknown key"), None
        if person.locked:
            return Decision.REFUSE(f"user {user} is locked"), None
        if name.kind == "command":
            # known_key let only the name's own key this far; checked again, as it decides
            # whose TOTP is asked for.
            if user != name.user:
                return Decision.REFUSE("unknown key"), None
            return Decision.NEED_TOTP, Login(username, user)
        problem = self._session_problem(user, person.role, name)
        if problem:
            return Decision.REFUSE(problem), None
        identity = Identity(user=user, role=app.config.role(person.role),
                            target=app.config.targets[name.target], login=name.login,
                            client_addr=client_addr)
        return Decision.NEED_TOTP, Login(username, user, identity)

    def _cert_proven(self, name: Name, username: str, cert: asyncssh.SSHCertificate,
                     client_addr: str) -> tuple[Decision, Login | None]:
        app = self.app
        if name.kind != "session":
            return Decision.REFUSE("certificates open sessions only; use your enrolled key "
                                   "for bastion commands"), None
        info = certs.cert_info(cert)
        row, problem = grants.certificate_problem(app.store, info.serial, username)
        if problem:
            return Decision.REFUSE(problem), None
        person = users.get(app.store, row["user"])
        if person is None:
            return Decision.REFUSE(f"user {row['user']} was removed"), None
        if person.locked:
            return Decision.REFUSE(f"user {person.name} is locked"), None
        problem = self._session_problem(person.name, person.role, name)
        if problem:
            return Decision.REFUSE(problem), None
        role = app.config.role(person.role)
        target = app.config.targets[name.target]
        identity = Identity(user=person.name, role=role, target=target, login=name.login,
                            client_addr=client_addr, serial=info.serial,
                            cert_ticket=row["ticket"],
                            cert_forwarding=bool(cert.options.get("permit-port-forwarding")))
        login = Login(username, person.name, identity,
                      consume=info.serial if row["single_use"] else None)
        if role.mfa_per_session or target.mfa_per_session:
            if not mfa.is_enrolled(app.store, person.name):
                return Decision.REFUSE("this session needs TOTP, but none is enrolled"), None
            return Decision.NEED_TOTP, login
        return self._finish_cert(login), login

    def _finish_cert(self, login: Login) -> Decision:
        if login.consume is not None and not grants.consume_single_use(
                self.app.store, login.consume, login.user, self.client_addr):
            return Decision.REFUSE(f"single-use certificate {login.consume} was already used")
        return Decision.ACCEPT

    def _session_problem(self, user: str, role_name: str, name: Name) -> str | None:
        cfg = self.app.config
        target = cfg.targets.get(name.target)
        if target is None:
            return f"no active grant for {name.login}@{name.target}"
        try:
            grants.check_access(cfg, role_name, name.target, name.login)
        except BastionError as exc:
            return str(exc)
        if not grants.active_grants(self.app.store, user, name.target, name.login):
            return f"no active grant for {name.login}@{name.target}"
        return None

    def _totp_decision(self, username: str, code: str) -> tuple[Decision, None]:
        # The code is checked for the person whose key or certificate was proven for this
        # very user name, and for nobody else.
        login = self.login
        if login is None or login.username != username:
            return Decision.REFUSE("authentication failed"), None
        result = mfa.verify(self.app.store, self.app.ctx.box, login.user, code,
                            actor_addr=self.client_addr)
        if not result.ok:
            return Decision.REFUSE(f"TOTP refused: {result.reason}"), None
        if login.identity is not None and login.identity.serial is not None:
            return self._finish_cert(login), None
        return Decision.ACCEPT, None

    def refused(self, username: str, client_addr: str, reason: str, *, proven: bool) -> None:
        self._audit_refusal(username[:100] or "(empty)", client_addr, reason, proven=proven)

    def _audit_refusal(self, actor: str, client_addr: str, reason: str, *, proven: bool) -> None:
        audit_refusal(self.app.store, actor, client_addr, reason, proven=proven)

    def name_changed(self, first: str, second: str, client_addr: str) -> None:
        self.app.refuse_connection(client_addr, NAME_CHANGE_REFUSAL,
                                   first=first[:100], second=second[:100])

    def auth_completed(self) -> None:
        self.authenticated = True
        if self.login_timer is not None:
            self.login_timer.cancel()
            self.login_timer = None
        login, proof = self.login, self.proof
        as_name = self.conn.get_extra_info("username")
        if login is None or proof is None or not login.username == proof.username == as_name:
            # auth.py admits a connection only after this server accepted a step for its one
            # user name; anything else is a bug, and fails closed.
            log.error("authentication of %r from %s completed without a matching login; "
                      "disconnecting", as_name, self.client_addr)
            self._disconnect("authentication failed")
            return
        self.login = None
        method = "certificate" if login.identity and login.identity.serial else "key+totp"
        try:
            audit.record(self.app.store, "auth.success", login.user, client=self.client_addr,
                         as_name=as_name, method=method,
                         serial=login.identity.serial if login.identity else None)
        except StoreError as exc:
            # A login that cannot be audited does not go on (fail closed): no channel is
            # served, and the client is told why as it is disconnected.
            log.error("login of %s from %s not audited, disconnecting: %s", login.user,
                      self.client_addr, exc)
            self._disconnect(STORE_BUSY)
            return
        self.user = login.user
        if login.identity is not None:
            self.identity = login.identity
            self.live = LiveSession(app=self.app, identity=self.identity, conn=self.conn)
        else:
            self.command_user = login.user

    def _disconnect(self, reason: str) -> None:
        conn = self.conn
        asyncio.get_running_loop().call_soon(conn.disconnect, asyncssh.DISC_BY_APPLICATION, reason)

    # -- rights, for as long as the connection is open -----------------------------------------

    def hold_to(self, snapshot: rights.Snapshot, cfg: config.Config, t: float) -> None:
        """Keep this authenticated connection within what the store says now: end it when its
        person is locked or removed (or their role is gone); end its session when the role no
        longer allows it, or its row, certificate or grants say so (`rights.session_verdict`);
        close its control door when the person no longer supervises."""
        if self.is_ending():
            return
        standing = snapshot.people.get(self.user)
        problem = rights.standing_problem(standing, cfg)
        if problem is not None:
            self.end(problem)
            return
        if self.live is not None:
            verdict = rights.session_verdict(snapshot, cfg, self.live.access(), t)
            if verdict is not None:
                self.app.end_live(self.live, *verdict)
                return
            self.live.hold_to_role(cfg.roles[standing.role])
        elif not standing.may_supervise(cfg):
            for door in list(self.doors):
                if door.needs_supervise:
                    self._audit_ended("control door", "the user no longer supervises")
                    door.end("you no longer supervise: the control door is closed")

    def is_ending(self) -> bool:
        """True once this connection, or the session it carries, has begun to end."""
        return self.ending_since is not None or (self.live is not None and self.live.ending)

    def end(self, reason: str) -> None:
        """End this connection, whatever it serves: its user is told why, its channels exit,
        then it closes (within a second, whatever the client does). Audited: a session as
        session.killed, other doors (and a login without a channel yet) as connection.ended."""
        if self.ending_since is not None:
            return
        self.ending_since = time.monotonic()
        if self.live is not None:
            self.app.end_live(self.live, "killed", reason)
            return
        doors = list(self.doors)
        try:
            self._audit_ended("connection", reason)
            ending.each(doors, lambda door: door.end(f"connection ended: {reason}"),
                        f"ending a door of {self.user}")
        finally:
            self._closer = asyncio.get_running_loop().create_task(self._close_after(doors))

    async def _close_after(self, doors: list[commands.CommandSession]) -> None:
        try:
            waits = [asyncio.ensure_future(d.wait_closed()) for d in doors]
            if waits:
                await asyncio.wait(waits, timeout=proxy.END_GRACE)
                for wait in waits:
                    wait.cancel()
        finally:
            self.conn.close()

    def finish_ending(self, now: float) -> None:
        """The backstop of every end: a connection still open END_DEADLINE after its end (or
        its session's) began is closed now, its upstream too, whatever was meant to close it."""
        began = self.ending_since
        if self.live is not None and self.live.ending_since is not None:
            began = self.live.ending_since if began is None else min(began, self.live.ending_since)
        if began is None or now - began < END_DEADLINE:
            return
        log.warning("connection of %s from %s still open %.1fs after it was ended; closing it",
                    self.user, self.client_addr, now - began)
        if self.live is not None:
            self.live.close_upstream()
        self.conn.abort()

    def _audit_ended(self, what: str, reason: str) -> None:
        audit.record_or_log(self.app.store, "connection.ended", self.user or "?",
                            client=self.client_addr, door=what, reason=reason)

    # -- channels ----------------------------------------------------------------------------

    def session_requested(self) -> asyncssh.SSHServerSession | bool:
        if self.live is not None:
            return self.live.open_channel()
        if self.command_user is None:
            return False
        if self.ending_since is not None:
            self.app.note_refusal("channel.refused", self.command_user, "session",
                                  reason="the connection has ended")
            return False
        door = commands.CommandSession(self.app, self.command_user, self)
        self.doors.add(door)
        return door

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> Any:
        """`ssh -L` and `ssh -W`: opened from the target when the user's role (as configured
        now, not at login) allows forwarding; refused and audited otherwise."""
        live = self.live
        role = self.app.config.roles.get(live.identity.role.name) if live else None
        if live is None or role is None or not role.forwarding:
            self._refuse_forwarding("direct-tcpip", f"{dest_host}:{dest_port}")
            return False
        if live.identity.serial is not None and not live.identity.cert_forwarding:
            self._refuse_forwarding("direct-tcpip", f"{dest_host}:{dest_port}",
                                    "the certificate does not permit port forwarding")
            return False
        return forward.open_forward(live, dest_host, dest_port, orig_host, orig_port)

    def server_requested(self, listen_host: str, listen_port: int) -> bool:
        self._refuse_forwarding("tcpip-forward", f"{listen_host}:{listen_port}")
        return False

    def unix_connection_requested(self, dest_path: str) -> bool:
        self._refuse_forwarding("direct-streamlocal", dest_path)
        return False

    def unix_server_requested(self, listen_path: str) -> bool:
        self._refuse_forwarding("streamlocal-forward", listen_path)
        return False

    def _refuse_forwarding(self, kind: str, where: str, reason: str = "forwarding not allowed"
                           ) -> None:
        who = self.identity.user if self.identity else (self.command_user or "?")
        self.app.note_refusal("channel.refused", who, kind, destination=where,
                              session=self.live.id if self.live else None, reason=reason)


def audit_refusal(store: Any, actor: str, client_addr: str, reason: str, *, proven: bool,
                  **more: Any) -> None:
    # The refusal stands whether or not the store takes its row (the log keeps it then).
    audit.record_or_log(store, "auth.refused", actor, client=client_addr, reason=reason,
                        proven=proven, **more)


def server_options(app: Bastion) -> dict[str, Any]:
    home = app.home
    host_key = asyncssh.read_private_key(str(home.host_key))
    host_cert = asyncssh.read_certificate(str(home.host_cert))
    return {
        "server_host_keys": [(host_key, host_cert)],
        # No chacha20-poly1305: OpenSSH clients pick it whenever offered, and asyncssh runs it
        # several times slower than AES-GCM (bench/README.md).
        "encryption_algs": list(CLIENT_CIPHERS),
        "encoding": None,
        "line_editor": False,
        "agent_forwarding": False,
        "x11_forwarding": False,
        "allow_scp": False,
        "keepalive_interval": 30,
        "keepalive_count_max": 3,
        # The server times logins itself (BastionServer._login_timed_out): audited, and reloaded
        # on SIGHUP. asyncssh's own timer stays as a backstop past the longest allowed value.
        **auth.auth_options(login_timeout=durations.MAX_DURATION + 60),
    }


async def start(app: Bastion, listen: str | None = None) -> asyncssh.SSHAcceptor:
    """Start listening; returns the acceptor (its sockets tell the bound port)."""
    old = app.store.upgraded_from
    if old is not None:
        log.warning("database schema upgraded from version %d to %d; the old one is kept as %s",
                    old, SCHEMA_VERSION, app.store.backup_path(old).name)
    for sid in sessions.interrupted_on_start(app.store):
        log.warning("session %s was left open by a crash; marked interrupted", sid)
    for rec in sessions.open_recordings(app.store):
        path = app.home.recordings / rec["path"].rsplit("/", 1)[-1]
        try:
            digest = recording.interrupt_recording(path) if path.suffix == ".cast" else None
        except (recording.RecordingError, OSError) as exc:
            log.error("could not close interrupted recording %s: %s", path, exc)
            digest = None
        sessions.close_recording(app.store, path, digest or "", "system")
    host, port = config.split_host_port(listen or app.config.server.listen)
    app.server = await asyncssh.create_server(lambda: BastionServer(app), host, port,
                                              **server_options(app))
    app.control_server = await control.start_socket(app)
    app.enforcer = asyncio.get_running_loop().create_task(app.enforce_forever())
    bound = app.server.sockets[0].getsockname()
    audit.record(app.store, "bastion.started", "system", listen=f"{bound[0]}:{bound[1]}")
    app.log_escrow()
    return app.server


def run(ctx: Context, listen: str | None = None) -> int:
    """`bastion serve`: run until SIGTERM or SIGINT; SIGHUP reloads the configuration."""
    level = os.environ.get("BASTION_LOG_LEVEL", "INFO").upper()
    handler = logging.StreamHandler()
    handler.setFormatter(VisibleFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    app = Bastion(ctx)
    try:
        config.split_host_port(listen or ctx.config.server.listen)
    except ValueError as exc:
        raise BastionError(f"--listen: {exc}") from None

    asyncio.run(serve(app, listen))
    return 0


async def serve(app: Bastion, listen: str | None = None,
                reason: str = "the bastion is restarting") -> None:
    """Listen, run until SIGTERM or SIGINT (SIGHUP reloads), then stop gracefully with `reason`."""
    # Handlers first: a SIGTERM that comes as soon as the service starts still stops it gently.
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGHUP, app.reload)
    loop.add_signal_handler(signal.SIGUSR1, app.log_stats)
    try:
        acceptor = await start(app, listen)
    except OSError as exc:
        raise BastionError(f"cannot listen on {listen or app.config.server.listen}: "
                           f"{exc.strerror}") from None
    bound = acceptor.sockets[0].getsockname()
    print(f"bastion listening on {bound[0]}:{bound[1]}", flush=True)
    await stop.wait()
    app.shutdown(reason)
    await app.drain(reason)
    audit.record_or_log(app.store, "bastion.stopped", "system", reason=reason)
