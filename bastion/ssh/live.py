"""The live session: one client connection to LOGIN@TARGET, its grant and row, its upstream
connection (bastion.ssh.upstream), and its channels (bastion.ssh.channel.Channel: shell, exec
and sftp in bastion.ssh.proxy, forwards in bastion.ssh.forward). `LiveSession.end` is the one way
a session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import asyncssh

from bastion import audit
from bastion.access import grants, rights, sessions
from bastion.command_control import scp
from bastion.config import Role, Target
from bastion.errors import BastionError
from bastion.runtime.ending import each
from bastion.ssh.channel import END_GRACE, EXIT_KILLED, SESSION_ENDED, Channel
from bastion.ssh.proxy import ProxyChannel
from bastion.ssh.upstream import connect
from bastion.store import STORE_BUSY, StoreError
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.ssh.server import Bastion

log = logging.getLogger("bastion.ssh.live")

# Session channels (shell, exec, sftp) open at once on one connection, as OpenSSH's MaxSessions:
# each holds an upstream channel, a recording and a gate. Forwards have their own cap.
MAX_SESSION_CHANNELS = 10
# File operations (scp records, sftp requests) refused on one connection before it ends: the
# bastion answers a refusal itself, and each is judged and recorded, so a client reopening
# channels (scp.MAX_REFUSED counts per channel) kept ~110 rows/s going (attack q26o, finding 6).
MAX_REFUSED_TRANSFERS = 256
# File operations recorded (alerted, held or refused) on one connection before it ends: an
# alerted one passes, but each is a row, an audit event and a flagged event on every console
# (2,000 SFTP opens of .../authorized_keys in 3 s: attack s28o, finding 4).
MAX_RECORDED_TRANSFERS = 1024


@dataclass
class Identity:
    """Who authenticated and for what: filled by the server's auth decisions."""

    user: str
    role: Role
    target: Target
    login: str
    client_addr: str
    serial: int | None = None       # the user certificate that authenticated, if any
    cert_ticket: str | None = None  # the ticket that certificate was minted for
    cert_forwarding: bool = False   # whether that certificate permits port forwarding
    enrolled: float | None = None   # the person who authenticated (users.User.enrolled)


