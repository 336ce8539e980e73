"""Reading a cast for people: `replay` (bastion replay) and `unseal_cast` (bastion recording unseal)."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from bastion.recording import escapes
from bastion.recording.cast import REDACTION_MARK, SEALED, iter_cast
from bastion.recording.escrow import EscrowError, Opener
from bastion.text import visible

_MARKER = re.compile(r"\[redacted ([0-9]+) keystrokes?\]")


def replay(
    path: Path,
    out: IO[bytes] | IO[str],
    *,
    speed: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    max_idle: float | None = 2.0,
) -> None:
    """Play the output events of a cast to `out` with their timing, for `bastion replay`.

    Gaps are capped at `max_idle` seconds of recorded time (None: no cap), then divided by
    `speed`. `out` may be a text or binary writer; it is flushed after each event. Markers,
    input and resizes are not played. A truncated last line is tolerated. The output goes
    through `escapes.ReplayFilter`: what the recorded session printed draws on the viewer's
    terminal but cannot act on it (clipboard, title, answers typed back), and what it left
    changed (alternate screen, colours, modes) is put back at the end, even when the
    recording turns out to be malformed part way.
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    binary = not isinstance(out, io.TextIOBase)
    shown = escapes.ReplayFilter()

    def write(text: str) -> None:
        if text:
            # A crafted cast can hold lone surrogates ("\ud800" in its JSON): never a traceback.
            data = text.encode("utf-8", "replace")
            out.write(data if binary else data.decode("utf-8"))  # type: ignore[arg-type]
            out.flush()

    values = iter_cast(path, allow_truncated=True)
    next(values)
    previous = 0.0
    try:
        for at, code, data in values:
            if code != "o":
                continue
            gap = max(0.0, at - previous)
            if max_idle is not None:
                gap = min(gap, max_idle)
            previous = at
            if gap > 0:
                sleep(gap / speed)
            write(shown.feed(data))
    finally:
        write(shown.close())


@dataclass(frozen=True)
class Unsealed:
    """A cast's input as an investigator reads it, sealed keys opened in place.

    `events` are (line, seconds, code, text) for every "i", "m" and "s" event in file order; an
    "s" event's text is the keys it held. `key`, `session` and `channel` come from the header's
    "escrow" object (all None for a cast recorded without an escrow key); `sealed` counts the "s"
    events and `redactions` the redaction markers the bastion wrote: each follows its "m" event
    (REDACTION_MARK) or, in a recording from before those, precedes its sealed event. `flags`
    maps the line of every other "i" event that reads like a marker to why it is not one
    (typed text), and, in a recording sealed to an escrow key, the line of a real marker with
    no sealed event after it to that (the event was removed).
    """

    path: Path
    key: str | None
    session: str | None
    channel: int | None
    events: list[tuple[int, float, str, str]]
    sealed: int
    redactions: int
    flags: dict[int, str]


def unseal_cast(path: Path, keys: Mapping[str, X25519PrivateKey]) -> Unsealed:
    """Read a cast and open its sealed events with the escrow private key its header names.

    `keys` maps fingerprints to private keys. Every "s" event must directly follow a redaction
    marker of as many keystrokes as it holds, and open in turn: otherwise EscrowError names the
    file and line. A truncated last line (a crash) is skipped.
    """
    path = Path(path)
    values = iter_cast(path, allow_truncated=True)
    header = next(values)
    escrow = header.get("escrow")
    opener = None
    if escrow is not None:
        if not isinstance(escrow, dict):
            raise EscrowError(f"{path}:1: the header's escrow value is not an object")
        wanted = escrow.get("key")
        if not isinstance(wanted, str):  # a list or object is unhashable (attack k20o F4)
            raise EscrowError(f"{path}:1: the header's escrow key is not a string")
        if wanted not in keys:
            given = ", ".join(sorted(keys)) or "none"
            raise EscrowError(f"{path}: sealed to escrow key {visible(str(wanted))}; "
                              f"no key given is that one (given: {given})")
        try:
            opener = Opener(keys[wanted], escrow)
        except EscrowError as exc:
            raise EscrowError(f"{path}:1: {exc}") from None
    events: list[tuple[int, float, str, str]] = []
    redactions = 0
    flags: dict[int, str] = {}
    previous: tuple[float, str, str] | None = None
    waiting: tuple[int, bool] | None = None  # a marker's line, and whether its mark came first
    for line, (at, code, data) in enumerate(values, 2):
        if waiting is not None:
            flag = _unsealed_marker(code, *waiting, opener is not None)
            if flag:
                flags[waiting[0]] = flag
            else:
                redactions += 1
            waiting = None
        if code == "i" and _MARKER.fullmatch(data):
            marked = previous is not None and previous[1] == "m" and \
                previous[2] == REDACTION_MARK + data
            waiting = (line, marked)
        if code == SEALED:
            if opener is None:
                raise EscrowError(f"{path}:{line}: a sealed event, but the header names no escrow key")
            marker = _MARKER.fullmatch(previous[2]) if previous and previous[1] == "i" else None
            if marker is None:
                raise EscrowError(f"{path}:{line}: a sealed event that does not follow its "
                                  "redaction marker")
            try:
                data = opener.open(data)
            except EscrowError as exc:
                raise EscrowError(f"{path}:{line}: {exc}") from None
            if len(data) != int(marker.group(1)):
                raise EscrowError(f"{path}:{line}: the sealed keys are not as many as its marker "
                                  "says; the marker was altered")
        if code in ("i", "m", SEALED):
            events.append((line, at, code, data))
        previous = (at, code, data)
    if waiting is not None:
        flag = _unsealed_marker("", *waiting, opener is not None)
        if flag:
            flags[waiting[0]] = flag
        else:
            redactions += 1
    return Unsealed(path, escrow["key"] if opener else None, opener.session if opener else None,
                    opener.channel if opener else None, events,
                    opener.opened if opener else 0, redactions, flags)


def _unsealed_marker(next_code: str, line: int, marked: bool, sealed: bool) -> str:
    """Why the "i" event at `line` that reads like a redaction marker is not a whole one (the
    event after it has code `next_code`), or "" when it is."""
    if next_code == SEALED:
        return ""
    if not marked:
        return ("typed text that reads like a redaction marker: the bastion marked no "
                "redaction here")
    if sealed:
        return "a redaction whose sealed event is missing: it was removed from the recording"
    return ""
