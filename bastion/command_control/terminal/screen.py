"""The screen model: a pyte screen that keeps soft-wrap flags, a scroll count and the primary
screen, bounded in size; how readline shows text; output without its escape sequences.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable

import pyte
from pyte.screens import Char, StaticDefaultDict
from wcwidth import wcwidth

from bastion.command_control.terminal.cells import draw_whole

# Output scanning. Every byte goes past the DEC private mode pattern and a search for RIS
# (ESC c); both start with a literal, which the regex engine finds fast even in output full of
# colour codes. Absolute cursor moves and erases, the evidence of a full-screen program, are
# looked for only while the alternate screen waits for such evidence.
_PRIVATE_MODE = re.compile(rb"\x1b\[\?([0-9;]*)([hl])")

# The client chooses the window size (any 32-bit number in SSH), and the screen model's work
# grows with it: every linefeed moves each row. No real terminal is larger than this; a model
# smaller than the terminal reads lines that do not match the keys, so they are uncertain.
_MAX_COLS, _MAX_ROWS = 2048, 512

# Rows scrolled off the top are kept, as text, so that a line taller than the window can still
# be read from its prompt on: 128 rows (a 10,000-character line at 80 columns), fewer on a wide
# window, at most 32,768 cells. A row that left a real terminal can no longer change, so a kept
# row is as good a witness as one on the screen; kept rows only confirm what the keystroke model
# holds (reading.py), never stand alone as the account of a line. Only rows from where the line
# being typed starts are read (`_Screen.keep_from`): the rest are not kept at all, so that output
# that scrolls while nothing is typed (a command's, mostly) costs no copying (issue 12).
_HISTORY_ROWS, _HISTORY_CELLS = 128, 32768

# Marks a row whose last cell wrapped onto the next one. It rides on pyte's row object, so
# scrolling and line insertion carry it, and erasing the row's end drops it.
_WRAP = Char(" ")


class _Screen(pyte.Screen):
    """A pyte screen that also keeps soft-wrap flags, a scroll count and the primary screen."""

    def __init__(self, columns: int, lines: int) -> None:
        # Rows above the screen by absolute row (scrolled at the time): their cells' text and
        # whether the row wrapped onto the next.
        self.history: dict[int, tuple[str | tuple[str, ...], bool]] = {}
        # The first absolute row a reading may look for above the screen (the line being typed
        # starts there), or None: no row is kept. The tracker sets it (CommandLineTracker).
        self.keep_from: Callable[[], int | None] = _nothing_kept
        super().__init__(columns, lines)
        self.scrolled = 0  # rows scrolled off the top so far, to keep positions across scrolls
        self._drawing = False
        self._primary: tuple[dict, pyte.screens.Cursor | None] | None = None

    def draw(self, data: str) -> None:
        self._drawing = True
        try:
            draw_whole(self, data, super().draw)
        finally:
            self._drawing = False

    def linefeed(self) -> None:
        if self._drawing:  # pyte wraps by calling carriage_return() and linefeed() from draw()
            self.buffer[self.cursor.y][-1] = _WRAP
        super().linefeed()

    def index(self) -> None:
        bottom = self.margins.bottom if self.margins else self.lines - 1
        if self.cursor.y == bottom:
            if self._whole_screen_scrolls():
                self._keep(0)
            else:
                self.history.clear()
            self.scrolled += 1
        super().index()

    def reverse_index(self) -> None:
        top = self.margins.top if self.margins else 0
        if self.cursor.y == top:
            self.scrolled -= 1
            # The rows that come back are blank: what scrolled away never returns.
            self.history = {y: row for y, row in self.history.items() if y < self.scrolled}
        super().reverse_index()

    def _whole_screen_scrolls(self) -> bool:
        """Rows leave the top as they do from a terminal into its scrollback: the whole screen
        scrolls, on the primary screen."""
        margins = self.margins
        whole = margins is None or (margins.top == 0 and margins.bottom == self.lines - 1)
        return whole and self._primary is None

    def _keep(self, y: int) -> None:
        start = self.keep_from()
        if start is None or self.scrolled + y < start:
            # Every row kept so far is older still: none is read again.
            if self.history:
                self.history.clear()
            return
        line = self.buffer.get(y)
        cells: str | tuple[str, ...]
        if line is None:
            cells = " " * self.columns
        else:
            data = tuple(line[x].data for x in range(self.columns))
            cells = "".join(data) if all(len(d) == 1 for d in data) else data
        self.history[self.scrolled + y] = (cells, self.wrapped(y))
        keep = min(_HISTORY_ROWS, _HISTORY_CELLS // max(self.columns, 1))
        self.history.pop(self.scrolled + y - keep, None)

    def has_row(self, y: int) -> bool:
        """Row `y` (negative: above the screen) is on the screen or kept."""
        return 0 <= y < self.lines or (y < 0 and self.scrolled + y in self.history)

    def resize(self, lines: int | None = None, columns: int | None = None) -> None:
        self.history.clear()  # pyte drops rows from the top without scrolling them
        super().resize(lines, columns)

    def reset(self) -> None:
        self.history.clear()
        super().reset()

    def erase_in_display(self, how: int = 0, *args: object, **kwargs: object) -> None:
        if how == 3:  # xterm's "erase saved lines" (clear(1) sends it)
            self.history.clear()
        super().erase_in_display(how, *args, **kwargs)

    def erase_in_line(self, how: int = 0, private: bool = False) -> None:
        super().erase_in_line(how, private)
        if how in (0, 2):
            self.buffer[self.cursor.y].pop(-1, None)

    def scroll_out(self) -> None:
        """What a screenful of CR LF does: every row scrolled away, the cursor at the start of
        the bottom row (of the scroll region it is in)."""
        top, bottom = self.margins or (0, self.lines - 1)
        if not top <= self.cursor.y <= bottom:
            top, bottom = 0, self.lines - 1
        if (top, bottom) == (0, self.lines - 1) and self._primary is None:
            for y in range(top, bottom + 1):
                self._keep(y)
        else:
            self.history.clear()
        for y in range(top, bottom + 1):
            self.buffer.pop(y, None)
        self.cursor.x, self.cursor.y = 0, bottom
        self.scrolled += self.lines

    def wrapped(self, y: int) -> bool:
        if y < 0:
            kept = self.history.get(self.scrolled + y)
            return kept is not None and kept[1]
        line = self.buffer.get(y)
        return line is not None and dict.get(line, -1) is _WRAP

    def forget_wraps(self) -> None:
        for line in self.buffer.values():
            if dict.get(line, -1) is _WRAP:
                del line[-1]

    def text(self, y: int, start: int = 0, end: int | None = None) -> str:
        """The characters of row `y` in cells [start, end); blank cells are spaces."""
        end = self.columns if end is None else min(end, self.columns)
        if y < 0:
            kept = self.history.get(self.scrolled + y)
            if kept is None:
                return " " * max(0, end - start)
            return "".join(kept[0][start:end])
        line = self.buffer.get(y)
        if line is None:
            return " " * max(0, end - start)
        return "".join(line[x].data for x in range(start, end))

    def enter_alternate(self, restore_cursor: bool) -> None:
        self.history.clear()
        if self._primary is None:
            rows = {y: _copy_row(line) for y, line in self.buffer.items()}
            self._primary = (rows, copy.copy(self.cursor) if restore_cursor else None)
        self.buffer.clear()

    def leave_alternate(self) -> None:
        if self._primary is None:
            return
        rows, cursor = self._primary
        self._primary = None
        self.history.clear()
        self.buffer.clear()
        self.buffer.update(rows)
        if cursor is not None:
            self.cursor = cursor

    def forget_alternate(self) -> None:
        self._primary = None


def _nothing_kept() -> int | None:
    return None


def _lenient(handler: Callable[..., None]) -> Callable[..., None]:
    """pyte hands a CSI sequence's parameters straight to its handler: one with too many
    parameters, or a stray '?', raises inside pyte's parser. Output must never break the
    model, so such a sequence is ignored."""
    @functools.wraps(handler)
    def call(self: _Screen, *params: int, private: bool = False) -> None:
        try:
            if private:
                handler(self, *params, private=True)
            else:
                handler(self, *params)
        except (TypeError, ValueError, IndexError, KeyError):
            pass
    return call


for _event in set(pyte.Stream.csi.values()):
    setattr(_Screen, _event, _lenient(getattr(_Screen, _event)))


def _copy_row(line: StaticDefaultDict) -> StaticDefaultDict:
    row = StaticDefaultDict(line.default)
    row.update(line)
    return row


def _mode_replay(data: bytearray, end: int) -> str:
    """The DEC private modes (autowrap, origin, ...) output up to `end` leaves set, as escape
    sequences. Scroll margins and ANSI modes are not replayed: a screen model that misses
    them reads a line that does not match the keystrokes, which is uncertain, not wrong."""
    modes: dict[bytes, bytes] = {}
    for m in _PRIVATE_MODE.finditer(data, 0, end):
        params, final = m.groups()
        for param in params.split(b";"):
            modes[param] = final
    return "".join(f"\x1b[?{param.decode()}{final.decode()}" for param, final in modes.items())


def _display(text: str, col: int, cols: int) -> str:
    """How readline shows `text` starting at screen column `col`."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t":
            n = 8 - (col % cols) % 8
            out.append(" " * n)
            col += n
        elif ch < " " or ch == "\x7f":
            out.append("^" + chr(ord(ch) ^ 0x40))
            col += 2
        else:
            out.append(ch)
            col += max(wcwidth(ch), 1)
    return "".join(out)


def _shown_at_cursor(scr: _Screen, typed: str) -> bool:
    """The last keys typed show just before the cursor, as a program that echoes them shows
    them (vim inserting text)."""
    tail = typed.rstrip()[-8:]
    if not tail or not tail.isprintable():
        return False
    return scr.text(scr.cursor.y, 0, min(scr.cursor.x, scr.columns)).rstrip().endswith(tail)


def _cells(text: str) -> int:
    return sum(max(wcwidth(ch), 0) for ch in text)


def _visible_output(data: bytes) -> str:
    """Printable output, without escape sequences, control characters or CRs."""
    return _OUTPUT_NOISE.sub("", data.decode("utf-8", "replace")).replace("\r", "")


def _window(cols: int, rows: int) -> tuple[int, int]:
    return min(max(cols, 1), _MAX_COLS), min(max(rows, 1), _MAX_ROWS)


_OUTPUT_NOISE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[()#%]?[ -~]?"
    r"|[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]")
