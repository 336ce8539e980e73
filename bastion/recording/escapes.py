"""Recorded terminal output, filtered so that replaying it cannot act on the viewer's terminal.

`bastion replay` writes what a target printed to the supervisor's own terminal. That output was
written by whoever had the session, so it is hostile: besides drawing, escape sequences can set
the viewer's clipboard, make their terminal type an answer into whatever reads it next (their
shell, once the replay ends), or change how their terminal behaves afterwards. `ReplayFilter`
keeps what draws the screen (text, colours and attributes, cursor movement, erasing, scroll
regions, the alternate screen, line-drawing character sets) and drops everything else: an
allowlist, so a sequence nobody thought of is dropped too.

Dropped, and why each is dangerous to the viewer:
- OSC, every one: 52 reads or sets the clipboard (`OSC 52;c;?` answers with its contents);
  0, 1 and 2 set the window title, which a title report (`CSI 21 t`) types back; 4, 10-19 and
  104-119 set colours or, with `?`, answer with them; 7 and 1337 (iTerm2) name files, transfer
  them or report; 8 makes a link whose text differs from where it goes; 9 and 777 raise desktop
  notifications; 50 queries the font.
- DCS, SOS, PM and APC strings, every one: DECRQSS (`DCS $ q`) and XTGETTCAP (`DCS + q`) answer
  with input; DECUDK redefines what the function keys type; tmux passthrough (`DCS tmux;`)
  smuggles any sequence to the terminal outside; sixel and kitty graphics (APC) query and answer.
- Queries that make the terminal answer on its input: DA1/DA2/DA3 (`CSI c`, `CSI > c`,
  `CSI = c`), DSR and CPR (`CSI n`, `CSI ? n`), DECREQTPARM (`CSI x`), DECRQM (`CSI $ p`),
  DECRQCRA (`CSI * y`), XTVERSION (`CSI > q`), the kitty keyboard query (`CSI ? u`), window
  reports (`CSI t`, together with every other window operation: resize, move, iconify, raise),
  DECID (`ESC Z`) and ENQ (answerback).
- Modes that make the terminal send input later, or change what keys send after the replay:
  mouse reporting (`?9`, `?1000`-`?1006`, `?1015`, `?1016`), focus events (`?1004`), bracketed
  paste (`?2004`), application cursor keys and keypad (`?1`, `?66`), modifyOtherKeys and the
  kitty keyboard protocol (`CSI > ... m`, `CSI > u`), 8-bit responses (`ESC SP G`, DECSCL),
  keyboard lock (`CSI 2 h`), send/receive and newline modes (`CSI 12 h`, `CSI 20 h`), and any
  private mode not in KEPT_DEC_MODES.
- Printing (`CSI i`: media copy and printer passthrough), 132-column switching (`?3`), erasing
  the viewer's scrollback (`CSI 3 J`), LED and conformance settings, character set switching out
  of UTF-8 (`ESC %`), and C0 controls other than BS, HT, LF, VT, FF, CR, SO, SI and BEL.
- C1 controls sent as characters (U+0080-U+009F, which many terminals obey as controls) are
  read as their 7-bit form (U+009B as `ESC [`) and filtered by the same rules; numbers longer
  than five digits drop their sequence (a `CSI 999999999 b` repeat would freeze the terminal).

Also dropped, because they outlast the replay: tab stop changes (`ESC H`, `CSI g`). A full reset
(`ESC c`) becomes a clear screen, so the viewer's scrollback and settings survive. At the end,
`close` undoes what the recording changed and left changed (attributes, the alternate screen,
the scroll region, origin, insert and keypad modes, character sets, the cursor's visibility
and style).

Whatever this writes was parsed from the ground state by this filter, and only whole kept
sequences and plain text are written, so the viewer's terminal is in its ground state after
every write: a sequence split across events, or a malformed one, cannot start in the viewer's
terminal and end in text the filter took for plain.
"""

from __future__ import annotations

import functools
import re

from bastion.text import digits

__all__ = ["KEPT_DEC_MODES", "ReplayFilter"]

ESC = "\x1b"
# C0 controls passed through: BEL, BS, HT, LF, VT, FF, CR, SO, SI. Everything else, including
# ENQ (which makes a terminal send its answerback), NUL and DEL, is dropped.
_KEPT_C0 = frozenset("\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f")
# Characters that need a look: C0, DEL and C1. Runs of anything else pass at once.
_SPECIAL = re.compile("[\x00-\x1f\x7f-\x9f]")

