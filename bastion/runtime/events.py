"""The events the running server pushes to control subscribers (the control protocol's, README
"Control API"): their names, and the cut that keeps one event's texts bounded. The control
protocol (bastion.control.protocol) carries them and re-exports these names."""

from __future__ import annotations

from typing import Any

EVENT_TEXT = 64 * 1024  # characters of one text in an event (a command line, a held command)
# Every event the server pushes; publishing any other name is refused (check_event). The design's
# list, then resync and resize (watchers, README "Reference"), and shutdown (README "Run it for
# real").
EVENTS = ("hello", "session_started", "session_ended", "output", "command", "verdict",
          "request_created", "request_decided", "command_held", "held_resolved", "revoked",
          "resync", "resize", "shutdown")


def bounded(value: Any) -> Any:
    """`value` with every text longer than EVENT_TEXT cut, saying how long it was (the audit
    keeps it whole): one user's 60 KB line must not make an event line no client reads."""
    if isinstance(value, str) and len(value) > EVENT_TEXT:
        return f"{value[:EVENT_TEXT]}…[{len(value)} chars]"
    if isinstance(value, dict):
        return {k: bounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [bounded(v) for v in value]
    return value


def check_event(name: str) -> str:
    """`name` when it is one of EVENTS; ValueError otherwise (a server bug: an event no client
    was told about)."""
    if name not in EVENTS:
        raise ValueError(f"{name!r} is not an event of the control protocol")
    return name
