"""Where the key reader's cut of the client's bytes may differ from readline's dispatch (attack
o24i): the reader cuts by the bytes (a run of text, Esc and a byte, a CSI key, a paste start),
readline by its dispatch state (a prefix waiting, a quoted-insert waiting, vi's command keymap,
its keyseq-timeout, keys the terminal driver takes before it: Ctrl-Q and Ctrl-S with IXON on,
the default). Wherever the two may differ, the key is cut and read as readline may read it,
and judged where either reading is a judge point (fail closed):

- a key after a prefix (Esc, Ctrl-X, kept across keys the driver may take) is one character:
  a text run after it is cut after its first character (`C-x g x`, `Esc ?x`), and in emacs
  mode it is read with the prefix (`Esc Ctrl-Q #` is M-#);
- a key starting with ESC after an Esc prefix is M-ESC (complete) to readline (`Esc Esc [A`);
- ESC[200~ is a paste start only where readline reads it as one: not after a prefix, a
  quoted-insert (Ctrl-V, Ctrl-Q), in vi's command keymap (which binds none) or while vi's
  state is in doubt; otherwise its bytes are keys, each judged as typed;
- in vi mode an Esc that came alone at a chunk's end may have run alone (the keyseq-timeout):
  an 8-bit byte after it is a key of its own, read as its meta key (`_META_VI`);
- in vi's command mode a key the driver may take (Ctrl-Q, Ctrl-S) leaves the keys after it in
  doubt: `#`, `v` and `@` are judged whatever the tracker takes them for (`_vi_search_doubt`);
- in vi mode an escape sequence neither vi keymap binds (bash 5.2, `bind -m vi-command -p`:
  `VI_TERMINAL_KEYS`) is a failed prefix to readline: Esc runs, and the bytes after it are vi
  commands (`ESC[1#x` is `1#`, `ESC O v` is `v`). It is cut so, as is one left unfinished at a
  chunk's end that no bound key begins with, and the keys after it stay in doubt (a key some
  terminal's termcap binds: attack q26i, finding 1);
- vi's command mode dispatches byte by byte: a character ends at the first byte that does not
  continue it (`F4 1#` is a bell, then `1#`: finding 3), and a byte 0x80-0x9F is a key of its
  own; a command's character argument is one byte in a C locale, so the bytes after its first
  are read as their meta keys too (`f` C3 8D is `f` 0xC3, then Enter: finding 2, `_meta_point`);
- attack s28i: readline also waits inside every multi-byte key it binds (`ESC [`, `ESC O`,
  `ESC [1;5`, `ESC [200`): after an ESC-led key the reader cut unfinished, a paste start is
  keys (finding 1), as it is while an incremental search may run (Ctrl-R, Ctrl-S: its ESC
  ends the search alone when the rest comes late) and when its first bytes came in an earlier
  chunk (finding 2); in emacs mode Esc + a character of several bytes is Esc + its lead byte
  (a bell in a C locale), and each byte after it a key of its own, read as its meta key
  (finding 3); a signal key (or any control key stty may have made one) inside a paste ends it
  for the gate: readline's paste read may have ended there (finding 4, `_break_paste`);
- attack u30i, finding 1: after a key that may list completions (Tab, M-?, M-=, C-x /, vi's
  `=`...), readline may ask "Display all N possibilities? (y or n)" or page with `--More--`,
  reading keys itself, outside its dispatch: a paste start there is bells and the paste's
  bytes typed keys. Until a line readline ran or dropped ends (`_asking`; the screen is no
  witness: attack w32i), a paste start is keys, and the line is never certain;
- attack v31i, finding 1: under a negative numeric argument quoted-insert quotes that many
  characters (`M-- 2 Ctrl-V x` quotes `x` and a paste start's ESC): a quoted-insert key while an
  argument may be pending (`_arg_loop`) leaves every later paste start of the line keys, and
  the line never certain (`_quoted_many`).

A mixin of `CommandLineTracker` (tracker.py), which holds the state it reads. Pure.
"""

from __future__ import annotations

from collections import deque

from bastion.command_control.terminal.edits import VI_TERMINAL_KEYS
from bastion.command_control.terminal.keys import (
    _CSI,
    _INTERRUPTS,
    _MAYBE_UNSEEN,
    _META_COMPLETE,
    _PASTE_END,
    _PASTE_START,
    _PREFIXES,
    _SEARCH_KEYS,
    _utf8_len,
)

