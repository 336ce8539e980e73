"""Readline's edits of its line as the keystroke model follows them, with readline's own undo
list (readline 8.2: text.c, kill.c, undo.c).

The model once followed only keys that insert, move by a character or to an end, and kill to
an end or a space-delimited word; after any other key it read the line off the screen, which
anything writing to the terminal can draw (attack d13i: a job drew `tocuh canary` while Ctrl-T
had made bash's line `touch canary`). Word moves and kills (M-b, M-f, M-d, M-DEL), transposes
(Ctrl-T, M-t), case changes (M-u, M-l, M-c) and undo (Ctrl-_, C-x C-u, M-r) are followed here
key for key, so the screen only confirms them: where it shows anything else the line is not
certain. Undo follows readline's list exactly (a run of typed characters is one entry of up
to 20 bytes; a kill, a delete, a transpose or a case change is one), and only while every edit
of the line was followed; otherwise the key is one the model does not follow, as before.

The word edits are readline's: a word is a run of letters and digits (`rl_alphabetic`). The
meta keys are followed in emacs mode only (in vi's insert mode Esc starts the command mode,
whose keys the model does not follow: line.py `_VI_KEEPS`). zsh's editor moves by other words
(WORDCHARS): there the screen differs from the model and the line is uncertain. Where this sits
in a keystroke's way: docs/ARCHITECTURE.md, "One keystroke, client to target and back". Part of
the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

# Readline merges a typed character into the undo entry of the run before it while that entry
# holds fewer bytes than this (rl_insert_text).
_UNDO_RUN = 20
# An undo list this long is no longer followed (each entry keeps the text it deleted).
_MAX_UNDO = 4096


class _Undo:
    """One entry of readline's undo list: "insert" (start, end, its size in bytes), "delete"
    (start, the text deleted), or a group's "begin" and "end"."""

    __slots__ = ("end", "kind", "size", "start", "text")

    def __init__(self, kind: str, start: int = 0, end: int = 0, text: str = "") -> None:
        self.kind, self.start, self.end, self.text = kind, start, end, text
        self.size = 0


class _Edited(Protocol):
    text: str
    cursor: int
    undo: list[_Undo] | None
    undoing: bool


def _add_undo(m: _Edited, entry: _Undo) -> None:
    if m.undo is None or m.undoing:
        return
    if len(m.undo) >= _MAX_UNDO:
        m.undo = None
        return
    m.undo.append(entry)


def insert_text(m: _Edited, text: str, *, whole: bool = False) -> None:
    """`text` at the cursor, the cursor after it, and its undo entries: `whole` as one
    rl_insert_text (a yank, a paste, a transposed word), else as typed, a character at a time
    (_rl_insert_char: a one-byte character extends the run of typed characters just before
    the cursor while it holds fewer than 20 bytes; a longer one starts an entry of its own).
    Keys typed together arrive as one run, and readline still takes them one by one
    (attack e14ia, F3)."""
    at = m.cursor
    m.text = m.text[:at] + text + m.text[at:]
    m.cursor = at + len(text)
    if m.undo is None or m.undoing:
        return
    for i, char in enumerate((text,) if whole else text):
        size = len(char.encode("utf-8", "surrogatepass"))
        last = m.undo[-1] if m.undo else None
        if (size == 1 and last is not None and last.kind == "insert" and last.end == at + i
                and last.size < _UNDO_RUN):
            last.end += 1
            last.size += 1
            continue
        entry = _Undo("insert", at + i, at + i + len(char))
        entry.size = size
        _add_undo(m, entry)
        if m.undo is None:
            return
        if whole:
            break


def delete_text(m: _Edited, start: int, end: int) -> None:
    """rl_delete_text: the text between two places goes (the cursor stays where it was, or at
    the end of what is left), with its undo entry."""
    start, end = sorted((max(0, start), min(len(m.text), end)))
    _add_undo(m, _Undo("delete", start, end, m.text[start:end]))
    m.text = m.text[:start] + m.text[end:]
    m.cursor = min(m.cursor, len(m.text))


def _group(m: _Edited, kind: str) -> None:
    _add_undo(m, _Undo(kind))


def _alpha(c: str) -> bool:
    return c.isalnum()  # rl_alphabetic without rl_allow_pathname_alphabetic_chars


