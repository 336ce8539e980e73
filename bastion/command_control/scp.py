"""Legacy scp (`scp -O`, the rcp protocol): every file and directory record judged by path before it
passes, every file logged with its size and SHA-256.

`scp -O file host:dir` runs `scp -t dir` on the target ("to": the target is the sink and the client
sends files); `scp -O host:file .` runs `scp -f file` ("from": the target is the source). The
source sends records, one line each, and waits for the sink's answer to each before going on:

    T<mtime> 0 <atime> 0      times of the next file or directory (with -p)
    C<mode> <size> <name>     a file; after an OK answer, <size> bytes, then a status byte
    D<mode> 0 <name>          a directory (with -r); its records follow, up to
    E                         the end of the directory
    \\x01<message>             an error the source reports (no answer); \\x02: fatal

An answer is one byte: 0 (OK), or 1 (error) or 2 (fatal) followed by a message line. The sink
answers once at its start, after each record, and after each file's data and status.

`ScpStream` follows both directions. Source bytes are passed on only once understood; a C or D
record is first judged (`judge(op, paths)`, op ">" for an upload, "<" for a download; an
upload's record also as "chmod MODE", the mode the sink gives what it creates), and a
refused one never reaches the other side: the bastion answers the source "\\x01scp: PATH:
REASON", which makes OpenSSH's scp skip the file or directory and go on, and, in a download, sends
the client (the sink) the same line as an error record, which its scp prints. Bytes that break
the protocol (an unknown record, bytes sent while an answer is awaited, an answer nobody asked
for) are never passed on: `failed` says why, and the caller ends the channel.

Lines are framed exactly as OpenSSH's scp frames them (scp.c, `sink()` and `response()`): each
side reads a record, an answer or a status line a byte at a time into a 2,048-byte buffer, until
a newline or until the buffer holds 2,047 bytes, and reads whatever did not fit as the next line.
A line the receiving scp would cut there never passes (the stream fails), so nothing can ride
inside a line the bastion took for one record, not even inside an error line (`\x01`), which the
bastion passes only whole and logs (`errors`). A size that scp's `off_t` cannot hold fails too.

A stream is followed only when it runs in the login's home, where its relative names are judged
(`runs_in_home`): one whose working directory a wrapper changes (`env -C DIR`, `sudo -D DIR`,
`sudo -i`, `chroot`, `sftp-server -d DIR`) or cannot be seen (`su -c '...'`, `sh -c '...'`) is not
followed, so its exec command gets the policy's `unknown` action.

Record names are file names, never paths (the sink refuses "/", "." and ".."; so does the
bastion). Whether the target of `scp -t DIR` is a directory is known only on the target, so a
top-level name is judged both as DIR/NAME and as DIR itself, unless DIR plainly is a directory.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bastion.command_control.scp_exec import (  # noqa: F401  (the exec command's reading)
    _GLOB,
    _TILDE,
    ServerMode,
    may_serve,
    mode_of,
    runs_in_home,
    server_mode,
    shell_path,
)
from bastion.text import one_line, visible

# OpenSSH's scp reads a record (sink(): `char buf[2048]`) or an answer (response(): `char
# rbuf[2048]`) until a newline or until 2,047 bytes are in; the rest is read as the next line.
MAX_LINE = 2047
MAX_SIZE = 2**63 - 1  # scp's off_t: a larger size is "size out of range" to the sink
MAX_DEPTH = 1024  # nested directories
MAX_LOGGED = 100_000  # files and directories listed in the record; the rest are counted
MAX_ERRORS = 100  # error lines of the source kept in the record (they pass all the same)
# Refused records in one stream before it ends: the bastion answers a refusal itself, so a source
# need not wait between them, and each is judged and recorded (attack p25o, finding 6: 20,000
# refusals stalled every session for 76 s and wrote 20,000 audit rows).
MAX_REFUSED = 64

_RECORD = re.compile(rb"([CD])([0-7]{4}) ([0-9]{1,20}) (.+)\n", re.S)
_TIMES = re.compile(rb"T[0-9]{1,20} [0-9]{1,6} [0-9]{1,20} [0-9]{1,6}\n")

# judge(op, paths, raw) -> None to let it pass, else why not; `raw`: the paths hold words only
# known on the target (`$HOME`), as written.
Judge = Callable[[str, tuple[str, ...], bool], str | None]


@dataclass
class ScpFile:
    """One file or directory record and what became of it. `result`: "ok", "refused" (by the
    bastion), "error" (the other side refused or failed; `message` says why), "incomplete"
    (the channel ended first)."""

    path: str
    direction: str
    kind: str  # "file" or "directory"
    mode: str
    size: int
    bytes: int = 0
    sha256: str | None = None
    result: str = "incomplete"
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class _Place:
    """Where records land: the paths a name joins onto (more than one only at the top)."""

    bases: tuple[str, ...]
    raw: bool = False


@dataclass
class _Awaiting:
    """An answer the sink owes: to what, and for which entry."""

    what: str  # "start", "times", "file", "directory", "end", "data"
    entry: ScpFile | None = None
    place: _Place | None = None


@dataclass
class ScpStream:
    """One scp server-mode stream, followed both ways (see the module docstring).

    `from_client` and `from_target` take the bytes each side sent; what may pass goes out through
    `to_target` and `to_client`, in order, with the bastion's own answers. After `failed` is set
    nothing more passes and the caller ends the channel.
    """

    mode: ServerMode
    judge: Judge
    to_target: Callable[[bytes], None]
    to_client: Callable[[bytes], None]
    files: list[ScpFile] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # error lines the source sent
    dropped: int = 0
    failed: str | None = None
    refused: int = 0
    _record: bytearray = field(default_factory=bytearray)
    _data_left: int = 0
    _digest: Any = None
    _status: bytearray | None = None  # the source's status after a file's data, being read
    _answer: bytearray | None = None  # a sink's answer other than 0, being read
    _awaiting: _Awaiting | None = None
    _stack: list[_Place] = field(default_factory=list)
    _file: ScpFile | None = None  # the file whose data is passing
    _done: bool = False  # the source ended the transfer (E at the top, or a fatal error)

    def __post_init__(self) -> None:
        self._awaiting = _Awaiting("start")
        self.op = ">" if self.mode.direction == "upload" else "<"
        self._upload = self.mode.direction == "upload"

    # -- the two directions ----------------------------------------------------------------

    def from_client(self, data: bytes) -> None:
        """Bytes the client sent: the source's in an upload, the sink's in a download."""
        if self._upload:
            self._from_source(data)
        else:
            self._from_sink(data)

    def from_target(self, data: bytes) -> None:
        """Bytes the target sent: the sink's in an upload, the source's in a download."""
        if self._upload:
            self._from_sink(data)
        else:
            self._from_source(data)

    def _to_sink(self, data: bytes) -> None:
        (self.to_target if self._upload else self.to_client)(data)

    def _to_source(self, data: bytes) -> None:
        (self.to_client if self._upload else self.to_target)(data)

    @property
    def waiting(self) -> bool:
        """Always False: an scp source waits for each answer, so requests never pile up (the
        SFTP gate's `waiting` can be true); `resume` is never needed."""
        return False

    def resume(self) -> None:
        """Nothing to resume (see `waiting`)."""

    def summary(self) -> dict[str, Any]:
        """JSON-ready data for the channel's record."""
        return {"direction": self.mode.direction, "paths": list(self.mode.paths),
                "files": [f.as_dict() for f in self.files], "errors": self.errors,
                "dropped": self.dropped, "failed": self.failed}

    # -- the source ------------------------------------------------------------------------

    def _from_source(self, data: bytes) -> None:
        view = memoryview(data)
        while view and self.failed is None:
            if self._data_left:
                take = view[: self._data_left]
                self._data_left -= len(take)
                self._digest.update(take)
                self._file.bytes += len(take)
                self._to_sink(bytes(take))
                view = view[len(take):]
                if not self._data_left:
                    self._status = bytearray()
                continue
            if self._status is not None:
                view = self._read_status(view)
                continue
            if self._done:
                self._fail("the source sent data after the transfer ended")
                return
            if self._awaiting is not None:
                self._fail("the source sent data while an answer was awaited")
                return
            view, state = _take_line(self._record, view, MAX_LINE)
            if state == "cut":
                self._fail(f"a record longer than scp reads as one line ({MAX_LINE} bytes)")
                return
            if state == "whole":
                record, self._record = bytes(self._record), bytearray()
                self._on_record(record)

    def _read_status(self, view: memoryview) -> memoryview:
        """The source's status after a file's data: 0, or a message line, read as the sink's
        response() reads it."""
        status = self._status
        if not status and view[0] == 0:
            self._status = None
            self._end_data(None)
            self._to_sink(b"\0")
            return view[1:]
        view, state = _take_answer(status, view)
        if state == "cut":
            self._fail(f"a status line longer than scp reads as one ({MAX_LINE} bytes)")
            return view[:0]
        if state == "whole":
            self._status = None
            self._end_data(bytes(status[1:-1]).decode("utf-8", "replace"))
            if status[0] != 1:
                # Fatal: the sink exits without an answer.
                self._awaiting, self._done = None, True
            self._to_sink(bytes(status))
        return view

    def _end_data(self, problem: str | None) -> None:
        file = self._file
        file.sha256 = self._digest.hexdigest()
        if problem is not None:
            file.result, file.message = "error", problem
        self._awaiting = _Awaiting("data", file)
        self._file = None

    def _on_record(self, record: bytes) -> None:
        kind = record[:1]
        if kind in (b"\x01", b"\x02"):
            # The source reports an error; no answer follows. A fatal one ends it.
            self._done = kind == b"\x02"
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(visible(record[1:-1].decode("utf-8", "replace")))
            self._to_sink(record)
            return
        if kind == b"E" and record == b"E\n":
            if self._stack:
                self._stack.pop()
            else:
                self._done = True
            self._awaiting = _Awaiting("end")
            self._to_sink(record)
            return
        if kind == b"T" and _TIMES.fullmatch(record):
            self._awaiting = _Awaiting("times")
            self._to_sink(record)
            return
        match = _RECORD.fullmatch(record)
        if match is None:
            self._fail(f"an unexpected record {record[:40]!r}")
            return
        letter, octal, size, raw_name = match.groups()
        if int(size) > MAX_SIZE:
            self._fail(f"a size scp cannot hold ({int(size)})")
            return
        name = raw_name.decode("utf-8", "backslashreplace")
        if "/" in name or name in (".", "..") or "\0" in name:
            self._fail(f"a record names {name!r}, which is not a file name")
            return
        if letter == b"D" and len(self._stack) >= MAX_DEPTH:
            self._fail(f"directories nested deeper than {MAX_DEPTH}")
            return
        paths = self._paths(name)
        entry = ScpFile(paths[0], self.mode.direction, "file" if letter == b"C" else "directory",
                        octal.decode(), int(size))
        self._log(entry)
        raw = self._place().raw
        refusal = self.judge(self.op, paths, raw)
        if refusal is None and self._upload:
            # The sink gives what it creates the record's mode, set-user-ID bit included.
            refusal = self.judge(f"chmod {octal.decode()}", paths, raw)
        if refusal is not None:
            entry.result, entry.message = "refused", refusal
            self.refused += 1
            if self.refused > MAX_REFUSED:
                self.failed = (f"more than {MAX_REFUSED} files refused in one transfer; "
                               "the channel ends")
                return
            line = _error_line(f"scp: {one_line(paths[0])}: {one_line(refusal)}")
            self._to_source(line)
            if not self._upload:
                self._to_sink(line)  # the client's scp prints it, and exits 1 at the end
            return
        if letter == b"C":
            self._awaiting = _Awaiting("file", entry)
        else:
            self._awaiting = _Awaiting("directory", entry, _Place(paths, self._place().raw))
        self._to_sink(record)

    def _paths(self, name: str) -> tuple[str, ...]:
        """The paths a record's name may stand for, most likely first."""
        if self._stack:
            return tuple(dict.fromkeys(_join(base, name) for base in self._stack[-1].bases))
        mode = self.mode
        if self._upload:
            target = mode.paths[0]
            if mode.directory or _plainly_directory(target):
                return (_join(target, name),)
            return (_join(target, name), target)
        found: list[str] = []
        for source in mode.paths:
            trimmed = source.rstrip("/") or "/"
            base = posixpath.basename(trimmed)
            if base == name:
                found.append(trimmed)
            elif _GLOB.search(base) and not _GLOB.search(posixpath.dirname(trimmed)):
                found.append(_join(posixpath.dirname(trimmed) or ".", name))
        if not found:
            # A name no source accounts for (a brace or variable the target's shell
            # expanded): judged in every source's folder.
            found = [_join(posixpath.dirname(s.rstrip("/")) or ".", name) for s in mode.paths]
        return tuple(dict.fromkeys(found))

    def _place(self) -> _Place:
        return self._stack[-1] if self._stack else _Place(self.mode.paths, self.mode.raw)

    # -- the sink --------------------------------------------------------------------------

    def _from_sink(self, data: bytes) -> None:
        view = memoryview(data)
        while view and self.failed is None:
            awaiting = self._awaiting
            if awaiting is None:
                self._fail("the sink answered nothing that was asked")
                return
            if self._answer is None:
                if view[0] == 0:
                    self._answered(awaiting, None)
                    self._to_source(b"\0")
                    view = view[1:]
                    continue
                self._answer = bytearray()
            answer = self._answer
            view, state = _take_answer(answer, view)
            if state == "cut":
                self._fail(f"an answer longer than scp reads as one line ({MAX_LINE} bytes)")
                return
            if state == "whole":
                self._answer = None
                if answer[0] != 1:
                    self._done = True  # the source gives up after a fatal answer
                self._answered(awaiting, bytes(answer[1:-1]).decode("utf-8", "replace"))
                self._to_source(bytes(answer))

    def _answered(self, awaiting: _Awaiting, problem: str | None) -> None:
        """The sink's answer arrived: 0 (`problem` None) or an error message."""
        self._awaiting = None
        entry = awaiting.entry
        if problem is not None and entry is not None:
            entry.result, entry.message = "error", problem
        if awaiting.what == "file" and problem is None:
            self._file = entry
            self._digest = hashlib.sha256()
            self._data_left = entry.size
            if not entry.size:
                self._status = bytearray()
        elif awaiting.what == "directory":
            if problem is None:
                entry.result = "ok"
                self._stack.append(awaiting.place)
        elif awaiting.what == "data" and problem is None and entry.result == "incomplete":
            entry.result = "ok"

    # -- bookkeeping -----------------------------------------------------------------------

    def _log(self, entry: ScpFile) -> None:
        if len(self.files) < MAX_LOGGED:
            self.files.append(entry)
        else:
            self.dropped += 1

    def _fail(self, why: str) -> None:
        self.failed = f"the scp stream broke its protocol: {why}"


def _take_line(line: bytearray, view: memoryview, limit: int) -> tuple[memoryview, str]:
    """Move the bytes of `view` that belong to `line` into it, as scp reads a line into a buffer
    that holds `limit` bytes: the rest of `view`, and "whole" (up to a newline), "more" (no
    newline yet) or "cut" (full without a newline: scp would read the rest as another line)."""
    room = limit - len(line)
    newline = bytes(view[:room]).find(b"\n")
    if newline >= 0:
        line += view[: newline + 1]
        return view[newline + 1:], "whole"
    line += view[:room]
    return view[room:], "cut" if len(line) >= limit else "more"


def _take_answer(answer: bytearray, view: memoryview) -> tuple[memoryview, str]:
    """`_take_line` for an answer or a status line other than 0, as response() reads one: its
    first byte, then at least one more, up to a newline, into a buffer that keeps the message of
    a 1 or a 2 (all 2,047 bytes of it) and any other first byte with its message."""
    if not answer:
        answer.append(view[0])
        view = view[1:]
        if not view:
            return view, "more"
    return _take_line(answer, view, MAX_LINE + 1 if answer[0] in (1, 2) else MAX_LINE)


def _error_line(message: str) -> bytes:
    """The bastion's own error line (`\\x01MESSAGE\\n`), cut to what scp reads as one line."""
    data = message.encode("utf-8")
    if len(data) > MAX_LINE - 2:
        data = data[: MAX_LINE - 5].decode("utf-8", "ignore").encode("utf-8") + b"..."
    return b"\x01" + data + b"\n"


def _join(base: str, name: str) -> str:
    return f"{base}{name}" if base.endswith("/") else f"{base}/{name}"


def _plainly_directory(path: str) -> bool:
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return path.endswith("/") or last in ("", ".", "..") or _TILDE.fullmatch(last) is not None
