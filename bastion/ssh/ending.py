"""Ending what may already be half gone: the last word to a channel that may no longer take it.

Every path that ends a session, a channel or a connection writes through this. A channel stops
taking data once its peer was sent EOF (the target closed its output: `exec >/dev/null 2>&1;
sleep 120`) or a close; writing to it then raises BrokenPipeError. An end path that changed
state first (a row closed, a flag set) and then raised would leave the session half ended:
marked over, yet its connection and upstream still open. So the words an end path writes are
best effort, and the closing itself always happens (and bastion.runtime.ending.each, looping
over many endings, goes on past one that fails).
"""

from __future__ import annotations

from typing import Any

import asyncssh


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
