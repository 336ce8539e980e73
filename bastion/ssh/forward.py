"""Local port forwarding (`ssh -L`, `ssh -W`) for sessions whose role allows it.

A direct-tcpip channel from the client is opened from the target (a direct-tcpip channel on the
bastion's upstream connection, so the destination is reached as the target reaches it), and only
then confirmed to the client: a destination the target cannot reach is refused with the target's
reason. Bytes are relayed as they are, with back-pressure both ways, and accounted in an exec
record of kind "forward" (bytes and SHA-256 each way, never the contents). Each forward is an
audit event when it opens, is refused, and closes. Remote forwarding (`ssh -R`) stays refused.
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

import asyncssh

from bastion import audit, recording
from bastion.access import sessions
from bastion.errors import BastionError
from bastion.ssh.channel import SESSION_ENDED
from bastion.ssh.upstream import WINDOW
from bastion.store import STORE_BUSY, StoreError

if TYPE_CHECKING:
    from bastion.ssh.live import Identity, LiveSession

log = logging.getLogger("bastion.ssh.forward")

MAX_OPEN_FORWARDS = 100  # per session at once: each holds an upstream channel and a record file


class ForwardChannel(asyncssh.SSHTCPSession):
    """The client end of one forwarded connection (a bastion.ssh.channel.Channel); lives in its
    session's `channels` so that ending the session (revocation, kill, grant end) closes it too.
    It has no terminal: nothing to mark or watch."""

    kind = "direct-tcpip"  # what LiveSession.hold_to_role ends when the role loses `forwarding`

    def __init__(self, live: LiveSession, dest_host: str, dest_port: int) -> None:
        self.live = live
        self.app = live.app
        self.destination = f"{dest_host}:{dest_port}"
        self.number = 0
        self.chan: asyncssh.SSHTCPChannel | None = None
        self.upstream_chan: asyncssh.SSHTCPChannel | None = None
        self.record: recording.ExecRecord | None = None
        self.finished = False

    # -- the client side ---------------------------------------------------------------------

    def connection_made(self, chan: asyncssh.SSHTCPChannel) -> None:
        self.chan = chan

    def data_received(self, data: bytes, datatype: int | None) -> None:
        if self.record is None:  # its recording failed: the forward is closing, nothing passes
            return
        self.live.touch()
        try:
            self.record.stdin(data)
        except recording.RecordingError as exc:
            self.recording_failed(exc)
            return
        self.upstream_chan.write(data)

    def eof_received(self) -> bool:
        self.upstream_chan.write_eof()
        return True  # half-closed: the other direction goes on

    def pause_writing(self) -> None:
        self.upstream_chan.pause_reading()

    def resume_writing(self) -> None:
        self.upstream_chan.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.upstream_chan is not None:
            self.upstream_chan.close()
        self.finish()

    # -- the target side ---------------------------------------------------------------------

    def from_target(self, data: bytes) -> None:
        if self.record is None:
            return
        self.live.touch()
        try:
            self.record.stdout(data)
        except recording.RecordingError as exc:
            self.recording_failed(exc)
            return
        self.chan.write(data)

    def target_eof(self) -> None:
        self.chan.write_eof()

    def target_closed(self) -> None:
        if self.chan is not None:
            self.chan.close()
        self.finish()

    # -- what a session asks of its channels (bastion.ssh.channel.Channel) -------------------

    @property
    def identity(self) -> Identity:
        return self.live.identity

    @property
    def session_id(self) -> str | None:
        return self.live.id

    def screen(self) -> None:
        return None

    def recording_progress(self) -> None:
        return None  # an exec record has no running digest; it is summed up when it closes

    async def wait_closed(self) -> None:
        if self.chan is not None:
            await self.chan.wait_closed()

    def notice(self, text: str) -> None:
        """A TCP stream has nowhere to show a notice; the session's terminals show it."""

    def terminate(self, reason: str, status: int = 1) -> None:
        """End the forward now (a forward has no exit status: `status` is for session channels)."""
        if self.finished:
            return
        for chan in (self.chan, self.upstream_chan):
            if chan is not None:
                chan.close()
        self.finish()

    def abandon(self) -> None:
        """The forward never opened: close what it holds; the session forgets it."""
        self.finished = True
        if self.upstream_chan is not None:
            self.upstream_chan.close()
        with contextlib.suppress(ValueError):
            self.live.channels.remove(self)
        if self.record is not None and not self.record.closed:
            self.close_record()

    def recording_failed(self, exc: Exception) -> None:
        audit.record_or_log(self.app.store, "recording.failed", self.live.identity.user,
                            session=self.live.id, error=str(exc))
        self.app.stall_recording(self.record, self._record_closer(self.record),
                                 self.live.identity.user)
        self.record = None
        self.live.end("failed", "the recording could not be written")

    def close_record(self) -> None:
        """Close the record and store its digest; if either fails, the server finishes it
        later (`Bastion.stall_recording`)."""
        record, user = self.record, self.live.identity.user
        try:
            sessions.close_recording(self.app.store, record.path, record.close(exit_status=None),
                                     user)
        except (recording.RecordingError, OSError, BastionError) as exc:
            log.error("closing the record of forward %s failed: %s", self.destination, exc)
            self.app.stall_recording(record, self._record_closer(record), user)

    @staticmethod
    def _record_closer(record: recording.ExecRecord):
        return lambda: record.close(exit_status=None)

    def finish(self) -> None:
        """Close the record and audit the end (once); the session forgets the channel, so a
        long session forwarding many connections does not keep them all."""
        if self.finished:
            return
        self.finished = True
        with contextlib.suppress(ValueError):
            self.live.channels.remove(self)
        store, user = self.app.store, self.live.identity.user
        sent = received = None
        if self.record is not None and not self.record.closed:
            sent, received = self.record.bytes_in, self.record.bytes_out
            self.close_record()
        audit.record_or_log(store, "channel.closed", user, session=self.live.id,
                            channel=self.number, kind="direct-tcpip",
                            destination=self.destination, bytes_sent=sent,
                            bytes_received=received)


