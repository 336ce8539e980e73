"""The Channel interface: what every channel of a proxied session (shell, exec, sftp and forward)
offers the gate, the live session, the runtime and the control API, so that none of them reaches
inside a channel (docs/ARCHITECTURE.md, "One keystroke, client to target and back").

A channel is made by its live session (bastion.ssh.live.LiveSession.open_channel for session
channels, bastion.ssh.forward.open_forward for forwards); what it records (an asciicast, an exec
record with or without a file-transfer summary, a forward's byte counts) is chosen once, when it
opens. There is one way to end the session a channel belongs to: `end_session`, which is the
live session's `end`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

EXIT_KILLED = 1  # a channel the bastion ended (a kill, a revocation, a refused line)
EXIT_UPSTREAM_FAILED = 255  # a channel whose target could not be reached, as ssh says it
SESSION_ENDED = "the session has ended"
# Seconds a client gets, once its session ended, to take its channels' last words (the reason,
# the exit status) before its connection closes; the upstream connection closes at once.
END_GRACE = 0.5

if TYPE_CHECKING:
    from pathlib import Path

    from bastion.ssh.live import Identity


class Channel(Protocol):
    """One channel of a proxied session, as its session and its gate see it."""

    number: int  # its number in the session (0 until it opened)
    kind: str  # "shell", "exec", "subsystem" or "direct-tcpip"
    finished: bool  # its recording is closed and its end audited
    destination: str | None  # a forward's HOST:PORT; None for a session channel

    @property
    def identity(self) -> Identity:
        """Who the session is for (user, role, target, login)."""

    @property
    def session_id(self) -> str | None:
        """The session's row, None until its first channel opened."""

    # -- the live session and the runtime -----------------------------------------------------

    def notice(self, text: str) -> None:
        """Tell the user something, where the channel can show it (a terminal); else nothing."""

    def terminate(self, reason: str, status: int = 1) -> None:
        """End this channel now, telling the user why where it can; it is finished after."""

    def finish(self) -> None:
        """Close its recording and audit its end (once): the client connection is gone."""

    def recording_progress(self) -> tuple[Path, int, str] | None:
        """(path, offset, running digest) of a recording that keeps one (an asciicast), after
        flushing it; None for the others."""

    def recording_failed(self, exc: Exception) -> None:
        """Its recording cannot be written: the recording is kept for later, the session ends
        (fail closed)."""

    def screen(self) -> tuple[int, int, bytes] | None:
        """(width, height, latest output) of a terminal channel, for a watcher's first screen;
        None for a channel without a terminal."""

    async def wait_closed(self) -> None:
        """Until the client closed the channel (at once when it never opened)."""


class GatedChannel(Channel, Protocol):
    """A session channel whose input a gate judges (bastion.ssh.gate): what the gate may ask of
    it, and nothing else."""

    command: str | None  # an exec channel's command
    interactive: bool  # a shell or exec channel with a pty
    stream: str | None  # "scp" or "sftp": a file-transfer stream the bastion follows
    marks: bool  # verdicts other than allow go into its recording as markers
    term: tuple[str, tuple[int, int, int, int], dict] | None  # (type, size, modes) of its pty

    def send_input(self, data: bytes) -> None:
        """Client bytes the gate let through: recorded, then written to the target."""

    def write_upstream(self, data: bytes) -> None:
        """The bastion's own keys to the target (a cancelled line), not recorded as typed."""

    def send_eof(self) -> None:
        """The client's EOF, to the target, once the gate has nothing left to send."""

    def write_stderr(self, data: bytes) -> None:
        """The bastion's own words on the client's stderr (best effort)."""

    def marker(self, text: str) -> None:
        """A marker in the recording (only where `marks`)."""

    def hold_client(self, reason: str) -> None:
        """Stop reading the client's input until `release_client(reason)`; reasons add up."""

    def release_client(self, reason: str) -> None:
        """Take back one reason to hold the client's input; reading resumes once none is left."""

    def end_session(self, state: str, reason: str, *, status: int = 1) -> None:
        """End the whole session (the live session's `end`): each channel says why and exits."""
