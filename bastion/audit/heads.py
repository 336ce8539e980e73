"""Chain heads kept outside the database.

With `configure_syslog`, every committed event sends "audit head seq=N hash=H type=T" to syslog
(and, with `events`, the event as one JSON line), and `check_heads` compares such lines with the
chain, so a database rewritten end to end (every hash recomputed) is still caught.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import socket
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bastion.audit.ecs import exported
from bastion.audit.events import log
from bastion.config import syslog_address
from bastion.store import Backend

# A head as the bastion sends it: the message part of a line whose syslog tag is the bastion's,
# whole, nothing before or after it (a NUL or the CR some transports keep aside). Only the first
# tag of a line is its tag: the same text inside an event line (a user name, a command, a
# reason) is part of that line's message, never a head (attack k20o F9).
HEAD_PATTERN = re.compile(r"audit head seq=([0-9]+) hash=([0-9a-f]{64}) type=([a-z][a-z0-9_.]{0,63})"
                          r"[\x00\r\n]*")
SYSLOG_TAG = re.compile(r"(?:^|[\s>])bastion\[[0-9]{1,10}\]: ")
MAX_SEQ = 2**63 - 1
SYSLOG_FACILITY = logging.handlers.SysLogHandler.LOG_AUTHPRIV


class _HeadHandler(logging.handlers.SysLogHandler):
    """A SysLogHandler whose sockets never block and whose errors are kept, not printed.

    A syslog daemon that stalls (its /dev/log queue full) makes the send fail at once, so the
    head is dropped instead of the bastion waiting. Only datagram sockets: a partial write on
    a non-blocking stream would garble the lines after it."""

    failure: BaseException | None = None

    def createSocket(self) -> None:
        super().createSocket()
        if not self.unixsocket and self.socket is not None:
            self.socket.setblocking(False)

    def _connect_unixsocket(self, address: Any) -> None:
        # Also how emit() reconnects after the daemon restarted: the new socket must not block either.
        super()._connect_unixsocket(address)
        self.socket.setblocking(False)

    def handleError(self, record: logging.LogRecord) -> None:
        self.failure = sys.exc_info()[1]


class _SyslogHeads:
    def __init__(self, dest: str, address: str | tuple[str, int], events: bool) -> None:
        self.dest = dest
        self.events = events
        self.failing = False
        self.lock = threading.Lock()
        self.handler = _HeadHandler(address, facility=SYSLOG_FACILITY, socktype=socket.SOCK_DGRAM)
        self.handler.ident = f"bastion[{os.getpid()}]: "

    def send(self, row: dict[str, Any]) -> None:
        records = [logging.LogRecord("bastion.audit.head", logging.INFO, __file__, 0,
                                     "audit head seq=%d hash=%s type=%s",
                                     (row["seq"], row["hash"], row["type"]), None)]
        if self.events:
            # ASCII, as `audit export` prints it: a log host shows lines raw, and a user's
            # U+009B (CSI), U+0085 (NEL) or U+202E would act on or reorder what it shows.
            line = json.dumps(exported(row), sort_keys=True)
            records.append(logging.LogRecord("bastion.audit.event", logging.INFO, __file__, 0,
                                             "%s", (line,), None))
        with self.lock:
            self.handler.failure = None
            for record in records:
                self.handler.handle(record)
            failure = self.handler.failure
            # Once per outage, not once per event: a dead destination must not flood the log.
            if failure is not None and not self.failing:
                log.error("audit heads are not reaching syslog %s (%s); events are recorded all the "
                          "same, and this is not logged again until it works", self.dest, failure)
            elif failure is None and self.failing:
                log.warning("audit heads reach syslog %s again", self.dest)
            self.failing = failure is not None

    def close(self) -> None:
        self.handler.close()


_heads: _SyslogHeads | None = None


def configure_syslog(dest: str, *, events: bool = False) -> None:
    """Send the chain head to syslog `dest` after each committed event ("" stops sending), and
    with `events` the event itself too, as one JSON line (`exported`), right after its head.

    Per process: whoever loads bastion.toml calls it, through `configure`. Calling it again with
    the same destination keeps the socket. A host name is resolved here, once, never per event.
    An unreachable or unresolvable destination is logged once and never stops events from being
    recorded. ValueError for a malformed `dest` (bastion.toml has already refused those)."""
    global _heads
    address = syslog_address(dest)
    if _heads is not None and _heads.dest == dest:
        _heads.events = events
        return
    if _heads is not None:
        _heads.close()
        _heads = None
    if address is None:
        return
    if isinstance(address, tuple):
        try:
            info = socket.getaddrinfo(address[0], address[1], type=socket.SOCK_DGRAM)
        except OSError as exc:
            log.error("audit heads are not sent to syslog %s: %s", dest, exc)
            return
        address = info[0][4][0], address[1]
    _heads = _SyslogHeads(dest, address, events)


def _send_to_syslog(row: dict[str, Any]) -> None:
    heads = _heads
    if heads is not None:
        heads.send(row)


@dataclass(frozen=True)
class HeadCheck:
    ok: bool
    checked: int
    before_anchor: int = 0
    problem: str = ""
    line: int | None = None


def parse_head(line: str) -> tuple[int, str] | None:
    """(seq, hash) of a head line the bastion sent, or None for any other line (the first
    `bastion[PID]: ` tag of the line must be followed by exactly HEAD_PATTERN). ValueError for
    a head whose seq no chain can hold (0, or past SQLite's integers)."""
    tag = SYSLOG_TAG.search(line)
    if tag is None:
        return None
    found = HEAD_PATTERN.fullmatch(line, tag.end())
    if found is None:
        return None
    digits = found.group(1)
    seq = int(digits) if len(digits) <= 19 else 0
    if not 1 <= seq <= MAX_SEQ:
        raise ValueError(f"head seq={digits[:30]} is out of range (1 to {MAX_SEQ}): not a "
                         "head the bastion sent")
    return seq, found.group(2)


def check_heads(store: Backend, lines: Iterable[str]) -> HeadCheck:
    """Compare the chain heads found in `lines` (syslog lines, as `configure_syslog` sends them,
    `parse_head`) with the chain; report the first whose (seq, hash) the database does not hold,
    or the first line that has a head's shape and a seq no chain has.

    `checked` heads matched a row (or the anchor); `before_anchor` heads name rows purged before
    the anchor, which cannot be checked any more. No head at all is a failure: the file is not
    evidence of anything. Run `verify` too: this only compares heads, it does not walk the chain."""
    anchor = store.one("SELECT seq, hash FROM audit_anchor WHERE id = 1")
    newest = store.one("SELECT seq FROM events ORDER BY seq DESC LIMIT 1")
    checked = before_anchor = 0
    for number, line in enumerate(lines, 1):
        try:
            found = parse_head(line)
        except ValueError as exc:
            return HeadCheck(False, checked, before_anchor, f"line {number}: {exc}", number)
        if found is None:
            continue
        seq, digest = found
        row = store.one("SELECT hash FROM events WHERE seq = ?", (seq,))
        if row is None and anchor is not None and seq == anchor["seq"]:
            row = anchor
        if row is None and anchor is not None and seq < anchor["seq"]:
            before_anchor += 1
            continue
        if row is None:
            head = newest["seq"] if newest else 0
            return HeadCheck(False, checked, before_anchor, f"line {number}: head seq={seq} is not in "
                             f"the chain, whose newest row is {head} (rows were removed)", number)
        if row["hash"] != digest:
            return HeadCheck(False, checked, before_anchor, f"line {number}: head seq={seq} hash="
                             f"{digest[:16]} does not match row {seq}, hash {row['hash'][:16]} "
                             f"(the database was rewritten)", number)
        checked += 1
    if checked + before_anchor == 0:
        return HeadCheck(False, 0, 0, "no audit head lines found")
    return HeadCheck(True, checked, before_anchor)
