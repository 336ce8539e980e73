"""`bastion serve`: the asyncssh server, its authentication decisions, and the loop that keeps live
sessions within what the store says (revocations, locks, kills, grant ends, idle time, store and
disk health).

User names: `NAME` is the command interface (enrolled key + TOTP); `LOGIN@TARGET` is a proxied
session (enrolled key + TOTP, or a user certificate this bastion issued). The name is split at its
last `@`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import asyncssh

import certs
from bastion import (
    audit,
    auth,
    commands,
    config,
    control,
    forward,
    grants,
    limits,
    mfa,
    recording,
    sessions,
    users,
)
from bastion.auth import Decision
from bastion.config import LOGIN_NAME, TARGET_NAME
from bastion.errors import BastionError
from bastion.home import Context
from bastion.proxy import Identity, LiveSession, ProxyChannel
from bastion.store import STORE_BUSY, StoreError

log = logging.getLogger("bastion.server")

CLIENT_CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes256-ctr")
SERVER_BUSY_TIMEOUT_MS = 1000  # the server's own waits for a locked store: short, it runs every session
ENFORCE_INTERVAL = 0.5
DIGEST_INTERVAL = 5.0
RATE_SWEEP_INTERVAL = 10.0


@dataclass(frozen=True)
class Name:
    """A parsed SSH user name: the command interface (user) or a session (login, target)."""

    kind: str  # "command" | "session" | "invalid"
    user: str = ""
    login: str = ""
    target: str = ""


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
        audit.configure_syslog(self.config.server.audit_syslog)
        self.store = ctx.store
        # One event loop serves every session: a write waiting for a lock held by another process
        # stalls them all, so the server gives up sooner than the CLI does (fail closed).
        self.store.execute(f"PRAGMA busy_timeout = {SERVER_BUSY_TIMEOUT_MS}")
        self.user_ca = ctx.user_ca
        self.target_ca = ctx.target_ca
        self.policy = ctx.policy
        self.live: dict[str, LiveSession] = {}
        self.connections: set[BastionServer] = set()
        self.per_source: dict[str, int] = {}
        self.rate = limits.ConnectionRate()
        self.rate_swept = 0.0
        self.refusals = limits.RefusalLog()
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

    # -- hooks for command control and the control API ---------------------------------

    def publish(self, event: str, **data: Any) -> None:
        message = {"event": event, "at": round(time.time(), 3), **data}
        for subscriber in list(self.subscribers):
            subscriber(message)

    def broadcast_output(self, session_id: str | None, channel: int, data: bytes) -> None:
        if self.subscribers:
            message = {"event": "output", "session": session_id, "channel": channel, "data": data}
            for subscriber in list(self.subscribers):
                subscriber(message)

    def held_decided(self, held_id: str) -> None:
        """A supervisor decided a held command; the gate holding it acts now."""
        waiter = self.held_waiters.get(held_id)
        if waiter is not None:
            waiter.set()

    def publish_store_changes(self) -> None:
        """Requests and held commands can change in other processes (the CLI): push the news."""
        pending = {r["id"]: r for r in self.store.all("SELECT * FROM requests WHERE state = 'pending'")}
        held = {r["id"]: r for r in self.store.all("SELECT * FROM held WHERE state = 'pending'")}
        if self.seen_requests is not None:
            for rid in pending.keys() - self.seen_requests:
                self.publish("request_created", request=pending[rid])
            for rid in self.seen_requests - pending.keys():
                row = self.store.one("SELECT state, decided_by FROM requests WHERE id = ?", (rid,))
                self.publish("request_decided", request=rid, state=row["state"] if row else None,
                             by=row["decided_by"] if row else None)
        if self.seen_held is not None:
            for hid in held.keys() - self.seen_held:
                self.publish("command_held", held=held[hid])
            for hid in self.seen_held - held.keys():
                self.held_decided(hid)
        self.seen_requests, self.seen_held = set(pending), set(held)

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
            try:
                self.enforce()
                if time.monotonic() - last_digest >= DIGEST_INTERVAL:
                    last_digest = time.monotonic()
                    self.save_running_digests()
            except Exception:  # the loop that enforces revocation must never die
                log.exception("enforcement pass failed")

    def enforce(self) -> None:
        self.check_disk()
        self.sweep_limits()
        try:
            rows = self.store.all(
                "SELECT s.id, s.kill_requested, s.kill_reason, g.revoked AS grant_revoked, "
                "g.revoked_reason, g.ends, u.locked, u.lock_reason, u.removed, "
                "c.revoked AS cert_revoked FROM sessions s "
                "LEFT JOIN grants g ON g.id = s.grant_id LEFT JOIN users u ON u.name = s.user "
                "LEFT JOIN certificates c ON c.serial = s.serial WHERE s.state = 'active'")
            self.publish_store_changes()
            self.retry_ended_rows()
            self.finish_stalled_recordings()
            self.store_failing_since = None
        except StoreError as exc:
            self._store_trouble(exc)
            return
        t = time.time()
        for row in rows:
            live = self.live.get(row["id"])
            if live is None or live.ending:
                continue
            state, reason = self._end_reason(row, t)
            if reason:
                self._end_live(live, state, reason)
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
                self._end_live(live, "ended", f"idle for {config.format_duration(idle)}")

    def end_session_row(self, session_id: str, state: str, reason: str, actor: str) -> None:
        """Mark a session row ended; while the store fails, keep trying from the enforcement
        loop (the session itself is already over: only its row waits)."""
        try:
            sessions.end(self.store, session_id, state, reason, actor)
        except StoreError as exc:
            ended = time.time()  # before the log line that says so
            log.error("session %s ended (%s) but its row is not updated yet: %s", session_id,
                      reason, exc)
            self.rows_to_end[session_id] = (state, reason, actor, ended)

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

    def refuse_connection(self, source: str, reason: str) -> None:
        """Audit and log a refusal before authentication: the first of a source and reason in a
        minute at once, the rest as one row with their count (`sweep_limits`), so that a flood
        of refused connections is not also a flood of writes."""
        if self.refusals.note(source, reason, time.monotonic()):
            log.warning("%s; refusing %s", reason, source)
            audit_refusal(self.store, "unknown", source, reason, proven=False)

    def sweep_limits(self) -> None:
        now = time.monotonic()
        # The rate buckets (up to limits.MAX_SOURCES) are swept every few seconds, not at every
        # enforcement pass: a bucket only fills up again over a minute.
        if now - self.rate_swept >= RATE_SWEEP_INTERVAL:
            self.rate_swept = now
            self.rate.sweep(self.config.server.connection_rate_per_source, now)
        for source, reason, more in self.refusals.due(now):
            log.warning("%s: refused %d more connections from %s in the last minute", reason, more,
                        source)
            audit_refusal(self.store, "unknown", source, reason, proven=False, repeated=more)

    def _end_reason(self, row: dict[str, Any], t: float) -> tuple[str, str]:
        if row["kill_requested"]:
            return "killed", row["kill_reason"] or "ended by a supervisor"
        if row["grant_revoked"]:
            return "killed", "access revoked" + (f": {row['revoked_reason']}"
                                                 if row["revoked_reason"] else "")
        if row["cert_revoked"]:
            return "killed", "certificate revoked"
        if row["removed"]:
            return "killed", "user removed"
        if row["locked"]:
            return "killed", "user locked" + (f": {row['lock_reason']}" if row["lock_reason"] else "")
        if row["ends"] is not None and t >= row["ends"]:
            return "ended", "the access grant has ended"
        return "", ""

    def _end_live(self, live: LiveSession, state: str, reason: str) -> None:
        log.info("ending session %s: %s", live.id, reason)
        live.end(state, reason)  # at once; its row follows when the store lets it
        self.publish("session_ended", session=live.id, reason=reason)

    def _store_trouble(self, exc: Exception) -> None:
        t = time.monotonic()
        if self.store_failing_since is None:
            self.store_failing_since = t
            log.error("store unavailable: %s", exc)
        if t - self.store_failing_since >= self.config.server.store_grace:
            for live in list(self.live.values()):
                if not live.ending:
                    live.ending = True
                    for ch in list(live.channels):
                        ch.terminate("the bastion lost its database; revocation cannot be checked")
                    asyncio.get_running_loop().create_task(live._close_after_channels())

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
                    self._end_live(live, "failed", "the recordings folder is full or unwritable")

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
        """Graceful stop: sessions told and closed, recordings finished."""
        self.stopping = True
        for live in list(self.live.values()):
            with contextlib.suppress(Exception):
                live.end("ended", reason)
        if self.server is not None:
            self.server.close()
        if self.control_server is not None:
            self.control_server.close()

    def reload(self) -> None:
        try:
            new = config.load_config(self.home.config_file)
            policy = config.load_policy(self.home.policy_file)
        except config.ConfigError as exc:
            log.error("reload refused: %s", exc)
            audit.record_or_log(self.store, "config.rejected", "system", error=str(exc))
            return
        self.config = self.ctx.config = new
        self.policy = policy
        audit.configure_syslog(new.server.audit_syslog)
        audit.record_or_log(self.store, "config.reloaded", "system")
        log.info("configuration reloaded")


class BastionServer(auth.TwoFactorServer):
    """One client connection: decides authentication and hands out channel sessions."""

    def __init__(self, app: Bastion) -> None:
        self.app = app
        self.conn: asyncssh.SSHServerConnection | None = None
        self.client_addr = ""
        self.name = Name("invalid")
        self.identity: Identity | None = None
        self.live: LiveSession | None = None
        self.command_user: str | None = None
        self.pending_consume: int | None = None
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
            app.refuse_connection(self.client_addr, "connection limit reached")
            conn.close()
        elif not within_rate:
            app.refuse_connection(self.client_addr, "connection rate limit reached")
            conn.close()
        else:
            self.login_timer = asyncio.get_running_loop().call_later(
                settings.login_timeout, self._login_timed_out, settings.login_timeout)

    def _login_timed_out(self, seconds: float) -> None:
        self.login_timer = None
        if self.conn is None or self.authenticated:
            return
        self.app.refuse_connection(self.client_addr,
                                   f"login timeout ({config.format_duration(seconds)})")
        self.conn.close()

    def connection_lost(self, exc: Exception | None) -> None:
        app = self.app
        if isinstance(exc, asyncssh.IllegalUserName):
            # asyncssh hangs up on names it cannot accept (over 1 KB, control or bidi
            # characters) before any of our callbacks sees them: still a refusal to audit.
            self._audit_refusal("(illegal name)", self.client_addr,
                                f"illegal user name: {exc.reason}", proven=False)
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
        return self._unless_store_fails(self._key_decision, username, key, cert, client_addr)

    def totp_check(self, username: str, code: str) -> Decision:
        return self._unless_store_fails(self._totp_decision, username, code)

    def _unless_store_fails(self, decide: Callable[..., Decision], *args: Any) -> Decision:
        # Fail closed, with a reason the user can act on, rather than a generic failure.
        try:
            return decide(*args)
        except StoreError as exc:
            log.error("authentication from %s refused: %s", self.client_addr, exc)
            return Decision.REFUSE(STORE_BUSY)

    def _key_decision(self, username: str, key: asyncssh.SSHKey,
                      cert: asyncssh.SSHCertificate | None, client_addr: str) -> Decision:
        app = self.app
        name = parse_username(username)
        self.name = name
        if name.kind == "invalid":
            return Decision.REFUSE("invalid user name")
        if cert is not None:
            return self._cert_proven(name, username, cert, client_addr)
        user = users.user_for_key(app.store, key)
        person = users.get(app.store, user) if user else None
        if person is None:
            return Decision.REFUSE("unknown key")
        if person.locked:
            return Decision.REFUSE(f"user {user} is locked")
        if name.kind == "command":
            self.command_user = user
            return Decision.NEED_TOTP
        problem = self._session_problem(user, person.role, name)
        if problem:
            return Decision.REFUSE(problem)
        self.identity = Identity(user=user, role=app.config.role(person.role),
                                 target=app.config.targets[name.target], login=name.login,
                                 client_addr=client_addr)
        return Decision.NEED_TOTP

    def _cert_proven(self, name: Name, username: str, cert: asyncssh.SSHCertificate,
                     client_addr: str) -> Decision:
        app = self.app
        if name.kind != "session":
            return Decision.REFUSE("certificates open sessions only; use your enrolled key "
                                   "for bastion commands")
        info = certs.cert_info(cert)
        row, problem = grants.certificate_problem(app.store, info.serial, username)
        if problem:
            return Decision.REFUSE(problem)
        person = users.get(app.store, row["user"])
        if person is None:
            return Decision.REFUSE(f"user {row['user']} was removed")
        if person.locked:
            return Decision.REFUSE(f"user {person.name} is locked")
        problem = self._session_problem(person.name, person.role, name)
        if problem:
            return Decision.REFUSE(problem)
        role = app.config.role(person.role)
        target = app.config.targets[name.target]
        self.identity = Identity(user=person.name, role=role, target=target, login=name.login,
                                 client_addr=client_addr, serial=info.serial,
                                 cert_ticket=row["ticket"],
                                 cert_forwarding=bool(cert.options.get("permit-port-forwarding")))
        if row["single_use"]:
            self.pending_consume = info.serial
        if role.mfa_per_session or target.mfa_per_session:
            if app.store.one("SELECT 1 FROM mfa WHERE user = ?", (person.name,)) is None:
                return Decision.REFUSE("this session needs TOTP, but none is enrolled")
            return Decision.NEED_TOTP
        return self._finish_cert()

    def _finish_cert(self) -> Decision:
        if self.pending_consume is not None and not grants.consume_single_use(
                self.app.store, self.pending_consume, self.identity.user, self.client_addr):
            return Decision.REFUSE(f"single-use certificate {self.pending_consume} was already used")
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

    def _totp_decision(self, username: str, code: str) -> Decision:
        user = self.command_user or (self.identity.user if self.identity else None)
        if user is None:
            return Decision.REFUSE("authentication failed")
        result = mfa.verify(self.app.store, self.app.ctx.box, user, code,
                            actor_addr=self.client_addr)
        if not result.ok:
            return Decision.REFUSE(f"TOTP refused: {result.reason}")
        if self.identity is not None and self.identity.serial is not None:
            return self._finish_cert()
        return Decision.ACCEPT

    def refused(self, username: str, client_addr: str, reason: str, *, proven: bool) -> None:
        self._audit_refusal(username[:100] or "(empty)", client_addr, reason, proven=proven)

    def _audit_refusal(self, actor: str, client_addr: str, reason: str, *, proven: bool) -> None:
        audit_refusal(self.app.store, actor, client_addr, reason, proven=proven)

    def auth_completed(self) -> None:
        self.authenticated = True
        if self.login_timer is not None:
            self.login_timer.cancel()
            self.login_timer = None
        who = self.command_user or (self.identity.user if self.identity else "?")
        method = "certificate" if self.identity and self.identity.serial else "key+totp"
        try:
            audit.record(self.app.store, "auth.success", who, client=self.client_addr,
                         as_name=self.conn.get_extra_info("username"), method=method,
                         serial=self.identity.serial if self.identity else None)
        except StoreError as exc:
            # A login that cannot be audited does not go on (fail closed): no channel is
            # served, and the client is told why as it is disconnected.
            log.error("login of %s from %s not audited, disconnecting: %s", who, self.client_addr,
                      exc)
            self.command_user = self.identity = None
            conn = self.conn
            asyncio.get_running_loop().call_soon(
                conn.disconnect, asyncssh.DISC_BY_APPLICATION, STORE_BUSY)
            return
        if self.identity is not None:
            self.live = LiveSession(app=self.app, identity=self.identity, conn=self.conn)

    # -- channels ----------------------------------------------------------------------------

    def session_requested(self) -> asyncssh.SSHServerSession | bool:
        if self.live is not None:
            return ProxyChannel(self.live)
        if self.command_user is not None:
            return commands.CommandSession(self.app, self.command_user, self)
        return False

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str,
                             orig_port: int) -> Any:
        """`ssh -L` and `ssh -W`: opened from the target when the user's role (as configured
        now, not at login) allows forwarding; refused and audited otherwise."""
        live = self.live
        role = self.app.config.roles.get(live.identity.role.name) if live else None
        if live is None or live.ending or role is None or not role.forwarding:
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
        audit.record_or_log(self.app.store, "channel.refused", who, kind=kind, destination=where,
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
        **auth.auth_options(login_timeout=config.MAX_DURATION + 60),
    }


async def start(app: Bastion, listen: str | None = None) -> asyncssh.SSHAcceptor:
    """Start listening; returns the acceptor (its sockets tell the bound port)."""
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
    return app.server


def run(ctx: Context, listen: str | None = None) -> int:
    """`bastion serve`: run until SIGTERM or SIGINT; SIGHUP reloads the configuration."""
    level = os.environ.get("BASTION_LOG_LEVEL", "INFO").upper()
    logging.basicConfig(level=getattr(logging, level, logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    app = Bastion(ctx)
    try:
        config.split_host_port(listen or ctx.config.server.listen)
    except ValueError as exc:
        raise BastionError(f"--listen: {exc}") from None

    asyncio.run(serve(app, listen))
    return 0


async def serve(app: Bastion, listen: str | None = None,
                reason: str = "the bastion is shutting down") -> None:
    """Listen, run until SIGTERM or SIGINT (SIGHUP reloads), then stop gracefully with `reason`."""
    try:
        acceptor = await start(app, listen)
    except OSError as exc:
        raise BastionError(f"cannot listen on {listen or app.config.server.listen}: "
                           f"{exc.strerror}") from None
    bound = acceptor.sockets[0].getsockname()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    loop.add_signal_handler(signal.SIGHUP, app.reload)
    loop.add_signal_handler(signal.SIGUSR1, app.log_stats)
    # Announced once the signals are handled: a SIGHUP sent on seeing this line reloads.
    print(f"bastion listening on {bound[0]}:{bound[1]}", flush=True)
    await stop.wait()
    app.shutdown(reason)
    await asyncio.sleep(0.2)
    audit.record_or_log(app.store, "bastion.stopped", "system")
