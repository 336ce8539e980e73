"""A passive log of the file operations in a relayed SFTP session.

`SftpLog` reads both directions of an SFTP byte stream as the proxy relays it (the protocol of
draft-ietf-secsh-filexfer-02, version 3, which is what OpenSSH speaks) and keeps:

- `operations`: one `SftpOperation` per request that names a path or changes state (open,
  close, remove, rename, mkdir, setstat, symlink, ...), with the server's result matched by
  request id. READ, WRITE and READDIR requests are not listed one by one: a transfer of a large
  file would list thousands. Their bytes are summed into the opened file's `FileTransfer`.
- `files`: one `FileTransfer` per file the server opened, with the open flags as a mode and the
  bytes read and written so far; `closed` turns true when the client closes the handle.

The log never raises on what the peers send and keeps at most one partial packet per
direction. A packet longer than `MAX_PACKET`, a malformed packet, a protocol version other than
3, a request id reused before the server answered it (ids are the client's; the answer decides
which handle names which path), or too many requests left unanswered stop the parsing for
good: `unparsed` then holds the reason, and what was logged until then stays (the gate then
ends the channel).
"""

from __future__ import annotations

import hashlib
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from bastion.command_control import policy, scp
from bastion.text import visible

# OpenSSH's sftp-server refuses messages over 256 KiB; the slack admits a client that counts
# the payload limit without the packet's own header.
MAX_PACKET = 256 * 1024 + 1024
# Requests the server has not answered yet. A real client keeps a few dozen in flight; far more
# means the log is out of step or being made to grow.
MAX_PENDING = 65536
MAX_HANDLES = 65536

_INIT, _VERSION = 1, 2
_OPEN, _CLOSE, _READ, _WRITE = 3, 4, 5, 6
_LSTAT, _FSTAT, _SETSTAT, _FSETSTAT = 7, 8, 9, 10
_OPENDIR, _READDIR, _REMOVE, _MKDIR, _RMDIR = 11, 12, 13, 14, 15
_REALPATH, _STAT, _RENAME, _READLINK, _SYMLINK = 16, 17, 18, 19, 20
_EXTENDED = 200
_STATUS, _HANDLE, _DATA = 101, 102, 103

_STATUS_NAMES = {
    0: "ok",
    1: "eof",
    2: "no_such_file",
    3: "permission_denied",
    4: "failure",
    5: "bad_message",
    6: "no_connection",
    7: "connection_lost",
    8: "op_unsupported",
}

_PATH_OPS = {
    _LSTAT: "lstat",
    _STAT: "stat",
    _OPENDIR: "opendir",
    _REMOVE: "remove",
    _RMDIR: "rmdir",
    _REALPATH: "realpath",
    _READLINK: "readlink",
}

_FXF_READ, _FXF_WRITE, _FXF_APPEND = 0x01, 0x02, 0x04
_FXF_CREAT, _FXF_TRUNC, _FXF_EXCL = 0x08, 0x10, 0x20

_ATTR_SIZE, _ATTR_UIDGID, _ATTR_PERMISSIONS = 0x01, 0x02, 0x04
_ATTR_ACMODTIME, _ATTR_EXTENDED = 0x08, 0x80000000


@dataclass
class SftpOperation:
    """One logged request and the server's answer to it.

    `result` is "pending" until the reply arrives, then "ok" or the SFTP status name
    ("no_such_file", "permission_denied", "failure", "op_unsupported", ...). `path` and
    `target` are the paths as sent; bytes that are not UTF-8 appear as backslash escapes.
    For rename and hardlink `target` is the new name; for symlink, `path` is the link created
    and `target` what it points to (OpenSSH sends the two in the reverse of the draft's order;
    this follows OpenSSH). A close carries the mode and byte totals of the file it closed.
    """

    op: str
    request_id: int
    path: str | None = None
    target: str | None = None
    mode: str | None = None
    attrs: dict[str, int | str] | None = None
    bytes_read: int | None = None
    bytes_written: int | None = None
    result: str = "pending"
    message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The operation as JSON-ready data, without the fields that do not apply."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass
class FileTransfer:
    """A file the server opened for the client, updated as data flows.

    `mode` is "read", "write" or "read+write", with "+create", "+truncate", "+append",
    "+exclusive" added for those open flags. `bytes_read` counts the data the server returned
    for READ requests; `bytes_written` the data the client sent in WRITE requests. `errors`
    counts READ or WRITE requests the server answered with a status other than ok or eof.
    `sha256` (in `as_dict`) is the SHA-256 of the data read or written when it passed in order
    from offset 0, as a whole-file copy does; None when it did not (random access, both ways).
    """

    path: str
    mode: str
    bytes_read: int = 0
    bytes_written: int = 0
    errors: int = 0
    closed: bool = False
    _digest: Any = field(default_factory=hashlib.sha256, repr=False, compare=False)
    _offset: int | None = field(default=0, repr=False, compare=False)  # None: out of order

    def hash(self, offset: int, data: bytes | memoryview) -> None:
        """Add data found at `offset` to the digest, if it follows what came before."""
        if self._offset is None:
            return
        if offset != self._offset:
            self._offset = None
            return
        self._digest.update(data)
        self._offset += len(data)

    @property
    def sha256(self) -> str | None:
        return self._digest.hexdigest() if self._offset is not None else None

    def as_dict(self) -> dict[str, Any]:
        """The transfer as JSON-ready data."""
        return {"path": self.path, "mode": self.mode, "bytes_read": self.bytes_read,
                "bytes_written": self.bytes_written, "errors": self.errors,
                "closed": self.closed, "sha256": self.sha256}


@dataclass
class _Handle:
    key: bytes
    path: str
    file: FileTransfer | None  # None for a directory handle


@dataclass
class _Pending:
    kind: int
    operation: SftpOperation | None = None
    handle: _Handle | None = None
    opened_path: str | None = None
    opened_mode: str | None = None
    offset: int = 0  # of a READ


class _Malformed(Exception):
    """A packet is shorter than its fields say; the log stops parsing."""


class _Reader:
    __slots__ = ("_data", "_pos")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._pos = 0

    def _take(self, n: int) -> bytes:
        end = self._pos + n
        if end > len(self._data):
            raise _Malformed("packet shorter than its fields")
        chunk = self._data[self._pos:end]
        self._pos = end
        return chunk

    def byte(self) -> int:
        return self._take(1)[0]

    def at_end(self) -> bool:
        return self._pos >= len(self._data)

    def u32(self) -> int:
        return struct.unpack(">I", self._take(4))[0]

    def u64(self) -> int:
        return struct.unpack(">Q", self._take(8))[0]

    def string(self) -> bytes:
        return self._take(self.u32())

    def view(self) -> memoryview:
        """A string's bytes without copying them (the data of READ replies and WRITEs)."""
        n = self.u32()
        end = self._pos + n
        if end > len(self._data):
            raise _Malformed("packet shorter than its fields")
        chunk = memoryview(self._data)[self._pos:end]
        self._pos = end
        return chunk

    def path(self) -> str:
        return self.string().decode("utf-8", "backslashreplace")

    def attrs(self) -> dict[str, int | str]:
        flags = self.u32()
        found: dict[str, int | str] = {}
        if flags & _ATTR_SIZE:
            found["size"] = self.u64()
        if flags & _ATTR_UIDGID:
            found["uid"] = self.u32()
            found["gid"] = self.u32()
        if flags & _ATTR_PERMISSIONS:
            found["permissions"] = format(self.u32() & 0o7777, "04o")
        if flags & _ATTR_ACMODTIME:
            found["atime"] = self.u32()
            found["mtime"] = self.u32()
        if flags & _ATTR_EXTENDED:
            for _ in range(self.u32()):
                self.string()
                self.string()
        return found


def _open_mode(pflags: int) -> str:
    parts = []
    if pflags & _FXF_READ and pflags & _FXF_WRITE:
        parts.append("read+write")
    elif pflags & (_FXF_WRITE | _FXF_APPEND):
        parts.append("write")
    else:
        parts.append("read")
    for flag, name in ((_FXF_CREAT, "create"), (_FXF_TRUNC, "truncate"),
                       (_FXF_APPEND, "append"), (_FXF_EXCL, "exclusive")):
        if pflags & flag:
            parts.append(name)
    return "+".join(parts)