# Keys after which readline reads the next character itself, a paste's first one included:
# quoted-insert (Ctrl-V, Ctrl-Q where IXON is off) and character-search (Ctrl-], M-Ctrl-],
# 0x9D in a C locale), which takes a paste's first character and feeds the rest back as keys
# (attack r27i, finding 1).
# Insert (`ESC [2~`): Debian's, Ubuntu's and RHEL's stock /etc/inputrc bind it to quoted-insert
# (attack u30i, finding 2); read so wherever it may be, a paste after it is keys.
_QUOTES = frozenset({"\x16", "\x11", "\x1d", "\x1b\x1d", "\x9d", "\x1b[2~"})
# What readline waits on after ESC in vi mode: the beginnings of the keys it binds there.
_VI_KEY_STARTS = frozenset(key[:n].encode() for key in VI_TERMINAL_KEYS for n in range(2, len(key)))
# Keys that may end readline's read of a bracketed paste: the tty's signal keys (intr, quit,
# susp: Ctrl-C, Ctrl-\\, Ctrl-Z by default), and any other control key but Tab, CR and LF, which
# `stty` may have made one (held by the policy; attack s28i, finding 4).
_PASTE_BREAKS = frozenset(chr(c) for c in (*range(0x20), 0x7F)) - {"\t", "\r", "\n", "\x1b"}
_PASTE_BROKEN = "a signal key came inside a paste: what readline kept of it is unknown"
_SEQ_BROKEN = "a key broke an unfinished escape sequence: readline dropped it"
_MAY_ASK = "a paste came while readline may ask about or page a completion listing"
_MANY_QUOTED = "a paste came after a quoted-insert under a numeric argument"
# readline's argument keys (M-0 ... M-9, M--); the digits and `-` after them go on with it.
_ARG_KEYS = frozenset({"\x1b-", *("\x1b" + digit for digit in "0123456789")})
# Completion's meta bytes in a C locale (emacs, and vi's Tab, Ctrl-N, Ctrl-P); vi's completion
# keys in either of its modes, where its mode is in doubt.
_META_LISTS = frozenset(_META_COMPLETE | {0x89, 0x8E, 0x90})
_VI_LISTS = frozenset("\x0e\x10*=\\")


# Control keys readline's incremental search acts on itself (isearch.c: search again, rub out,
# yank a word or the line, quoted-insert), and those the driver may take: any other control
# key, and any ESC-led key (ESC is an isearch terminator), ends the search.
_ISEARCH_GOES_ON = frozenset("\x12\x13\x17\x19\x7f\x08\x16\x11\x1a\x1c")


def _isearch_after(key: str, isearch: bool, quoted: bool) -> bool:
    """Whether readline's incremental search may still run after `key` (attack s28i, F2)."""
    if key in _SEARCH_KEYS:
        return True
    if not isearch or quoted or key in (_PASTE_START, _PASTE_END):
        return isearch
    return not (key[0] == "\x1b" or (len(key) == 1 and (key < " " or key == "\x7f")
                                     and key not in _ISEARCH_GOES_ON))


def _unfinished_escape(key: str) -> bool:
    """An ESC-led key the reader cut before its end (`ESC [`, `ESC [1;5`, `ESC O` broken by the
    next byte): readline may still wait inside a key sequence it binds (attack s28i, F1)."""
    if key[:2] == "\x1b[":
        return _CSI.fullmatch(key.encode("utf-8", "surrogateescape")) is None
    return key == "\x1bO"


def _char_len(key: bytes) -> int:
    """How many bytes of `key` make its first character as readline's dispatch reads it: one
    for ASCII, a byte that starts no character (0x80-0xBF) and a lead byte whose next byte does
    not continue it (attack q26i, finding 3)."""
    n = _utf8_len(key[0]) if key[0] >= 0xC0 else 1
    for at in range(1, min(n, len(key))):
        if not 0x80 <= key[at] <= 0xBF:
            return at
    return min(n, len(key))


