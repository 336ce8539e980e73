"""Exec records: one JSON-lines file for each non-interactive channel (exec, sftp, scp, forward).

The command, start and end, byte counts and incremental SHA-256 digests of each stream, the exit
status and, for file transfers, the file operations. Stream contents are never stored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from bastion.recording.files import RecordingError, _clean, _json_line, _parse_json, _Sink, open_private_file


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
