"""Ending what may already be half gone: the last word to a channel that may no longer take it,
and a loop over many endings that one failure cannot stop.

Every path that ends a session, a channel or a connection writes through these. A channel stops
taking data once its peer was sent EOF (the target closed its output: `exec >/dev/null 2>&1;
sleep 120`) or a close; writing to it then raises BrokenPipeError. An end path that changed
state first (a row closed, a flag set) and then raised would leave the session half ended:
marked over, yet its connection and upstream still open. So the words an end path writes are
best effort, and the closing itself always happens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import asyncssh

log = logging.getLogger("bastion.ssh.ending")

T = TypeVar("T")


def last_word(chan: Any, data: bytes, *, stderr: bool = True) -> bool:
    """Write `data` to the channel (its stderr unless told) if it still takes data. Never raises;
    False when the channel could not take it (closing, closed, or its peer was sent EOF)."""
    if chan is None or chan.is_closing():
        return False
    try:
        if stderr:
            chan.write_stderr(data)
        else:
            chan.write(data)
    except (OSError, asyncssh.Error):
        return False
    return True


def each(items: Iterable[T], action: Callable[[T], Any], what: str) -> None:
    """`action` on every item of a copy of `items`; one that raises is logged with its traceback
    (it is a bug) and the others still get theirs, so one broken channel cannot keep the rest of
    a session, or the rest of the sessions, from ending."""
    for item in list(items):
        try:
            action(item)
        except Exception:
            log.exception("%s failed; going on with the others", what)
