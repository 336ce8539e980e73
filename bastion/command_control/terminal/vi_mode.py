"""The tracker's following of vi's editing mode: command mode (after Esc) or inserting, and
which command-mode keys take the next key as their argument (a character to find or replace,
a mark, a quoted key, a search's text).

A mixin of `CommandLineTracker` (tracker.py), which holds the state it reads. Pure.
"""

from __future__ import annotations

from bastion.command_control.terminal.edits import VI_TERMINAL_KEYS
from bastion.command_control.terminal.keys import (
    _MAYBE_UNSEEN,
    _VI_INSERT,
    _VI_MOTIONS,
    _VI_OPERATORS,
    _VI_TAKES_CHAR,
)
from bastion.command_control.terminal.line import _zero_width
from bastion.text import digits

# Keys that end Ctrl-R's search in vi's command mode (checked against bash 5.2 by attack i18i).
_ISEARCH_ENDS = frozenset("\x15\x16\x08\t\n\x01\x05\x02\x06\x14\x0c\x07\r")


class _FollowsVi:
    """vi's command mode as readline's keymaps (bash 5.2, `bind -m vi-command -p`) make it."""

    def _vi_command_now(self) -> bool:
        """Whether vi's command mode is on (a `c` and motion readline rang its bell at left it)."""
        if self._vi_meta_at is not None and self._out_seq > self._vi_meta_at:
            self._vi_meta_at = None
            if not self._echo_shows_model():
                self._vi_command = True
                self._line.vi_mode_lost()
        if self._vi_change_at is not None:
            if self._bell_seq > self._vi_change_at:
                self._vi_command = True
                self._vi_change_at = None
                self._line.vi_mode_lost()
            elif self._out_seq > self._vi_change_at:
                self._vi_change_at = None  # answered without a bell: it inserts
        return self._vi_command

    def _echo_shows_model(self) -> bool:
        """The screen shows the model's line (and perhaps a character it takes with the next key)."""
        model = self._line.model
        if not model.reliable or not self._line.active:
            return False
        self._sync()
        text, cursor = self._expected(model.text, model.cursor)
        b = self._line.boundary
        if b is None or not self._still_there(b, kept=True):
            return False
        region = self._region(b.abs_row - self._screen.scrolled, b.col)
        return region.text.startswith(text.rstrip()) and (region.cursor or 0) >= cursor

    def _track_vi(self, key: str) -> None:
        """Follow vi's command mode (after Esc, until a key that inserts), when in vi mode."""
        if not self._vi:
            return
        if key in _MAYBE_UNSEEN and self._vi_command_now():
            # The terminal driver may take it (Ctrl-Q, Ctrl-S with IXON on): the keys after it
            # may be commands or its argument (search text): `#`, `v`, `@` are judged either
            # way until the line ends (attack o24i, finding 2).
            self._vi_search_doubt = True
        if isinstance(self._vi_argument, str) and self._vi_command:
            if self._in_vi_search(key):
                return
        if key in VI_TERMINAL_KEYS:
            if self._vi_command and (self._vi_argument or self._vi_operator):
                # A command waiting for its key reads the arrow's Esc and is cancelled, and the
                # rest are commands (attack g16i, F1): what they did is not followed.
                self._vi_argument, self._vi_operator = False, ""
                self._line.vi_mode_lost()
            return  # arrows and the like: bound in both vi keymaps, no Esc (attack e14ia, F6)
        if key.startswith("\x1b"):
            self._vi_command, self._vi_argument, self._vi_operator = True, False, ""
            self._vi_change_at = self._vi_meta_at = None
            key = key[1:]
            if not key:
                return
        elif not self._vi_command_now():
            return
        if self._vi_argument:
            self._vi_argument = False  # the key after r, f, F, t, T, m, `, Ctrl-V, Ctrl-Q
            if self._vi_operator:
                self._vi_motion_done(valid=True)
        elif self._vi_operator:
            if digits(key) and (key != "0" or len(self._vi_operator) > 1):
                self._vi_operator += key  # a count before the motion (a first 0 is a motion)
                return
            if key in "fFtT`":
                self._vi_argument = True
                return
            self._vi_motion_done(valid=key in _VI_MOTIONS or key == self._vi_operator[0])
        elif key in _VI_INSERT:
            self._vi_command = False
        elif key in _VI_OPERATORS:
            self._vi_operator = key
        elif key in _VI_TAKES_CHAR:
            self._vi_argument = True  # a mark's name is no command (attack f15i, F3)
        elif key in "/?":
            self._vi_argument = "/"
        elif key in "\x12\x13":
            self._vi_argument = "\x12"

    def _in_vi_search(self, key: str) -> bool:
        """A key of a search begun in vi's command mode (readline 8.2's _rl_nsearch_dispatch
        for `/` and `?`, rl_isearch for Ctrl-R and Ctrl-S, attack h17i F2 and F3): whether it
        is the search's own. Esc is search text to `/`; Ctrl-G aborts, and so does an erase of
        an empty search; any key but text ends Ctrl-R's search. Command mode goes on after."""
        search = self._vi_argument
        assert isinstance(search, str)
        plain = len(key) == 1 and key.isprintable() and not _zero_width(key)
        if search == "\x12":
            if plain:
                return True
            if key not in _ISEARCH_ENDS and not key.startswith("\x1b"):
                self._vi_search_doubt = True  # Ctrl-R, Ctrl-W, Ctrl-Y, Ctrl-Q... (attack i18i)
            self._vi_argument = False
            return key != "\x1b"  # the key that ended the search is readline's, not a command
        if key == "\x07" or (key in ("\x7f", "\x08") and search == "/"):
            self._vi_argument = False
        elif key in ("\x7f", "\x08"):
            self._vi_argument = search[:-1]
        else:
            if not plain and not key.startswith("\x1b"):
                self._vi_search_doubt = True  # Ctrl-U, Ctrl-W, a mark... (attack i18i)
            self._vi_argument = search + key
        return True

    def _vi_motion_done(self, valid: bool) -> None:
        """An operator's motion came: `c` with a motion inserts, unless readline rings its bell
        (a key that is no motion, or one that cannot move: it stays in command mode)."""
        op, self._vi_operator = self._vi_operator[:1], ""
        if op == "c" and valid:
            self._vi_command = False
            self._vi_change_at = self._out_seq
