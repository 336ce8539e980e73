"""The running server's state, apart from SSH: configuration, store, CAs, the live-session
registry, and the loop that keeps live sessions within what the store says (revocations, locks,
kills, grant ends, idle time, store and disk health).

The runtime knows the SSH side only by what its objects register: the connections in
`connections` (the `Connection` protocol) and the live sessions in `live` (`LiveSession`),
whose methods it calls to hold them to their rights or end them; the listeners it closes at
shutdown. It imports nothing of bastion.ssh or bastion.control (docs/ARCHITECTURE.md,
"Packages").
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import time
from typing import Any, Protocol

from bastion import audit, config
from bastion.access import rights, sessions
from bastion.command_control.policy import load_policy
from bastion.config import durations
from bastion.runtime.bus import EventBus
from bastion.runtime.ending import each
from bastion.runtime.health import Health
from bastion.runtime.held import HeldBudget
from bastion.runtime.home import Context
from bastion.runtime.judging import JudgingBudget
from bastion.runtime.refusals import Refusals
from bastion.store import StoreError

log = logging.getLogger("bastion.runtime.app")

SERVER_BUSY_TIMEOUT_MS = 1000  # the server's own waits for a locked store: short, it runs every session
ENFORCE_INTERVAL = 0.5
DIGEST_INTERVAL = 5.0
AUDIT_VERIFY_BATCH = 2000  # audit rows checked per console look (about 20 ms of the one loop)
SHUTDOWN_GRACE = 5.0  # seconds for sessions to close once told; well within TimeoutStopSec
STORE_LOST = "the bastion lost its database; revocation cannot be checked"


class Connection(Protocol):
    """What the runtime asks of one client connection (bastion.ssh.server.BastionServer)."""

    user: str | None
    live: Any  # its LiveSession, or None for the command interface and logins

    def is_ending(self) -> bool: ...
    def finish_ending(self, now: float) -> None: ...
    def hold_to(self, snapshot: rights.Snapshot, cfg: config.Config, t: float) -> None: ...
    def disconnect(self, reason: str) -> None: ...


class Listener(Protocol):
    def close(self) -> None: ...


class Runtime(EventBus, Health, Refusals):
    """The running server's state: configuration, store, CAs, live sessions and subscribers.
    The event bus, the fault keeping and the refusal accounting are its parts (bus, health,
    refusals); this class holds the registry and the enforcement loop."""

    def __init__(self, ctx: Context) -> None:
        EventBus.__init__(self)
        Health.__init__(self)
        Refusals.__init__(self)
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
        self.live: dict[str, Any] = {}  # session id -> its LiveSession
        self.connections: set[Connection] = set()
        self.listeners: list[Listener] = []  # closed at shutdown: no new connections
        self.enforcer: asyncio.Task | None = None
        self.stopping = False
        self.judging = JudgingBudget()  # judging time shared fairly between people
        self.held = HeldBudget()  # statements held by stdin gates, bounded (attack v31o, 4)
        self.audit_checked: audit.Verification | None = None  # how far `verify_audit` got

    def verify_audit(self) -> audit.Verification:
        """The audit chain checked on from where the last call stopped, at most
        AUDIT_VERIFY_BATCH rows per call: the whole chain at every console refresh held the
        one event loop for seconds (attack a10o F1). A break stays reported; the full walk is
        `bastion audit verify`."""
        check = audit.verify(self.store, since=self.audit_checked, limit=AUDIT_VERIFY_BATCH)
        if check.ok:
            self.audit_checked = check
        return check

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
        each(self.connections, lambda c: c.finish_ending(mono), "closing an ended connection")
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
        each(open_, lambda c: c.hold_to(snapshot, self.config, t), "enforcing rights")
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

    def end_live(self, live: Any, state: str, reason: str, *, row: bool = True) -> None:
        """End a live session now, telling its user and the watchers why (`LiveSession.end`)."""
        log.info("ending session %s: %s", live.id or "(no channel yet)", reason)
        live.end(state, reason, row=row)  # at once; its row follows when the store lets it
        if live.id is not None:
            self.publish("session_ended", session=live.id, reason=reason)

    def _end_all(self, state: str, reason: str, *, row: bool = True) -> None:
        for live in list(self.live.values()):
            if not live.ending:
                self.end_live(live, state, reason, row=row)

    def _store_trouble(self, exc: Exception) -> None:
        t = time.monotonic()
        if self.store_failing_since is None:
            self.store_failing_since = t
            log.error("store unavailable: %s", exc)
        if t - self.store_failing_since >= self.config.server.store_grace:
            # Their rows wait for the store (rows_to_end): writing them now would wait out the
            # busy timeout once per session, on the loop every session shares.
            self._end_all("failed", STORE_LOST, row=False)

    def check_disk(self) -> None:
        if not self.disk_changed():
            self._end_all("failed", "the recordings folder is full or unwritable")

    def save_running_digests(self) -> None:
        for live in list(self.live.values()):
            for ch in live.channels:
                try:
                    progress = ch.recording_progress()
                    if progress is not None:
                        sessions.recording_progress(self.store, *progress)
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
        for listener in self.listeners:
            listener.close()
        try:
            sessions.reject_held(self.store, list(self.live), reason)
        except StoreError as exc:
            log.error("held commands not marked rejected: %s", exc)
        self.publish("shutdown", reason=reason, sessions=list(self.live))
        each(self.live.values(), lambda live: live.end("interrupted", reason),
             "ending a session at shutdown")
        self.sweep_limits(math.inf)  # the refusals counted so far, written before the server goes

    async def drain(self, reason: str, timeout: float = SHUTDOWN_GRACE) -> None:
        """After `shutdown`: wait (at most `timeout`) for the live sessions' connections to
        close, then disconnect every connection left (command users, logins) with `reason`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.live and loop.time() < deadline:
            await asyncio.sleep(0.05)
        each(self.connections, lambda client: client.disconnect(reason),
             "disconnecting at shutdown")

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
