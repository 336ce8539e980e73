"""`SftpGate`: every SFTP request that names a path is judged before it reaches the server;
refused ones are answered by the bastion. Also which commands are SFTP servers.

Part of the SFTP log and gate (see the package docstring). Pure.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable
from typing import Any

from bastion.command_control import policy, scp
from bastion.command_control.exec_stdin import stdin_replaced
from bastion.command_control.policy.packaged import SFTP_SERVER_PATHS, SFTP_SERVERS
from bastion.command_control.sftplog.log import SftpLog, SftpOperation
from bastion.command_control.sftplog.packets import (
    _CLOSE,
    _EXTENDED,
    _FSETSTAT,
    _FSTAT,
    _FXF_APPEND,
    _FXF_CREAT,
    _FXF_READ,
    _FXF_TRUNC,
    _FXF_WRITE,
    _INIT,
    _LSTAT,
    _MKDIR,
    _OPEN,
    _OPENDIR,
    _READ,
    _READDIR,
    _READLINK,
    _REALPATH,
    _REMOVE,
    _RENAME,
    _RMDIR,
    _SETSTAT,
    _STAT,
    _STATUS,
    _SYMLINK,
    _WRITE,
    MAX_PACKET,
    _Malformed,
    _Reader,
)
from bastion.text import visible

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
SERVER_NAMES = SFTP_SERVERS

# judge(op, paths, raw) -> None to let it through, else why not (see bastion.command_control.scp.Judge).
Judge = Callable[[str, tuple[str, ...], bool], str | None]


def is_server(command: policy.SimpleCommand) -> bool:
    """True when `command` may run an SFTP server, which reads requests from its stdin (by
    its name: where file transfers are refused, any sftp-server is)."""
    return command.name in SERVER_NAMES


def server_command(line: str) -> bool:
    """True when an exec command is exactly an SFTP server (`sftp -s /usr/lib/openssh/sftp-server`)
    running in the login's home, where relative paths are judged (`scp.runs_in_home`), reading
    the channel (no redirected stdin: `exec_stdin`)."""
    commands = policy.parse_commands(line)
    # named by the path its package installs it at: a link named sftp-server elsewhere may be
    # a shell, fed the INIT packet as code (attack s28o, finding 3)
    return (len(commands) == 1 and not stdin_replaced(line) and is_server(commands[0])
            and commands[0].argv[0] in SFTP_SERVER_PATHS and scp.runs_in_home(commands[0]))


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

    A request's layout depends on the version the server chose (a v6 OPEN carries
    desired-access then flags where v3 has pflags then attrs): the stream must open with one
    INIT, and a request sent before the server's VERSION reply ends the stream unpassed
    (attack q26o, finding 2). Every real client waits for VERSION; holding such requests would
    buy nothing, since only version 3 is followed.
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
        self._init = False  # the client's INIT passed

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
            early = self._out_of_order(kind)
            if early is not None:
                self._fail(early)
                return
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

    def _out_of_order(self, kind: int) -> str | None:
        """Why a packet cannot be read yet (or at all) where it comes, if so."""
        if kind == _INIT:
            if self._init:
                return "a second INIT"
            self._init = True
            return None
        if not self._init:
            return "a request before INIT"
        if self.log.version is None:
            return ("a request sent before the server's VERSION reply (its layout depends on "
                    "the version the server chooses)")
        return None

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
            # OpenSSH sends the link's target first, then the link (see `SftpLog`, log.py).
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
