"""The client's keys: the reader that cuts client bytes into keys, what readline does with each
key (`READLINE_KEYS`, the emacs and vi tables), and the segments `feed_input` returns.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_PASTE_START = "\x1b[200~"
_PASTE_END = "\x1b[201~"
_CTRL_C = "\x03"
_CANCEL_LINE = b"\x05\x15"  # Ctrl-E (end of line), Ctrl-U (kill to its start)

# Longest escape sequence taken from the client (real keys are under 16 bytes); one left open
# longer is cut, or a client could make every chunk rescan all it sent since.
_MAX_KEY_ESCAPE = 64

_SEARCH_KEYS = frozenset({"\x12", "\x13"})  # Ctrl-R, Ctrl-S

# The class of readline (bash 5.2) default bindings that finish a line or run code, from
# readline's emacs_keymap.c and vi_keymap.c and bash's bashline.c, and what the tracker does
# with each: (readline function, keys, editing mode, what the gate does). Keys a user binds
# (inputrc, `bind`) are out of sight: the backstop (`take_unjudged`) sees the lines they end.
READLINE_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("accept-line", "C-m, C-j", "emacs, vi", "judged: accept"),
    ("operate-and-get-next", "C-o", "emacs",
     "judged: accept (vi's insert mode inserts ^O: judged there too once either mode may read)"),
    ("insert-comment", "M-# (Esc #)", "emacs, vi", "judged: comment (as if uncommented)"),
    ("insert-comment", "#", "vi command", "judged: comment"),
    ("edit-and-execute-command", "C-x C-e", "emacs", "judged: edit (policy's unknown)"),
    ("vi-edit-and-execute-command", "v, Esc v", "vi command", "judged: edit (unknown)"),
    ("shell-expand-line", "M-C-e (Esc C-e)", "emacs", "judged: expand (runs $( ) now)"),
    ("call-last-kbd-macro", "C-x e", "emacs", "judged: macro (unknown)"),
    ("posix-edit-macros", "@x (alias _x)", "vi command", "judged: macro (unknown)"),
    ("emacs-editing-mode", "C-e", "vi command (bash unbinds)",
     "sent: either mode may read on after it (attack H, finding 4)"),
    ("vi-editing-mode", "M-C-j, M-C-m", "emacs (bash unbinds)",
     "judged: accept, a conditional credit (unbound: readline rings its bell)"),
    ("vi-eof-maybe", "C-d on a line that is not empty", "vi insert, vi command",
     "judged: accept (readline's rl_newline: the line runs; attack e14ia, F0)"),
    ("delete-char / vi-eof-maybe", "C-d on an empty line", "emacs, vi",
     "not judged at the primary prompt: EOF, no line runs; the backstop expects its end"),
    ("delete-char / vi-eof-maybe", "C-d on an empty continuation line", "emacs, vi",
     "judged: eof (the statement as bash runs it at EOF)"),
    ("(terminal driver VEOF, no line editor)", "C-d on a non-empty line", "sh, dash",
     "judged: flush (the driver hands the line over unended; a second C-d is EOF and runs it)"),
    ("convert-meta (C locale)", "a byte >= 0x80 read as Esc + (byte & 0x7f)", "emacs, vi",
     "judged where that is a judge point (0x85, 0xA3, 0xF6; vi: 0xC0, 0x8D, 0x8A)"),
    ("re-read-init-file", "C-x C-r", "emacs", "judged: rebind (unknown: it loads bindings)"),
    ("history-expand-line, tilde-expand, glob-expand-word, spell-correct-word, "
     "alias-expand-line, magic-space (unbound)", "M-^, M-&, C-x *, C-x s", "emacs",
     "not judged: they change text only; the line is read from the screen"),
    ("complete and its variants", "Tab, M-/, M-!, M-$, M-~, M-@, C-x /, ...", "emacs, vi",
     "not judged: programmable completion may run code (complete -C/-F: the policy's)"),
)
_INTERRUPTS = frozenset({"\x03", "\x1a", "\x1c"})  # Ctrl-C, Ctrl-Z, Ctrl-\\ (signals from the tty)
# Ctrl-Z and Ctrl-\\ send SIGTSTP and SIGQUIT, which interactive bash ignores at its prompt:
# readline keeps its line. Only Ctrl-C (readline's SIGINT handler) drops it there.
_IGNORED_AT_PROMPT = frozenset({"\x1a", "\x1c"})
# Keys the terminal driver may take before readline sees them: the ignored signals above, and
# Ctrl-S / Ctrl-Q while flow control (IXON) is on. They never complete a prefix readline holds.
_MAYBE_UNSEEN = frozenset({"\x1a", "\x1c", "\x13", "\x11"})
# 8-bit meta: in a C/POSIX locale readline (convert-meta on) reads a byte >= 0x80 as Esc and
# the byte & 0x7f. The bastion cannot know the target's locale, so each such byte whose meta
# key is a judge point is judged before it is sent (in a UTF-8 locale it is part of a character:
# the line so far is judged, and the line goes on). Esc CR is accept-line in vi mode only
# (bash unbinds M-C-m in emacs mode); 0xF6 (Esc v) and 0xC0 (Esc @) are never in UTF-8 text.
# Completion's meta keys (M-Esc, M-?, M-*, M-=, M-!, M-Tab, M-/, M-~, M-$, M-{; vi's Esc *, Esc
# =, Esc \\) expand the word at the cursor: judged only on a line that holds code (k20i, F2).
_META_COMPLETE = frozenset({0x9B, 0xBF, 0xAA, 0xBD, 0xA1, 0x89, 0xAF, 0xFE, 0xA4, 0xFB, 0xDC})
_META_EMACS = {0x85: "expand", 0xA3: "comment", 0xF6: "edit",
               **dict.fromkeys(_META_COMPLETE - {0xDC}, "complete")}
# In vi mode bash 5.2 takes such a byte as its low seven bits alone (attack m22i): 0x84 is
# Ctrl-D (vi-eof-maybe accepts a line that is not empty), 0x89, 0x8E, 0x90 are Tab, Ctrl-N,
# Ctrl-P (completion), 0x9B is Esc (command mode: judged as insert-comment would run the line,
# and the mode is read again from the answer, as for other 8-bit text).
_META_VI = {0x85: "expand", 0xA3: "comment", 0xF6: "edit", 0xC0: "macro", 0x8D: "accept",
            0x8A: "accept", 0x84: "accept", 0x9B: "comment",
            **dict.fromkeys({0xAA, 0xBD, 0xDC, 0x89, 0x8E, 0x90}, "complete")}
_META_EMACS_RE = re.compile(b"[" + bytes(sorted(_META_EMACS)) + b"]")
_META_VI_RE = re.compile(b"[" + bytes(sorted(_META_VI)) + b"]")
# Keys that complete or expand the word at the cursor, which bash expands (substitutions too):
# emacs's (as one key or after an Esc prefix), and those after Ctrl-X; vi's in each mode.
COMPLETE_KEYS = frozenset({"\t", "\x1b\x1b", "\x1b?", "\x1b*", "\x1b=", "\x1b!", "\x1b\t", "\x1b/",
                           "\x1b~", "\x1b$", "\x1b@", "\x1b{", "\x1bg"})
COMPLETE_AFTER_CTRL_X = frozenset("g*/~$@!")
VI_INSERT_COMPLETE = frozenset({"\t", "\x0e", "\x10"})
VI_COMMAND_COMPLETE = frozenset({"*", "=", "\\", "\t"})

_VI_MOTIONS = frozenset(" hl^$0ftFT;,%wbeWBE|`")  # readline's vi motions (rl_vi_domove)
_VI_JUDGED: dict[str, How] = {"#": "comment", "v": "edit", "@": "macro"}
_VI_INSERT = frozenset("iaIAsSCR")  # vi commands that leave command mode for text
_VI_OPERATORS = frozenset("cdy")  # vi commands that take a motion (`c` then inserts)
# vi commands whose next key is their argument, not a command (bash 5.2's vi-command keymap:
# vi-change-char, vi-char-search, vi-set-mark, vi-goto-mark, quoted-insert).
_VI_TAKES_CHAR = frozenset("rfFtTm`\x16\x11")

_PREFIXES = frozenset({"\x18", "\x1b"})  # Ctrl-X and a lone Esc (emacs): the next key completes them


@dataclass(frozen=True)
class Forward:
    """Client bytes to pass to the target now."""

    data: bytes


How = Literal["accept", "comment", "edit", "expand", "macro", "rebind", "eof", "flush", "complete"]
# From the mildest to the strictest: what a key read in two ways is taken for (None: no judge
# point); code decided only at run time (an editor, a macro, new bindings) last.
_HOW_STRICTNESS: tuple[How | None, ...] = (None, "complete", "accept", "flush", "eof", "comment", "expand",
                                           "macro", "edit", "rebind")


@dataclass(frozen=True)
class Submit:
    """A key that may make the shell run something. `key` reaches the target only if the verdict
    on `reconstruct()` allows it; `rest` is client input after it, not yet looked at (feed it
    after `resolve(sent=True)`). `how` is what readline does with the line (see READLINE_KEYS)."""

    key: bytes
    rest: bytes
    how: How = "accept"
    meta: bool = False  # an 8-bit byte read as its meta key (see _META_EMACS)


@dataclass(frozen=True)
class Pause:
    """Forwarded up to a key the line model does not follow (Tab, Up, Ctrl-R, ...): `rest` is
    client input after it, to feed once the target has answered, as if typed slowly."""

    rest: bytes


_CSI = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]")
_CSI_START = re.compile(rb"\x1b\[[0-?]*[ -/]*")
_TEXT_RUN = re.compile(rb"[\x20-\x7e\x80-\xff]+")
_C1 = re.compile(r"([\x80-\x9f])")


class _KeyReader:
    """Splits client bytes into keys, as bytes: runs of printable text, control characters, and
    escape sequences. An escape sequence or a UTF-8 character cut by the end of a chunk is kept
    for the next one (its bytes have been forwarded; only the reading waits)."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, data: bytes) -> list[bytes]:
        buf = self.pending + data
        self.pending = b""
        keys = []
        pos, n = 0, len(buf)
        while pos < n:
            byte = buf[pos]
            if byte == 0x1B:
                end = self._escape_end(buf, pos)
                if end is None:
                    self.pending = buf[pos:]
                    break
            elif byte < 0x20 or byte == 0x7F:
                end = pos + 1
            else:
                end = _TEXT_RUN.match(buf, pos).end()
                if end == n:
                    cut = _utf8_complete(buf, pos)
                    if cut < n:
                        if cut > pos:
                            keys.append(buf[pos:cut])
                        self.pending = buf[cut:]
                        break
            keys.append(buf[pos:end])
            pos = end
        return keys

    @staticmethod
    def _escape_end(buf: bytes, pos: int) -> int | None:
        n = len(buf)
        if pos + 1 == n:
            return None
        nxt = buf[pos + 1]
        if nxt == 0x5B:  # [
            m = _CSI.match(buf, pos)
            if m:
                return m.end()
            start = _CSI_START.match(buf, pos).end()
            if start == n and start - pos < _MAX_KEY_ESCAPE:
                return None  # cut short by the end of the chunk
            return start  # broken by another character, or too long to be a key
        if nxt == 0x4F:  # O
            if pos + 2 == n:
                return None
            return pos + 3 if 0x20 <= buf[pos + 2] <= 0x7E else pos + 2
        if nxt < 0x20 or nxt == 0x7F:
            return pos + 1  # a lone Esc
        if nxt >= 0xC0:  # Alt + a character of several bytes
            return _utf8_end(buf, pos + 1)
        return pos + 2  # Alt + key

    def flush(self) -> list[bytes]:
        """Whatever is held back, as a key (at the end of the channel)."""
        rest, self.pending = self.pending, b""
        return [rest] if rest else []