class _FollowsDispatch:
    """Readline's dispatch state as far as the key reader's cut depends on it."""

    _listing_at: int | None = None  # the output count at the last key that may list
    _arg_loop = False  # a numeric argument may wait for its command (readline's digit loop)
    _quoted_many = False  # a quoted-insert took an argument: how many keys it quotes, unknown

    def _note_argument(self, key: str) -> None:
        """Whether a numeric argument may wait after `key`: an argument key (also after an Esc
        prefix, and a byte that is not UTF-8: a C locale's M-digit), the digits and `-` that
        go on with it, and prefix keys and keys the driver may take between it and its command.
        A quoted-insert that takes one quotes several keys (attack v31i, finding 1)."""
        if self._arg_loop and (key in _QUOTES or key.endswith("\ufffd")):
            self._quoted_many = True
        if key in _ARG_KEYS or "\ufffd" in key or (
                self._last_prefix == "\x1b" and len(key) == 1 and key in "-0123456789") or any(
                b == 0xAD or 0xB0 <= b <= 0xB9 for b in key.encode("utf-8", "surrogateescape")):
            # (a C locale's M-- and M-digit, inside a valid UTF-8 character too: x33i, F6)
            self._arg_loop = True
        elif self._arg_loop and key.strip("0123456789-") and key not in _PREFIXES \
                and key not in _MAYBE_UNSEEN:
            self._arg_loop = False

    def _lists(self, key: str) -> bool:
        """Whether readline may list completions at `key` (and so ask or page): the keys that
        complete in the mode readline may be in, after a prefix or not, and a byte that is not
        UTF-8 (a C locale's completion meta key)."""
        prev = self._last_prefix
        k = self._with_prefix(key, prev)
        if "\ufffd" in key or any(b in _META_LISTS for b in key.encode("utf-8", "surrogateescape")):
            return True
        for b in key.encode("utf-8", "surrogateescape"):
            # a C locale reads each byte >= 0x80 as Esc + its low seven bits, one inside a
            # valid UTF-8 character too (C7 B1 is M-G M-1: attack x33i, finding 5)
            meta = "\x1b" + chr(b & 0x7F)
            if b >= 0x80 and (self._completes(meta, "") or self._completes(meta.lower(), "")):
                return True
        return self._completes(k, prev) or self._completes(k.lower(), prev) or (
            self._vi and (self._vi_command_now() or self._vi_search_doubt) and (
                any(c in _VI_LISTS for c in key) or "\t" in key))

    def _asking(self, key: str) -> str:
        """At a paste start after a key that may list, until a line readline ran or dropped
        ends: why the paste start may be keys readline reads outside its dispatch (its "(y or
        n)" question, its `--More--` pager). The screen is no witness that readline left them:
        a resize (SIGWINCH) redraws the line while the question waits, a narrow window wraps
        the question, and a background job writes there too (attack w32i, findings 1, 2, 4).
        Attack u30i, finding 1."""
        if key != _PASTE_START or self._in_paste:
            return ""
        if self._quoted_many:
            return _MANY_QUOTED
        return _MAY_ASK if self._listing_at is not None else ""

    def _esc_alone(self, data: bytes) -> None:
        """vi mode: the Esc left at the end of the last chunk went alone, and readline's
        keyseq-timeout may have run it (command mode) before these bytes came. An 8-bit byte
        after it is then a key of its own (in a C locale its low seven bits: 0x8D is Enter),
        not "Alt + byte" (attack o24i, finding 1)."""
        if self._vi and self._keys.pending == b"\x1b" and data and data[0] >= 0x80:
            self._keys.pending = b""
            self._on_key(b"\x1b")  # its byte went already

    def _dispatch_cut(self, key: bytes) -> tuple[bytes, bytes]:
        """The key as readline takes it and the rest: after a prefix (or a quoted-insert) only
        one character completes it, and the rest of a text run is keys of its own (attack o24i,
        findings 6 and 7); in vi's command mode each character is a command (`x`, then `v`),
        one at a time; in vi mode an escape sequence no keymap binds is Esc and commands."""
        if len(key) < 2 or self._in_paste:
            return key, b""
        if self._seq_open and key[0] == 0x1B and (self._emacs_too or not self._vi):
            # The ESC that breaks an unfinished key sequence is readline's bell: the bytes
            # after it are keys from the top (`ESC [`, `ESC 1`, `ESC #` is M-1 M-#: s28i)
            return key[:1], key[1:]
        if self._vi and key[0] == 0x1B and key[1:2] in b"[O" and len(key) > 2 and (
                key.decode("latin-1") not in VI_TERMINAL_KEYS
                or (self._vi_command_now() and (self._vi_argument is True or self._vi_operator))):
            # Unbound (or read by a command that waits for its key): Esc, then commands
            # (attack q26i, finding 1). Which a terminal's own bindings add is unknown: doubt.
            self._vi_search_doubt = True
            return key[:1], key[1:]
        if key[0] == 0x1B and key[1] >= 0xC0 and len(key) > 2 and (self._emacs_too or not self._vi):
            # Esc + a character of several bytes: readline's Esc keymap takes the lead byte (a
            # bell in a C locale), and each byte after it is a key (attack s28i, finding 3).
            return key[:2], key[2:]
        if key[0] < 0x20 or key[0] == 0x7F:
            return key, b""
        if self._vi and self._vi_command_now():
            n = _char_len(key)  # byte-wise dispatch: C1 bytes, bad UTF-8 too (q26i, finding 3)
            return key[:n], key[n:]
        if (self._last_prefix or self._quoted) and not 0x80 <= key[0] <= 0x9F:
            n = _char_len(key)
            return key[:n], key[n:]
        return key, b""

    def _take_unfinished(self, keys: deque[bytes]) -> bool:
        """Every key read: a key the reader keeps for its end that readline dispatched already
        is taken as a key now. vi mode: an escape sequence no key readline binds begins with
        (`ESC[1#` is Esc, `1#`: attack q26i, finding 1); emacs mode: Esc + a character of
        several bytes with a byte after its lead (`ESC E0 85`: attack s28i, finding 3)."""
        pending = self._keys.pending
        if keys or self._in_paste or pending[:1] != b"\x1b":
            return False
        if len(pending) > 2 and pending[1] >= 0xC0 and (self._emacs_too or not self._vi):
            keys.append(pending)
            self._keys.pending = b""
            return True
        if not self._vi or pending[1:2] not in (b"[", b"O") or pending in _VI_KEY_STARTS:
            return False
        keys.append(pending)
        self._keys.pending = b""
        return True

    def _dispatch_clean(self, key: str) -> bool:
        """Whether readline reads `key` from the top of its keymap, so that a paste start is a
        paste: no prefix waiting, no quoted-insert waiting, not vi's command keymap, nor a vi
        command waiting for its key, nor vi's state in doubt. Also notes whether `key` leaves a
        quoted-insert waiting (kept across keys the terminal driver may take)."""
        if self._in_paste:
            self._quoted = self._seq_open = self._eaten = False
            return True
        if self._lists(key):
            self._listing_at = self._out_seq
        self._note_argument(key)
        quoted, seq_open = self._quoted, self._seq_open
        self._eaten = (seq_open and key not in _MAYBE_UNSEEN and key not in _INTERRUPTS
                       and (self._emacs_too or not self._vi))
        # A byte that is no UTF-8 ends in U+FFFD: in a C locale 0x9D is M-C-] (r27i, 1).
        self._quoted = ((key in _QUOTES or key.endswith("\ufffd")) and not quoted) or (
            quoted and key in _MAYBE_UNSEEN)
        # readline may wait inside a key sequence (s28i, F1), kept across keys the driver takes
        self._seq_open = _unfinished_escape(key) or (seq_open and key in _MAYBE_UNSEEN)
        isearch, self._isearch = self._isearch, _isearch_after(key, self._isearch, quoted)
        if quoted or seq_open or self._last_prefix or self._prefix:
            return False
        if key == _PASTE_START and (self._joined or isearch):
            # Its ESC came alone in an earlier chunk, where a timeout may have run it alone
            # (isearch: 0.1 s, vi: keyseq-timeout), or an incremental search may run, whose ESC
            # ends it and leaves `[200~` to be typed (attack s28i, finding 2).
            return False
        return not (self._vi and (self._vi_command_now() or self._vi_meta_at is not None
                                  or self._vi_argument or self._vi_operator
                                  or self._vi_search_doubt))

    def _eaten_key(self, key: str, model) -> bool:
        """The key that broke an unfinished key sequence: readline rings its bell and drops
        it (`ESC [`, Ctrl-X, Ctrl-E is no C-x C-e; `ESC [`, Ctrl-V, Ctrl-O runs the line), so it
        is no prefix and no edit; a key of several bytes (8-bit text) lost its first. Either
        way the line is read as the screen shows it, never certain (attack s28i)."""
        if not self._eaten:
            return False
        model.suspect = model.suspect or _SEQ_BROKEN
        self._vi_search_doubt = self._vi_search_doubt or self._vi
        return len(key) == 1

    def _break_paste(self, model) -> None:
        """A signal key inside a paste: readline may have left its paste read (SIGINT drops the
        line), so the keys after it are keys, each judged (attack s28i, finding 4)."""
        self._in_paste = False
        model.end_paste()
        model.suspect = model.suspect or _PASTE_BROKEN

    def _with_prefix(self, key: str, prev: str) -> str:
        """Emacs mode: the key after an Esc prefix as readline dispatches it, Esc and the key
        (`Esc Ctrl-Q #` is M-#, attack o24i finding 7); any key starting with ESC after it is
        M-ESC, which completes (finding 5)."""
        if self._vi or prev != "\x1b":
            return key
        if key.startswith("\x1b"):
            return "\x1b\x1b"
        return "\x1b" + key if len(key) == 1 else key
