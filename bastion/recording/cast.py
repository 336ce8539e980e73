"""Casts: asciicast v2 files for interactive channels, written as the session goes and read back.

The format is a contract (README.md, "Recordings"): the first line is a JSON header with
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

A process killed at any moment leaves a valid cast up to its last flush, and
`interrupt_recording` repairs the one partial line a crash mid-write can leave.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bastion.command_control.terminal import Redacted
from bastion.recording.escrow import Sealer
from bastion.recording.files import (
    RecordingError,
    _clean,
    _event_line,
    _inert,
    _parse_json,
    _Sink,
    open_private_file,
)

# Lines are gathered in memory and written in one call once this much is waiting, so bulk
# output costs one system call per 256 KiB rather than one per chunk.
FLUSH_BYTES = 256 * 1024
# Output chunks arriving within this long of the first chunk of a pending output event are
# merged into it, up to COALESCE_MAX_CHARS: bulk output becomes a few large events instead of
# thousands of small ones, and no player can show a 5 ms difference in timing.
COALESCE_SECONDS = 0.005
COALESCE_MAX_CHARS = 64 * 1024

SEALED = "s"  # the event code of sealed keys: one character, which asciinema's players skip

# The "m" event written just before each real redaction marker: typed text can read like a
# marker ("[redacted 12 keystrokes]" typed and echoed), but nobody can type a marker event.
REDACTION_MARK = "keys typed without echo: "
_INTERRUPTED = "session interrupted"


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


class RecordingAltered(RecordingError):
    """A recording's start is not what the bastion wrote (its running digest differs)."""


def _feed(fd: int, count: int, hashes: tuple[Any, ...]) -> int:
    """Read up to `count` bytes at the file's offset into every hash of `hashes`; bytes read."""
    done = 0
    while done < count and (chunk := os.read(fd, min(1 << 20, count - done))):
        for h in hashes:
            h.update(chunk)
        done += len(chunk)
    return done


def _altered(path: Path, offset: int, *, shorter: bool = False) -> RecordingAltered:
    why = (f"is shorter than the {offset} bytes the bastion had written (cut since, or lost to a "
           "power failure before they reached the disk)" if shorter else
           f"its first {offset} bytes are not the ones the bastion wrote (they differ from the "
           "running digest it stored)")
    return RecordingAltered(f"{path.name}: {why}; left as found, not sealed")


def _starts_as(path: Path, offset: int, digest: str) -> bool:
    """Whether the file's first `offset` bytes have the hex SHA-256 `digest`."""
    prefix = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        return _feed(fd, offset, (prefix,)) == offset and prefix.hexdigest() == digest
    finally:
        os.close(fd)


def interrupt_recording(path: Path, running: tuple[int, str] | None = None) -> str:
    """Close a cast left open by a crash; return the hex SHA-256 of the repaired file.

    Cuts a partial last line, so the file is valid asciicast v2 up to its last complete event,
    and appends the marker "session interrupted" at that event's time. Raises RecordingError
    when the file is missing, has no complete header, or is malformed before its last line
    (that is not crash damage and is left for an investigator as it is). `running`: the
    (offset, hex SHA-256) the server stored while it wrote the file; RecordingAltered, the file
    left as it is, when its first `offset` bytes, read in the same pass as the digest, are not
    those (attack c38o, finding 4: a prefix edited after a crash was sealed as the bastion's).
    """
    path = Path(path)
    keep = 0
    newline = True
    last_time = 0.0
    try:
        for end, ends_in_newline, value in _cast_lines(path, allow_truncated=True):
            keep, newline = end, ends_in_newline
            if isinstance(value, tuple):
                last_time = value[0]
    except RecordingError:
        if running is not None and not _starts_as(path, *running):
            raise _altered(path, running[0], shorter=not path.is_file()
                           or path.stat().st_size < running[0]) from None
        raise
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise RecordingError(f"cannot open recording {path}: {exc.strerror}") from None
    try:
        digest = hashlib.sha256()
        offset = 0
        if running is not None:
            offset, expected = running
            prefix = hashlib.sha256()
            if _feed(fd, offset, (digest, prefix)) < offset:
                raise _altered(path, offset, shorter=True)
            if offset > keep or prefix.hexdigest() != expected:
                raise _altered(path, offset)
        _feed(fd, keep - offset, (digest,))
        os.ftruncate(fd, keep)
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


def _check_size(cols: int, rows: int) -> None:
    if isinstance(cols, bool) or isinstance(rows, bool) or not (
            isinstance(cols, int) and isinstance(rows, int) and cols > 0 and rows > 0):
        raise ValueError(f"terminal size must be positive integers, not {cols!r}x{rows!r}")
