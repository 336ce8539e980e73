"""Durations as people write them, the one parser and formatter (bastion.toml, policy.toml, the
CLI's and the SSH commands' `--duration`, the control API's `duration`).

Grammar: a bare number of seconds ("90", 45, 1.5), or one or more parts of a number and a unit,
s, m, h or d ("90s", "30m", "1.5h", "2d", "1h30m", "1h 30m"), with blanks allowed around the
whole and between parts. Every duration is positive, finite and at most MAX_DURATION; anything
else is a ValueError whose message is one line that says what was expected.
"""

from __future__ import annotations

import math
import re
from typing import Any

MAX_DURATION = 3650 * 86400.0  # ten years: beyond it, times overflow timers and the store
_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_PART = re.compile(rf"({_NUMBER})\s*([smhd])")
_DURATION = re.compile(rf"\s*(?:{_NUMBER}|(?:{_NUMBER}\s*[smhd]\s*)+)\s*")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(value: Any) -> float:
    """Seconds in `value` (the grammar above: "90s", "30m", "1h30m", "2d", or a number); raises
    ValueError, with a one-line message, for anything else, for zero or less, and beyond
    MAX_DURATION."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like 30m")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and _DURATION.fullmatch(value):
        parts = _PART.findall(value)
        seconds = sum(float(n) * _UNITS[u] for n, u in parts) if parts else float(value)
    else:
        raise ValueError(f"expected a duration like 30m or 1h30m, got {value!r}")
    if math.isnan(seconds) or seconds == math.inf:
        raise ValueError("duration must be finite")
    if not seconds > 0:
        raise ValueError("duration must be longer than zero")
    if seconds > MAX_DURATION:
        raise ValueError("duration must be at most 3650d")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest exact spelling of a whole number of seconds in one unit ("90s", "30m", "4h",
    "2d"); parse_duration reads it back to the same number. Fractions of a second are dropped."""
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def format_span(seconds: float, *, seconds_below_an_hour: bool = True) -> str:
    """A time span as people read it at a glance, in its two largest units: "45s", "3m05s",
    "2h05m", "3d04h" (negative spans are "0s"). Unlike format_duration it rounds down, for
    display only. With `seconds_below_an_hour` False, a span under an hour is whole minutes
    ("24m"): the SSH `status` command's "(24m left)", read once, where the console's countdowns,
    which tick, keep the seconds."""
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s" if seconds_below_an_hour else f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600:02d}h"
