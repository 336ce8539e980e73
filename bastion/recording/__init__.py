"""Session recordings: asciicast v2 files for interactive channels, JSON lines for the others.

The cast format is a contract (README.md, "Recordings"): the first line is a JSON header with
`version` 2, `width`, `height`, `timestamp`, `title` and `env`; every further line is one
event `[seconds, code, data]`, seconds since the start with six decimals, code "o" (output),
"i" (input), "r" (resize, data "COLSxROWS"), "m" (marker) or "s" (sealed keys, below). Data
is text: each stream is decoded from UTF-8 incrementally, so a character split across chunks
arrives whole in a later event, and bytes that are not UTF-8 become U+FFFD. `asciinema play`
and `asciinema cat` read the files.

Keys the target did not echo arrive as a `Redacted` marker ("[redacted 8 keystrokes]"), written as
an "i" event. With an escrow key, the recorder also writes the keys sealed to it (bastion.recording.escrow)
as an "s" event right after the marker, and the header gets an "escrow" object naming the key;
players skip codes they do not know. Without one, the keys are not written anywhere.

Files are created 0600 and never overwritten. Every state that reaches the disk is whole lines,
so a process killed at any moment leaves a valid recording up to its last flush (and
`interrupt_recording` repairs the one partial line a crash mid-write can leave). A failure to
write raises `RecordingError`: events are never dropped silently, and the caller ends the
session (fail closed).

Non-interactive channels (exec commands, sftp, scp) get an `ExecRecord`: the command, start and
end, byte counts and incremental SHA-256 digests of each stream, the exit status and, for sftp,
the file operations.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import io
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from bastion.command_control.terminal import Redacted
from bastion.errors import BastionError
from bastion.recording import escapes
from bastion.recording.escrow import EscrowError, Opener, Sealer
from bastion.text import visible

# Lines are gathered in memory and written in one call once this much is waiting, so bulk
# output costs one system call per 256 KiB rather than one per chunk.
FLUSH_BYTES = 256 * 1024
# Output chunks arriving within this long of the first chunk of a pending output event are
# merged into it, up to COALESCE_MAX_CHARS: bulk output becomes a few large events instead of
# thousands of small ones, and no player can show a 5 ms difference in timing.
COALESCE_SECONDS = 0.005
COALESCE_MAX_CHARS = 64 * 1024

SEALED = "s"  # the event code of sealed keys: one character, which asciinema's players skip
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_MARKER = re.compile(r"\[redacted (\d+) keystrokes?\]")
# The "m" event written just before each real redaction marker: typed text can read like a
# marker ("[redacted 12 keystrokes]" typed and echoed), but nobody can type a marker event.
REDACTION_MARK = "keys typed without echo: "
_INTERRUPTED = "session interrupted"


class RecordingError(BastionError):
    """A recording could not be created, written or read; the message names the file."""


def cast_path(recordings: Path, session_id: str, channel: int | str) -> Path:
    """Where the cast of one interactive channel lives: `<session-id>-<channel>.cast`."""
    return recordings / f"{_file_name_part(session_id)}-{_file_name_part(channel)}.cast"


def exec_record_path(recordings: Path, session_id: str, channel: int | str) -> Path:
    """Where the record of one exec, sftp or scp channel lives: `<session-id>-<channel>.jsonl`."""
    return recordings / f"{_file_name_part(session_id)}-{_file_name_part(channel)}.jsonl"


def open_private_file(path: Path) -> int:
    """Create `path` empty, mode 0600, and return a descriptor to stream into it (a recording
    is written as the session goes, so certs.files.create_private_file, which writes whole
    contents at once, does not fit).

    Refuses (FileExistsError) when anything, a symlink included, is already there.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600)
    try:
        # The umask may have cleared the owner's bits; the mode is set, not left to chance.
        os.fchmod(fd, 0o600)
    except OSError:
        os.close(fd)
        raise
    return fd


