"""The control protocol (a contract): newline-delimited JSON between the bastion and its supervisors.

The server speaks first: {"event": "hello", "version": 1}. Requests are {"id": n, "op": "...", ...},
replies {"id": n, "ok": true, ...} or {"id": n, "ok": false, "error": "..."}, and pushed events
{"event": "...", ...}. `output` events carry base64 data. Two doors share it: the SSH subsystem
`bastion-control` and the Unix socket HOME/control.sock.

This module holds the message rules and a client (`ControlClient`) for the TUI and the CLI; it
imports nothing of the server.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from bastion.runtime.events import EVENT_TEXT as EVENT_TEXT  # the events: the runtime publishes them
from bastion.runtime.events import EVENTS as EVENTS
from bastion.runtime.events import LIST_TEXT as LIST_TEXT
from bastion.runtime.events import REPLY_BUDGET as REPLY_BUDGET
from bastion.runtime.events import bounded as bounded
from bastion.runtime.events import check_event as check_event
from bastion.runtime.events import fitted as fitted
from bastion.text import visible

VERSION = 1
MAX_LINE = 64 * 1024
# What a client reads of one line from the server: events cut their long texts (EVENT_TEXT),
# so lines stay far below this; a longer one is skipped, never the end of the connection.
MAX_SERVER_LINE = 16 * 1024 * 1024
OPERATIONS = ("sessions", "watch", "unwatch", "kill", "revoke", "lock", "unlock", "requests",
              "approve", "deny", "held", "confirm", "reject", "audit", "recording")
SUBSYSTEM = "bastion-control"


class ProtocolError(ValueError):
    """A message that does not follow the protocol; the text is safe to send back."""


def encode(message: dict[str, Any]) -> bytes:
    """One line of JSON, always encodable: a string that is not valid Unicode (a lone surrogate,
    whatever a client sent) is written as a JSON escape instead of failing."""
    try:
        text = json.dumps(message, separators=(",", ":"), ensure_ascii=False, default=str)
        return text.encode() + b"\n"
    except UnicodeEncodeError:
        return json.dumps(message, separators=(",", ":"), default=str).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    """One request line from a client; raises ProtocolError with a one-line reason."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"line longer than {MAX_LINE} bytes")
    try:
        message = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("not valid JSON") from None
    except RecursionError:  # the JSON decoder recurses: "[[[[..." fits in a line
        raise ProtocolError("JSON nested too deeply") from None
    if not isinstance(message, dict):
        raise ProtocolError("a request must be a JSON object")
    return message


def require_unicode(message: dict[str, Any]) -> None:
    """Raise ProtocolError unless every string in `message` (keys too) is valid Unicode. JSON
    allows "\ud800", a lone surrogate, which cannot be stored, logged or sent back as UTF-8."""
    if not _valid_unicode(message):
        raise ProtocolError("strings must be valid Unicode (no lone surrogates)")


def _valid_unicode(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_valid_unicode(k) and _valid_unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_valid_unicode(item) for item in value)
    return True


def event_data(message: dict[str, Any]) -> bytes:
    """The bytes of an `output` event or of a `watch` reply's snapshot."""
    return base64.b64decode(message.get("data", ""))


