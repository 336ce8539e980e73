"""A session channel's recording, chosen once, when the channel opens (`open_recording`): an
asciicast for a terminal channel (shell or exec with a pty), an exec record for the others (its
stdout written as the file-transfer stream passes it, when the bastion follows one). Both offer
the same methods, so the channel never asks again which it has. Every method that writes may
raise RecordingError (the channel then fails closed: ProxyChannel.recording_failed), except
`marker` and `said`, which are best effort.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bastion import recording
from bastion.access import sessions
from bastion.command_control.terminal import KeystrokeRedactor
from bastion.recording import escrow

if TYPE_CHECKING:
    from bastion.ssh.proxy import ProxyChannel

log = logging.getLogger("bastion.ssh.recorders")

Closer = Callable[[], str]  # closes a recording and returns its digest


class CastRecording:
    """An asciicast: what the user typed (through the keystroke redactor once the channel has
    a gate's screen to read), what the target printed, markers, resizes, the bastion's words."""

    terminal = True

    def __init__(self, cast: recording.CastRecorder) -> None:
        self.cast = cast
        self.redactor: KeystrokeRedactor | None = None

    @property
    def path(self) -> Path:
        return self.cast.path

    @property
    def closed(self) -> bool:
        return self.cast.closed

    def redact_with(self, tracker: Any) -> None:
        """Keys typed without echo are sealed or marked, as the screen `tracker` keeps shows."""
        self.redactor = KeystrokeRedactor(tracker)

    def typed(self, data: bytes) -> None:
        if self.redactor is None:
            self.cast.input(data)
            return
        for item in self.redactor.feed_input(data):
            self.cast.input(item)

    def output(self, data: bytes, *, stderr: bool = False) -> None:
        self.cast.output(data)

    def output_read(self, data: bytes) -> None:
        """After the gate read `data` off the screen: the keys it shows were typed blind or not."""
        if self.redactor is not None:
            for item in self.redactor.feed_output(data):
                self.cast.input(item)

    def answered(self, data: bytes) -> None:
        """A terminal channel carries no file transfer: nothing to account."""

    def marker(self, text: str) -> None:
        try:
            self.cast.marker(text)
        except recording.RecordingError as exc:
            log.error("recording %s failed: %s", self.cast.path, exc)

    def said(self, data: bytes) -> None:
        """The bastion's own words on the user's terminal, recorded as output too."""
        if not self.cast.closed:
            try:
                self.cast.output(data)
            except recording.RecordingError as exc:
                log.error("recording %s failed: %s", self.cast.path, exc)

    def resize(self, width: int, height: int) -> bool:
        self.cast.resize(width, height)
        return True

    def progress(self) -> tuple[Path, int, str] | None:
        if self.cast.closed:
            return None
        self.cast.flush()
        offset, digest = self.cast.running_digest()
        return self.cast.path, offset, digest

    def stalled(self, exc: Exception) -> tuple[Any, Closer]:
        """What the server keeps of a recording that failed, and how it finishes it later."""
        cast = self.cast

        def finish_cast() -> str:
            cast.marker(f"session ended: the recording could not be written ({exc})")
            return cast.close()
        return cast, finish_cast

    def closing(self, *, exit_status: int | None, exit_signal: str | None,
                summary: tuple[str, dict] | None) -> tuple[Any, Closer]:
        """The recorder and its closer, for the channel's end (an asciicast has no status)."""
        return self.cast, self.cast.close

    def flush(self) -> None:
        """Before closing: what the redactor still holds."""
        if self.redactor is not None:
            for item in self.redactor.flush():
                self.cast.input(item)


class ExecRecording:
    """An exec record: stdin, stdout and stderr summed up (bytes and SHA-256 each), and the
    file-transfer summary of a stream the bastion follows (whose stdout is accounted as it is
    relayed, `answered`, rather than as the target sends it)."""

    terminal = False

    def __init__(self, record: recording.ExecRecord, *, follows_transfer: bool) -> None:
        self.record = record
        self.follows_transfer = follows_transfer

    @property
    def path(self) -> Path:
        return self.record.path

    @property
    def closed(self) -> bool:
        return self.record.closed

    def typed(self, data: bytes) -> None:
        self.record.stdin(data)

    def output(self, data: bytes, *, stderr: bool = False) -> None:
        if stderr:
            self.record.stderr(data)
        elif not self.follows_transfer:
            self.record.stdout(data)

    def output_read(self, data: bytes) -> None:
        pass

    def answered(self, data: bytes) -> None:
        self.record.stdout(data)

    def marker(self, text: str) -> None:
        pass

    def said(self, data: bytes) -> None:
        pass

    def resize(self, width: int, height: int) -> bool:
        return False

    def progress(self) -> None:
        return None

    def stalled(self, exc: Exception) -> tuple[Any, Closer]:
        record = self.record
        return record, lambda: record.close(exit_status=None)

    def closing(self, *, exit_status: int | None, exit_signal: str | None,
                summary: tuple[str, dict] | None) -> tuple[Any, Closer]:
        """`summary`: (protocol, its summary) of a file transfer, written into the record."""
        record = self.record

        def close_record() -> str:
            return record.close(exit_status=exit_status, exit_signal=exit_signal,
                                **(dict([summary]) if summary is not None else {}))
        return record, close_record

    def flush(self) -> None:
        pass


def open_recording(channel: ProxyChannel) -> tuple[CastRecording | ExecRecording, str]:
    """The recording for a session channel whose kind is chosen, and its kind for the store
    ("cast", "exec" or "subsystem"). RecordingError or OSError when it cannot be created."""
    live, app = channel.live, channel.app
    folder = app.home.recordings
    if channel.interactive:
        term_type, (cols, rows, _, _), _ = channel.term
        # Read per channel: a key changed by a reload applies to the channels opened after it.
        escrow_key = app.config.recordings.escrow_key
        ident = live.identity
        cast = recording.CastRecorder(
            recording.cast_path(folder, live.id, channel.number), width=cols or 80,
            height=rows or 24,
            title=f"{ident.user} {ident.login}@{ident.target.name} {live.grant.ticket} {live.id}",
            env={"TERM": term_type, "SHELL": "/bin/sh"},
            command=channel.command,
            sealer=escrow.Sealer(escrow_key, live.id, channel.number) if escrow_key else None)
        if channel.command is not None:
            cast.marker(f"exec: {channel.command}")
        return CastRecording(cast), "cast"
    kind = "subsystem" if channel.subsystem else "exec"
    record = recording.ExecRecord(
        recording.exec_record_path(folder, live.id, channel.number), session_id=live.id,
        channel=channel.number, kind=kind,
        command=channel.command or channel.subsystem or "(shell without pty)")
    return ExecRecording(record, follows_transfer=channel.stream is not None), kind


def close_interrupted_recordings(app: Any) -> None:
    """The recordings a crash left open: marked interrupted and closed with their digest. The
    row is the one written, however the home is spelled now (attack b37o, finding 1: a home
    spelled through a link at the restart matched no row, and the digest stayed empty). A cast
    whose start is not what the running digest stored says is closed as altered, left as found
    (attack c38o, finding 4); one with nothing to compare, and an exec or sftp record (which
    keeps no running digest), is closed `unverified`."""
    for rec in sessions.open_recordings(app.store):
        path = app.home.recordings / rec["path"].rsplit("/", 1)[-1]
        running = sessions.running_digest(rec)
        digest, altered, unverified = None, "", ""
        try:
            if path.suffix != ".cast":
                unverified = "closed after a crash; an exec or sftp record keeps no running digest"
            else:
                digest = recording.interrupt_recording(path, running)
                if running is None:
                    unverified = "closed after a crash before any running digest was stored"
        except recording.RecordingAltered as exc:
            log.error("interrupted recording %s was altered: %s", path, exc)
            altered = str(exc)
        except (recording.RecordingError, OSError) as exc:
            log.error("could not close interrupted recording %s: %s", path, exc)
            unverified = f"closed after a crash, unreadable: {exc}"
        sessions.close_recording(app.store, Path(rec["path"]), digest or "", "system",
                                 altered=altered, unverified=unverified)
