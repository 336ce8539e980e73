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

The package: packets.py (the wire format and framing), log.py (`SftpLog`) and
judge.py (`SftpGate`, and which commands are SFTP servers).
"""

from __future__ import annotations

from bastion.command_control.sftplog.judge import (
           SERVER_NAMES,
           Judge,
           SftpGate,
           is_server,
           server_command,
           status_packet,
)
from bastion.command_control.sftplog.log import MAX_HANDLES, MAX_PENDING, FileTransfer, SftpLog, SftpOperation
from bastion.command_control.sftplog.packets import MAX_PACKET

__all__ = ["MAX_HANDLES", "MAX_PACKET", "MAX_PENDING", "SERVER_NAMES", "FileTransfer", "Judge", "SftpGate",
           "SftpLog", "SftpOperation", "is_server", "server_command", "status_packet"]
