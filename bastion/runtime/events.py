"""The events the running server pushes to control subscribers (the control protocol's, README
"Control API"): their names, and the cut that keeps one event's texts bounded. The control
protocol (bastion.control.protocol) carries them and re-exports these names."""

from __future__ import annotations

from typing import Any

from bastion.text import LISTED_TEXT, cut_mark, map_texts

EVENT_TEXT = 64 * 1024  # characters of one text in an event (a command line, a held command)
# Every event the server pushes; publishing any other name is refused (check_event). The design's
# list, then resync and resize (watchers, README "Reference"), and shutdown (README "Run it for
# real").
EVENTS = ("hello", "session_started", "session_ended", "output", "command", "verdict",
          "request_created", "request_decided", "command_held", "held_resolved", "revoked",
          "resync", "resize", "shutdown")


LIST_TEXT = LISTED_TEXT  # characters of one text in a listing reply (`audit`, `sessions`): a36o, 3
REPLY_BUDGET = 4 * 1024 * 1024  # bytes of one reply line at most, every character at its worst


def bounded(value: Any, limit: int = EVENT_TEXT) -> Any:
    """`value` with every text longer than `limit` cut, saying how long it was (the audit
    keeps it whole): one user's 60 KB line must not make an event line no client reads."""
    return map_texts(value, lambda text, _: text if len(text) <= limit
                     else text[:limit] + cut_mark(len(text)))


def worst_size(value: Any) -> int:
    """Bytes `value` may take as JSON at most, every character of a text at its worst (a
    control character is 6 bytes, `\\u0001`), without encoding it."""
    if isinstance(value, str):
        return 6 * len(value) + 2
    if isinstance(value, dict):
        return 2 + sum(worst_size(k) + worst_size(v) + 2 for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return 2 + sum(worst_size(v) + 1 for v in value)
    return 32


def fitted(value: Any, budget: int = REPLY_BUDGET) -> Any:
    """`value` with its texts cut, harder each time, until it surely fits `budget` bytes of
    JSON: a reply's size is bounded before it is encoded, whatever texts its rows hold (attack
    a36o, finding 3: 200 audit rows of 60,000 control characters were a 20 MiB line that cost
    the loop 3 s to build and that no console could read)."""
    cut = value
    for limit in (EVENT_TEXT, LIST_TEXT, 256, 32):
        if worst_size(cut) <= budget:
            return cut
        cut = bounded(value, limit)
    return cut


def check_event(name: str) -> str:
    """`name` when it is one of EVENTS; ValueError otherwise (a server bug: an event no client
    was told about)."""
    if name not in EVENTS:
        raise ValueError(f"{name!r} is not an event of the control protocol")
    return name
