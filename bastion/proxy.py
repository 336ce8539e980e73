"""The session pipeline: one live session per client connection, its upstream SSH connection to the
target, and a byte-exact relay per channel with back-pressure both ways.

Upstream: the TCP socket to the target is opened first, then an ephemeral Ed25519 key gets a
target-CA certificate whose source-address is that socket's own local address (or the configured
egress addresses), valid a few minutes, principal the login or TARGET:LOGIN; SSH then runs over the
socket. The target's host key must be one that is pinned or signed by a configured host CA.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncssh

import certs
from bastion import audit, gate, grants, recording, sessions
from bastion.config import Role, Target
from bastion.errors import BastionError
from bastion.sftplog import SftpLog
from bastion.store import STORE_BUSY, StoreError, now
from bastion.terminal import KeystrokeRedactor
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.server import Bastion

log = logging.getLogger("bastion.proxy")

CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com",
           "aes128-ctr", "aes256-ctr")
CONNECT_TIMEOUT = 10.0
PRE_START_BUFFER = 1 << 20  # bytes a client may send before the upstream channel is open
EXIT_KILLED = 1
EXIT_UPSTREAM_FAILED = 255
TAIL_BYTES = 64 * 1024
# SSH allows window sizes up to 2**32-1. A client's window is cut to the screen model's bounds
# (bastion.terminal's) before the recorder, the gate or the target see it, so the three agree and
# no recording claims a size a player cannot draw.
MAX_TERM_COLS = 2048
MAX_TERM_ROWS = 512
PASSED_ENV = ("LANG",)
PASSED_ENV_PREFIXES = ("LC_",)


class UpstreamError(BastionError):
    """The target could not be reached or could not be trusted."""


def filtered_env(env: dict[str, str]) -> dict[str, str]:
    """Only LANG and LC_* reach the target; anything else a client sends is dropped."""
    return {k: v for k, v in env.items()
            if k in PASSED_ENV or any(k.startswith(p) for p in PASSED_ENV_PREFIXES)}


def bounded_size(cols: int, rows: int, pixwidth: int, pixheight: int
                 ) -> tuple[int, int, int, int]:
    """A client's terminal size with columns and rows cut to MAX_TERM_COLS x MAX_TERM_ROWS
    (the pixel size is dropped when they are cut, so it cannot contradict them)."""
    if cols <= MAX_TERM_COLS and rows <= MAX_TERM_ROWS:
        return cols, rows, pixwidth, pixheight
    return min(cols, MAX_TERM_COLS), min(rows, MAX_TERM_ROWS), 0, 0


def target_known_hosts(target: Target) -> tuple[list, list, list]:
    """asyncssh's (trusted host keys, trusted host CAs, revoked) for one target. No TOFU."""
    keys = [asyncssh.import_public_key(k) for k in target.host_keys]
    if target.host_key_file:
        try:
            text = Path(target.host_key_file).read_text(encoding="utf-8")
        except OSError as exc:
            raise UpstreamError(f"target {target.name}: cannot read host_key_file: "
                                f"{exc.strerror}") from None
        keys += [asyncssh.import_public_key(line) for line in text.splitlines()
                 if line.strip() and not line.startswith("#")]
    cas = [asyncssh.import_public_key(k) for k in target.host_ca_keys]
    return keys, cas, []


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