# CSI finals (no prefix, no intermediates) that only draw or move: insert, cursor moves, erase,
# insert/delete lines and characters, scroll, tab moves, repeat, attributes, margins, save and
# restore the cursor. Checked further in `_csi_kept`: ED (J) keeps 0-2 (3 erases the viewer's
# scrollback); T keeps one parameter at most (five is xterm's mouse highlight tracking); u
# keeps none (restore cursor; with parameters it is a keyboard protocol).
_KEPT_CSI = frozenset("@ABCDEFGHIJKLMPSTXZ`abdefmrsu")
# Private modes (`CSI ? N h/l`) that only change the picture: reverse video, origin mode,
# autowrap, cursor blink and visibility, the alternate screen and its cursor save.
KEPT_DEC_MODES = frozenset({5, 6, 7, 12, 25, 47, 1047, 1048, 1049})
_ALT_SCREEN = frozenset({47, 1047, 1049})
_KEPT_ANSI_MODES = frozenset({4})  # insert mode; KAM (2), SRM (12) and LNM (20) act on input
# ESC finals kept alone: save/restore cursor, keypad modes, index, next line, reverse index.
_KEPT_ESC = frozenset("78=>DEM")
_CHARSET_INTRO = frozenset("()*+-./")   # ESC ( B and friends: designate a character set
_MAX_SEQUENCE = 256  # characters of a CSI kept in memory; a longer one is dropped
_MAX_NUMBER = 5      # digits in one parameter
_PARAMS = re.compile(r"[0-9:;]*")
_WHOLE_CSI = re.compile(f"\x1b\\[([\x20-\x3f]{{0,{_MAX_SEQUENCE}}})([\x40-\x7e])")

# What `close` writes for each state the recording left changed, in this order. Restoring the
# scroll region moves the cursor home, so the cursor is saved around it.
_RESTORE = {
    "alt": "\x1b[?1049l", "margins": "\x1b7\x1b[r\x1b8", "?6": "\x1b[?6l", "sgr": "\x1b[0m",
    "irm": "\x1b[4l", "?5": "\x1b[?5l", "?7": "\x1b[?7h", "?12": "\x1b[?12l", "?25": "\x1b[?25h",
    "charset": "\x0f\x1b(B", "keypad": "\x1b>", "cursor-style": "\x1b[0 q",
}
# Private modes whose `h` is the change from the default (for ?7 and ?25 it is `l`).
_MODE_KEYS = {5: ("?5", "h"), 6: ("?6", "h"), 7: ("?7", "l"), 12: ("?12", "h"), 25: ("?25", "l")}

_GROUND, _ESCAPE, _ESC_INTER, _CSI, _STRING, _STRING_ESC = range(6)


class ReplayFilter:
    """Feed it recorded output in any chunks; it returns what may be written to a viewer.

    A sequence split across `feed` calls is held until it is complete. `close()` returns what
    puts the viewer's terminal back (call it once, after the last `feed`).
    """

    def __init__(self) -> None:
        self._state = _GROUND
        self._seq: list[str] = []
        self._overflow = False
        self._changed: set[str] = set()

    def feed(self, text: str) -> str:
        """The part of `text` (with what was held from before) that is safe to write."""
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            if self._state == _GROUND:
                m = _SPECIAL.search(text, i)
                end = n if m is None else m.start()
                if end > i:
                    out.append(text[i:end])
                if m is None:
                    break
                i = end
                # The common case, a whole CSI in this chunk, in one step.
                if (csi := _WHOLE_CSI.match(text, i)) is not None:
                    kept = _csi_kept(csi.group(1), csi.group(2), self._changed)
                    if kept is not None:
                        out.append(kept)
                    i = csi.end()
                    continue
            ch = text[i]
            i += 1
            code = ord(ch)
            if 0x80 <= code <= 0x9f:  # C1 as a character: its 7-bit form, ESC + letter
                self._step(ESC, out)
                self._step(chr(code - 0x40), out)
            else:
                self._step(ch, out)
        return "".join(out)

    def close(self) -> str:
        """What restores the viewer's terminal from the states the recording changed."""
        self._state, self._seq, self._overflow = _GROUND, [], False
        restore = "".join(text for key, text in _RESTORE.items() if key in self._changed)
        self._changed.clear()
        return restore

    # -- the parser: ECMA-48 and the DEC VT parser, reduced to what is kept ------------------

    def _step(self, ch: str, out: list[str]) -> None:
        state = self._state
        if state == _STRING_ESC:
            # ST (ESC \\) ends the string; an ESC followed by anything else ends it too and
            # starts that sequence, as in xterm.
            self._state = _GROUND
            if ch != "\\":
                self._step(ESC, out)
                self._step(ch, out)
            return
        if state == _STRING:   # OSC, DCS, SOS, PM, APC: nothing of it is kept
            if ch == ESC:
                self._state = _STRING_ESC
            elif ch in "\x07\x18\x1a":   # BEL ends an OSC; CAN and SUB abandon any string
                self._state = _GROUND
            return
        if ch in "\x18\x1a":       # CAN, SUB: abandon any sequence
            self._state = _GROUND
            return
        if ch == ESC:
            self._state, self._seq, self._overflow = _ESCAPE, [], False
            return
        if ord(ch) < 0x20:         # in the ground, or inside a sequence, where it acts at once
            if ch in _KEPT_C0:
                out.append(ch)
                if ch == "\x0e":
                    self._changed.add("charset")
            return
        if state == _ESCAPE:
            self._escape(ch, out)
        elif state == _ESC_INTER:
            self._esc_inter(ch, out)
        elif state == _CSI:
            self._csi(ch, out)

    def _escape(self, ch: str, out: list[str]) -> None:
        if ch == "[":
            self._state = _CSI
        elif ch in "]PX^_":        # OSC, DCS, SOS, PM, APC
            self._state = _STRING
        elif "\x20" <= ch <= "\x2f":
            self._state, self._seq = _ESC_INTER, [ch]
        else:
            self._state = _GROUND
            if ch in _KEPT_ESC:
                out.append(ESC + ch)
                if ch == "=":
                    self._changed.add("keypad")
            elif ch == "c":        # a full reset would clear the viewer's scrollback and settings
                out.append("\x1b[0m\x1b[H\x1b[2J")

    def _esc_inter(self, ch: str, out: list[str]) -> None:
        if "\x20" <= ch <= "\x2f":
            if len(self._seq) < 2:   # no kept sequence has more than one intermediate
                self._seq.append(ch)
            return
        self._state = _GROUND
        intro = "".join(self._seq)
        if intro in _CHARSET_INTRO or (intro == "#" and ch in "34568"):
            out.append(ESC + intro + ch)
            if intro in _CHARSET_INTRO:
                self._changed.add("charset")

    def _csi(self, ch: str, out: list[str]) -> None:
        if not "\x40" <= ch <= "\x7e":
            if len(self._seq) < _MAX_SEQUENCE:
                self._seq.append(ch)
            else:
                self._overflow = True
            return
        self._state = _GROUND
        if not self._overflow:
            kept = _csi_kept("".join(self._seq), ch, self._changed)
            if kept is not None:
                out.append(kept)


