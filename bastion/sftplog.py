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
3, or too many requests left unanswered stop the parsing for good: `unparsed` then holds the
reason, and what was logged until then stays. The relay is unaffected either way.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

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
    """

    path: str
    mode: str
    bytes_read: int = 0
    bytes_written: int = 0
    errors: int = 0
    closed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The transfer as JSON-ready data."""
        return asdict(self)


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

    def skip_string(self) -> int:
        """Skip a string and return its length (the data of READ replies and WRITEs)."""
        n = self.u32()
        self._take(n)
        return n

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
        if len(self._pending) >= MAX_PENDING and request_id not in self._pending:
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
            self._expect(request_id, _Pending(kind, handle=handle))
        elif kind == _WRITE:
            r.u64()
            size = r.skip_string()
            if handle is not None and handle.file is not None:
                handle.file.bytes_written += size
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
            size = r.skip_string()
            if pending.kind == _READ and pending.handle is not None:
                if pending.handle.file is not None:
                    pending.handle.file.bytes_read += size
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