class _Stream:
    """Reassembles SFTP packets (uint32 length, then the body) from arbitrary chunks."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The packets `data` completes, each handed out before the next header is read: a
        malformed header stops the parsing after the packets before it, however chunks fall."""
        self._buf += data
        while len(self._buf) >= 4:
            (length,) = struct.unpack_from(">I", self._buf)
            if length == 0 or length > MAX_PACKET:
                raise _Malformed(f"packet length {length} outside 1..{MAX_PACKET}")
            if len(self._buf) < 4 + length:
                break
            packet = bytes(self._buf[4:4 + length])
            del self._buf[:4 + length]
            yield packet


class SftpLog:
    """The file operations of one SFTP session, read from both directions of its stream.

    Feed `client_data` with what the client sent and `server_data` with what the server sent,
    in the order the proxy relays them (a reply is always fed after its request). Chunks may
    split packets anywhere. Nothing here raises on peer input.

    `operations` and `files` hold at most `max_operations` entries each; `dropped` counts the
    entries left out past that, so a client cannot make the log grow without bound. `version`
    is the protocol version the server answered with.
    """

    def __init__(self, *, max_operations: int = 100_000) -> None:
        self.max_operations = max_operations
        self.operations: list[SftpOperation] = []
        self.files: list[FileTransfer] = []
        self.version: int | None = None
        self.unparsed: str | None = None
        self.dropped = 0
        self._client = _Stream()
        self._server = _Stream()
        self._pending: dict[int, _Pending] = {}
        self._handles: dict[bytes, _Handle] = {}

    def client_data(self, data: bytes) -> None:
        """Parse bytes the client sent towards the server."""
        self._feed(self._client, data, self._client_packet)

    def client_packet(self, packet: bytes) -> None:
        """Parse one whole packet (length included) the client sent towards the server."""
        if self.unparsed is not None:
            return
        try:
            self._client_packet(_Reader(packet[4:]))
        except _Malformed as exc:
            self._stop(str(exc))

    def note(self, operation: SftpOperation) -> None:
        """Log an operation that was answered without reaching the server (refused)."""
        self._log(operation)

    def handle(self, key: bytes) -> _Handle | None:
        """The open handle `key` names, if the server gave it out."""
        return self._handles.get(key)

    def pending(self, request_id: int) -> bool:
        """Whether a request with this id was logged and the server has not answered it yet."""
        return request_id in self._pending

    def server_data(self, data: bytes) -> None:
        """Parse bytes the server sent towards the client."""
        self._feed(self._server, data, self._server_packet)

    def summary(self) -> dict[str, Any]:
        """JSON-ready data for the channel's record: version, unparsed, operations, files."""
        return {
            "version": self.version,
            "unparsed": self.unparsed,
            "operations": [op.as_dict() for op in self.operations],
            "dropped": self.dropped,
            "files": [f.as_dict() for f in self.files],
        }

    def _feed(self, stream: _Stream, data: bytes, handle: Callable[[_Reader], None]) -> None:
        if self.unparsed is not None:
            return
        try:
            for packet in stream.feed(data):
                handle(_Reader(packet))
        except _Malformed as exc:
            self._stop(str(exc))

    def _stop(self, reason: str) -> None:
        self.unparsed = reason
        # Nothing more will be parsed: free the buffers a large packet may have left.
        self._client = _Stream()
        self._server = _Stream()
        self._pending.clear()

    def _log(self, operation: SftpOperation) -> SftpOperation | None:
        if len(self.operations) >= self.max_operations:
            self.dropped += 1
            return None
        self.operations.append(operation)
        return operation

    def _expect(self, request_id: int, pending: _Pending) -> None:
        # Request ids are the client's: a second request under an id still waiting would take
        # the first one's answer (its handle, so its path).
        if request_id in self._pending:
            raise _Malformed(f"request id {request_id} reused before the server answered it")
        if len(self._pending) >= MAX_PENDING:
            raise _Malformed(f"more than {MAX_PENDING} requests unanswered")
        self._pending[request_id] = pending

    def _client_packet(self, r: _Reader) -> None:
        kind = r.byte()
        if kind == _INIT:
            return
        request_id = r.u32()
        if kind in (_READ, _WRITE, _READDIR, _FSTAT, _FSETSTAT, _CLOSE):
            self._handle_request(kind, request_id, r)
        elif kind in _PATH_OPS:
            path = r.path()
            op = self._log(SftpOperation(_PATH_OPS[kind], request_id, path=path))
            self._expect(request_id, _Pending(kind, op, opened_path=path))
        elif kind == _OPEN:
            path = r.path()
            mode = _open_mode(r.u32())
            attrs = r.attrs()
            op = self._log(SftpOperation("open", request_id, path=path, mode=mode,
                                         attrs=attrs or None))
            self._expect(request_id, _Pending(kind, op, opened_path=path, opened_mode=mode))
        elif kind in (_SETSTAT, _MKDIR):
            path = r.path()
            name = "setstat" if kind == _SETSTAT else "mkdir"
            op = self._log(SftpOperation(name, request_id, path=path, attrs=r.attrs() or None))
            self._expect(request_id, _Pending(kind, op))
        elif kind in (_RENAME, _SYMLINK):
            first, second = r.path(), r.path()
            if kind == _RENAME:
                op = SftpOperation("rename", request_id, path=first, target=second)
            else:
                op = SftpOperation("symlink", request_id, path=second, target=first)
            self._expect(request_id, _Pending(kind, self._log(op)))
        elif kind == _EXTENDED:
            self._extended_request(request_id, r)
        else:
            op = self._log(SftpOperation(f"unknown-{kind}", request_id))
            self._expect(request_id, _Pending(kind, op))

    def _handle_request(self, kind: int, request_id: int, r: _Reader) -> None:
        handle = self._handles.get(r.string())
        if kind == _READ:
            self._expect(request_id, _Pending(kind, handle=handle, offset=r.u64()))
        elif kind == _WRITE:
            offset = r.u64()
            data = r.view()
            if handle is not None and handle.file is not None:
                handle.file.bytes_written += len(data)
                handle.file.hash(offset, data)
            self._expect(request_id, _Pending(kind, handle=handle))
        elif kind == _READDIR:
            self._expect(request_id, _Pending(kind, handle=handle))
        else:
            path = handle.path if handle is not None else None
            if kind == _CLOSE:
                op = SftpOperation("close", request_id, path=path)
                self._close(handle, op)
            elif kind == _FSTAT:
                op = SftpOperation("fstat", request_id, path=path)
            else:
                op = SftpOperation("fsetstat", request_id, path=path, attrs=r.attrs() or None)
            self._expect(request_id, _Pending(kind, self._log(op), handle=handle))

    def _close(self, handle: _Handle | None, op: SftpOperation) -> None:
        if handle is None:
            return
        del self._handles[handle.key]
        if handle.file is not None:
            handle.file.closed = True
            op.mode = handle.file.mode
            op.bytes_read = handle.file.bytes_read
            op.bytes_written = handle.file.bytes_written

    def _extended_request(self, request_id: int, r: _Reader) -> None:
        name = r.string().decode("utf-8", "backslashreplace")
        op = SftpOperation(name, request_id)
        if name in ("posix-rename@openssh.com", "hardlink@openssh.com"):
            op.op = "rename" if name.startswith("posix-rename") else "hardlink"
            op.path, op.target = r.path(), r.path()
        elif name in ("statvfs@openssh.com", "expand-path@openssh.com"):
            op.path = r.path()
        elif name == "lsetstat@openssh.com":
            op.op = "lsetstat"
            op.path, op.attrs = r.path(), r.attrs() or None
        elif name in ("fstatvfs@openssh.com", "fsync@openssh.com"):
            handle = self._handles.get(r.string())
            op.path = handle.path if handle is not None else None
        self._expect(request_id, _Pending(_EXTENDED, self._log(op)))

    def _server_packet(self, r: _Reader) -> None:
        kind = r.byte()
        if kind == _VERSION:
            self.version = r.u32()
            if self.version != 3:
                raise _Malformed(f"SFTP version {self.version} is not parsed (only 3)")
            return
        request_id = r.u32()
        pending = self._pending.pop(request_id, None)
        if pending is None:
            return
        if kind == _STATUS:
            code = r.u32()
            result = _STATUS_NAMES.get(code, f"status-{code}")
            # Some servers end the status after its code; the message is optional here.
            message = r.path() if code not in (0, 1) and not r.at_end() else None
            if pending.kind in (_READ, _WRITE) and code not in (0, 1):
                if pending.handle is not None and pending.handle.file is not None:
                    pending.handle.file.errors += 1
            self._answer(pending, result, message)
        elif kind == _HANDLE:
            self._opened(pending, r.string())
            self._answer(pending, "ok")
        elif kind == _DATA:
            data = r.view()
            if pending.kind == _READ and pending.handle is not None:
                if pending.handle.file is not None:
                    pending.handle.file.bytes_read += len(data)
                    pending.handle.file.hash(pending.offset, data)
        else:
            # NAME, ATTRS and EXTENDED_REPLY: the request succeeded.
            self._answer(pending, "ok")

    def _opened(self, pending: _Pending, handle: bytes) -> None:
        if pending.kind not in (_OPEN, _OPENDIR) or pending.opened_path is None:
            return
        if len(self._handles) >= MAX_HANDLES:
            raise _Malformed(f"more than {MAX_HANDLES} handles open")
        file = None
        if pending.kind == _OPEN:
            file = FileTransfer(pending.opened_path, pending.opened_mode or "read")
            if len(self.files) < self.max_operations:
                self.files.append(file)
            else:
                self.dropped += 1
        self._handles[handle] = _Handle(handle, pending.opened_path, file)

    @staticmethod
    def _answer(pending: _Pending, result: str, message: str | None = None) -> None:
        if pending.operation is not None:
            pending.operation.result = result
            pending.operation.message = message