@dataclass
class LiveSession:
    """One client connection to LOGIN@TARGET: its grant, upstream connection and channels."""

    app: Bastion
    identity: Identity
    conn: asyncssh.SSHServerConnection
    id: str | None = None
    grant: grants.Grant | None = None
    channels: list[ProxyChannel] = field(default_factory=list)
    last_activity: float = field(default_factory=time.monotonic)
    warned: bool = False
    ending: bool = False
    _upstream: asyncssh.SSHClientConnection | None = None
    _upstream_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _channel_numbers: int = 0

    def start(self, env_ticket: str | None) -> None:
        """Bind the session to its grant and create its row, at its first channel."""
        if self.id is not None:
            return
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

    def touch(self) -> None:
        self.last_activity = time.monotonic()

    async def upstream(self) -> asyncssh.SSHClientConnection:
        async with self._upstream_lock:
            if self._upstream is None:
                self._upstream = await self._connect()
            return self._upstream

    async def _connect(self) -> asyncssh.SSHClientConnection:
        ident, app = self.identity, self.app
        target = ident.target
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise UpstreamError(f"target {target.name} ({target.host}) cannot be resolved: "
                                f"{exc.strerror or exc}") from None
        family, _, _, _, address = infos[0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(loop.sock_connect(sock, address), CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            sock.close()
            why = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
            raise UpstreamError(f"target {target.name} is not reachable "
                                f"({target.host}:{target.port}: {why})") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        source = list(app.config.server.egress_addresses) or [sock.getsockname()[0]]
        key = certs.generate_ephemeral_key()
        principal = f"{target.name}:{ident.login}" if target.principals == "scoped" else ident.login
        valid_after, valid_before = certs.validity_window(
            now(), app.config.server.target_cert_ttl, backdate=int(app.config.server.cert_backdate))
        with app.store.transaction():
            serial = app.store.next_serial()
            key_id = certs.format_key_id(operator=ident.user, ticket=self.grant.ticket,
                                         grant=self.grant.id, session=self.id)
            cert = certs.mint_user_certificate(
                app.target_ca, key.convert_to_public(), serial=serial, key_id=key_id,
                principals=[principal], valid_after=valid_after, valid_before=valid_before,
                permit_pty=True, permit_port_forwarding=ident.role.forwarding,
                permit_agent_forwarding=False, permit_x11_forwarding=False, permit_user_rc=False,
                source_address=source)
            grants.record_certificate(app.store, cert, "target", user=ident.user,
                                      grant_id=self.grant.id, ticket=self.grant.ticket,
                                      session_id=self.id)
        try:
            known_hosts = target_known_hosts(target)
            return await asyncio.wait_for(asyncssh.connect(
                target.host, target.port, sock=sock, username=ident.login,
                client_keys=[(key, cert)], known_hosts=known_hosts, agent_path=None,
                agent_forwarding=False, x11_forwarding=False, config=None,
                preferred_auth="publickey", encryption_algs=CIPHERS,
                keepalive_interval=30, keepalive_count_max=3,
            ), CONNECT_TIMEOUT)
        except asyncssh.HostKeyNotVerifiable:
            sock.close()
            raise UpstreamError(f"target {target.name} presented a host key that is not pinned "
                                "or signed by a trusted host CA; refusing to connect") from None
        except asyncssh.PermissionDenied:
            sock.close()
            raise UpstreamError(f"target {target.name} refused the bastion's certificate for "
                                f"{ident.login} (is TrustedUserCAKeys set to the target CA?)") from None
        except TimeoutError:
            sock.close()
            raise UpstreamError(f"target {target.name} did not complete the SSH handshake within "
                                f"{CONNECT_TIMEOUT:g}s ({target.host}:{target.port})") from None
        except (OSError, asyncssh.Error) as exc:
            sock.close()
            raise UpstreamError(f"target {target.name}: SSH connection failed: "
                                f"{getattr(exc, 'reason', None) or exc}") from None

    def notice(self, text: str) -> None:
        """Tell the user something in their terminal(s) without disturbing the byte stream."""
        for ch in self.channels:
            ch.notice(text)

    def end(self, state: str, reason: str, actor: str = "system", status: int = EXIT_KILLED
            ) -> None:
        """End the session: the user is told why, channels exit (with `status`), then the
        connection closes."""
        if self.ending:
            return
        self.ending = True
        if self.id is not None:
            self.app.end_session_row(self.id, state, reason, actor)
        for ch in list(self.channels):
            ch.terminate(reason, status)
        asyncio.get_running_loop().create_task(self._close_after_channels())

    async def _close_after_channels(self) -> None:
        waits = [asyncio.ensure_future(ch.chan.wait_closed()) for ch in self.channels
                 if ch.chan is not None]
        if waits:
            await asyncio.wait(waits, timeout=2)
        self.conn.close()

    def connection_lost(self) -> None:
        """The client connection is gone: close upstream and the session row."""
        for ch in list(self.channels):
            ch.finish()
        if self._upstream is not None:
            self._upstream.close()
        if self.id is not None:
            if not self.ending:
                self.app.end_session_row(self.id, "ended", "client disconnected",
                                         self.identity.user)
            self.app.live.pop(self.id, None)
            self.app.publish("session_ended", session=self.id)


class UpstreamSide(asyncssh.SSHClientSession):
    """The target end of one relayed channel: its output goes to the client."""

    def __init__(self, proxy: ProxyChannel) -> None:
        self.proxy = proxy
        self.exit_status: int | None = None
        self.exit_signal: tuple | None = None

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.proxy.from_target(data, datatype)

    def eof_received(self) -> bool:
        self.proxy.target_eof()
        return True

    def exit_status_received(self, status: int) -> None:
        self.exit_status = status

    def exit_signal_received(self, signal: str, core_dumped: bool, msg: str, lang: str) -> None:
        self.exit_signal = (signal, core_dumped, msg, lang)

    def pause_writing(self) -> None:
        self.proxy.pause_client()

    def resume_writing(self) -> None:
        self.proxy.resume_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self.proxy.target_closed(self, exc)


class ProxyChannel(asyncssh.SSHServerSession):
    """The client end of one relayed channel (shell, exec or sftp), recorded as it passes."""

    def __init__(self, live: LiveSession) -> None:
        self.live = live
        self.app = live.app
        self.chan: asyncssh.SSHServerChannel | None = None
        self.number = 0
        self.kind = "shell"
        self.command: str | None = None
        self.subsystem: str | None = None
        self.term: tuple[str, tuple[int, int, int, int], dict] | None = None
        self.upstream_chan: asyncssh.SSHClientChannel | None = None
        self.pending: list[tuple[bytes, int | None]] = []
        self.pending_size = 0
        self.pending_eof = False
        self.cast: recording.CastRecorder | None = None
        self.record: recording.ExecRecord | None = None
        self.sftp: SftpLog | None = None
        self.redactor: Any = None
        self.gate: Any = None  # the command gate (interactive shells), set by the server
        self.finished = False
        self._client_paused: set[str] = set()
        self.tail = bytearray()  # the latest output, for watchers' first screen
        self._outbox: list[bytes] = []

    # -- channel requests ------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: dict) -> bool:
        self.term = (term_type, bounded_size(*term_size), term_modes)
        return True

    def shell_requested(self) -> bool:
        self.kind = "shell"
        return True

    def exec_requested(self, command: str) -> bool:
        self.kind = "exec"
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        ident = self.live.identity
        if subsystem != "sftp" or not ident.role.sftp:
            audit.record_or_log(self.app.store, "channel.refused", ident.user,
                                session=self.live.id, subsystem=subsystem,
                                reason="subsystem not allowed")
            return False
        self.kind = "subsystem"
        self.subsystem = subsystem
        return True

    def session_started(self) -> None:
        asyncio.get_running_loop().create_task(self._open())

    async def _open(self) -> None:
        live, app, chan = self.live, self.app, self.chan
        ident = live.identity
        try:
            env = dict(chan.get_environment())
            live.start(env.get("BASTION_TICKET"))
            self.number = live.next_channel()
            live.channels.append(self)
            self._start_recording()
            refusal = await gate.judge_exec(app, self) if self.kind == "exec" else None
            if refusal is not None:
                self.refuse(refusal, 126)
                return
            self.gate = self._make_gate()
            if self.cast is not None and isinstance(self.gate, gate.InputGate):
                # The echo rule reads the screen the gate's tracker keeps.
                self.redactor = KeystrokeRedactor(self.gate.tracker)
            upstream = await live.upstream()
            kwargs: dict[str, Any] = {"env": filtered_env(env), "encoding": None}
            if self.term is not None:
                term_type, size, modes = self.term
                kwargs |= {"term_type": term_type, "term_size": size, "term_modes": modes}
            if self.kind == "exec":
                kwargs["command"] = self.command
            elif self.kind == "subsystem":
                kwargs["subsystem"] = self.subsystem
            self.upstream_chan, _ = await upstream.create_session(lambda: UpstreamSide(self),
                                                                  **kwargs)
        except BastionError as exc:
            self._fail_open(str(exc))
            return
        except (asyncssh.Error, OSError) as exc:
            if self.chan.is_closing():
                self.finish()
                return
            self._fail_open(f"target {ident.target.name} refused the channel: "
                            f"{getattr(exc, 'reason', None) or exc}")
            return
        try:
            audit.record(app.store, "channel.opened", ident.user, session=live.id,
                         channel=self.number, kind=self.kind, command=self.command,
                         subsystem=self.subsystem, pty=self.term is not None)
        except StoreError as exc:
            # Nothing went to the target yet; a channel that cannot be audited does not open.
            log.error("channel of %s not audited, closing it: %s", live.id, exc)
            self.upstream_chan.close()
            self._fail_open(STORE_BUSY)
            return
        for data, datatype in self.pending:
            self._to_target(data, datatype)
        self.pending.clear()
        self.pending_size = 0
        if self.pending_eof:
            self.eof_received()
        self.chan.resume_reading()

    def _fail_open(self, reason: str) -> None:
        ident = self.live.identity
        audit.record_or_log(self.app.store, "session.refused", ident.user, session=self.live.id,
                            target=ident.target.name, login=ident.login, reason=reason)
        self.app.publish("verdict", session=self.live.id, action="refused", reason=reason)
        if self.live.id is not None and not self.live.channels[:-1]:
            self.live.ending = True
            self.app.end_session_row(self.live.id, "failed", reason, ident.user)
        self.refuse(reason, EXIT_UPSTREAM_FAILED)

    def refuse(self, reason: str, status: int) -> None:
        """End this channel before anything reached the target, telling the user why."""
        if not self.chan.is_closing():
            with contextlib.suppress(BrokenPipeError, OSError):
                self.chan.write_stderr(f"bastion: {reason}\r\n".encode())
                self.chan.exit(status)
        self.finish(exit_status=status)

    def _make_gate(self) -> gate.InputGate | gate.StdinGate | None:
        if self.kind == "shell" and self.term is not None:
            _, (cols, rows, _, _), _ = self.term
            return gate.InputGate(self.app, self, cols, rows)
        if self.kind == "shell" or (self.kind == "exec" and
                                    gate.reads_script_from_stdin(self.command or "") == "shell"):
            return gate.StdinGate(self.app, self)
        return None

    def _start_recording(self) -> None:
        live = self.live
        folder = self.app.home.recordings
        try:
            if self.kind == "shell" and self.term is not None:
                term_type, (cols, rows, _, _), _ = self.term
                path = recording.cast_path(folder, live.id, self.number)
                self.cast = recording.CastRecorder(
                    path, width=cols or 80, height=rows or 24,
                    title=f"{live.identity.user} {live.identity.login}@{live.identity.target.name}"
                          f" {live.grant.ticket} {live.id}",
                    env={"TERM": term_type, "SHELL": "/bin/sh"})
                kind = "cast"
            else:
                path = recording.exec_record_path(folder, live.id, self.number)
                kind = "exec" if self.kind == "exec" else ("subsystem" if self.subsystem
                                                           else "exec")
                self.record = recording.ExecRecord(
                    path, session_id=live.id, channel=self.number,
                    kind="subsystem" if self.subsystem else "exec",
                    command=self.command or self.subsystem or "(shell without pty)")
                if self.subsystem == "sftp":
                    self.sftp = SftpLog()
        except (recording.RecordingError, OSError) as exc:
            audit.record_or_log(self.app.store, "recording.failed", live.identity.user,
                                session=live.id, error=str(exc))
            raise BastionError("the session cannot be recorded, so it is refused") from None
        sessions.add_recording(self.app.store, live.id, path, self.number, kind)

    # -- client -> target ------------------------------------------------------------------

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.live.touch()
        if self.upstream_chan is None:
            self.pending.append((data, datatype))
            self.pending_size += len(data)
            if self.pending_size > PRE_START_BUFFER:
                self.chan.pause_reading()
            return
        self._to_target(data, datatype)

    def _to_target(self, data: bytes, datatype: int | None) -> None:
        try:
            if self.gate is not None:
                self.gate.client_input(data)
                return
            self.send_input(data)
        except recording.RecordingError as exc:
            self.recording_failed(exc)

    def send_input(self, data: bytes) -> None:
        """Forward client bytes to the target (after the gate let them through) and record them."""
        if self.cast is not None:
            if self.redactor is not None:
                for item in self.redactor.feed_input(data):
                    self.cast.input(item)
            else:
                self.cast.input(data)
        elif self.record is not None:
            self.record.stdin(data)
            if self.sftp is not None:
                self.sftp.client_data(data)
        if self.upstream_chan is not None and not self.upstream_chan.is_closing():
            self.upstream_chan.write(data)

    def eof_received(self) -> bool:
        if self.upstream_chan is None:
            self.pending_eof = True
        elif self.gate is not None:
            self.gate.eof()  # after the lines the gate still holds: nothing is written after it
        else:
            self.upstream_chan.write_eof()
        return True

    def send_eof(self) -> None:
        """The client's EOF, passed on once the gate has nothing left to send."""
        if self.upstream_chan is not None and not self.upstream_chan.is_closing():
            self.upstream_chan.write_eof()

    def write_upstream(self, data: bytes) -> None:
        """The bastion's own keys to the target (a cancelled line), not recorded as typed."""
        if self.upstream_chan is not None and not self.upstream_chan.is_closing():
            self.upstream_chan.write(data)

    def terminal_size_changed(self, width: int, height: int, pixwidth: int, pixheight: int) -> None:
        width, height, pixwidth, pixheight = bounded_size(width, height, pixwidth, pixheight)
        if self.term is not None:
            self.term = (self.term[0], (width, height, pixwidth, pixheight), self.term[2])
        if self.cast is not None and width and height:
            try:
                self.cast.resize(width, height)
            except recording.RecordingError as exc:
                self.recording_failed(exc)
                return
        if self.gate is not None:
            self.gate.resize(width, height)
        if self.upstream_chan is not None:
            self.upstream_chan.change_terminal_size(width, height, pixwidth, pixheight)

    def signal_received(self, signal: str) -> None:
        if self.upstream_chan is not None:
            self.upstream_chan.send_signal(signal)

    def break_received(self, msec: int) -> bool:
        if self.upstream_chan is not None:
            self.upstream_chan.send_break(msec)
            return True
        return False

    def pause_writing(self) -> None:
        # The client is not reading: stop reading from the target until it does.
        if self.upstream_chan is not None:
            self.upstream_chan.pause_reading()

    def resume_writing(self) -> None:
        if self.upstream_chan is not None:
            self.upstream_chan.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.upstream_chan is not None:
            self.upstream_chan.close()
        self.finish()

    # -- target -> client ------------------------------------------------------------------

    def from_target(self, data: bytes, datatype: int | None) -> None:
        self.live.touch()
        try:
            if self.cast is not None:
                self.cast.output(data)
                self.tail += data
                if len(self.tail) > 2 * TAIL_BYTES:
                    del self.tail[:-TAIL_BYTES]
                if self.gate is not None:
                    self.gate.target_output(data)
                if self.redactor is not None:
                    for item in self.redactor.feed_output(data):
                        self.cast.input(item)
            elif self.record is not None:
                if datatype == asyncssh.EXTENDED_DATA_STDERR:
                    self.record.stderr(data)
                else:
                    self.record.stdout(data)
                    if self.sftp is not None:
                        self.sftp.server_data(data)
        except recording.RecordingError as exc:
            self.recording_failed(exc)
            return
        self.app.broadcast_output(self.live.id, self.number, data)
        if datatype == asyncssh.EXTENDED_DATA_STDERR:
            self.flush_output()
            self.chan.write_stderr(data)
        elif self.cast is not None:
            # A pty sends its output in small packets: relay what one loop pass brought as one
            # write (half the CPU per MB; bench/README.md). Flushed before anything else is written.
            self._outbox.append(data)
            if len(self._outbox) == 1:
                asyncio.get_running_loop().call_soon(self.flush_output)
        else:
            self.chan.write(data)

    def flush_output(self) -> None:
        """Write the target output waiting to be relayed, keeping byte order."""
        if self._outbox:
            data = b"".join(self._outbox)
            self._outbox.clear()
            if self.chan is not None and not self.chan.is_closing():
                self.chan.write(data)

    def target_eof(self) -> None:
        if self.chan is not None:
            self.flush_output()
            self.chan.write_eof()

    def pause_client(self, why: str = "target") -> None:
        """Stop reading the client: the target is not reading ("target"), or the gate's queue
        is full ("queue"). Reading resumes once neither holds."""
        if not self._client_paused and self.chan is not None:
            self.chan.pause_reading()
        self._client_paused.add(why)

    def resume_client(self, why: str = "target") -> None:
        if why in self._client_paused:
            self._client_paused.discard(why)
            if not self._client_paused and self.chan is not None:
                self.chan.resume_reading()

    def target_closed(self, side: UpstreamSide, exc: Exception | None) -> None:
        """The target closed the channel: pass its exit status or signal on, then close."""
        if self.finished:
            return  # the bastion ended this channel (refused, killed) and told the client already
        self.flush_output()
        chan = self.chan
        status = side.exit_status
        if side.exit_signal is not None:
            signal, core, msg, lang = side.exit_signal
            chan.exit_with_signal(signal, core, msg, lang)
        elif status is not None:
            chan.exit(status)
        else:
            if not self.live.ending:
                reason = f"the connection to {self.live.identity.target.name} was lost"
                if self.cast is not None:
                    self.marker(reason)
                self._say(f"\r\nbastion: {reason}\r\n".encode(), stderr=True)
            chan.exit(EXIT_UPSTREAM_FAILED)
            status = EXIT_UPSTREAM_FAILED
        lost = exc is not None and not self.finished and not self.live.ending
        self.finish(exit_status=status,
                    exit_signal=side.exit_signal[0] if side.exit_signal else None)
        if lost:
            # The upstream connection died, not only this channel: the session row must say so
            # (not "client disconnected"), and the session's other channels end with it.
            self.live.end("failed", f"the connection to {self.live.identity.target.name} was lost")

    # -- control ---------------------------------------------------------------------------

    def notice(self, text: str) -> None:
        """Tell the user something. On a terminal it goes in the output stream itself (ordered
        with what the target prints), and into the recording as output and as a marker, so a
        replay shows what the user saw. Parts of `text` may come from people (a reason): it is
        shown with its control characters spelled out."""
        if self.chan is None or self.finished:
            return
        text = visible(text)
        self.flush_output()
        if self.cast is not None:
            self.marker(text)
            self._say(f"\r\n[bastion] {text}\r\n".encode())
        elif self.kind == "shell":
            self.chan.write_stderr(f"[bastion] {text}\n".encode())

    def _say(self, data: bytes, stderr: bool = False) -> None:
        """The bastion's own words on the user's terminal, recorded as output too."""
        if self.cast is not None and not self.cast.closed:
            try:
                self.cast.output(data)
            except recording.RecordingError as exc:
                log.error("recording %s failed: %s", self.cast.path, exc)
        with contextlib.suppress(BrokenPipeError, OSError):
            if stderr:
                self.chan.write_stderr(data)
            else:
                self.chan.write(data)

    def marker(self, text: str) -> None:
        try:
            self.cast.marker(text)
        except recording.RecordingError as exc:
            log.error("recording %s failed: %s", self.cast.path, exc)

    def terminate(self, reason: str, status: int = EXIT_KILLED) -> None:
        """End this channel now: the reason goes to the user's stderr first (and into the
        recording, as output and as a marker)."""
        if self.chan is None or self.finished:
            return
        reason = visible(reason)
        self.flush_output()
        if self.cast is not None:
            self.marker(f"session ended: {reason}")
        self._say(f"\r\nbastion: session ended: {reason}\r\n".encode(), stderr=True)
        self.chan.exit(status)
        if self.upstream_chan is not None:
            self.upstream_chan.close()
        self.finish(exit_status=status)

    def recording_failed(self, exc: Exception) -> None:
        """Fail closed: a session that cannot be recorded does not go on."""
        ident = self.live.identity
        audit.record_or_log(self.app.store, "recording.failed", ident.user, session=self.live.id,
                            error=str(exc))
        cast, record = self.cast, self.record
        if cast is not None:
            def finish_cast() -> str:
                cast.marker(f"session ended: the recording could not be written ({exc})")
                return cast.close()
            self.app.stall_recording(cast, finish_cast, ident.user)
        elif record is not None:
            self.app.stall_recording(record, lambda: record.close(exit_status=None), ident.user)
        self.cast = None
        self.record = None
        self.live.end("failed", "the recording could not be written")

    def finish(self, *, exit_status: int | None = None, exit_signal: str | None = None) -> None:
        """Close the recording and store its digest (once)."""
        if self.finished:
            return
        self.finished = True
        store, user = self.app.store, self.live.identity.user
        rec: Any = None
        try:
            if self.cast is not None and not self.cast.closed:
                cast = self.cast
                rec, closer = cast, cast.close  # together: the except below stalls both
                if self.redactor is not None:
                    for item in self.redactor.flush():
                        cast.input(item)
                sessions.close_recording(store, cast.path, closer(), user)
            elif self.record is not None and not self.record.closed:
                record = self.record
                summary = self.sftp.summary() if self.sftp is not None else None

                def close_record() -> str:
                    return record.close(exit_status=exit_status, exit_signal=exit_signal,
                                        sftp=summary)
                rec, closer = record, close_record
                sessions.close_recording(store, record.path, closer(), user)
                if self.sftp is not None:
                    for op in summary.get("files", []):
                        audit.record_or_log(store, "file.transfer", user, session=self.live.id,
                                            **op)
        except (recording.RecordingError, OSError, BastionError) as exc:
            log.error("closing recording for %s failed: %s", self.live.id, exc)
            if rec is not None:
                self.app.stall_recording(rec, closer, user)
        if self.number:
            audit.record_or_log(store, "channel.closed", user, session=self.live.id,
                                channel=self.number, exit_status=exit_status,
                                exit_signal=exit_signal)
        if self.gate is not None:
            self.gate.close()


def make_channel_factory(live: LiveSession) -> Callable[[], ProxyChannel]:
    return lambda: ProxyChannel(live)
