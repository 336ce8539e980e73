"""Recording files: where they live, how they are created, and the sink that writes them.

Files are created 0600 and never overwritten. Every state that reaches the disk is whole lines
(`_event_line`, `_json_line`, both written with DEL and C1 escaped), and a failure to write
raises `RecordingError`: events are never dropped silently.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bastion.errors import BastionError

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


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


def _file_name_part(value: int | str) -> str:
    text = str(value)
    if not _NAME.fullmatch(text):
        raise ValueError(f"{text!r} cannot be part of a recording's file name")
    return text