# --------------------------------------------------------------------------------------------
# The gate: every request that names a path is judged before it reaches the server.

_FX_PERMISSION_DENIED = 3
_WRITE_FLAGS = _FXF_WRITE | _FXF_APPEND | _FXF_CREAT | _FXF_TRUNC
# Requests that change nothing or act on handles the gate has judged at their open: passed.
_PASSED = frozenset({_INIT, _CLOSE, _READ, _WRITE, _LSTAT, _FSTAT, _OPENDIR, _READDIR,
                     _REALPATH, _STAT, _READLINK})
# Extensions that read metadata, act on judged handles, or carry no path: passed. Every other
# extension is refused, since what it does to which path is unknown.
_PASSED_EXTENSIONS = frozenset({
    "statvfs@openssh.com", "fstatvfs@openssh.com", "fsync@openssh.com", "limits@openssh.com",
    "expand-path@openssh.com", "home-directory", "users-groups-by-id@openssh.com", "copy-data",
})

# Programs that speak SFTP on their stdin: `sftp -s PATH` runs one as an exec command.
SERVER_NAMES = frozenset({"sftp-server", "gesftpserver"})

# judge(op, paths, raw) -> None to let it through, else why not (see bastion.command_control.scp.Judge).
Judge = Callable[[str, tuple[str, ...], bool], str | None]


