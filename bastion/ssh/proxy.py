"""The relayed session channel (shell, exec, sftp): a byte-exact relay between the client and the
target with back-pressure both ways, recorded as it passes and judged by its gate. It implements
bastion.ssh.channel.GatedChannel; its live session is bastion.ssh.live.LiveSession.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncssh

from bastion import audit, recording
from bastion.access import sessions
from bastion.command_control import scp, sftplog
from bastion.command_control.sftplog import SftpGate
from bastion.command_control.terminal import KeystrokeRedactor
from bastion.errors import BastionError
from bastion.recording import escrow
from bastion.ssh import ending, gate, judge
from bastion.ssh.channel import EXIT_KILLED, EXIT_UPSTREAM_FAILED
from bastion.store import STORE_BUSY, StoreError
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.ssh.live import Identity, LiveSession

log = logging.getLogger("bastion.ssh.proxy")

PRE_START_BUFFER = 1 << 20  # bytes a client may send before the upstream channel is open
TAIL_BYTES = 64 * 1024
# SSH allows window sizes up to 2**32-1. A client's window is cut to the screen model's bounds
# (command_control.terminal's) before the recorder, the gate or the target see it, so the three agree and
# no recording claims a size a player cannot draw.
MAX_TERM_COLS = 2048
MAX_TERM_ROWS = 512
PASSED_ENV = ("LANG",)
PASSED_ENV_PREFIXES = ("LC_",)
# A locale whose charset can make a quote or a backslash the second byte of a character (GBK,
# BIG5, SJIS, GB18030) makes bash split a line otherwise than the bastion judged it. Only C, POSIX
# and an explicit UTF-8 codeset pass: a locale named without one takes its own (zh_TW is BIG5).
_SAFE_LOCALE = re.compile(r"C|POSIX|[A-Za-z]+(?:_[A-Za-z0-9]+)?\.(?i:utf-?8)(?:@[A-Za-z0-9]+)?")
# Terminal modes passed to the target's pty. The others (ISTRIP, IUCLC, IGNCR, INLCR, OLCUC, the
# special characters such as VKILL or VEOL, ECHO, ICANON, ...) make the line discipline change
# bytes between what the bastion judged and what a program reads or the screen shows; left out,
# the pty keeps the kernel's defaults, which the terminal tracker reads. Kept: the erase key
# (DEL or ^H, as the user's keyboard sends it), IUTF8 and the line speeds.
_PASSED_MODES = frozenset({asyncssh.PTY_IUTF8, asyncssh.PTY_OP_ISPEED, asyncssh.PTY_OP_OSPEED})
_ERASE_KEYS = frozenset({0x7F, 0x08})


def filtered_env(env: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The client's environment as it reaches the target, and the names of the locale variables
    left out. Only LANG and LC_* reach it, and only when empty or naming C, POSIX or a UTF-8
    locale (`en_US.UTF-8`, `C.utf8`, `de_DE.UTF-8@euro`); anything else is dropped."""
    passed: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in env.items():
        if name not in PASSED_ENV and not name.startswith(PASSED_ENV_PREFIXES):
            continue
        if value == "" or _SAFE_LOCALE.fullmatch(value):
            passed[name] = value
        else:
            dropped.append(name)
    return passed, dropped


def passed_modes(modes: dict[int, int]) -> dict[int, int]:
    """The client's terminal modes that reach the target's pty (see _PASSED_MODES)."""
    kept = {mode: value for mode, value in modes.items() if mode in _PASSED_MODES}
    if modes.get(asyncssh.PTY_VERASE) in _ERASE_KEYS:
        kept[asyncssh.PTY_VERASE] = modes[asyncssh.PTY_VERASE]
    return kept


def bounded_size(cols: int, rows: int, pixwidth: int, pixheight: int
                 ) -> tuple[int, int, int, int]:
    """A client's terminal size with columns and rows cut to MAX_TERM_COLS x MAX_TERM_ROWS
    (the pixel size is dropped when they are cut, so it cannot contradict them)."""
    if cols <= MAX_TERM_COLS and rows <= MAX_TERM_ROWS:
        return cols, rows, pixwidth, pixheight
    return min(cols, MAX_TERM_COLS), min(rows, MAX_TERM_ROWS), 0, 0


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
        self.proxy.hold_client("target")

    def resume_writing(self) -> None:
        self.proxy.release_client("target")

    def connection_lost(self, exc: Exception | None) -> None:
        self.proxy.target_closed(self, exc)