def forward_word(text: str, i: int) -> int:
    """Where rl_forward_word leaves the cursor: past the next run of letters and digits."""
    n = len(text)
    if i >= n:
        return n
    if not _alpha(text[i]):
        i += 1
        while i < n and not _alpha(text[i]):
            i += 1
    if i >= n:
        return n
    i += 1
    while i < n and _alpha(text[i]):
        i += 1
    return i


def backward_word(text: str, i: int) -> int:
    """Where rl_backward_word leaves the cursor: at the start of the run of letters and digits
    before it."""
    if i <= 0:
        return 0
    if not _alpha(text[i - 1]):
        i -= 1
        while i > 0 and not _alpha(text[i - 1]):
            i -= 1
    while i > 0 and _alpha(text[i - 1]):
        i -= 1
    return i


def _backspace(m: _Edited) -> None:
    if m.cursor:
        m.cursor -= 1
        delete_text(m, m.cursor, m.cursor + 1)


def _delete(m: _Edited) -> None:
    if m.cursor < len(m.text):
        delete_text(m, m.cursor, m.cursor + 1)


def _home(m: _Edited) -> None:
    m.cursor = 0


def _end(m: _Edited) -> None:
    m.cursor = len(m.text)


def _left(m: _Edited) -> None:
    m.cursor = max(0, m.cursor - 1)


def _right(m: _Edited) -> None:
    m.cursor = min(len(m.text), m.cursor + 1)


def _kill_to_start(m: _Edited) -> None:
    if m.cursor:
        delete_text(m, 0, m.cursor)
        m.cursor = 0


def _kill_to_end(m: _Edited) -> None:
    if m.cursor < len(m.text):
        delete_text(m, m.cursor, len(m.text))


def _rubout_word(m: _Edited) -> None:
    """unix-word-rubout: back over blanks, then over anything but blanks (space and tab only,
    as readline's `whitespace`)."""
    i = m.cursor
    while i and m.text[i - 1] in " \t":
        i -= 1
    while i and m.text[i - 1] not in " \t":
        i -= 1
    if i != m.cursor:
        delete_text(m, i, m.cursor)
        m.cursor = i


def _forward_word(m: _Edited) -> None:
    m.cursor = forward_word(m.text, m.cursor)


def _backward_word(m: _Edited) -> None:
    m.cursor = backward_word(m.text, m.cursor)


def _kill_word(m: _Edited) -> None:
    at = m.cursor
    end = forward_word(m.text, at)
    if end != at:
        delete_text(m, at, end)
    m.cursor = at


def _backward_kill_word(m: _Edited) -> None:
    at = m.cursor
    start = backward_word(m.text, at)
    if start != at:
        delete_text(m, start, at)
        m.cursor = start


def _transpose_chars(m: _Edited) -> None:
    """rl_transpose_chars: the characters before and at the cursor change places (at the end
    of the line, the two before it); the cursor moves past them."""
    if not m.cursor or len(m.text) < 2:
        return
    at = m.cursor - (m.cursor == len(m.text))
    moved = m.text[at - 1]
    _group(m, "begin")
    m.cursor = at - 1
    delete_text(m, at - 1, at)
    m.cursor = at
    insert_text(m, moved, whole=True)
    _group(m, "end")


def _transpose_words(m: _Edited) -> None:
    """rl_transpose_words: the word at or before the cursor and the one before that change
    places; the cursor ends after the later one. Nothing happens with only one word."""
    text, at = m.text, m.cursor
    w2_end = forward_word(text, at)
    w2_beg = backward_word(text, w2_end)
    w1_beg = backward_word(text, w2_beg)
    w1_end = forward_word(text, w1_beg)
    if w1_beg == w2_beg or w2_beg < w1_end:
        return
    word1, word2 = text[w1_beg:w1_end], text[w2_beg:w2_end]
    _group(m, "begin")
    m.cursor = w2_beg
    delete_text(m, w2_beg, w2_end)
    insert_text(m, word1, whole=True)
    m.cursor = w1_beg
    delete_text(m, w1_beg, w1_end)
    insert_text(m, word2, whole=True)
    _group(m, "end")
    m.cursor = w2_end