def _utf8_len(lead: int) -> int:
    return 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1


def _utf8_end(buf: bytes, lead: int) -> int | None:
    """Where the character whose lead byte is buf[lead] ends: at the first byte that is not a
    continuation byte (0x80-0xBF), which is a key of its own (attack e14ib: `Esc 0xC3 CR` must
    not take the Enter into the character), or None while the chunk ends before it does."""
    end = lead + _utf8_len(buf[lead])
    for at in range(lead + 1, end):
        if at == len(buf):
            return None
        if not 0x80 <= buf[at] <= 0xBF:
            return at
    return end


def _utf8_complete(buf: bytes, start: int) -> int:
    """Where the complete UTF-8 characters of buf[start:] end: an unfinished character at the
    end (its lead byte within the last 3 bytes) is left out."""
    n = len(buf)
    for back in range(1, min(4, n - start + 1)):
        byte = buf[n - back]
        if byte >= 0xC0:
            return n - back if back < _utf8_len(byte) else n
        if byte < 0x80:
            return n
    return n


def _key_text(key: bytes, errors: str = "replace") -> list[str]:
    """A key as the line model takes it: a run of text (split at C1 controls, which are keys of
    their own), a control character or an escape sequence. Bytes that are not UTF-8 are U+FFFD,
    or with errors="surrogateescape" a lone surrogate each, from which the byte comes back."""
    text = key.decode("utf-8", errors)
    if (key[0] < 0x20 or key[0] == 0x7F) or not _C1.search(text):
        return [text]
    return [part for part in _C1.split(text) if part]


def _is_text(key: str) -> bool:
    """A run of printable characters, as opposed to a control key or an escape sequence."""
    return key[0] >= " " and key[0] != "\x7f" and not "\x80" <= key[0] <= "\x9f"