class LineReader:
    """Splits a byte stream into lines of at most MAX_LINE; an oversized line is skipped whole.
    Lines are split as they are asked for (`lines(limit)`), so bytes a door has no room for wait
    here unsplit (attack a36o, finding 1), and splitting costs linear time in what is read."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._start = 0  # where the first unsplit byte is
        self._skipping = False

    def add(self, data: bytes) -> None:
        self._buffer += data

    def lines(self, limit: int | None = None) -> list[bytes | ProtocolError]:
        """Up to `limit` of the complete lines read (all of them when None)."""
        out: list[bytes | ProtocolError] = []
        buffer = self._buffer
        while limit is None or len(out) < limit:
            newline = buffer.find(b"\n", self._start)
            if newline < 0:
                if len(buffer) - self._start > MAX_LINE:
                    if not self._skipping:
                        out.append(ProtocolError(f"line longer than {MAX_LINE} bytes"))
                    self._skipping = True
                    buffer.clear()
                    self._start = 0
                break
            line = bytes(buffer[self._start:newline])
            self._start = newline + 1
            if self._skipping:
                self._skipping = False
                continue
            if len(line) > MAX_LINE:
                out.append(ProtocolError(f"line longer than {MAX_LINE} bytes"))
            elif line.strip():
                out.append(line)
        if self._start:
            del buffer[:self._start]
            self._start = 0
        return out

    def complete(self) -> int:
        """How many complete lines wait unsplit (blank ones too)."""
        return self._buffer.count(b"\n", self._start)

    def clear(self) -> None:
        self._buffer.clear()
        self._start = 0

    def feed(self, data: bytes) -> list[bytes | ProtocolError]:
        self.add(data)
        return self.lines()


class ControlError(Exception):
    """The server answered a request with ok: false (the text is its error)."""


class ControlClient:
    """An asyncio client of the control protocol over any (reader, writer) pair.

    `request(op, **fields)` returns the reply (raises ControlError on ok: false); pushed events
    arrive through `events()` or the `on_event` callback.
    """

    def __init__(self, reader: asyncio.StreamReader, writer: Any,
                 on_event: Callable[[dict[str, Any]], None] | None = None) -> None:
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._events: asyncio.Queue = asyncio.Queue()
        self._on_event = on_event
        self.hello: dict[str, Any] | None = None
        self._task: asyncio.Task | None = None
        self.closed = asyncio.Event()
        self.farewell: str | None = None  # the server's last error without an id, made visible

    @classmethod
    async def open_unix(cls, path: str, **kwargs: Any) -> ControlClient:
        reader, writer = await asyncio.open_unix_connection(path, limit=MAX_SERVER_LINE)
        client = cls(reader, writer, **kwargs)
        await client.start()
        return client

    @classmethod
    async def open_ssh(cls, host: str, port: int, username: str, *, client_keys: list,
                       known_hosts: Any, totp: Callable[[], str], host_key_alias: str | None = None,
                       **kwargs: Any) -> ControlClient:
        """The SSH door: enrolled key (or cert) and the TOTP code `totp()` returns when asked."""
        import asyncssh

        class _Answer(asyncssh.SSHClient):
            def kbdint_auth_requested(self) -> str:
                return ""

            def kbdint_challenge_received(self, name, instructions, lang, prompts):
                return [totp() for _ in prompts]

        conn = await asyncssh.connect(host, port, username=username, client_keys=client_keys,
                                      known_hosts=known_hosts, client_factory=_Answer,
                                      host_key_alias=host_key_alias,
                                      agent_path=None, config=None,
                                      preferred_auth="publickey,keyboard-interactive")
        writer, reader, _ = await conn.open_session(subsystem=SUBSYSTEM, encoding=None)
        client = cls(reader, writer, **kwargs)
        client._conn = conn
        await client.start()
        return client

    async def start(self) -> None:
        line = await self._reader.readline()
        hello = json.loads(line) if line else {}
        if hello.get("event") != "hello":
            raise ControlError(hello.get("error") or "the server did not say hello")
        self.hello = hello
        self._task = asyncio.get_running_loop().create_task(self._pump())

    async def _readline(self) -> bytes:
        while True:
            try:
                return await self._reader.readline()
            except ValueError:  # longer than MAX_SERVER_LINE: asyncio dropped it; read on
                continue

    async def _pump(self) -> None:
        try:
            while line := await self._readline():
                message = json.loads(line)
                if "id" in message and ("ok" in message):
                    if message["id"] is None and not message["ok"]:
                        self.farewell = visible(str(message.get("error", "")))
                    future = self._pending.pop(message["id"], None)
                    if future is not None and not future.done():
                        future.set_result(message)
                elif self._on_event is not None:
                    self._on_event(message)
                else:
                    self._events.put_nowait(message)
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        finally:
            self.closed.set()
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ControlError("connection closed"))
            self._events.put_nowait({"event": "closed"})

    async def request(self, op: str, **fields: Any) -> dict[str, Any]:
        if self.closed.is_set():
            raise ControlError("connection closed")
        rid = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        self._writer.write(encode({"id": rid, "op": op, **fields}))
        reply = await future
        if not reply.get("ok"):
            raise ControlError(reply.get("error", "refused"))
        return reply

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        while True:
            message = await self._events.get()
            if message.get("event") == "closed":
                return
            yield message

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