def _recase(how: str) -> Callable[[_Edited], None]:
    def edit(m: _Edited) -> None:
        """rl_change_case: from the cursor to the end of the next word; the cursor after it."""
        start, end = m.cursor, forward_word(m.text, m.cursor)
        if start == end:
            return
        out, inword = [], False
        for c in m.text[start:end]:
            if not _alpha(c):
                inword = False
                out.append(c)
                continue
            up = how == "u" or (how == "c" and not inword)
            inword = True
            changed = c.upper() if up else c.lower()
            out.append(changed if len(changed) == 1 else c)  # towupper maps one to one
        _group(m, "begin")
        _add_undo(m, _Undo("delete", start, end, m.text[start:end]))
        _add_undo(m, _Undo("insert", start, end))
        _group(m, "end")
        m.text = m.text[:start] + "".join(out) + m.text[end:]
        m.cursor = end
    return edit


def _undo_one(m: _Edited) -> bool:
    """rl_do_undo: the last entry (a whole group) undone; False when the list is empty."""
    assert m.undo is not None
    if not m.undo:
        return False
    waiting = 0
    m.undoing = True
    try:
        while m.undo:
            entry = m.undo.pop()
            if entry.kind == "delete":
                m.cursor = min(entry.start, len(m.text))
                insert_text(m, entry.text)
            elif entry.kind == "insert":
                delete_text(m, entry.start, entry.end)
                m.cursor = min(entry.start, len(m.text))
            elif entry.kind == "end":
                waiting += 1
            elif waiting:
                waiting -= 1
            if not waiting:
                break
    finally:
        m.undoing = False
    return True


def _undo(m: _Edited) -> None:
    _undo_one(m)


def _revert_line(m: _Edited) -> None:
    while _undo_one(m):
        pass


def follows_undo(m: _Edited) -> bool:
    """Whether an undo key can be followed: every edit of the line so far was."""
    return m.undo is not None


def _delete_horizontal_space(m: _Edited) -> None:
    """rl_delete_horizontal_space (M-\\): the blanks around the cursor."""
    start = m.cursor
    while start and m.text[start - 1] in " \t":
        start -= 1
    end = m.cursor
    while end < len(m.text) and m.text[end] in " \t":
        end += 1
    if start != end:
        delete_text(m, start, end)
    m.cursor = start


def _vi_unix_word_rubout(m: _Edited) -> None:
    """rl_vi_unix_word_rubout (Ctrl-W in vi's insert mode): back to a blank or punctuation."""
    def boundary(c: str) -> bool:
        return c in " \t" or (c.isascii() and not c.isalnum() and c.isprintable())
    if not m.cursor:
        return
    i, text = m.cursor, m.text
    if i == len(text) and text[i - 1] in " \t":
        i -= 1
        while i > 0 and text[i] in " \t":
            i -= 1
    here = text[i] if i < len(text) else "\0"  # the line's end reads as NUL: no boundary
    if i > 0 and not boundary(here) and boundary(text[i - 1]):
        i -= 1
    here = text[i] if i < len(text) else "\0"
    if i > 0 and boundary(here):
        while i and boundary(text[i - 1]):
            i -= 1
    elif i > 0:
        while i > 0 and not boundary(text[i - 1]):
            i -= 1
    if i != m.cursor:
        delete_text(m, i, m.cursor)
        m.cursor = i


