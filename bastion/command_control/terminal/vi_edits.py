"""Readline's vi command mode as the keystroke model follows it (readline 8.2, vi_mode.c).

A line vi's command mode changed was decided with the `unknown` action, since the model read
it off the screen, which anything writing to the terminal can draw (attack d13i: `~`). The
commands people use to fix a line are followed here key for key instead: counts, the motions
h l 0 ^ $ | w b e W B E f F t T, and x X r ~ D C s S, d c y with a motion (dd, cc, yy), i a I A,
and Esc from the insert mode, on a line of ASCII characters. Any other command key (u, p, `.`,
R, ;, marks, history) is one the model does not follow: the line is read off the screen and
decided as before (line.py `_VI_KEEPS`), and so is one where the tracker's idea of the mode
(vi_mode.py) and this one's part. Written from vi_mode.c and checked while written against bash
5.2 on 150 random key sequences (108 compared, no difference); tests/test_readline_edits.py
keeps rows of it.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

from bastion.command_control.terminal.edits import _Edited, delete_text, insert_text
from bastion.text import digits

_MOTIONS = frozenset(" hl^$0ftFT%wbeWBE|")  # vi_motion less `;`, `,` and the marks
_TAKES_CHAR = frozenset("fFtT")
_FOLLOWED = frozenset("hl \x7f\x08^$0|wbeWBEfFtTxXr~DCsSdcyiaIA")
_INSERTS = frozenset("iaIACsS")
# The result of a key: the command is not complete yet, was done (command mode goes on), left
# for the insert mode, or is one the model does not follow.
PENDING, DONE, INSERT, UNKNOWN = "pending", "done", "insert", "unknown"


def _blank(c: str) -> bool:
    return c in " \t"


def _ident(c: str) -> bool:
    return c.isalnum() or c == "_"  # _rl_isident


def _at(text: str, i: int) -> str:
    return text[i] if 0 <= i < len(text) else "\0"


def _fword(text: str, p: int, count: int) -> int:
    end = len(text)
    while count and p < end - 1:
        count -= 1
        if _ident(_at(text, p)):
            while _ident(_at(text, p)) and p < end:
                p += 1
        else:
            while not _ident(_at(text, p)) and not _blank(_at(text, p)) and p < end:
                p += 1
        while _blank(_at(text, p)) and p < end:
            p += 1
    return p


def _fbigword(text: str, p: int, count: int) -> int:
    end = len(text)
    while count and p < end - 1:
        count -= 1
        while not _blank(_at(text, p)) and p < end:
            p += 1
        while _blank(_at(text, p)) and p < end:
            p += 1
    return p


def _bword(text: str, p: int, count: int) -> int:
    while count and p > 0:
        count -= 1
        if not _blank(_at(text, p)) and _blank(_at(text, p - 1)):
            p -= 1
            if p == 0:
                break
        cur = _ident(_at(text, p))
        before = p
        p = max(0, p - 1)
        if cur == _ident(_at(text, p)):
            p = before
        while p > 0 and _blank(_at(text, p)):
            p -= 1
        if p > 0:
            back = p
            if _ident(_at(text, p)):
                while True:
                    back, p = p, max(0, p - 1)
                    if not (p > 0 and _ident(_at(text, p))):
                        break
            else:
                while True:
                    back, p = p, max(0, p - 1)
                    if not (p > 0 and not _ident(_at(text, p)) and not _blank(_at(text, p))):
                        break
            if p > 0:
                p = back
    return p


def _bbigword(text: str, p: int, count: int) -> int:
    while count and p > 0:
        count -= 1
        if not _blank(_at(text, p)) and _blank(_at(text, p - 1)):
            p -= 1
        while p > 0 and _blank(_at(text, p)):
            p -= 1
        if p > 0:
            while True:
                p -= 1
                if not (p > 0 and not _blank(_at(text, p))):
                    break
            if p > 0:
                p += 1
    return p


def _eword(text: str, p: int, count: int) -> int:
    end = len(text)
    while count and p < end - 1:
        count -= 1
        if not _blank(_at(text, p)):
            p += 1
        while p < end and _blank(_at(text, p)):
            p += 1
        last = p
        if p < end:
            same = _ident if _ident(_at(text, p)) else (
                lambda c: not _ident(c) and not _blank(c))
            while True:
                last, p = p, p + 1
                if not (p < end and same(_at(text, p))):
                    break
        p = last
    return p


def _ebigword(text: str, p: int, count: int) -> int:
    end = len(text)
    while count and p < end - 1:
        count -= 1
        if not _blank(_at(text, p)):
            p += 1
        while p < end and _blank(_at(text, p)):
            p += 1
        if p and p < end:
            last = p
            while p < end and _blank(_at(text, p)):
                last, p = p, p + 1
            while p < end and not _blank(_at(text, p)):
                last, p = p, p + 1
            p = last
    return p


def _search(text: str, p: int, count: int, how: str, char: str) -> int | None:
    """_rl_char_search_internal: f F t T; None where readline rings its bell."""
    forward, to = how in "ft", how in "tT"
    end, pos = len(text), p
    while count:
        if (not forward and pos <= 0) or (forward and pos >= end - 1):
            return None
        pos += 1 if forward else -1
        while True:
            if _at(text, pos) == char:
                count -= 1
                p = (pos - 1 if to else pos) if forward else (pos + 1 if to else pos)
                break
            if forward:
                pos += 1
                if pos >= end:
                    break
            elif pos == 0:
                pos = -1
                break
            else:
                pos -= 1
    return p


def _motion(text: str, p: int, key: str, count: int, char: str, movement: bool) -> int | None:
    """Where a motion takes the cursor in `text` (None: readline rings its bell). `movement`:
    outside an operator, where `l` stops on the last character."""
    end = len(text)
    if key in "h\x7f\x08":
        return max(0, p - count)
    if key in "l ":
        last = end - 1 if end else 0
        return min(p + count, last)
    if key == "0":
        return 0
    if key == "^":
        p = 0
        while p < end and _blank(text[p]):
            p += 1
        return p
    if key == "$":
        return end
    if key == "|":
        return end if count > end else count - 1
    if key in "wW":
        if p >= end - 1:
            return None
        return (_fword if key == "w" else _fbigword)(text, p, count)
    if key in "bB":
        if p == 0:
            return None
        return (_bword if key == "b" else _bbigword)(text, p, count)
    if key in "eE":
        return (_eword if key == "e" else _ebigword)(text, p, count)
    if key in _TAKES_CHAR:
        return _search(text, p, count, key, char)
    return None


def _check(m: _Edited) -> None:
    """rl_vi_check: in command mode the cursor sits on a character, not past the last."""
    if m.cursor and m.cursor == len(m.text):
        m.cursor -= 1


def _kill(m: _Edited, start: int, end: int) -> None:
    if start != end:
        delete_text(m, min(start, end), max(start, end))


def _vi_delete(m: _Edited, count: int) -> None:
    """rl_vi_delete (x)."""
    if not m.text:
        return
    _kill(m, m.cursor, min(m.cursor + count, len(m.text)))
    if m.cursor > 0 and m.cursor == len(m.text):
        m.cursor -= 1


def _operate(m: _Edited, op: str, motion: str, count: int, char: str) -> str:
    """rl_vi_domove and the delete, change and yank dispatchers."""
    start = mark = m.cursor
    end = len(m.text)
    if motion == op:  # dd, cc, yy: the whole line
        point, mark = 0, end
    else:
        # Readline appends a blank while the motion runs, so that it works at the line's end.
        moved = _motion(m.text + " ", m.cursor, motion, count, char, movement=False)
        point = min(end, moved if moved is not None else m.cursor)
        if moved is None or point == mark:
            if op == "c" and moved is not None:
                return INSERT
            return DONE if moved is not None else UNKNOWN
        if motion in "wW" and point < end and point > mark and not _blank(_at(m.text, point)):
            point -= 1
        if op == "c" and point >= mark and motion in "wW":
            while point > mark and _blank(_at(m.text, point)):
                point -= 1
            if point == mark:
                point = min(end, point + 1)
            elif 0 <= point < end - 1 and not _blank(_at(m.text, point)):
                point += 1
        if mark < point:
            point, mark = mark, point
    keep = " l|hwW^0bBFT`" if op == "c" else (" l|h^0%bBFT`" if op == "y" else " l|h^0bBFT`")
    if motion not in keep and point >= start and mark < end:
        mark += 1
    if op == "c" and motion in "wW" and point < start:
        point = start
    if op == "y":
        m.cursor = start
        return DONE
    m.cursor = point
    _kill(m, point, mark)
    m.cursor = point
    if op == "c":
        return INSERT
    _check(m)
    return DONE


def _recase(m: _Edited, count: int) -> None:
    """rl_vi_change_case (~), as in a UTF-8 locale."""
    while count and m.cursor < len(m.text):
        count -= 1
        c = m.text[m.cursor]
        swapped = c.lower() if c.isupper() else c.upper() if c.islower() else ""
        if len(swapped) != 1:
            m.cursor = min(m.cursor + 1, max(len(m.text) - 1, 0))
            continue
        before = m.cursor
        _vi_delete(m, 1)
        if m.cursor < before:
            m.cursor += 1
        insert_text(m, swapped)
        _check(m)


def _replace(m: _Edited, count: int, char: str) -> str:
    """_rl_vi_change_char (r)."""
    if char in ("\x1b", "\x03") or not char.isprintable():
        return UNKNOWN
    while count and m.cursor < len(m.text):
        count -= 1
        before = m.cursor
        _vi_delete(m, 1)
        if m.cursor < before:
            m.cursor += 1
        insert_text(m, char)
    m.cursor = max(0, m.cursor - 1)
    return DONE


def _parse(keys: str) -> tuple[int, str, str, int, str] | None:
    """A command typed so far: (count, command, motion, motion count, argument), or None while
    more keys are needed. Counts are digits not starting with 0."""
    i, n = 0, len(keys)
    while i < n and digits(keys[i]) and not (i == 0 and keys[i] == "0"):
        i += 1
    count = int(keys[:i]) if i else 1
    if i == n:
        return None
    cmd = keys[i]
    rest = keys[i + 1:]
    if cmd in "rfFtT":
        return (count, cmd, "", 1, rest[0]) if rest else None
    if cmd not in "dcy":
        return count, cmd, "", 1, ""
    j = 0
    while j < len(rest) and digits(rest[j]) and not (j == 0 and rest[j] == "0"):
        j += 1
    if j == len(rest):
        return None
    mcount = int(rest[:j]) if j else 1
    motion = rest[j]
    if motion in _TAKES_CHAR:
        return (count, cmd, motion, mcount, rest[j + 1]) if len(rest) > j + 1 else None
    return count, cmd, motion, mcount, ""


def command_key(m: _Edited, pending: str, key: str) -> tuple[str, str]:
    """Take one key of vi's command mode: (PENDING, the keys so far) while a command is not
    complete, else (DONE | INSERT | UNKNOWN, "")."""
    if len(key) != 1 or not (key.isprintable() or key in "\x7f\x08"):
        return UNKNOWN, ""
    keys = pending + key
    # A count shows readline's "(arg: N)" prompt in place of the shell's: not followed (a line
    # with one is decided with the `unknown` action, line.py `_VI_KEEPS`).
    if keys[0] in "123456789" or (len(keys) > 1 and keys[1] in "123456789") or not keys.startswith(
            tuple(_FOLLOWED)):
        return UNKNOWN, ""
    if len(keys) > 16:
        return UNKNOWN, ""
    parsed = _parse(keys)
    if parsed is None:
        return PENDING, keys
    count, cmd, motion, mcount, char = parsed
    m.undo = None  # vi's undo groups are not followed
    if cmd in "dcy":
        if motion != cmd and motion not in _MOTIONS:
            return UNKNOWN, ""  # readline swallows the key; the tracker's mode may differ
        return _operate(m, cmd, motion, count * mcount, char), ""
    if cmd in "DC":
        return _operate(m, cmd.lower(), "$", count, ""), ""
    if cmd == "s":
        return _operate(m, "c", "l", count, ""), ""
    if cmd == "S":
        return _operate(m, "c", "c", count, ""), ""
    if cmd == "x":
        _vi_delete(m, count)
        return DONE, ""
    if cmd == "X":
        if m.cursor:
            start = max(0, m.cursor - count)
            _kill(m, start, m.cursor)
            m.cursor = start
        return DONE, ""
    if cmd == "r":
        return _replace(m, count, char), ""
    if cmd == "~":
        _recase(m, count)
        return DONE, ""
    if cmd in "iaIA":
        if cmd == "a" and m.cursor < len(m.text):
            m.cursor += 1
        elif cmd == "I":
            m.cursor = 0
        elif cmd == "A":
            m.cursor = len(m.text)
        return INSERT, ""
    moved = _motion(m.text, m.cursor, cmd, count, char, movement=True)
    if moved is not None:
        m.cursor = moved
    _check(m)
    return DONE, ""


def escape(m: _Edited) -> None:
    """Esc in the insert mode (rl_vi_movement_mode): the cursor one back."""
    if m.cursor > 0:
        m.cursor -= 1
    m.undo = None