@dataclass
class LiveSession:
    """One client connection to LOGIN@TARGET: its grant, upstream connection and channels."""

    app: Bastion
    identity: Identity
    conn: asyncssh.SSHServerConnection
    id: str | None = None
    grant: grants.Grant | None = None
    channels: list[Channel] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)
    warned: bool = False
    ending: bool = False
    ending_since: float | None = None  # when `end` began (time.monotonic)
    opened: int = 0  # session channels that began to open, ever
    session_channels: int = 0  # open at once (MAX_SESSION_CHANNELS)
    refused_channels: int = 0
    env_dropped: bool = False  # locale variables were left out (audited once per connection)
    refused_transfers: int = 0  # file operations refused on this connection (MAX_REFUSED_TRANSFERS)
    recorded_transfers: int = 0  # and recorded, allowed or not (MAX_RECORDED_TRANSFERS)
    _upstream: asyncssh.SSHClientConnection | None = None
    _upstream_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _channel_numbers: int = 0
    _closer: asyncio.Task | None = None

    def access(self) -> rights.Access:
        """What this connection stands on, for `rights.session_verdict`."""
        ident = self.identity
        return rights.Access(ident.user, ident.target.name, ident.login, session=self.id,
                             serial=ident.serial, ticket=ident.cert_ticket,
                             enrolled=ident.enrolled)

    def rights_verdict(self) -> tuple[str, str] | None:
        """Whether the store lets this session (or login without a row yet) go on now: None,
        else (end state, reason). One query; StoreError when the store cannot say."""
        access = self.access()
        snapshot = rights.read(self.app.store, (), [access.session] if access.session else [],
                               [] if access.session else [access])
        return rights.session_verdict(snapshot, self.app.config, access, time.time())

    def admit(self, kind: str, **detail: Any) -> None:
        """Let a new channel of `kind` open, or raise ChannelOpenError (which asyncssh sends to
        the client): never while the session is ending, nor once the store says its person,
        certificate, grant or row no longer allow it, which ends the session too. Each refusal
        is audited (capped per person: Bastion.note_refusal)."""
        reason = SESSION_ENDED if self.ending else None
        if reason is None:
            try:
                verdict = self.rights_verdict()
            except StoreError as exc:
                log.error("channel of %s refused, its rights cannot be read: %s", self.id, exc)
                reason = STORE_BUSY
            else:
                if verdict is not None:
                    self.app.end_live(self, *verdict)
                    reason = verdict[1]
        if reason is not None:
            self.app.note_refusal("channel.refused", self.identity.user, kind, session=self.id,
                                  reason=reason, **detail)
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, reason)

    def start(self, env_ticket: str | None) -> None:
        """Bind the session to its grant and create its row, at its first channel. Refused
        (BastionError) once the session is ending, and at the first channel when the store no
        longer allows it (which ends the session)."""
        if self.ending:
            raise BastionError(SESSION_ENDED)
        if self.id is not None:
            return
        verdict = self.rights_verdict()
        if verdict is not None:
            self.app.end_live(self, *verdict)
            raise BastionError(verdict[1])
        ident = self.identity
        live = grants.active_grants(self.app.store, ident.user, ident.target.name, ident.login)
        grant = grants.select_grant(live, env_ticket or ident.cert_ticket)
        if grant is None and env_ticket:
            raise BastionError(f"no active grant for {ident.login}@{ident.target.name} "
                               f"with ticket {env_ticket}")
        if grant is None:
            raise BastionError(f"no active grant for {ident.login}@{ident.target.name}")
        self.app.check_can_record()
        self.grant = grant
        self.id = sessions.create(
            self.app.store, user=ident.user, target=ident.target.name, login=ident.login,
            ticket=grant.ticket, grant_id=grant.id, serial=ident.serial,
            client_addr=ident.client_addr)
        self.app.live[self.id] = self
        self.app.publish("session_started", session=self.id, user=ident.user,
                         target=ident.target.name, login=ident.login, ticket=grant.ticket)

    def next_channel(self) -> int:
        self._channel_numbers += 1
        return self._channel_numbers

    def open_channel(self) -> ProxyChannel:
        """A new session channel, if `admit` lets it open; past MAX_SESSION_CHANNELS open at
        once, ChannelOpenError (which asyncssh sends to the client), audited once a minute."""
        self.admit("session")
        if self.session_channels >= MAX_SESSION_CHANNELS:
            self.refused_channels += 1
            reason = f"too many session channels open at once (at most {MAX_SESSION_CHANNELS})"
            ident = self.identity
            self.app.note_refusal("channel.refused", ident.user, "session", session=self.id,
                                  target=ident.target.name, login=ident.login, reason=reason)
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_RESOURCE_SHORTAGE, reason)
        self.session_channels += 1
        return ProxyChannel(self)

    def channel_finished(self) -> None:
        """A session channel ended (its upstream channel, recording and gate are done): its
        place is free, though the client may not have closed it yet."""
        self.session_channels -= 1

    def channel_closed(self, channel: ProxyChannel) -> None:
        """A session channel is closed both ways: the session forgets it."""
        with contextlib.suppress(ValueError):
            self.channels.remove(channel)

    def transfer_judge(self, judge: scp.Judge) -> scp.Judge:
        """`judge` (a file transfer's, bastion.ssh.judge.TransferJudge), counting its refusals
        and its recorded verdicts on this connection: past MAX_REFUSED_TRANSFERS refused, or
        MAX_RECORDED_TRANSFERS recorded, the session ends (audited once, as its end), and what a
        channel still holds is refused unjudged, unrecorded."""
        def counted(op: str, paths: tuple[str, ...], raw: bool) -> str | None:
            if self.ending:
                return "the session is ending"
            before = getattr(judge, "recorded", 0)
            refusal = judge(op, paths, raw)
            self.recorded_transfers += getattr(judge, "recorded", 0) - before
            if refusal is not None:
                self.refused_transfers += 1
            if self.refused_transfers > MAX_REFUSED_TRANSFERS:
                self.app.end_live(self, "killed", f"more than {MAX_REFUSED_TRANSFERS} file "
                                  "operations refused on one connection")
            elif self.recorded_transfers > MAX_RECORDED_TRANSFERS:
                self.app.end_live(self, "killed", f"more than {MAX_RECORDED_TRANSFERS} file "
                                  "operations recorded on one connection")
            return refusal
        return counted

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    async def upstream(self) -> asyncssh.SSHClientConnection:
        """The connection to the target, opened by the first channel that needs it; never once
        the session is ending (BastionError), even when the end came while it was opening."""
        async with self._upstream_lock:
            if self.ending:
                raise BastionError(SESSION_ENDED)
            if self._upstream is None:
                upstream = await connect(self.app, self.identity, self.grant, self.id)
                if self.ending:
                    upstream.close()
                    raise BastionError(SESSION_ENDED)
                self._upstream = upstream
            return self._upstream

    def close_upstream(self) -> None:
        if self._upstream is not None:
            self._upstream.close()

    def hold_to_role(self, role: Role) -> None:
        """The person's role as configured now (after a role change or a reload): channels,
        forwards and verdicts from now on follow it, not the role they logged in with."""
        if role != self.identity.role:
            log.info("session %s of %s follows role %s as configured now",
                     self.id or "(no channel yet)", self.identity.user, role.name)
            self.identity.role = role
        if not role.forwarding:
            # Forwards already open end too, as open file transfers follow `sftp` (attack E, F7).
            reason = "the role no longer allows port forwarding"
            for ch in [c for c in self.channels if c.kind == "direct-tcpip" and not c.finished]:
                audit.record_or_log(self.app.store, "channel.ended", self.identity.user,
                                    session=self.id, channel=ch.number, kind="direct-tcpip",
                                    destination=ch.destination, reason=reason)
                each([ch], lambda c: c.terminate(reason), f"ending a forward of {self.id}")
                self.notice(f"port forward to {ch.destination} closed: {reason}")

    def notice(self, text: str) -> None:
        """Tell the user something in their terminal(s) without disturbing the byte stream."""
        for ch in self.channels:
            ch.notice(text)

    def end(self, state: str, reason: str, actor: str = "system", status: int = EXIT_KILLED,
            *, row: bool = True) -> None:
        """End the session: each channel tells its user why (where it still takes words) and
        exits with `status`, the upstream connection closes at once, the client connection within
        END_GRACE. Whatever a channel raises, all of that happens (bastion.ssh.ending). The row says
        `state` (without `row`, the enforcement loop writes it once the store is back); a login
        with no channel yet has no row, and its end is audited as connection.ended."""
        if self.ending:
            return
        self.ending = True
        self.ending_since = time.monotonic()
        try:
            if self.id is None:
                audit.record_or_log(self.app.store, "connection.ended", self.identity.user,
                                    client=self.identity.client_addr, door="login", reason=reason)
            elif row:
                self.app.end_session_row(self.id, state, reason, actor)
            else:
                self.app.defer_session_row(self.id, state, reason, actor)
            each(self.channels, lambda ch: ch.terminate(reason, status),
                        f"ending a channel of session {self.id}")
        finally:
            self.close_upstream()
            self._closer = asyncio.get_running_loop().create_task(
                self._close_after_channels(f"bastion: session ended: {visible(reason)}"))

    async def _close_after_channels(self, farewell: str) -> None:
        # The disconnect says why too: for a client whose channels could not take the reason (a
        # target that sent EOF, a forward, a login with none), when it reads it (OpenSSH stops
        # reading once its last session channel closed, so it may not).
        try:
            waits = [asyncio.ensure_future(ch.wait_closed()) for ch in self.channels]
            if waits:
                await asyncio.wait(waits, timeout=END_GRACE)
            for wait in waits:
                wait.cancel()
        finally:
            self.conn.disconnect(asyncssh.DISC_BY_APPLICATION, farewell)

    def connection_lost(self) -> None:
        """The client connection is gone: close upstream and the session row."""
        if self.refused_channels > 1:
            log.warning("session %s: %d session channels refused past the cap (audited once)",
                        self.id, self.refused_channels)
        each(self.channels, lambda ch: ch.finish(), f"finishing a channel of {self.id}")
        self.close_upstream()
        if self.id is not None:
            if not self.ending:
                self.app.end_session_row(self.id, "ended", "client disconnected",
                                         self.identity.user)
            self.app.live.pop(self.id, None)
            self.app.publish("session_ended", session=self.id)