Changes = tuple[tuple[str, bool], ...]   # (state key, True: now changed, False: back to default)


def _csi_kept(body: str, final: str, changed: set[str]) -> str | None:
    """The CSI sequence to write for parameters and intermediates `body` and `final`, or None;
    notes in `changed` what the kept sequence leaves different from a fresh terminal."""
    kept, changes = _csi_decision(body, final)
    for key, now_changed in changes:
        (changed.add if now_changed else changed.discard)(key)
    return kept


@functools.lru_cache(maxsize=4096)
def _csi_decision(body: str, final: str) -> tuple[str | None, Changes]:
    # Pure, so cached: a recording repeats the same few sequences (colours, moves) throughout.
    prefix = body[:1] if body[:1] in ("?", ">", "<", "=") else ""
    rest = body[len(prefix):]
    params = _PARAMS.match(rest).group()  # type: ignore[union-attr]
    inter = rest[len(params):]
    if not all("\x20" <= c <= "\x2f" for c in inter):
        return None, ()  # a parameter after an intermediate, a stray prefix: malformed
    if any(len(p) > _MAX_NUMBER for p in re.split("[;:]", params)):
        return None, ()
    seq = f"{ESC}[{body}{final}"
    if prefix == "" and inter == "":
        if final in "hl":
            return _modes(params, final, "", _KEPT_ANSI_MODES)
        if final not in _KEPT_CSI:
            return None, ()
        if (final == "J" and params not in ("", "0", "1", "2")) or (final == "T" and ";" in params) \
                or (final == "u" and params):
            return None, ()
        if final == "m":
            return seq, (("sgr", True),)
        if final == "r":
            return seq, (("margins", bool(params.strip(";"))),)
        return seq, ()
    if prefix == "?" and inter == "":
        if final in "hl":
            return _modes(params, final, "?", KEPT_DEC_MODES)
        # selective erase, as ED and EL only 0 to 2: DECSED 3 erases the saved lines (attack
        # s28o, finding 2)
        return (seq if final in "JK" and params in ("", "0", "1", "2") else None), ()
    if prefix == "" and inter == " " and final == "q":   # cursor style
        return seq, (("cursor-style", True),)
    if prefix == "" and (inter, final) in (("!", "p"), ('"', "q")):   # soft reset, DECSCA
        return seq, ()
    return None, ()


def _modes(params: str, final: str, prefix: str, kept: frozenset[int]) -> tuple[str | None, Changes]:
    """`CSI [?] N;M h/l` with only the kept modes left in it (None when none is)."""
    modes = [int(p) for p in params.split(";") if digits(p) and int(p) in kept]
    if not modes:
        return None, ()
    changes = []
    for mode in modes:
        if prefix == "":
            key, changes_on = "irm", "h"
        elif mode in _ALT_SCREEN:
            key, changes_on = "alt", "h"
        else:
            key, changes_on = _MODE_KEYS.get(mode, ("", ""))
        if key:
            changes.append((key, final == changes_on))
    return f"{ESC}[{prefix}{';'.join(str(m) for m in modes)}{final}", tuple(changes)
