"""The line being typed: the keystroke model of readline's line (`_LineModel` and its edits),
why a line cannot be certain (the `suspect` reasons), where the line sits on the screen
(`_Boundary`, `_Region`, the prompt patterns) and the tracker's state for one line.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bastion.command_control.terminal import vi_edits
from bastion.command_control.terminal.c_locale import CLocaleReading
from bastion.command_control.terminal.edits import (
    BY_CHARACTER,
    BY_WORD,
    MOVES,
    UNDO_KEYS,
    _Undo,
    delete_text,
    edit_for,
    insert_text,
)
from bastion.command_control.terminal.keys import _is_text
from bastion.text import digits

# Every edit copies the line: past this length the line model stops following it (the line is
# then never certain), or a client could make each key cost more than the last.
_MAX_MODEL_LINE = 64 * 1024
_TOO_LONG = "the line is too long to follow"
# What Linux's terminal driver keeps of a line in canonical mode (N_TTY_BUF_SIZE less the line
# end): keys past it are echoed and dropped, so the screen and the keys show more than the
# program gets (attack N, finding 1: `: AAAA…; tou\` + `Z`, then `ch canary`, ran `touch`).
_TTY_LINE_MAX = 4095
_TTY_FULL = ("more was typed than the terminal driver keeps of a line (4,095 bytes; no line "
             "editor seen): what the program gets is not what was typed")
_STATEMENT_TOO_LONG = "the unfinished statement is too long to follow"

_BROKEN_TEXT = "bytes that are no complete UTF-8 character were typed: readline holds them apart"
_DRIVER_ECHO = "the terminal driver echoed the keys, not a line editor"
_FORGED_END = ("the typed keys were not echoed, and readline's end of line (?2004l) came with no "
               "key that ends a line: a shell prompt still reads them")

# What a prompt for input typed without echo says (attack D, finding 11: openssl's "Enter PEM
# pass phrase:", "Token (will be hidden): "; attack F, finding 4: "API key:", "Credentials:"),
# ending in ":" or "?". The keys are judged as a command line all the same (InputGate).
_PASSWORD = re.compile(
    r"(?i)(pass\s?(word|phrase|code)|\bpass\b|passwort|kennwort|mot de passe|contrase\u00f1a|\bpin\b"
    r"|\btoken\b|\bsecret\b|\botp\b|one-time|verification code|security code"
    r"|authentication code|\b2fa\b|will be hidden|will not (be )?(echo|shown)|no echo"
    r"|\bkey\b|credentials?\b)"
    r"[^\n]*[:?]\s*$")
_HEREDOC_WORD = re.compile(r"<<-?[ \t]*(['\"]?)([A-Za-z0-9_.-]+)\1")
# What the keys alone say of a line read from the screen after a key the model does not follow
# (attack b11i, finding 1: a job draws a harmless line over it). Keys that only move, reorder or
# re-case what the line holds (M-b, M-f, Ctrl-T, M-t, M-u, M-l, M-c, word moves; vi's motions,
# `~` and the keys that start inserting) add no character: the line holds only typed ones.
_REORDERS = frozenset({"\x1b", "\x1bb", "\x1bf", "\x14", "\x1bt", "\x1bu", "\x1bl", "\x1bc",
                       "\x1b[1;5C", "\x1b[1;5D", "\x1b[1;3C", "\x1b[1;3D"})
_VI_REORDERS = frozenset("\x00" + key for key in "hlwbeWBE0123456789^$|;,~fFtTiIaA ")
# Keys that may bring text no key typed (completion, history, yanks, searches), but never
# empty the line: after them the screen stays the line's only witness (SECURITY.md, Open).
_BRINGS = frozenset({"\t", "\x1b[A", "\x1b[B", "\x1bOA", "\x1bOB", "\x10", "\x0e",
                     "\x00j", "\x00k", "\x00+", "\x00-", "\x00G", "\x00/", "\x00?", "\x00n",
                     "\x00N", "\x00\t", "\x19", "\x1by", "\x1b.", "\x1b_", "\x1b\x19", "\x12",
                     "\x13", "\x1b<", "\x1b>", "\x1bp", "\x1bn", "\x1b\x1b", "\x1b*", "\x1b/",
                     "\x1b!", "\x1b$", "\x1b@", "\x1b~", "\x1b{", "\x1b[5~", "\x1b[6~"})
# Keys that change nothing in the line (a redraw, a listing, the bell).
_CHANGES_NOTHING = frozenset({"\x0c", "\x07", "\x1b?", "\x1b=", "\x1b", "\x1b\x07"})
# Any other key the model does not follow may change the line in ways the keys cannot bound (a
# numeric argument, overwrite mode, a character search, a key only an inputrc binds, an unbound
# escape sequence whose tail readline inserts: attack e14ia, F4 and F7): such a line is decided
# with the `unknown` action, as one vi's command mode changed.
_UNSEEN_CHANGE = ("a key the bastion does not follow changed the line (a numeric argument, "
                  "overwrite mode, a character search, a key only an inputrc binds): the screen "
                  "that shows the result may be drawn by anything writing to the terminal")
_ARGUMENTS = frozenset({"\x1b-", *("\x1b" + digit for digit in "0123456789")})
# Control keys vi's insert mode inserts as text (its keymap binds none of them): the line then
# holds a control character (attack e14ia, F2).
_VI_INSERTED = frozenset("\x00\x01\x02\x05\x06\x07\x0b\x0c\x0f\x11\x18\x1d\x1e")
_VI_CONTROL_TEXT = "vi's insert mode put a control character into the line"
_OTHER_CHARACTERS = ("the line holds characters readline edits otherwise (zero-width or "
                     "combining characters, or letters outside ASCII for a word edit)")
# Keys that remove or replace with typed characters only (emacs kills and undo, vi's x, d, c, r).
_ERASES = frozenset({"\x1bd", "\x1b\x7f", "\x1b\x08", "\x1b\\", "\x1f", "\x18\x15", "\x1br",
                     *("\x00" + key for key in "xXdDcCsSrRyu")})
# vi's command-mode keys that change no character of the line (motions, the keys that start
# inserting, history and search, yank, marks); the character after f, F, t, T, m and ` is their
# argument. Any other command-mode key the model does not follow (vi_edits.py) changes the line
# or moves its cursor in a way only the screen shows, and anything writing to the terminal may
# draw that (attacks d13i: `~`; f15i: a count): such a line is decided with the `unknown` action.
_VI_KEEPS = frozenset(" hl^$0;,%wbeWBE|iaIAjk+-/?nNy\x7f\x08fFtTm`'\x1b\r\n\x0c\x07")
_VI_TAKES_ARGUMENT = frozenset("fFtTm`")  # `'` is bound to nothing in bash 5.2 (attack f15i, F4)
_VI_CHANGED = ("vi's command mode changed the line (a key such as x, d, c, r, ~, u or p): the "
               "bastion does not follow those keys, and the screen that shows the result may be "
               "drawn by anything writing to the terminal")

_NOT_TYPED = ("the screen shows characters no key typed, after keys that only move or reorder "
              "what the line holds: something else drew the line")
_EMPTIED = ("the screen shows an empty line where keys that never erase left text: something "
            "else drew the line")

_PROMPT_LIKE = re.compile(r"[$#%>\u276f\u00bb]\s*$")
_REDRAW_KEYS = frozenset({"\t", "\x0c", "\x1b?", "\x1b="})  # completion listings, clear-screen

# Keys the terminal driver (a shell without readline: sh, dash, bash --noediting or with
# TERM=dumb, where no line editor announced itself) acts on; any other control key is data in
# the line, which a raw echo (stty -echoctl) can hide: such a line is never certain.
_TTY_DATA = "a control key the terminal driver keeps in the line as data (no line editor seen)"
_TTY_SIGNAL = "Ctrl-Z or Ctrl-\\ may have dropped the line (no line editor seen)"
_TTY_FLUSHED = ("Ctrl-D handed the line to the shell unended (no line editor seen): the shell "
                "holds it, and the keys typed next are edited apart from it")
_TTY_WERASE = "Ctrl-W over a character the terminal driver may class otherwise (no line editor seen)"

_SEARCH_PROMPT = re.compile(r"\((?:failed )?(?:reverse-)?i-search\)`.*?': ")
_ARG_PROMPT = re.compile(r"\(arg: -?[0-9]+\) ")
_READLINE_PROMPT = re.compile(f"{_SEARCH_PROMPT.pattern}|{_ARG_PROMPT.pattern}")


class _LineModel:
    """The line as readline would hold it after the keys seen, while every key is understood."""

    def __init__(self, text: str = "", cursor: int = 0, suspect: str = "") -> None:
        self.text = text
        self.cursor = cursor
        self.reliable = True
        self.anchor: str | None = None  # the text before the first key not understood
        self.relearn = False  # that key may have redrawn the line elsewhere (listing, Ctrl-L)
        self.suspect = suspect  # why the line cannot be certain even when the screen agrees
        # Keys applied while not reliable since the target last answered: the screen shows
        # the line only once it has answered all of them, not just the first.
        self.batch: list[str] = []
        # Readline's undo list for the line (edits.py), while every edit of it was followed.
        self.undo: list[_Undo] | None = None if text else []
        self.undoing = False
        self.pasted_from: tuple[int, list[_Undo] | None] | None = None
        self.zero_width = any(map(_zero_width, text))
        self.vi_pending = ""  # the keys of a vi command not complete yet (vi_edits.py)
        self.vi_result = ""  # what the last vi command key did, "" if the model did not follow it

    def edit_for(self, key: str, emacs: bool) -> Callable[[_LineModel], None] | None:
        """The edit `key` makes, if the model follows it (undo only while the list is known)."""
        if key in UNDO_KEYS and self.undo is None:
            return None
        return edit_for(key, emacs)

    def apply(self, key: str, emacs: bool = True) -> None:
        """`key` as readline in emacs mode (or vi's insert mode: `emacs` False) takes it."""
        if len(self.text) > _MAX_MODEL_LINE:
            self.suspect = _TOO_LONG
            return
        self.vi_result = ""
        if not emacs and self.reliable and self.text.isascii() and (
                key == "\x1b" or (len(key) == 2 and key[0] in "\x00\x1b" and key[1].isprintable())):
            if key[0] == "\x1b":  # Esc from the insert mode, perhaps with a command key
                vi_edits.escape(self)
                self.vi_pending, self.vi_result = "", vi_edits.DONE
                key = "\x00" + key[1:] if key[1:] else ""
            if key:
                self.vi_result, self.vi_pending = vi_edits.command_key(
                    self, self.vi_pending, key[1:])
            if self.vi_result != vi_edits.UNKNOWN:
                return
            self.vi_result = self.vi_pending = ""
        if not emacs:
            self.undo = None  # vi's undo groups a whole insert: not followed
            if key in _VI_INSERTED:
                self.suspect = _VI_CONTROL_TEXT
                if self.reliable:
                    self.insert(key)
                else:
                    self.batch.append(key)
                return
        edit = self.edit_for(key, emacs)
        if edit is not None and key in BY_CHARACTER and self.zero_width:
            self.suspect = _OTHER_CHARACTERS
        if self.reliable:
            if edit is not None:
                before, at = self.text, self.cursor
                edit(self)
                if key in BY_WORD and not before.isascii() and not _ascii_around(
                        before, self.text, at, self.cursor):
                    self.suspect = _OTHER_CHARACTERS
            elif _is_text(key):
                self.insert(key)
            else:
                self.reliable = False
                self.anchor = self.text
                self.relearn = key in _REDRAW_KEYS
                self.batch = [key]
            return
        if edit is None and not _is_text(key):
            # a second key not understood: what the line held before is unknown
            self.anchor = None
            self.relearn = False
        self.batch.append(key)

    def insert(self, text: str) -> None:
        if len(self.text) > _MAX_MODEL_LINE:
            self.suspect = _TOO_LONG
            return
        insert_text(self, text)
        self.zero_width = self.zero_width or any(map(_zero_width, text))

    def lose(self) -> None:
        """What the keys did is no longer known (as after a key the model does not follow)."""
        self.reliable, self.anchor, self.relearn, self.batch = False, None, False, []
        self.vi_pending = self.vi_result = ""

    def begin_paste(self) -> None:
        """A bracketed paste: readline inserts it whole, as one undo entry (end_paste)."""
        self.pasted_from, self.undo = (self.cursor, self.undo), None

    def end_paste(self) -> None:
        if self.pasted_from is None:
            return
        (start, self.undo), self.pasted_from = self.pasted_from, None
        if self.undo is not None and self.reliable and start <= self.cursor <= len(self.text):
            pasted = self.text[start:self.cursor]
            self.text = self.text[:start] + self.text[self.cursor:]
            self.cursor = start
            insert_text(self, pasted, whole=True)
        else:
            self.undo = None


def _ascii_around(before: str, after: str, at: int, now: int) -> bool:
    """Whether a word edit read only ASCII characters: those it moved over or changed, and one
    on each side (where it stopped). Python's and glibc's letters differ outside ASCII."""
    same = 0
    while same < min(len(before), len(after)) and before[same] == after[same]:
        same += 1
    tail = 0
    while (tail < min(len(before), len(after)) - same
           and before[len(before) - 1 - tail] == after[len(after) - 1 - tail]):
        tail += 1
    start = min(at, now, same) - 1
    end = max(at, now, len(before) - tail) + 1
    return before[max(0, start):end].isascii()


def _zero_width(c: str) -> bool:
    """A character readline keeps with the one before it (wcwidth 0): marks, format characters,
    Hangul's medial and final jamo."""
    return (c >= "\u0300" and (unicodedata.category(c) in ("Mn", "Me", "Mc", "Cf")
                                or "\u1160" <= c <= "\u11ff" or "\ud7b0" <= c <= "\ud7ff"))


def _tty_werase(m: _LineModel) -> None:
    """VWERASE as Linux's terminal driver does it (BSD's ALTWERASE): it erases back over
    anything until it has seen a letter, digit or `_`, then up to the next other character
    (`rm /tmp/x` leaves `rm /tmp/`; readline's Ctrl-W would leave `rm `). Past a non-ASCII
    character the driver's classing (Latin-1 ctype, UTF-8 or not) is unknown: suspect."""
    i = m.cursor
    seen = False
    while i:
        c = m.text[i - 1]
        if not c.isascii():
            m.suspect = _TTY_WERASE
        if c.isalnum() or c == "_":
            seen = True
        elif seen:
            break
        i -= 1
    delete_text(m, i, m.cursor)
    m.cursor = i


@dataclass
class _Boundary:
    abs_row: int  # row + the screen's scroll count when learned
    col: int
    prompt: str  # the row's text left of the boundary
    rprompt: str = ""  # the row's text right of it when that was a right-hand prompt (zsh)


@dataclass
class _Region:
    text: str  # from the boundary: wrapped rows joined, rows broken by the shell as lines
    cursor: int | None  # where the cursor sits in `text`; None when it is outside
    chain_end: int  # the last row joined to the boundary's row by soft wraps
    below: bool  # text on rows under the region


@dataclass
class _Line:
    model: _LineModel = field(default_factory=_LineModel)
    boundary: _Boundary | None = None
    active: bool = False
    first_key_seq: int = 0
    last_key_seq: int = 0
    began_in_paste: bool = False
    paste_from: int | None = None  # where in the model an honoured paste began in this line
    start: tuple[int, int] = (0, 0)  # the cursor at the first key (absolute row, column)
    prompt: str | None = None  # the prompt the line began at
    searched: bool = False  # Ctrl-R / Ctrl-S: readline shows a search prompt instead
    while_running: bool = False  # begun while bash ran a command: the shell may read it later
    redrawn: bool = False  # resized: the line must be found again
    # Readline started reading (?2004h) after keys of this line: (absolute row, column where
    # it began, how many model characters were typed before, None if the model lost them).
    restart: tuple[int, int, int | None] | None = None
    macro: bool = False  # a macro was let through: readline may have accepted the line
    keyed: bool = False  # a key other than the submit was typed in this line
    # The bytes typed while no line editor read (the terminal driver edits them), split where
    # a VEOF handed the line over: read in every reading of the tty's settings (_tty_readings).
    raw: list[bytearray] = field(default_factory=lambda: [bytearray()])
    raw_size: int = 0  # bytes typed into `raw`, kept or not (see keep_raw)
    # What the keys alone say of the line (attack b11i, finding 1), apart from the model, which
    # restarts from the screen after a key it does not follow: every character a key inserted
    # (a bound on what the line holds); the line if such keys did nothing (`shadow`, judged by
    # the rules: `Reconstruction.typed`); whether such a key came, one that may bring text no
    # key typed (`foreign`), one that may erase after it (`erased`).
    typed: list[str] = field(default_factory=list)
    typed_size: int = 0
    shadow: _LineModel = field(default_factory=_LineModel)
    unfollowed: bool = False
    foreign: bool = False
    erased: bool = False
    # Why the line is decided with the `unknown` action: a key changed it that the model does not
    # follow (vi's command mode: _VI_KEEPS; any other key but those that bring text: _BRINGS).
    changed_unseen: str = ""
    argument: bool = False  # a numeric argument (M-0 ... M-9, M--) waits for its key
    # The line in a C locale, from the first key outside ASCII typed at readline's prompt on.
    c_locale: CLocaleReading | None = None
    vi_argument: bool | str = False  # the next vi command key is an argument (f, t, m; "/": a search)
    # Other places the line may begin (attack v31i, findings 3, 4, 6): (text dropped from the
    # front of the line read, text put there instead), each judged too; and why, if so, where
    # it begins is not known at all (the line is never certain).
    starts_also: tuple[tuple[str, str], ...] = ()
    # The same, for places judged by the policy's rules alone (`Reconstruction.typed`): inside
    # a learned prompt after C-o, past one after keys typed ahead (attack x33i, findings 2, 4).
    starts_rules: tuple[tuple[str, str], ...] = ()
    doubt: str = ""

    def note_key(self, key: str, emacs: bool = True, readline: bool = True) -> None:
        """A key as the model took it (vi's command-mode keys with a NUL in front); `readline`:
        whether readline reads it now (not a full-screen program, not a command running)."""
        command = key.startswith("\x00")
        if not key:
            return
        if self.argument and key not in _ARGUMENTS and not (command and digits(key[1:])):
            # A numeric argument repeats or turns the key after it; one before a judged key
            # (Esc 1 Esc #) is judged with it and never comes here.
            self.argument = False
            self.changed_unseen = self.changed_unseen or _UNSEEN_CHANGE
        if emacs and readline and (self.c_locale is not None or (
                _is_text(key) and not key.isascii())):
            self._c_locale_key(key)
        if _is_text(key):
            self.add_typed(key)
            self.shadow.insert(key)
            return
        if not emacs and key in _VI_INSERTED:
            self.add_typed(key)
            self.shadow.insert(key)
            return
        if self.model.vi_result:  # a vi key the model followed: so does the keys' own line
            if not self.unfollowed:
                self.shadow.text, self.shadow.cursor = self.model.text, self.model.cursor
            return
        followed = self.shadow.edit_for(key, emacs) is not None and not (
            key in UNDO_KEYS and self.model.undo is None)
        if command and readline:
            self.note_vi_command(key[1:])
        elif not emacs and readline and len(key) == 2 and key[0] == "\x1b":
            self.note_vi_command(key[1])  # Esc, then a command key
        elif emacs and readline and key in _ARGUMENTS:
            self.argument = True
        elif not followed and readline and key not in _BRINGS and key not in _CHANGES_NOTHING:
            self.changed_unseen = self.changed_unseen or _UNSEEN_CHANGE
        if command and key[1:] and _is_text(key[1:]):
            self.add_typed(key[1:])  # an argument (r, f) may be inserted: still a bound
        if followed:
            self.shadow.apply(key, emacs)
            self.erased = self.erased or (self.unfollowed and key not in MOVES)
            return
        self.unfollowed = True
        self.foreign = self.foreign or not (key in _REORDERS or key in _VI_REORDERS
                                            or key in _ERASES)
        self.erased = self.erased or not (key in _REORDERS or key in _VI_REORDERS or key in _BRINGS)

    def vi_mode_lost(self) -> None:
        """The tracker's idea of vi's mode and the model's parted (a `c` readline rang its bell
        at, 8-bit text): what the keys did is unknown, and so is the line's change."""
        self.model.lose()
        self.changed_unseen = self.changed_unseen or _VI_CHANGED

    def _c_locale_key(self, key: str) -> None:
        if self.c_locale is None:
            m, n = self.model, len(key)
            typed = m.reliable and m.text[m.cursor - n:m.cursor] == key
            self.c_locale = CLocaleReading(
                (m.text[:m.cursor - n] + m.text[m.cursor:], m.cursor - n) if typed else None)
        if _is_text(key):
            self.c_locale.typed(key)
        else:
            self.c_locale.key(key)

    def pasted(self, text: str) -> None:
        """Text a bracketed paste inserted."""
        self.add_typed(text)
        self.shadow.insert(text)
        if self.c_locale is not None:
            self.c_locale.pasted(text)

    def note_vi_command(self, key: str) -> None:
        """A key of vi's command mode: whether it changes the line (`changed_unseen`)."""
        search = self.vi_argument
        if isinstance(search, str):  # a search's text: it brings a history line (_BRINGS)
            if key in "\r\n\x07" or (key in "\x7f\x08" and search in ("/", "\x12")):
                self.vi_argument = False  # the search ends, or is aborted (vi_mode.py)
            elif search == "\x12" and not (len(key) == 1 and key.isprintable()):
                self.vi_argument = False
                if key == "\x1b":
                    return
            else:
                self.vi_argument = search[:-1] if key in "\x7f\x08" else search + key
                return
            if key in "\r\n\x07\x7f\x08":
                return
        if self.vi_argument:
            self.vi_argument = False
        elif key in "123456789" or (key == "0" and self.argument):
            self.argument = True  # a count, as a numeric argument: it counts with the next key
        elif key in _VI_TAKES_ARGUMENT:
            self.vi_argument = True
        elif key in "/?":
            self.vi_argument = "/"
        elif key in "\x12\x13":
            self.vi_argument = "\x12"
        elif key not in _VI_KEEPS and key not in MOVES and key not in _BRINGS:
            self.changed_unseen = self.changed_unseen or _VI_CHANGED

    def add_typed(self, text: str) -> None:
        """Characters a key inserted. Past the model's bound they are not kept (a client could
        make the line cost memory without end): the bound on the line is then lost."""
        self.typed_size += len(text)
        if self.typed_size > _MAX_MODEL_LINE:
            self.foreign, self.typed = True, []
        else:
            self.typed.append(text)

    def beyond_keys(self, shown: str) -> str:
        """Why a line the screen shows cannot be the one the keys made ("" when it can): after
        keys that add nothing, a character none typed; an empty line where none erased."""
        if not self.unfollowed:
            return ""
        if not shown.strip():
            return _EMPTIED if self.shadow.text.strip() and not self.erased else ""
        if self.foreign:
            return ""
        have = Counter("".join(self.typed).casefold())
        need = Counter("".join(shown.split()).casefold())
        return _NOT_TYPED if need - have else ""

    def keep_raw(self, data: bytes) -> None:
        """Add typed bytes to the tty's readings. Past _MAX_MODEL_LINE they are counted, not
        kept: a line that long is never certain (raw_too_long), and each reading of it would
        cost every later submit work in proportion to all that was ever typed (a 2 MB line
        abandoned with Ctrl-C, which one reading keeps as data, stalled the event loop)."""
        if self.raw_size <= _MAX_MODEL_LINE:
            self.raw[-1] += data
        self.raw_size += len(data)

    @property
    def raw_too_long(self) -> bool:
        """More was typed than the tty's readings follow."""
        return self.raw_size > _MAX_MODEL_LINE

    @property
    def past_tty_buffer(self) -> bool:
        """More bytes were typed than the terminal driver keeps of a line (_TTY_LINE_MAX): it
        may have dropped some (every typed byte counts, edits included: fail closed)."""
        return self.raw_size > _TTY_LINE_MAX


def _same(region: _Region, text: str, cursor: int) -> bool:
    return region.cursor == cursor and region.text.rstrip() == text.rstrip()


def _without_rprompt(region: _Region, b: _Boundary) -> _Region:
    """The region without the right-hand prompt seen when the line began, if it still sits
    where it was, alone at the right of a one-row line (zsh's RPROMPT)."""
    rprompt = b.rprompt
    start = len(rprompt) - len(rprompt.lstrip())
    if (not rprompt or "\n" in region.text or len(region.text) != len(rprompt)
            or region.text[start:] != rprompt[start:] or (region.cursor or 0) > start):
        return region
    return _Region(region.text[:start], region.cursor, region.chain_end, region.below)


def _close_heredocs(statement: str, complete: Callable[[str], bool]) -> str:
    """The statement as bash runs it at EOF: here-documents still open end there."""
    words = [m.group(2) for m in _HEREDOC_WORD.finditer(statement)]
    if not words or complete(statement):
        return statement
    closed = "\n".join([statement, *words])
    return closed if complete(closed) else statement
