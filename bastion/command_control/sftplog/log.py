"""`SftpLog`: the file operations of a relayed SFTP session, read from both directions
(`SftpOperation` per request, `FileTransfer` per file opened), with its bounds.

Part of the SFTP log and gate (see the package docstring). Pure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from bastion.command_control.sftplog.packets import (
    _CLOSE,
    _DATA,
    _EXTENDED,
    _FSETSTAT,
    _FSTAT,
    _HANDLE,
    _INIT,
    _MKDIR,
    _OPEN,
    _OPENDIR,
    _PATH_OPS,
    _READ,
    _READDIR,
    _RENAME,
    _SETSTAT,
    _STATUS,
    _STATUS_NAMES,
    _SYMLINK,
    _VERSION,
    _WRITE,
    _Malformed,
    _open_mode,
    _Reader,
    _Stream,
)

# Requests the server has not answered yet. A real client keeps a few dozen in flight; far more
# means the log is out of step or being made to grow.
MAX_PENDING = 65536
MAX_HANDLES = 65536


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