class _Sink:
    """An append-only file descriptor that hashes every byte it writes."""

    def __init__(self, path: Path, opener: Callable[[Path], int], first_line: bytes) -> None:
        """Create the file and write its first line, or raise with nothing left open."""
        self.path = path
        self.offset = 0
        self.digest = hashlib.sha256()
        self.failure: str | None = None
        self._unwritten = bytearray()  # what a failed write left, written first by `retry()`
        try:
            self._fd: int | None = opener(path)
        except FileExistsError:
            raise RecordingError(
                f"recording {path} already exists; refusing to overwrite it") from None
        except OSError as exc:
            raise RecordingError(f"cannot create recording {path}: {exc.strerror}") from None
        try:
            self.write(first_line)
        except RecordingError:
            self.abandon()
            raise

    def write(self, data: bytes) -> None:
        if self.failure is not None:
            raise RecordingError(self.failure)
        if self._fd is None:
            raise RecordingError(f"recording {self.path} is closed")
        self._write(memoryview(data))

    def _write(self, view: memoryview) -> None:
        try:
            while view:
                written = os.write(self._fd, view)
                self.digest.update(view[:written])
                self.offset += written
                view = view[written:]
        except OSError as exc:
            # Kept, not dropped: when space comes back, `retry()` writes it, in order.
            self._unwritten += view
            self.failure = f"cannot write recording {self.path}: {exc.strerror}"
            raise RecordingError(self.failure) from None

    def retry(self) -> bool:
        """After a failed write: write what it left; True once the sink works again."""
        if self.failure is None:
            return True
        if self._fd is None:
            return False
        pending, self._unwritten = bytes(self._unwritten), bytearray()
        try:
            self._write(memoryview(pending))
        except RecordingError:
            return False
        self.failure = None
        return True

    def abandon(self) -> None:
        """Close without writing anything more, whatever state the sink is in."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def close(self) -> None:
        """Sync and close; a failure here is a failure to record. A sink whose writes failed
        stays open (raising) so that `retry()` may still save what it holds."""
        if self._fd is None:
            return
        if self.failure is not None:
            raise RecordingError(self.failure)
        fd, self._fd = self._fd, None
        try:
            os.fsync(fd)
        except OSError as exc:
            # EINVAL: a pipe or device, which has nothing to sync. Anything else is a loss.
            if exc.errno != errno.EINVAL and self.failure is None:
                self.failure = f"cannot sync recording {self.path}: {exc.strerror}"
        finally:
            os.close(fd)
        if self.failure is not None:
            raise RecordingError(self.failure)


class _StreamDigest:
    """Byte count and SHA-256 of a stream, updated as it flows."""

    def __init__(self) -> None:
        self.size = 0
        self._digest = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self._digest.update(data)
        self.size += len(data)

    def as_dict(self) -> dict[str, Any]:
        return {"bytes": self.size, "sha256": self._digest.hexdigest()}


class CastRecorder:
    """Writes one interactive channel as an asciicast v2 file.

    Creating the recorder creates the file (0600, refusing an existing one) and writes the
    header at once. Events are buffered and written as whole lines when FLUSH_BYTES are
    waiting, when a marker is added, when the oldest unwritten event is `digest_interval`
    seconds old, on `flush()` and on `close()`. Any failure to write raises RecordingError, and
    every later call raises it again.

    Consecutive output chunks within COALESCE_SECONDS are merged into one "o" event, stamped
    with the time of the first. Event times never go backwards.
    """

    def __init__(
        self,
        path: Path,
        *,
        width: int,
        height: int,
        title: str,
        env: Mapping[str, str],
        timestamp: int | None = None,
        command: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        digest_interval: float = 5.0,
        opener: Callable[[Path], int] = open_private_file,
        sealer: Sealer | None = None,
    ) -> None:
        """`command`: the exec command of a channel with a pty (asciicast's `command` header
        key), None for a shell. `opener` creates the file and returns a writable descriptor
        (tests inject faults). With a `sealer`, unechoed keys are also written sealed (see the
        module's docstring)."""
        _check_size(width, height)
        header: dict[str, Any] = {
            "version": 2,
            "width": width,
            "height": height,
            "timestamp": int(time.time()) if timestamp is None else timestamp,
            "title": _clean(title),
            "env": {_clean(k): _clean(v) for k, v in env.items()},
        }
        if command is not None:
            header["command"] = _clean(command)
        if sealer is not None:
            header["escrow"] = sealer.header()
        self._sealer = sealer
        self._clock = clock
        self._start = clock()
        self._digest_interval = digest_interval
        self._last_time = 0.0
        self._lines: list[bytes] = []
        self._lines_size = 0
        self._oldest_unwritten: float | None = None
        self._out_text: list[str] = []
        self._out_chars = 0
        self._out_time = 0.0
        self._out_decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._in_decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._bytes_in = 0
        self._bytes_out = 0
        self._final_digest: str | None = None
        self._sink = _Sink(Path(path), opener,
                           _inert(json.dumps(header, ensure_ascii=False)).encode() + b"\n")

    @property
    def path(self) -> Path:
        return self._sink.path

    @property
    def closed(self) -> bool:
        """True once `close()` has succeeded."""
        return self._final_digest is not None

    @property
    def bytes_in(self) -> int:
        """Bytes passed to `input()`; a str counts as its UTF-8 length."""
        return self._bytes_in

    @property
    def bytes_out(self) -> int:
        """Bytes passed to `output()`."""
        return self._bytes_out

    def output(self, data: bytes) -> None:
        """Record bytes the target sent to the client."""
        self._check_writable()
        self._bytes_out += len(data)
        text = self._out_decoder.decode(data)
        if text:
            self._add_output(text, self._now())
        self._maybe_flush()

    def input(self, data: bytes | str) -> None:
        """Record what the client typed, as the caller passes it.

        The caller redacts: bytes are decoded (incrementally, apart from output), and a str such
        as "[redacted 8 keystrokes]" is written as it is, without touching bytes still pending
        from a split character. A `Redacted` marker is followed by its keys sealed, when the
        recorder has a sealer; its keys are never written in clear.
        """
        self._check_writable()
        if isinstance(data, str):
            text = _clean(data)
            self._bytes_in += len(text.encode())
        else:
            self._bytes_in += len(data)
            text = self._in_decoder.decode(data)
        if text:
            now = self._now()
            if isinstance(data, Redacted):
                self._add_line(now, "m", REDACTION_MARK + text)
            self._add_line(now, "i", text)
            if self._sealer is not None and isinstance(data, Redacted):
                self._append(_event_line(now, SEALED, self._sealer.seal(data.raw)))
        self._maybe_flush()

    def resize(self, cols: int, rows: int) -> None:
        """Record a window change as an "r" event "COLSxROWS"."""
        self._check_writable()
        _check_size(cols, rows)
        self._add_line(self._now(), "r", f"{cols}x{rows}")
        self._maybe_flush()

    def marker(self, text: str) -> None:
        """Record a marker (verdict, supervisor action, warning) and write it out at once."""
        self._check_writable()
        self._add_line(self._now(), "m", _clean(text))
        self.flush()

    def flush(self) -> None:
        """Write every event recorded so far (bytes of a split character stay pending)."""
        self._check_writable()
        self._end_output()
        if self._lines:
            data = b"".join(self._lines)
            self._lines.clear()
            self._lines_size = 0
            self._oldest_unwritten = None
            self._sink.write(data)

    def running_digest(self) -> tuple[int, str]:
        """(size, hex SHA-256) of the file as written so far: a whole-line prefix of it.

        The caller stores this at intervals (after `flush()`) so that the recording of a killed
        process can still be checked up to that size.
        """
        return self._sink.offset, self._sink.digest.hexdigest()

    def close(self) -> str:
        """Write everything, sync, close, and return the hex SHA-256 of the whole file.

        Bytes of a character left incomplete at the end are written as U+FFFD. Calling it again
        returns the same digest. Raises RecordingError if anything could not be written.
        """
        if self._final_digest is not None:
            return self._final_digest
        try:
            self._check_writable()
            now = self._now()
            tail = self._out_decoder.decode(b"", final=True)
            if tail:
                self._add_output(tail, now)
            tail = self._in_decoder.decode(b"", final=True)
            if tail:
                self._add_line(now, "i", tail)
            self.flush()
        finally:
            self._sink.close()
        self._final_digest = self._sink.digest.hexdigest()
        return self._final_digest

    def resume(self) -> bool:
        """After a failed write (a full disk): write what was left, in order; True once the
        recorder works again (then `marker()` and `close()` finish the file)."""
        return self._sink.retry()

    def _check_writable(self) -> None:
        if self._sink.failure is not None:
            raise RecordingError(self._sink.failure)
        if self._final_digest is not None:
            raise RecordingError(f"recording {self.path} is closed")

    def _now(self) -> float:
        self._last_time = max(self._last_time, self._clock() - self._start)
        return self._last_time

    def _add_output(self, text: str, now: float) -> None:
        if (self._out_text and now - self._out_time <= COALESCE_SECONDS
                and self._out_chars < COALESCE_MAX_CHARS):
            self._out_text.append(text)
            self._out_chars += len(text)
            return
        self._end_output()
        self._out_text.append(text)
        self._out_chars = len(text)
        self._out_time = now
        self._note_unwritten(now)

    def _end_output(self) -> None:
        if self._out_text:
            text = "".join(self._out_text)
            self._out_text.clear()
            self._out_chars = 0
            self._append(_event_line(self._out_time, "o", text))

    def _add_line(self, now: float, code: str, text: str) -> None:
        self._end_output()
        self._note_unwritten(now)
        self._append(_event_line(now, code, text))

    def _append(self, line: bytes) -> None:
        self._lines.append(line)
        self._lines_size += len(line)

    def _note_unwritten(self, now: float) -> None:
        if self._oldest_unwritten is None:
            self._oldest_unwritten = now

    def _maybe_flush(self) -> None:
        if (self._lines_size + self._out_chars >= FLUSH_BYTES
                or (self._oldest_unwritten is not None
                    and self._last_time - self._oldest_unwritten >= self._digest_interval)):
            self.flush()


class ExecRecord:
    """The record of one non-interactive channel: an exec command, sftp or scp.

    Creating it creates the file (0600, refusing an existing one) with a first JSON line:
    {"version": 1, "session", "channel", "kind", "command", "started"}. `close()` adds a second:
    {"ended", "exit_status", "exit_signal", "stdin", "stdout", "stderr", "sftp" or "scp"}, where
    each stream is {"bytes": n, "sha256": hex} of exactly the bytes that passed (for a file
    transfer, stdin what reached the target and stdout what reached the client, the bastion's
    own answers to refused requests included). Stream contents are
    never stored, only digested. A record with one line is a channel whose end was not seen.
    Times are Unix seconds.
    """

    def __init__(
        self,
        path: Path,
        *,
        session_id: str,
        channel: int,
        kind: str,
        command: str,
        clock: Callable[[], float] = time.time,
        opener: Callable[[Path], int] = open_private_file,
    ) -> None:
        """`kind` is "exec" (command is the command line), "subsystem" (its name) or "forward"
        (a forwarded connection, "direct-tcpip HOST:PORT"; stdin is what the client sent)."""
        if kind not in ("exec", "subsystem", "forward"):
            raise ValueError(f"kind must be 'exec', 'subsystem' or 'forward', not {kind!r}")
        self._clock = clock
        self._streams = {name: _StreamDigest() for name in ("stdin", "stdout", "stderr")}
        self._final_digest: str | None = None
        self._end_sent = False
        start = {
            "version": 1,
            "session": session_id,
            "channel": channel,
            "kind": kind,
            "command": _clean(command),
            "started": round(clock(), 3),
        }
        self._sink = _Sink(Path(path), opener, _json_line(start))

    @property
    def path(self) -> Path:
        return self._sink.path

    @property
    def closed(self) -> bool:
        return self._final_digest is not None

    @property
    def bytes_in(self) -> int:
        """Bytes the client sent (stdin)."""
        return self._streams["stdin"].size

    @property
    def bytes_out(self) -> int:
        """Bytes the target sent (stdout and stderr)."""
        return self._streams["stdout"].size + self._streams["stderr"].size

    def stdin(self, data: bytes) -> None:
        """Account bytes the client sent to the command."""
        self._update("stdin", data)

    def stdout(self, data: bytes) -> None:
        """Account bytes the command wrote to stdout."""
        self._update("stdout", data)

    def stderr(self, data: bytes) -> None:
        """Account bytes the command wrote to stderr."""
        self._update("stderr", data)

    def close(
        self,
        *,
        exit_status: int | None,
        exit_signal: str | None = None,
        sftp: Mapping[str, Any] | None = None,
        scp: Mapping[str, Any] | None = None,
    ) -> str:
        """Write the end line, sync, close; return the hex SHA-256 of the file (idempotent).

        `sftp` is `SftpGate.summary()` for an sftp channel, `scp` `ScpStream.summary()` for an
        scp one. If the end line could not be written, call `resume()` once space is back, then
        `close()` again: the line is not written twice.
        """
        if self._final_digest is not None:
            return self._final_digest
        if not self._end_sent:
            end: dict[str, Any] = {"ended": round(self._clock(), 3), "exit_status": exit_status,
                                   "exit_signal": exit_signal}
            for name, stream in self._streams.items():
                end[name] = stream.as_dict()
            if sftp is not None:
                end["sftp"] = sftp
            if scp is not None:
                end["scp"] = scp
            self._end_sent = True  # written now, or kept by the sink for `resume()`
            try:
                self._sink.write(_json_line(end))
            finally:
                self._sink.close()
        self._sink.close()
        self._final_digest = self._sink.digest.hexdigest()
        return self._final_digest

    def resume(self) -> bool:
        """After a failed write: write what was left; True once the record can be closed."""
        return self._sink.retry()

    def _update(self, name: str, data: bytes) -> None:
        if self._final_digest is not None:
            raise RecordingError(f"record {self.path} is closed")
        self._streams[name].update(data)


def read_exec_record(path: Path) -> dict[str, Any]:
    """The start and end lines of an exec record merged into one dict.

    A record whose end line is missing (the process died) comes back with `"ended": None`.
    Raises RecordingError naming the line that is not what `ExecRecord` writes.
    """
    try:
        lines = Path(path).read_bytes().split(b"\n")
    except OSError as exc:
        raise RecordingError(f"cannot read {path}: {exc.strerror}") from None
    if lines and lines[-1] == b"":
        lines.pop()
    if not 1 <= len(lines) <= 2:
        raise RecordingError(f"{path}: expected 1 or 2 lines, found {len(lines)}")
    record: dict[str, Any] = {"ended": None}
    for number, raw in enumerate(lines, 1):
        value = _parse_json(path, number, raw)
        if not isinstance(value, dict):
            raise RecordingError(f"{path}:{number}: not a JSON object")
        record.update(value)
    if record.get("version") != 1:
        raise RecordingError(f"{path}:1: not an exec record of version 1")
    return record


def iter_cast(path: Path, *, allow_truncated: bool = False) -> Iterator[Any]:
    """Validate a cast while reading it: the header dict, then (time, code, data) tuples.

    Raises RecordingError naming the file and line of the first malformed line. With
    `allow_truncated`, a last line that is not JSON and has no newline (a crash cut it) is
    skipped instead.
    """
    for _end, _newline, value in _cast_lines(Path(path), allow_truncated):
        yield value


def read_cast(
    path: Path, *, allow_truncated: bool = False
) -> tuple[dict[str, Any], list[tuple[float, str, str]]]:
    """The header and all events of an asciicast v2 file, validated (see `iter_cast`)."""
    values = iter_cast(path, allow_truncated=allow_truncated)
    header = next(values)
    return header, list(values)


@dataclass(frozen=True)
class CastPage:
    """One page of a cast (the control `recording` operation): its header, events from the
    asked index on, and where the next page starts: `following` (an event index, None at the
    end) and `resume` (the byte offset of that event's line, for `cast_page`)."""

    header: dict[str, Any]
    events: list[list[Any]]
    following: int | None
    resume: int | None


def cast_page(path: Path, offset: int, budget: int, *, resume: int | None = None) -> CastPage:
    """Events `offset`, `offset + 1`, ... of the cast at `path`, until their data holds about
    `budget` characters (at least one event), validated as `iter_cast` validates them (a
    truncated last line ends the cast).

    The events before `offset` are not parsed: their lines are counted, a block at a time, or
    skipped at once from `resume` (the byte offset the page before this one gave), so reading
    page after page of a long recording costs each page's own events, not all the events
    before it (a live cast grows only at its end, so an offset stays true)."""
    path = Path(path)
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise RecordingError(f"cannot read recording {path}: {exc.strerror}") from None
    with f:
        first = f.readline()
        if not first:
            raise RecordingError(f"{path}: empty file, no asciicast header")
        header = _parse_cast_line(path, 1, first)
        position = resume if resume is not None and resume >= len(first) else \
            _skip_lines(f, len(first), offset)
        f.seek(position)
        events: list[list[Any]] = []
        size, index = 0, offset
        while raw := f.readline():
            try:
                value = _parse_cast_line(path, index + 2, raw)
            except RecordingError:
                if not raw.endswith(b"\n"):  # a crash cut the last line: the cast ends before it
                    break
                raise
            if size >= budget:
                return CastPage(header, events, index, position)
            events.append(list(value))
            size += len(value[2]) + 16
            position += len(raw)
            index += 1
        return CastPage(header, events, None, None)


def _skip_lines(f: IO[bytes], position: int, count: int) -> int:
    """The byte offset after `count` more lines from `position`, counted a block at a time (the
    end of the file when it has fewer)."""
    f.seek(position)
    while count:
        block = f.read(1 << 20)
        if not block:
            break
        found = block.count(b"\n")
        if found < count:
            count -= found
            position += len(block)
            continue
        end = -1
        for _ in range(count):
            end = block.index(b"\n", end + 1)
        return position + end + 1
    return position


def replay(
    path: Path,
    out: IO[bytes] | IO[str],
    *,
    speed: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    max_idle: float | None = 2.0,
) -> None:
    """Play the output events of a cast to `out` with their timing, for `bastion replay`.

    Gaps are capped at `max_idle` seconds of recorded time (None: no cap), then divided by
    `speed`. `out` may be a text or binary writer; it is flushed after each event. Markers,
    input and resizes are not played. A truncated last line is tolerated. The output goes
    through `escapes.ReplayFilter`: what the recorded session printed draws on the viewer's
    terminal but cannot act on it (clipboard, title, answers typed back), and what it left
    changed (alternate screen, colours, modes) is put back at the end, even when the
    recording turns out to be malformed part way.
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    binary = not isinstance(out, io.TextIOBase)
    shown = escapes.ReplayFilter()

    def write(text: str) -> None:
        if text:
            # A crafted cast can hold lone surrogates ("\ud800" in its JSON): never a traceback.
            data = text.encode("utf-8", "replace")
            out.write(data if binary else data.decode("utf-8"))  # type: ignore[arg-type]
            out.flush()

    values = iter_cast(path, allow_truncated=True)
    next(values)
    previous = 0.0
    try:
        for at, code, data in values:
            if code != "o":
                continue
            gap = max(0.0, at - previous)
            if max_idle is not None:
                gap = min(gap, max_idle)
            previous = at
            if gap > 0:
                sleep(gap / speed)
            write(shown.feed(data))
    finally:
        write(shown.close())


@dataclass(frozen=True)
class Unsealed:
    """A cast's input as an investigator reads it, sealed keys opened in place.

    `events` are (line, seconds, code, text) for every "i", "m" and "s" event in file order; an
    "s" event's text is the keys it held. `key`, `session` and `channel` come from the header's
    "escrow" object (all None for a cast recorded without an escrow key); `sealed` counts the "s"
    events and `redactions` the redaction markers the bastion wrote: each follows its "m" event
    (REDACTION_MARK) or, in a recording from before those, precedes its sealed event. `flags`
    maps the line of every other "i" event that reads like a marker to why it is not one
    (typed text), and, in a recording sealed to an escrow key, the line of a real marker with
    no sealed event after it to that (the event was removed).
    """

    path: Path
    key: str | None
    session: str | None
    channel: int | None
    events: list[tuple[int, float, str, str]]
    sealed: int
    redactions: int
    flags: dict[int, str]


def unseal_cast(path: Path, keys: Mapping[str, X25519PrivateKey]) -> Unsealed:
    """Read a cast and open its sealed events with the escrow private key its header names.

    `keys` maps fingerprints to private keys. Every "s" event must directly follow a redaction
    marker of as many keystrokes as it holds, and open in turn: otherwise EscrowError names the
    file and line. A truncated last line (a crash) is skipped.
    """
    path = Path(path)
    values = iter_cast(path, allow_truncated=True)
    header = next(values)
    escrow = header.get("escrow")
    opener = None
    if escrow is not None:
        if not isinstance(escrow, dict):
            raise EscrowError(f"{path}:1: the header's escrow value is not an object")
        wanted = escrow.get("key")
        if wanted not in keys:
            given = ", ".join(sorted(keys)) or "none"
            raise EscrowError(f"{path}: sealed to escrow key {visible(str(wanted))}; "
                              f"no key given is that one (given: {given})")
        try:
            opener = Opener(keys[wanted], escrow)
        except EscrowError as exc:
            raise EscrowError(f"{path}:1: {exc}") from None
    events: list[tuple[int, float, str, str]] = []
    redactions = 0
    flags: dict[int, str] = {}
    previous: tuple[float, str, str] | None = None
    waiting: tuple[int, bool] | None = None  # a marker's line, and whether its mark came first
    for line, (at, code, data) in enumerate(values, 2):
        if waiting is not None:
            flag = _unsealed_marker(code, *waiting, opener is not None)
            if flag:
                flags[waiting[0]] = flag
            else:
                redactions += 1
            waiting = None
        if code == "i" and _MARKER.fullmatch(data):
            marked = previous is not None and previous[1] == "m" and \
                previous[2] == REDACTION_MARK + data
            waiting = (line, marked)
        if code == SEALED:
            if opener is None:
                raise EscrowError(f"{path}:{line}: a sealed event, but the header names no escrow key")
            marker = _MARKER.fullmatch(previous[2]) if previous and previous[1] == "i" else None
            if marker is None:
                raise EscrowError(f"{path}:{line}: a sealed event that does not follow its "
                                  "redaction marker")
            try:
                data = opener.open(data)
            except EscrowError as exc:
                raise EscrowError(f"{path}:{line}: {exc}") from None
            if len(data) != int(marker.group(1)):
                raise EscrowError(f"{path}:{line}: the sealed keys are not as many as its marker "
                                  "says; the marker was altered")
        if code in ("i", "m", SEALED):
            events.append((line, at, code, data))
        previous = (at, code, data)
    if waiting is not None:
        flag = _unsealed_marker("", *waiting, opener is not None)
        if flag:
            flags[waiting[0]] = flag
        else:
            redactions += 1
    return Unsealed(path, escrow["key"] if opener else None, opener.session if opener else None,
                    opener.channel if opener else None, events,
                    opener.opened if opener else 0, redactions, flags)


def _unsealed_marker(next_code: str, line: int, marked: bool, sealed: bool) -> str:
    """Why the "i" event at `line` that reads like a redaction marker is not a whole one (the
    event after it has code `next_code`), or "" when it is."""
    if next_code == SEALED:
        return ""
    if not marked:
        return ("typed text that reads like a redaction marker: the bastion marked no "
                "redaction here")
    if sealed:
        return "a redaction whose sealed event is missing: it was removed from the recording"
    return ""


def interrupt_recording(path: Path) -> str:
    """Close a cast left open by a crash; return the hex SHA-256 of the repaired file.

    Cuts a partial last line, so the file is valid asciicast v2 up to its last complete event,
    and appends the marker "session interrupted" at that event's time. Raises RecordingError
    when the file is missing, has no complete header, or is malformed before its last line
    (that is not crash damage and is left for an investigator as it is).
    """
    path = Path(path)
    keep = 0
    newline = True
    last_time = 0.0
    for end, ends_in_newline, value in _cast_lines(path, allow_truncated=True):
        keep, newline = end, ends_in_newline
        if isinstance(value, tuple):
            last_time = value[0]
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise RecordingError(f"cannot open recording {path}: {exc.strerror}") from None
    try:
        os.ftruncate(fd, keep)
        os.lseek(fd, 0, os.SEEK_SET)
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        tail = (b"" if newline else b"\n") + _event_line(last_time, "m", _INTERRUPTED)
        os.lseek(fd, 0, os.SEEK_END)
        view = memoryview(tail)
        while view:
            view = view[os.write(fd, view):]
        digest.update(tail)
        os.fsync(fd)
    except OSError as exc:
        raise RecordingError(f"cannot repair recording {path}: {exc.strerror}") from None
    finally:
        os.close(fd)
    return digest.hexdigest()


def _cast_lines(path: Path, allow_truncated: bool) -> Iterator[tuple[int, bool, Any]]:
    """(offset after the line, whether it ends in a newline, header dict or event tuple)."""
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise RecordingError(f"cannot read recording {path}: {exc.strerror}") from None
    with f:
        offset = 0
        for number, raw in enumerate(f, 1):
            offset += len(raw)
            newline = raw.endswith(b"\n")
            try:
                value = _parse_cast_line(path, number, raw)
            except RecordingError:
                if allow_truncated and not newline and number > 1:
                    return
                raise
            yield offset, newline, value
        if offset == 0:
            raise RecordingError(f"{path}: empty file, no asciicast header")


def _parse_cast_line(path: Path, number: int, raw: bytes) -> Any:
    value = _parse_json(path, number, raw)
    if number == 1:
        _check_header(path, value)
        return value
    if (not isinstance(value, list) or len(value) != 3
            or isinstance(value[0], bool) or not isinstance(value[0], int | float)
            or not 0 <= value[0] < math.inf  # also refuses NaN
            or not isinstance(value[1], str) or not isinstance(value[2], str)):
        raise RecordingError(
            f"{path}:{number}: an event must be [seconds >= 0, code string, data string]")
    return float(value[0]), value[1], value[2]


def _check_header(path: Path, header: Any) -> None:
    where = f"{path}:1"
    if not isinstance(header, dict):
        raise RecordingError(f"{where}: the header must be a JSON object")
    if header.get("version") != 2 or isinstance(header.get("version"), bool):
        raise RecordingError(f"{where}: not asciicast version 2")
    for key in ("width", "height"):
        value = header.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise RecordingError(f"{where}: header {key} must be a positive integer")
    if "env" in header and not isinstance(header["env"], dict):
        raise RecordingError(f"{where}: header env must be an object")


def _parse_json(path: Path, number: int, raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise RecordingError(f"{path}:{number}: not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise RecordingError(f"{path}:{number}: not JSON ({exc.msg})") from None
    except (ValueError, RecursionError):  # a number too long for int(), nesting too deep
        raise RecordingError(f"{path}:{number}: not JSON this reader accepts "
                             "(a number too long or nesting too deep)") from None


def _event_line(at: float, code: str, text: str) -> bytes:
    # Fixed-point seconds: json.dumps would write 1e-06 for the first microsecond.
    return f"[{at:.6f}, {json.dumps(code)}, {_inert(json.dumps(text, ensure_ascii=False))}]\n".encode()


def _json_line(value: Mapping[str, Any]) -> bytes:
    return _inert(json.dumps(value, ensure_ascii=False, separators=(",", ":"))).encode() + b"\n"


# JSON escapes C0 itself; DEL and C1 (U+009B is CSI, U+009D OSC to many terminals) it writes as
# they are, so a recording shown with `cat` or `less -R` could act on the terminal. They are
# written as \u escapes instead: the same JSON value, readable by every asciicast player.
_ACTING = re.compile("[\x7f-\x9f]")


def _inert(json_text: str) -> str:
    if json_text.isascii() and "\x7f" not in json_text:   # the common case, at memory speed
        return json_text
    if _ACTING.search(json_text) is None:
        return json_text
    return _ACTING.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def _clean(text: str) -> str:
    """`text` as something UTF-8 can hold: lone surrogates become "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _check_size(cols: int, rows: int) -> None:
    if isinstance(cols, bool) or isinstance(rows, bool) or not (
            isinstance(cols, int) and isinstance(rows, int) and cols > 0 and rows > 0):
        raise ValueError(f"terminal size must be positive integers, not {cols!r}x{rows!r}")


def _file_name_part(value: int | str) -> str:
    text = str(value)
    if not _NAME.fullmatch(text):
        raise ValueError(f"{text!r} cannot be part of a recording's file name")
    return text