class _TargetSide(asyncssh.SSHTCPSession):
    def __init__(self, forward: ForwardChannel) -> None:
        self.forward = forward

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.forward.from_target(data)

    def eof_received(self) -> bool:
        self.forward.target_eof()
        return True

    def pause_writing(self) -> None:
        self.forward.chan.pause_reading()

    def resume_writing(self) -> None:
        self.forward.chan.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.forward.target_closed()


async def open_forward(live: LiveSession, dest_host: str, dest_port: int, orig_host: str,
                       orig_port: int) -> ForwardChannel:
    """Open DEST from the target and return the channel to confirm to the client; raises
    asyncssh.ChannelOpenError (which asyncssh sends to the client) when it cannot be opened,
    when the session is ending or its rights are gone (LiveSession.admit), and when the session
    ends while it opens."""
    ident, app = live.identity, live.app
    forward = ForwardChannel(live, dest_host, dest_port)
    live.admit("direct-tcpip", destination=forward.destination)
    if sum(isinstance(ch, ForwardChannel) for ch in live.channels) >= MAX_OPEN_FORWARDS:
        reason = f"too many forwarded connections open at once (at most {MAX_OPEN_FORWARDS})"
        app.note_refusal("channel.refused", ident.user, "direct-tcpip", session=live.id,
                         destination=forward.destination, reason=reason)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_RESOURCE_SHORTAGE, reason)
    # In the session's channels before its first await: a session that ends while the forward
    # opens ends the forward too, rather than leaving it to escape the end.
    live.channels.append(forward)
    try:
        live.start(None)
        forward.number = live.next_channel()
        path = recording.exec_record_path(app.home.recordings, live.id, forward.number)
        try:
            forward.record = recording.ExecRecord(
                path, session_id=live.id, channel=forward.number, kind="forward",
                command=f"direct-tcpip {forward.destination}")
        except (recording.RecordingError, OSError) as exc:
            raise BastionError(f"the forward cannot be recorded ({exc})") from None
        sessions.add_recording(app.store, live.id, path, forward.number, "forward")
        upstream = await live.upstream()
        forward.upstream_chan, _ = await upstream.create_connection(
            lambda: _TargetSide(forward), dest_host, dest_port, orig_host, orig_port,
            window=WINDOW)
        if forward.finished:
            raise BastionError(SESSION_ENDED)
        audit.record(app.store, "channel.opened", ident.user, session=live.id,
                     channel=forward.number, kind="direct-tcpip", destination=forward.destination)
    except (BastionError, asyncssh.Error, OSError) as exc:
        if isinstance(exc, StoreError):
            reason = STORE_BUSY
        elif live.ending:
            reason = SESSION_ENDED
        elif isinstance(exc, asyncssh.ChannelOpenError):
            reason = f"target {ident.target.name} could not open {forward.destination}: {exc.reason}"
        else:
            reason = str(getattr(exc, "reason", None) or exc)
        forward.abandon()
        app.note_refusal("channel.refused", ident.user, "direct-tcpip", session=live.id,
                         destination=forward.destination, reason=reason)
        raise asyncssh.ChannelOpenError(asyncssh.OPEN_CONNECT_FAILED, reason) from None
    return forward