def is_server(command: policy.SimpleCommand) -> bool:
    """True when `command` runs an SFTP server, which reads requests from its stdin."""
    return command.name in SERVER_NAMES


def server_command(line: str) -> bool:
    """True when an exec command is exactly an SFTP server (`sftp -s /usr/lib/sftp-server`)
    running in the login's home, where relative paths are judged (`scp.runs_in_home`)."""
    commands = policy.parse_commands(line)
    return len(commands) == 1 and is_server(commands[0]) and scp.runs_in_home(commands[0])


def status_packet(request_id: int, code: int, message: str) -> bytes:
    """An SSH_FXP_STATUS reply, as a server sends it."""
    text = message.encode("utf-8")
    body = (bytes([_STATUS]) + struct.pack(">II", request_id, code)
            + struct.pack(">I", len(text)) + text + struct.pack(">I", 2) + b"en")
    return struct.pack(">I", len(body)) + body


def _attribute_ops(attrs: dict[str, int | str]) -> list[str]:
    """What changing these attributes does, as the judge's ops ("chmod 0644", ...)."""
    ops = []
    if "permissions" in attrs:
        ops.append(f"chmod {attrs['permissions']}")
    if "uid" in attrs:
        ops.append(f"chown {attrs['uid']}:{attrs['gid']}")
    if "size" in attrs:
        ops.append(f"truncate {attrs['size']}")
    if "mtime" in attrs:
        ops.append(f"touch {attrs['mtime']}")
    return ops


def _created_mode(attrs: dict[str, int | str], path: str) -> list[tuple[str, tuple[str, ...]]]:
    """The chmod a creating open or a mkdir does with the permissions it carries (sftp-server
    creates the file or directory with them, set-user-ID and sticky bits included)."""
    return [(f"chmod {attrs['permissions']}", (path,))] if "permissions" in attrs else []