class ProxyChannel(asyncssh.SSHServerSession):
    """The client end of one relayed channel (shell, exec or sftp), recorded as it passes.

    What a channel gets is chosen once, when it opens (`_choose`): a shell or exec channel with a
    pty is interactive, whatever its command (an asciicast, and the InputGate judging line by
    line; an exec command is also judged whole first); without a pty, an exec record, plus the
    StdinGate for a shell reading its stdin, or the scp stream for `scp -t`/`scp -f`, or the SFTP
    gate for an SFTP server run as a command; an sftp subsystem an exec record and the SFTP gate.
    The target sees the channel as the bastion judges it: a pty asked for once the shell, command
    or subsystem started is refused, a subsystem runs without one, and of the client's terminal
    modes only those in `passed_modes` reach the target.
    """

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
        self.interactive = False
        self.stream: str | None = None  # "scp" or "sftp": a file transfer the bastion follows
        self.scp: scp.ServerMode | None = None  # an exec command that is scp's server side
        self.transfer: scp.ScpStream | SftpGate | None = None  # judges a file transfer stream
        self.redactor: Any = None
        self.gate: gate.Gate | None = None  # the command gate, for shells and commands reading stdin
        self.finished = False
        self.started = False  # the shell, command or subsystem was asked for: the kind is fixed
        self._pty_refused = False
        self._closed = False
        self._holds: set[str] = set()  # why the client's input is paused
        self.tail = bytearray()  # the latest output, for watchers' first screen
        self._outbox: list[bytes] = []

    # -- the Channel interface (bastion.ssh.channel) -------------------------------------------

    destination = None  # a forward's; a session channel has none

    @property
    def identity(self) -> Identity:
        return self.live.identity

    @property
    def session_id(self) -> str | None:
        return self.live.id

    @property
    def marks(self) -> bool:
        return self.cast is not None

    def write_stderr(self, data: bytes) -> None:
        self.chan.write_stderr(data)

    def end_session(self, state: str, reason: str, *, status: int = EXIT_KILLED) -> None:
        self.live.end(state, reason, status=status)

    def screen(self) -> tuple[int, int, bytes] | None:
        if self.cast is None:
            return None
        width, height = (self.term[1][0], self.term[1][1]) if self.term else (80, 24)
        return width, height, bytes(self.tail)

    def recording_progress(self) -> tuple[Path, int, str] | None:
        cast = self.cast
        if cast is None or cast.closed:
            return None
        cast.flush()
        offset, digest = cast.running_digest()
        return cast.path, offset, digest

    async def wait_closed(self) -> None:
        if self.chan is not None:
            await self.chan.wait_closed()

    # -- channel requests ------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: dict) -> bool:
        """A terminal, before the shell, command or subsystem only (asyncssh would take one
        after too, when the bastion has already chosen how to judge the channel); only the
        modes in `passed_modes` ever reach the target."""
        if self.started:
            self._refused_pty("asked for after the channel's shell, command or subsystem started")
            return False
        self.term = (term_type, bounded_size(*term_size), passed_modes(term_modes))
        return True

    def _refused_pty(self, reason: str) -> None:
        """Audited once per channel: a client repeating the request adds nothing."""
        if self._pty_refused:
            return
        self._pty_refused = True
        ident = self.live.identity
        audit.record_or_log(self.app.store, "channel.request_refused", ident.user,
                            session=self.live.id, channel=self.number or None,
                            channel_request="pty-req", reason=reason)

    def shell_requested(self) -> bool:
        self.started = True
        self.kind = "shell"
        return True

    def exec_requested(self, command: str) -> bool:
        self.started = True
        self.kind = "exec"
        self.command = command
        return True

    def subsystem_requested(self, subsystem: str) -> bool:
        self.started = True
        ident = self.live.identity
        if subsystem != "sftp" or not ident.role.sftp:
            self.app.note_refusal("channel.refused", ident.user, "subsystem", session=self.live.id,
                                  subsystem=subsystem, reason="subsystem not allowed")
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
            live.opened += 1
            passed_env, dropped = filtered_env(env)
            if dropped and not live.env_dropped:
                live.env_dropped = True
                audit.record_or_log(app.store, "session.env_dropped", ident.user, session=live.id,
                                    channel=self.number, names=sorted(dropped))
            self._choose()
            self._start_recording()
            refusal = await judge.judge_exec(app, self) if self.kind == "exec" else None
            if refusal is not None:
                self.refuse(refusal, 126)
                return
            self._make_judges()
            if self.cast is not None and isinstance(self.gate, gate.InputGate):
                # The echo rule reads the screen the gate's tracker keeps.
                self.redactor = KeystrokeRedactor(self.gate.tracker)
            upstream = await live.upstream()
            kwargs: dict[str, Any] = {"env": passed_env, "encoding": None}
            if self.term is not None:
                term_type, size, modes = self.term
                kwargs |= {"term_type": term_type, "term_size": size, "term_modes": modes}
            if self.kind == "exec":
                kwargs["command"] = self.command
            elif self.kind == "subsystem":
                kwargs["subsystem"] = self.subsystem
            self.upstream_chan, _ = await upstream.create_session(lambda: UpstreamSide(self),
                                                                  **kwargs)
            if self.finished:  # ended while it opened (a kill, a revocation): it said why
                self.upstream_chan.close()
                return
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
        self.release_client("start")

    def _fail_open(self, reason: str) -> None:
        live = self.live
        if live.ending:  # the session ended meanwhile, and said why in its own events
            self.refuse(reason, EXIT_KILLED)
            return
        ident = live.identity
        audit.record_or_log(self.app.store, "session.refused", ident.user, session=live.id,
                            target=ident.target.name, login=ident.login, reason=reason)
        self.app.publish("verdict", session=live.id, action="refused", reason=reason)
        if live.id is not None and live.opened == 1:
            # The session's first channel failed: the session fails with it, whole (a session
            # marked over must not keep a connection that opens more channels), its row before
            # the user reads why. This channel tells its own reason, below.
            live.channel_closed(self)
            live.end("failed", reason, ident.user)
        self.refuse(reason, EXIT_UPSTREAM_FAILED)

    def refuse(self, reason: str, status: int) -> None:
        """End this channel before anything reached the target, telling the user why."""
        try:
            ending.last_word(self.chan, f"bastion: {visible(reason)}\r\n".encode())
            self.chan.exit(status)
        finally:
            self.finish(exit_status=status)

    def _choose(self) -> None:
        """Decide, once, what this channel is (see the class docstring)."""
        if self.kind == "subsystem" and self.term is not None:
            # The SFTP gate reads the stream as bytes: a pty's line discipline would rewrite them
            # (ISTRIP, ICRNL, ...) after they were judged. The subsystem runs without one.
            self.term = None
            self._refused_pty("a subsystem runs without a terminal")
        self.interactive = self.term is not None and self.kind in ("shell", "exec")
        if self.kind == "exec" and self.term is None:
            self.scp = scp.server_mode(self.command or "")
            if self.scp is not None:
                self.stream = "scp"
            elif sftplog.server_command(self.command or ""):
                self.stream = "sftp"  # `sftp -s /usr/lib/openssh/sftp-server`
        elif self.subsystem == "sftp":
            self.stream = "sftp"

    def _make_judges(self) -> None:
        """A file-transfer stream's judge, or the command gate the server's factory gives."""
        if self.scp is not None:
            self.transfer = scp.ScpStream(self.scp, judge.TransferJudge(self.app, self, "scp"),
                                          self.send_input, self.to_client)
        elif self.stream == "sftp":
            self.transfer = SftpGate(judge.TransferJudge(self.app, self, "sftp"), self.send_input,
                                     self.to_client, slice=gate.SLICE)
        else:
            self.gate = self.app.make_gate(self)

    def _start_recording(self) -> None:
        live = self.live
        folder = self.app.home.recordings
        try:
            if self.interactive:
                term_type, (cols, rows, _, _), _ = self.term
                path = recording.cast_path(folder, live.id, self.number)
                # Read per channel: a key changed by a reload applies to the channels opened after it.
                escrow_key = self.app.config.recordings.escrow_key
                self.cast = recording.CastRecorder(
                    path, width=cols or 80, height=rows or 24,
                    title=f"{live.identity.user} {live.identity.login}@{live.identity.target.name}"
                          f" {live.grant.ticket} {live.id}",
                    env={"TERM": term_type, "SHELL": "/bin/sh"},
                    command=self.command,
                    sealer=escrow.Sealer(escrow_key, live.id, self.number) if escrow_key else None)
                kind = "cast"
                if self.command is not None:
                    self.cast.marker(f"exec: {self.command}")
            else:
                path = recording.exec_record_path(folder, live.id, self.number)
                kind = "subsystem" if self.subsystem else "exec"
                self.record = recording.ExecRecord(
                    path, session_id=live.id, channel=self.number, kind=kind,
                    command=self.command or self.subsystem or "(shell without pty)")
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
                self.hold_client("start")
            return
        self._to_target(data, datatype)

    def _to_target(self, data: bytes, datatype: int | None) -> None:
        try:
            if self.transfer is not None:
                self.transfer.from_client(data)
                self._check_transfer()
            elif self.gate is not None:
                self.gate.client_input(data)
            else:
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
        if self.upstream_chan is not None and not self.upstream_chan.is_closing():
            self.upstream_chan.write(data)

    def to_client(self, data: bytes) -> None:
        """Write bytes of a file transfer to the client (the target's, or the bastion's own
        answers) and account them."""
        if self.record is not None:
            self.record.stdout(data)
        if self.chan is not None and not self.chan.is_closing():
            self.chan.write(data)

    def _check_transfer(self) -> None:
        """A transfer stream that broke its protocol passes nothing more: end the channel. One
        whose judging took its slice of time is resumed once other sessions had their turn."""
        failed = self.transfer.failed if self.transfer is not None else None
        if failed is None and not self.finished and self.transfer.waiting:
            if "transfer" not in self._holds:
                self.hold_client("transfer")
                asyncio.get_running_loop().call_soon(self._resume_transfer)
            return
        if failed is None or self.finished:
            return
        ident = self.live.identity
        audit.record_or_log(self.app.store, "file.protocol_error", ident.user,
                            session=self.live.id, channel=self.number, reason=failed)
        log.warning("session %s channel %d ended: %s", self.live.id, self.number, failed)
        if self.upstream_chan is not None:
            self.upstream_chan.close()
        self.refuse(failed, EXIT_KILLED)

    def _resume_transfer(self) -> None:
        self.release_client("transfer")
        if self.finished or self.transfer is None:
            return
        try:
            self.transfer.resume()
        except recording.RecordingError as exc:
            self.recording_failed(exc)
            return
        self._check_transfer()
        if not self.transfer.waiting and self.pending_eof and self.upstream_chan is not None:
            self.upstream_chan.write_eof()  # the client's EOF, after the requests before it

    def eof_received(self) -> bool:
        if self.upstream_chan is None or (self.transfer is not None and self.transfer.waiting):
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
            self.app.broadcast_resize(self.live.id, self.number, width, height)
        if self.gate is not None:
            self.gate.resize(width, height)
        if self.upstream_chan is not None and self.term is not None:
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
        if not self._closed:
            self._closed = True
            self.live.channel_closed(self)

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
                elif self.transfer is not None:
                    self.transfer.from_target(data)  # written by to_client, between answers
                else:
                    self.record.stdout(data)
        except recording.RecordingError as exc:
            self.recording_failed(exc)
            return
        self.app.broadcast_output(self.live.id, self.number, data)
        if datatype == asyncssh.EXTENDED_DATA_STDERR:
            self.flush_output()
            self.chan.write_stderr(data)
        elif self.transfer is not None:
            self._check_transfer()
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

    def hold_client(self, reason: str) -> None:
        """Stop reading the client's input until `release_client(reason)`; the reasons (the
        target not reading, a gate judging, the channel not open yet) add up."""
        if not self._holds and self.chan is not None:
            self.chan.pause_reading()
        self._holds.add(reason)

    def release_client(self, reason: str) -> None:
        if reason not in self._holds:
            return
        self._holds.discard(reason)
        if not self._holds and self.chan is not None:
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
            # On a terminal, in the output stream itself: ordered with what the target prints.
            self._say(f"\r\n[bastion] {visible(text)}\r\n".encode())
        elif self.kind == "shell":
            ending.last_word(self.chan, f"[bastion] {visible(text)}\n".encode())

    def _say(self, data: bytes, stderr: bool = False) -> None:
        """The bastion's own words on the user's terminal, recorded as output too."""
        if self.cast is not None and not self.cast.closed:
            try:
                self.cast.output(data)
            except recording.RecordingError as exc:
                log.error("recording %s failed: %s", self.cast.path, exc)
        ending.last_word(self.chan, data, stderr=stderr)

    def marker(self, text: str) -> None:
        try:
            self.cast.marker(text)
        except recording.RecordingError as exc:
            log.error("recording %s failed: %s", self.cast.path, exc)

    def terminate(self, reason: str, status: int = EXIT_KILLED) -> None:
        """End this channel now: the reason on the user's stderr (where the channel still takes
        it, and into the recording, as output and as a marker), then the exit status; whatever
        the channel raises, it is finished."""
        if self.chan is None or self.finished:
            return
        try:
            self.flush_output()
            # A kill, lock or revocation reason was written by someone else: shown, never obeyed.
            reason = visible(reason)
            if self.cast is not None:
                self.marker(f"session ended: {reason}")
            # Best effort: a channel whose target sent EOF takes no more words, yet still ends.
            self._say(f"\r\nbastion: session ended: {reason}\r\n".encode(), stderr=True)
            self.chan.exit(status)
        finally:
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
        self.live.channel_finished()
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
                transfer = self.transfer
                summary = transfer.summary() if transfer is not None else None
                protocol = self.stream

                def close_record() -> str:
                    return record.close(exit_status=exit_status, exit_signal=exit_signal,
                                        **({protocol: summary} if summary is not None else {}))
                rec, closer = record, close_record
                sessions.close_recording(store, record.path, closer(), user)
                for entry in summary.get("files", []) if summary is not None else ():
                    audit.record_or_log(store, "file.transfer", user, session=self.live.id,
                                        channel=self.number, protocol=protocol, **entry)
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
