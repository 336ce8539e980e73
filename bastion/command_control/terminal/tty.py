"""The terminal driver's own editing, read in every plausible setting (attack H): the gate does
not know the settings of the tty that reads a line no line editor reads (a nested pty, IUTF8,
characters a program moved), so `_tty_readings` gives the line each one would hand over, the
erase following n_tty.c's `eraser()`.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Without a line editor the tty's line discipline edits the line, with settings the bastion
# cannot see: a nested pty (pty.spawn, docker exec -t, systemd-run -t) has the kernel's
# defaults, the client's IUTF8 may be either, and a program may have moved or disabled the
# special characters (inline termios code, which no policy can read). So the bytes typed are
# read in each plausible setting, every reading is judged, and the strictest verdict stands.
_CTRL_U, _CTRL_W, _CTRL_V = 0x15, 0x17, 0x16
_TTY_DROPPED = b"\x11\x12\x13"  # VSTART, VREPRINT, VSTOP: the driver stores none of them
_TTY_SIGNALS = b"\x03\x1a\x1c"  # VINTR, VSUSP, VQUIT: the driver flushes the line
_TTY_OPEN = "in another reading of the tty's settings the statement is unfinished"
_MAX_MOVED = 8  # distinct control characters read as moved special characters; beyond: unknown
_MAX_EDITS = 1024  # control keys in one line read in every setting (each costs a step in each)
_TTY_MOVED = "too many control characters to read in every setting of the tty"
_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8's continuation bytes


@dataclass(frozen=True)
class _TtySettings:
    """The special characters of one reading (empty: none), and IUTF8."""

    erase: bytes = b""
    kill: bytes = b""
    werase: bytes = b""
    lnext: bytes = b""
    dropped: bytes = b""
    signals: bytes = b""
    iutf8: bool = False
    moved: bool = False  # a special character moved to another key (by inline termios code)


def _latin1_alnum(c: int) -> bool:
    """isalnum() of the kernel's ctype (Latin-1), which VWERASE classes bytes by."""
    return (c < 0x80 and (chr(c).isalnum() or c == 0x5F)) or (c >= 0xC0 and c not in (0xD7, 0xF7))


def _tty_erase(buf: bytearray, iutf8: bool, kind: str) -> None:
    """n_tty.c's eraser(): one character ("erase"), a word ("werase") or all ("kill"). With
    IUTF8 a character is the continuation bytes at the end and the one byte before them,
    whatever it is (`#` 0x80 DEL erases the `#`); continuation bytes at the very start of the
    line are never erased. Without IUTF8 each byte is a character."""
    if kind == "kill":
        keep = 0
        while iutf8 and keep < len(buf) and buf[keep] & 0xC0 == 0x80:
            keep += 1
        del buf[keep:]
        return
    seen = False
    while buf:
        # The character's continuation bytes are skipped at C speed: a line of nothing else
        # would cost each erase a Python step per byte.
        trail = len(buf) - len(buf.rstrip(_CONTINUATION)) if iutf8 else 0
        head = max(len(buf) - 1 - trail, 0)
        c = buf[head]
        if iutf8 and c & 0xC0 == 0x80:
            return
        if kind == "werase":
            if _latin1_alnum(c):
                seen = True
            elif seen:
                return
        del buf[head:]
        if kind == "erase":
            return


@functools.lru_cache(maxsize=256)
def _special_bytes(special: bytes) -> re.Pattern[bytes]:
    return re.compile(b"[" + b"".join(b"\\x%02x" % c for c in special) + b"]")


def _tty_line(parts: list[bytes], s: _TtySettings) -> bytes:
    """What the line discipline hands the shell for these keys (each part after the first
    follows a VEOF that handed the line over: no erase reaches back into it). With no special
    character at all the VEOF is data too. Text between special characters is copied whole."""
    special = s.erase + s.kill + s.werase + s.lnext + s.dropped + s.signals
    if not (s.erase or s.kill or s.werase or s.signals):
        return b"\x04".join(parts)
    find = _special_bytes(special).search
    out = b""
    for part in parts:
        buf = bytearray()
        pos = 0
        while (m := find(part, pos)) is not None:
            at = m.start()
            buf += part[pos:at]
            c, pos = part[at], at + 1
            if c in s.signals:
                buf.clear()
            elif c in s.erase or c in s.kill or c in s.werase:
                _tty_erase(buf, s.iutf8, "erase" if c in s.erase else "kill" if c in s.kill
                           else "werase")
            elif c in s.lnext:
                buf += part[pos:pos + 1]
                pos += 1
        buf += part[pos:]
        out += bytes(buf)
    return out


def _tty_settings(erase: int, raw: bytes) -> list[_TtySettings] | None:
    """The readings of a line typed with these bytes: the client's erase, DEL and ^H (a nested
    pty, `reset` to the terminal's kbs), each with IUTF8 on and off, the kernel's other
    defaults; every control character as data; and each control character typed as the only
    erase, kill or word erase (moved by a program). None when too many control characters
    were typed to read each as moved."""
    readings = [_TtySettings(bytes([e]), bytes([_CTRL_U]), bytes([_CTRL_W]), bytes([_CTRL_V]),
                             _TTY_DROPPED, _TTY_SIGNALS, iutf8)
                for e in dict.fromkeys((erase, 0x7F, 0x08)) for iutf8 in (True, False)]
    readings.append(_TtySettings())
    # ESC is not read as moved: every arrow key and paste starts with it, and a driver whose
    # erase or kill is ESC (`[A` left of an Up) was set by a line the model follows (stty) or
    # by inline code (the documented residual); else every Up or paste where the driver may
    # read would be held as a parse error
    controls = [c for c in range(0x20) if c != 0x1B and bytes([c]) in raw] + (
        [0x7F] if b"\x7f" in raw else [])
    if len(controls) > _MAX_MOVED or sum(raw.count(c) for c in controls) > _MAX_EDITS:
        return None
    for c in controls:
        one = bytes([c])
        readings += [_TtySettings(erase=one, iutf8=True, moved=True),
                     _TtySettings(erase=one, moved=True), _TtySettings(kill=one, moved=True),
                     _TtySettings(werase=one, moved=True)]
    return readings


def _tty_readings(parts: list[bytes], erase: int) -> dict[str, bool] | None:
    """The distinct lines the shell may get for these keys (see _tty_settings), as text, each
    with whether only a moved special character reads it so."""
    settings = _tty_settings(erase, b"".join(parts))
    if settings is None:
        return None
    readings: dict[str, bool] = {}
    for s in settings:
        text = _tty_line(parts, s).decode("utf-8", "replace")
        readings[text] = readings.get(text, True) and s.moved
    return readings