# Keys bash binds alike in emacs mode and in vi's insert mode, whatever the inputrc (checked with
# `bind -p` and `bind -m vi-insert -p`, with no inputrc and with Debian's: bash 5.2, TERM=xterm).
# Home and End keys other terminals send (\e[1~, \e[4~, \e[7~, \e[8~) are bound only by some
# inputrc files (bash inserts `~` where none does: attack e14ia, F7): not followed.
EDITS: dict[str, Callable[[_Edited], None]] = {
    "\x7f": _backspace, "\x08": _backspace, "\x1b[3~": _delete,
    "\x1b[H": _home, "\x1bOH": _home, "\x1b[F": _end, "\x1bOF": _end,
    "\x1b[D": _left, "\x1bOD": _left, "\x1b[C": _right, "\x1bOC": _right,
    "\x15": _kill_to_start, "\x14": _transpose_chars,
    "\x1b[1;5D": _backward_word, "\x1b[1;3D": _backward_word,
    "\x1b[1;5C": _forward_word, "\x1b[1;3C": _forward_word, "\x1b[3;5~": _kill_word,
}
# Keys only emacs mode binds so: vi's insert mode inserts Ctrl-A, Ctrl-E, Ctrl-B, Ctrl-F, Ctrl-K
# as text (attack e14ia, F2), Esc starts its command mode, and its undo groups a whole insert.
EMACS_EDITS: dict[str, Callable[[_Edited], None]] = {
    "\x04": _delete, "\x01": _home, "\x05": _end, "\x02": _left, "\x06": _right,
    "\x0b": _kill_to_end, "\x17": _rubout_word,
    "\x1bb": _backward_word, "\x1bf": _forward_word,
    "\x1bd": _kill_word, "\x1b\x7f": _backward_kill_word, "\x1b\x08": _backward_kill_word,
    "\x1bt": _transpose_words, "\x1b\\": _delete_horizontal_space,
    "\x1bu": _recase("u"), "\x1bl": _recase("l"), "\x1bc": _recase("c"),
    "\x1f": _undo, "\x18\x15": _undo, "\x1br": _revert_line,
}
# Meta with a capital letter is the small letter's (do-lowercase-version): Shift or Caps Lock.
EMACS_EDITS.update({"\x1b" + k.upper(): EMACS_EDITS["\x1b" + k] for k in "bfdtulcr"})
VI_INSERT_EDITS: dict[str, Callable[[_Edited], None]] = {"\x17": _vi_unix_word_rubout}
# Keys that walk the undo list, with every alias bound to the same command (M-R is M-r:
# attack j19i, finding 1), so that each is followed only while the list is known.
UNDO_KEYS = frozenset(key for key, edit in EMACS_EDITS.items()
                      if edit in {EMACS_EDITS[k] for k in ("\x1f", "\x18\x15", "\x1br")})
MOVES = frozenset({"\x01", "\x05", "\x02", "\x06", "\x1b[D", "\x1b[C", "\x1bOD", "\x1bOC",
                   "\x1b[H", "\x1bOH", "\x1b[F", "\x1bOF", "\x1bb", "\x1bf", "\x1b[1;5D",
                   "\x1b[1;3D", "\x1b[1;5C", "\x1b[1;3C"})
# Edits that move or delete by the character or the word: readline's character is a base with
# the zero-width characters after it, and its words and cases are glibc's (attack e14ia, F1 and
# F8); on a line holding such characters the model cannot be sure of them.
BY_CHARACTER = frozenset({"\x7f", "\x08", "\x1b[3~", "\x04", "\x1b[D", "\x1bOD", "\x1b[C",
                          "\x1bOC", "\x02", "\x06", "\x14", "\x17"})
BY_WORD = frozenset({"\x1bb", "\x1bf", "\x1bd", "\x1b\x7f", "\x1b\x08", "\x1bt", "\x1bu",
                     "\x1bl", "\x1bc", "\x1b[1;5D", "\x1b[1;3D", "\x1b[1;5C", "\x1b[1;3C",
                     "\x1b[3;5~", *("\x1b" + k for k in "BFDTULC")})


# The terminal's keys bash binds in vi's insert keymap (and its command keymap): readline reads
# each whole, as a key, not as Esc and a command (`bind -m vi-insert -p`, bash 5.2).
VI_TERMINAL_KEYS = frozenset({
    "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1bOA", "\x1bOB", "\x1bOC", "\x1bOD", "\x1b[H",
    "\x1b[F", "\x1bOH", "\x1bOF", "\x1b[3~", "\x1b[2~", "\x1b[5~", "\x1b[6~", "\x1b[1;3C",
    "\x1b[1;3D", "\x1b[1;5C", "\x1b[1;5D", "\x1b[3;5~", "\x1b[200~"})


def edit_for(key: str, emacs: bool) -> Callable[[_Edited], None] | None:
    """The edit readline makes for `key` (vi's command-mode keys come with a NUL in front and
    have none here), or None for a key the model does not follow."""
    edit = EDITS.get(key)
    if edit is None:
        edit = (EMACS_EDITS if emacs else VI_INSERT_EDITS).get(key)
    return edit
