"""Ending many things at once: a loop over endings that one failure cannot stop (every path that
ends sessions, channels or connections goes through it; bastion.ssh.ending has the channel side)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

log = logging.getLogger("bastion.runtime.ending")

T = TypeVar("T")


def each(items: Iterable[T], action: Callable[[T], Any], what: str) -> None:
    """`action` on every item of a copy of `items`; one that raises is logged with its traceback
    (it is a bug) and the others still get theirs, so one broken channel cannot keep the rest of
    a session, or the rest of the sessions, from ending."""
    for item in list(items):
        try:
            action(item)
        except Exception:
            log.exception("%s failed; going on with the others", what)