class SftpGate:
    """An SFTP stream with every request that names a path judged before the server sees it.

    Judged as the matching shell command would be (`judge(op, paths, raw=False)`): an open for
    writing (write, append, create or truncate) as ">" and for reading as "<" (read and write: both),
    and an open that creates, or a mkdir, with permissions also as "chmod MODE",
    remove as "rm", rename (also posix-rename) as "mv", setstat, fsetstat and lsetstat as "chmod
    MODE", "chown UID:GID", "truncate SIZE" and "touch MTIME" for the attributes they change,
    mkdir and rmdir as themselves, symlink as "ln -s TARGET LINK" and hardlink as "ln OLD NEW".
    Reads of metadata (stat, lstat, opendir, realpath, readlink) and requests on handles pass.
    Other extended requests, and requests of unknown types, are refused. A refused request never
    reaches the server: the gate answers it with SSH_FXP_STATUS (permission denied, the reason),
    put between the server's own replies, and logs it with the result "refused".

    The stream is followed packet by packet; what cannot be followed (a malformed or oversized
    packet, a server that speaks another version, a request id reused before its answer) sets
    `failed`, after which nothing more passes and the caller ends the channel. A request on a
    handle the server never gave out (or gave out after it was sent) is refused. Paths are
    judged as the literal names the server opens (it expands no `~`).
    """

    def __init__(self, judge: Judge, to_target: Callable[[bytes], None],
                 to_client: Callable[[bytes], None], log: SftpLog | None = None,
                 slice: float | None = None) -> None:
        """`slice`: seconds of judging in one call, after which `waiting` turns true (a client
        pipelining thousands of requests must not hold up other sessions); None: no limit."""
        self.judge = judge
        self.slice = slice
        self._waiting = False
        self.to_target = to_target
        self.to_client = to_client
        self.log = log or SftpLog()
        self.failed: str | None = None
        self._client = bytearray()
        self._server_left = 0  # bytes of the server's current packet still to come
        self._server_header = bytearray()
        self._replies: list[bytes] = []  # the gate's own replies, waiting for a packet boundary

    def summary(self) -> dict[str, Any]:
        """The log's summary (`SftpLog.summary`), plus why the gate stopped, if it did."""
        return self.log.summary() | {"failed": self.failed}

    def from_client(self, data: bytes) -> None:
        """Bytes the client sent: whole requests are judged, then passed or answered."""
        if self.failed is not None:
            return
        self._client += data
        self.resume()

    @property
    def waiting(self) -> bool:
        """Whole requests are left unjudged because judging took its slice of time: the caller
        pauses the client and calls `resume()` once other work has had its turn."""
        return self._waiting

    def resume(self) -> None:
        """Judge the requests received so far, for at most `slice` seconds."""
        buf = self._client
        until = time.monotonic() + self.slice if self.slice is not None else None
        self._waiting = False
        judged = 0
        while len(buf) >= 4 and self.failed is None:
            (length,) = struct.unpack_from(">I", buf)
            if length == 0 or length > MAX_PACKET:
                self._fail(f"a request of {length} bytes (at most {MAX_PACKET})")
                return
            if len(buf) < 4 + length:
                break
            if judged and until is not None and time.monotonic() > until:
                self._waiting = True
                return
            judged += 1
            packet = bytes(buf[: 4 + length])
            del buf[: 4 + length]
            self._request(packet)

    def from_target(self, data: bytes) -> None:
        """Bytes the server sent: logged, and passed on with the gate's replies between packets."""
        if self.failed is not None:
            return
        self.log.server_data(data)
        if self.log.unparsed is not None:
            self._fail(self.log.unparsed)
            return
        view = memoryview(data)
        start = position = 0
        while position < len(view):
            if self._server_left == 0:
                need = 4 - len(self._server_header)
                self._server_header += view[position: position + need]
                position += min(need, len(view) - position)
                if len(self._server_header) == 4:
                    (self._server_left,) = struct.unpack(">I", self._server_header)
                    self._server_header.clear()
                continue
            step = min(self._server_left, len(view) - position)
            position += step
            self._server_left -= step
            if self._server_left == 0 and self._replies:
                self.to_client(bytes(view[start:position]))
                start = position
                self._flush_replies()
        if start < len(view):
            self.to_client(bytes(view[start:]))

    # -- requests ----------------------------------------------------------------------------

    def _request(self, packet: bytes) -> None:
        r = _Reader(packet[4:])
        try:
            kind = r.byte()
            request_id = r.u32() if kind != _INIT else 0
            if kind != _INIT and self.log.pending(request_id):
                self._fail(f"request id {request_id} reused before the server answered it")
                return
            if kind in _PASSED:
                self._pass(packet)
                return
            ops, operation = self._judged(kind, request_id, r)
        except _Malformed as exc:
            self._fail(f"a malformed request ({exc})")
            return
        refusal = None
        for op, paths in ops:
            if any("\0" in p for p in paths):
                refusal = "a path holding a NUL byte"
            else:
                refusal = self.judge(op, paths, False)
            if refusal is not None:
                break
        if refusal is None and operation is None:
            self._pass(packet)
            return
        if refusal is None:
            refusal = operation.message or "not allowed through the bastion"
        if operation is None:
            operation = SftpOperation(f"type-{kind}", request_id)
        operation.result, operation.message = "refused", refusal
        self.log.note(operation)
        self._reply(status_packet(request_id, _FX_PERMISSION_DENIED, refusal))

    def _judged(self, kind: int, request_id: int, r: _Reader
                ) -> tuple[list[tuple[str, tuple[str, ...]]], SftpOperation | None]:
        """What a request does, as the judge's (op, paths); and, for a request that is refused
        whatever its paths (`message` set), the operation to log."""
        if kind == _OPEN:
            path = r.path()
            pflags = r.u32()
            ops = []
            if pflags & _WRITE_FLAGS:
                ops.append((">", (path,)))
            if pflags & _FXF_READ or not pflags & _WRITE_FLAGS:
                ops.append(("<", (path,)))
            if pflags & _FXF_CREAT:
                ops += _created_mode(r.attrs(), path)
            return ops, None
        if kind == _REMOVE:
            return [("rm", (r.path(),))], None
        if kind == _RMDIR:
            return [("rmdir", (r.path(),))], None
        if kind == _MKDIR:
            path = r.path()
            return [("mkdir", (path,)), *_created_mode(r.attrs(), path)], None
        if kind == _RENAME:
            return [("mv", (r.path(), r.path()))], None
        if kind == _SYMLINK:
            # OpenSSH sends the link's target first, then the link (bastion.command_control.sftplog above).
            target, link = r.path(), r.path()
            return [("ln -s", (target, link))], None
        if kind in (_SETSTAT, _FSETSTAT):
            path = r.path() if kind == _SETSTAT else self._handle_path(r)
            if path is None:
                return [], SftpOperation("fsetstat", request_id,
                                         message="a handle the bastion did not see opened")
            return [(op, (path,)) for op in _attribute_ops(r.attrs())], None
        if kind == _EXTENDED:
            return self._extension(request_id, r)
        return [], SftpOperation(f"type-{kind}", request_id,
                                 message=f"SFTP request type {kind} is not allowed through the bastion")

    def _extension(self, request_id: int, r: _Reader
                   ) -> tuple[list[tuple[str, tuple[str, ...]]], SftpOperation | None]:
        name = r.string().decode("utf-8", "backslashreplace")
        if name == "posix-rename@openssh.com":
            return [("mv", (r.path(), r.path()))], None
        if name == "hardlink@openssh.com":
            return [("ln", (r.path(), r.path()))], None
        if name == "lsetstat@openssh.com":
            path = r.path()
            return [(op, (path,)) for op in _attribute_ops(r.attrs())], None
        if name in _PASSED_EXTENSIONS:
            return [], None
        return [], SftpOperation(
            name, request_id,
            message=f"the SFTP extension {visible(name)} is not allowed through the bastion")

    def _handle_path(self, r: _Reader) -> str | None:
        handle = self.log.handle(r.string())
        return handle.path if handle is not None else None

    # -- plumbing ----------------------------------------------------------------------------

    def _pass(self, packet: bytes) -> None:
        self.log.client_packet(packet)
        if self.log.unparsed is not None:
            self._fail(self.log.unparsed)
            return
        self.to_target(packet)

    def _reply(self, packet: bytes) -> None:
        self._replies.append(packet)
        if self._server_left == 0 and not self._server_header:
            self._flush_replies()

    def _flush_replies(self) -> None:
        replies, self._replies = self._replies, []
        for packet in replies:
            self.to_client(packet)

    def _fail(self, why: str) -> None:
        self.failed = f"the SFTP stream could not be followed: {why}"
