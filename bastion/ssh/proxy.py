"""The relayed session channel (shell, exec, sftp): a byte-exact relay between the client and the
target with back-pressure both ways, recorded as it passes and judged by its gate. It implements
bastion.ssh.channel.GatedChannel; its live session is bastion.ssh.live.LiveSession."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncssh

from bastion import audit, recording
from bastion.access import sessions
from bastion.command_control import scp
from bastion.command_control.sftplog import SftpGate
from bastion.errors import BastionError
from bastion.ssh import ending, gate, judge, recorders
from bastion.ssh.channel import EXIT_KILLED, EXIT_UPSTREAM_FAILED
from bastion.ssh.negotiation import bounded_size, filtered_env, passed_modes, terminal_refusal, window_size
from bastion.ssh.upstream import WINDOW, UpstreamSide
from bastion.store import STORE_BUSY, StoreError
from bastion.text import visible

if TYPE_CHECKING:
    from bastion.ssh.live import Identity, LiveSession

log = logging.getLogger("bastion.ssh.proxy")

PRE_START_BUFFER = 1 << 20  # bytes a client may send before the upstream channel is open
TAIL_BYTES = 64 * 1024


class ProxyChannel(asyncssh.SSHServerSession):
    """The client end of one relayed channel (shell, exec or sftp), recorded as it passes.

    What a channel gets is chosen once, when it opens (`_choose`): a shell or exec channel with a
    pty is interactive, whatever its command (an asciicast, and the InputGate judging line by
    line; an exec command is also judged whole first); without a pty, an exec record, plus the
    StdinGate for a shell reading its stdin, or the scp stream for `scp -t`/`scp -f`, or the SFTP
    gate for an SFTP server run as a command; an sftp subsystem an exec record and the SFTP gate.
    The target sees the channel as the bastion judges it: a pty asked for once the shell, command
    or subsystem started is refused, a subsystem runs without one, and of the client's terminal
    modes only those in `passed_modes`, of its terminal types `passed_term`'s, reach the target."""

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
        # Chosen once, when the channel opens (recorders.open_recording); None before, and
        # after it failed (the session is ending then).
        self.recording: recorders.CastRecording | recorders.ExecRecording | None = None
        self.interactive = False
        self.stream: str | None = None  # "scp" or "sftp": a file transfer the bastion follows
        self.scp: scp.ServerMode | None = None  # an exec command that is scp's server side
        self.transfer: scp.ScpStream | SftpGate | None = None  # judges a file transfer stream
        self.gate: gate.Gate | None = None  # the command gate, for shells and commands reading stdin
        self.finished = False
        self.started = False  # the shell, command or subsystem was asked for: the kind is fixed
        self._pty_refused = False
        self._closed = False
        self._holds: set[str] = set()  # why the client's input is paused
        self._output_paused = False  # the client is not taking output: the target's is not read
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
        return self.recording is not None and self.recording.terminal

    def write_stderr(self, data: bytes) -> None:
        self.chan.write_stderr(data)

    def end_session(self, state: str, reason: str, *, status: int = EXIT_KILLED) -> None:
        self.live.end(state, reason, status=status)

    def screen(self) -> tuple[int, int, bytes] | None:
        if not self.marks:
            return None
        width, height = (self.term[1][0], self.term[1][1]) if self.term else (80, 24)
        return width, height, bytes(self.tail)

    def recording_progress(self) -> tuple[Path, int, str] | None:
        return self.recording.progress() if self.recording is not None else None

    async def wait_closed(self) -> None:
        if self.chan is not None:
            await self.chan.wait_closed()

    # -- channel requests ------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHServerChannel) -> None:
        self.chan = chan

    def env_refused(self, reason: str) -> None:  # bastion.ssh.channel_requests
        self.app.note_refusal("channel.refused", self.live.identity.user, "env", session=self.live.id,
                              reason=reason)

    def pty_requested(self, term_type: str, term_size: tuple[int, int, int, int],
                      term_modes: dict) -> bool:
        """A terminal, before the shell, command or subsystem only (asyncssh would take one after
        too, when the bastion has chosen how to judge the channel already)."""
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
            await self._choose()
            refused_term = terminal_refusal(self)  # before the cast header names it (s28o, 5)
            self._start_recording()
            refusal = refused_term or (
                await judge.judge_exec(app, self) if self.kind == "exec" else None)
            if refusal is not None:
                self.refuse(refusal, 126)
                return
            self._make_judges()
            if isinstance(self.recording, recorders.CastRecording) and isinstance(
                    self.gate, gate.InputGate):
                # The echo rule reads the screen the gate's tracker keeps.
                self.recording.redact_with(self.gate.tracker)
            upstream = await live.upstream()
            kwargs: dict[str, Any] = {"env": passed_env, "encoding": None, "window": WINDOW}
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

    async def _choose(self) -> None:
        """Decide, once, what this channel is (see the class docstring)."""
        if self.kind == "subsystem" and self.term is not None:
            # The SFTP gate reads the stream as bytes: a pty's line discipline would rewrite them
            # (ISTRIP, ICRNL, ...) after they were judged. The subsystem runs without one.
            self.term = None
            self._refused_pty("a subsystem runs without a terminal")
        self.interactive = self.term is not None and self.kind in ("shell", "exec")
        if self.kind == "exec" and self.term is None:  # bounded and metered (c38o, 2)
            self.scp, self.stream = await judge.exec_stream(self.app, self)
        elif self.subsystem == "sftp":
            self.stream = "sftp"

    def _make_judges(self) -> None:
        """A file-transfer stream's judge, or the command gate the server's factory gives."""
        if self.stream is not None:  # "scp" or "sftp": refusals counted per connection too
            judged = self.live.transfer_judge(judge.TransferJudge(self.app, self, self.stream))
        if self.scp is not None:
            self.transfer = scp.ScpStream(self.scp, judged, self.send_input, self.to_client)
        elif self.stream == "sftp":
            self.transfer = SftpGate(judged, self.send_input, self.to_client, slice=gate.SLICE)
        else:
            self.gate = self.app.make_gate(self)

    def _start_recording(self) -> None:
        live = self.live
        try:
            self.recording, kind = recorders.open_recording(self)
        except (recording.RecordingError, OSError) as exc:
            audit.record_or_log(self.app.store, "recording.failed", live.identity.user,
                                session=live.id, error=str(exc))
            raise BastionError("the session cannot be recorded, so it is refused") from None
        sessions.add_recording(self.app.store, live.id, self.recording.path, self.number, kind)

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
        if self.recording is not None:
            self.recording.typed(data)
        if self.upstream_chan is not None and not self.upstream_chan.is_closing():
            self.upstream_chan.write(data)

    def to_client(self, data: bytes) -> None:
        """Write bytes of a file transfer to the client (the target's, or the bastion's own
        answers) and account them."""
        if self.recording is not None:
            self.recording.answered(data)
        if self.chan is not None and not self.chan.is_closing():
            self.chan.write(data)

    def _check_transfer(self) -> None:
        """A transfer stream that broke its protocol passes nothing more: end the channel. One
        whose judging took its slice of time is resumed once other sessions had their turn."""
        failed = self.transfer.failed if self.transfer is not None else None
        if failed is None and not self.finished and self.transfer.waiting:
            if "transfer" not in self._holds:
                self.hold_client("transfer")
                # After other sessions had their turn, and once this person may judge again
                # (bastion.runtime.judging; attack M: one sftp channel's costly requests).
                wait = self.app.judging.wait(self.live.identity.user)
                asyncio.get_running_loop().call_later(wait, self._resume_transfer)
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
        width, height, pixwidth, pixheight = window_size(self.term, width, height, pixwidth, pixheight)
        if self.term is not None:
            self.term = (self.term[0], (width, height, pixwidth, pixheight), self.term[2])
        if self.recording is not None and width and height:
            try:
                resized = self.recording.resize(width, height)
            except recording.RecordingError as exc:
                self.recording_failed(exc)
                return
            if resized:
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
        # The client is not reading: stop reading from the target until it does. What the
        # target sends meanwhile (the echo of keys typed since) is withheld from the gate too.
        self._output_paused = True
        if self.upstream_chan is not None:
            self.upstream_chan.pause_reading()
        if self.gate is not None:
            self.gate.output_withheld(True)

    def resume_writing(self) -> None:
        self._output_paused = False
        if self.upstream_chan is not None:
            self.upstream_chan.resume_reading()  # hands over what it buffered, at once
        if self.gate is not None and not self._output_paused:
            self.gate.output_withheld(False)

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
        stderr = datatype == asyncssh.EXTENDED_DATA_STDERR
        rec = self.recording
        try:
            if rec is not None:
                rec.output(data, stderr=stderr)
            if rec is not None and rec.terminal:
                self.tail += data
                if len(self.tail) > 2 * TAIL_BYTES:
                    del self.tail[:-TAIL_BYTES]
                if self.gate is not None:
                    self.gate.target_output(data)
                rec.output_read(data)  # after the gate's screen shows it
            elif rec is not None and self.transfer is not None and not stderr:
                self.transfer.from_target(data)  # accounted by to_client, between answers
        except recording.RecordingError as exc:
            self.recording_failed(exc)
            return
        self.app.broadcast_output(self.live.id, self.number, data)
        if stderr:
            self.flush_output()
            self.chan.write_stderr(data)
        elif self.transfer is not None:
            self._check_transfer()
        elif rec is not None and rec.terminal:
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
        if self.marks:
            self.marker(text)
            # On a terminal, in the output stream itself: ordered with what the target prints.
            self._say(f"\r\n[bastion] {visible(text)}\r\n".encode())
        elif self.kind == "shell":
            ending.last_word(self.chan, f"[bastion] {visible(text)}\n".encode())

    def _say(self, data: bytes, stderr: bool = False) -> None:
        """The bastion's own words on the user's terminal, recorded as output too."""
        if self.recording is not None:
            self.recording.said(data)
        ending.last_word(self.chan, data, stderr=stderr)

    def marker(self, text: str) -> None:
        if self.recording is not None:
            self.recording.marker(text)

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
        if self.recording is not None:
            self.app.stall_recording(*self.recording.stalled(exc), ident.user)
        self.recording = None
        self.live.end("failed", "the recording could not be written")

    def finish(self, *, exit_status: int | None = None, exit_signal: str | None = None) -> None:
        """Close the recording and store its digest (once)."""
        if self.finished:
            return
        self.finished = True
        self.live.channel_finished()
        store, user = self.app.store, self.live.identity.user
        rec: Any = None
        recording_ = self.recording
        try:
            if recording_ is not None and not recording_.closed:
                transfer, protocol = self.transfer, self.stream
                summary = transfer.summary() if transfer is not None else None
                # Together: the except below stalls the recorder with its closer.
                rec, closer = recording_.closing(
                    exit_status=exit_status, exit_signal=exit_signal,
                    summary=(protocol, summary) if summary is not None else None)
                recording_.flush()
                sessions.close_recording(store, recording_.path, closer(), user)
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
