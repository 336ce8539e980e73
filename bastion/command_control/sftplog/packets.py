"""SFTP (version 3, as OpenSSH speaks it) on the wire: message types, flags, the packet
framing of a byte stream (`_Stream`) and the reader of a packet's fields (`_Reader`).

Part of the SFTP log and gate (see the package docstring). Pure.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

# OpenSSH's sftp-server refuses messages over 256 KiB; the slack admits a client that counts
# the payload limit without the packet's own header.
MAX_PACKET = 256 * 1024 + 1024

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
