"""A watched terminal: a pyte screen fed with a session's output, shown with its colours.

`ScreenModel` is the screen as the person at the keyboard sees it (the bytes go through a real
terminal emulator, so cursor moves, clears and full-screen programs come out right), and
`TerminalView` is the widget that draws it.
"""

from __future__ import annotations

import copy
from typing import Any

import pyte
from rich.color import Color, ColorParseError
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from bastion.command_control.terminal.cells import draw_whole
from bastion.text import HIDDEN

SIDE_LOG = 32  # console columns a side log takes beside a terminal (30, its border, a scrollbar)
SIDE_BY_SIDE = 80 + SIDE_LOG  # console columns from which a log fits beside an 80-column terminal

_BASE_COLOURS = {"black": 0, "red": 1, "green": 2, "brown": 3, "blue": 4, "magenta": 5,
                 "cyan": 6, "white": 7}
# pyte names the bright colours "brightred" and so on (and, in 0.8.2, "bfightmagenta").
_BRIGHT_PREFIXES = ("bright", "bfight")


def pyte_colour(name: str) -> Color | None:
    """A pyte colour name ("red", "brightblue", "default", or six hex digits) as a Rich colour.

    Named colours stay ANSI colours, so the supervisor's own terminal theme decides their shade,
    as it would for the user's terminal; None means the default colour.
    """
    if name == "default":
        return None
    if len(name) == 6:
        try:
            return Color.parse(f"#{name}")
        except ColorParseError:
            pass  # a colour name that merely has six letters
    bright = name.startswith(_BRIGHT_PREFIXES)
    number = _BASE_COLOURS.get(name[6:] if bright else name)
    if number is None:
        return None
    return Color.from_ansi(number + 8 * bright)


# How a cell followed by a hidden character (U+200B, a bidi control) is shown: the character
# itself is never drawn, and the mark is one that output seldom uses.
HIDDEN_MARK = Style(underline=True, bgcolor="magenta")

ALTERNATE_MODES = (1049, 1047, 47)  # DEC private modes that switch to the alternate screen


class _Screen(pyte.Screen):
    """pyte's screen plus the alternate screen, which pyte does not keep: when a full-screen
    program (top, less, vim) ends, the shell's screen comes back, and with mode 1049 its cursor,
    as on the user's terminal, instead of the program's last picture with the cursor over it."""

    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self._primary: tuple[dict[int, Any], pyte.screens.Cursor | None] | None = None

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and self._primary is None:
            switch = [m for m in modes if m in ALTERNATE_MODES]
            if switch:
                rows = {y: copy.copy(line) for y, line in self.buffer.items()}
                self._primary = (rows, copy.copy(self.cursor) if 1049 in switch else None)
                self.buffer.clear()
                self.dirty.update(range(self.lines))
        super().set_mode(*modes, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        super().reset_mode(*modes, **kwargs)
        if kwargs.get("private") and self._primary is not None and any(
                m in ALTERNATE_MODES for m in modes):
            rows, cursor = self._primary
            self._primary = None
            self.buffer.clear()
            self.buffer.update(rows)
            if cursor is not None:
                self.cursor = cursor
            self.dirty.update(range(self.lines))

    def reset(self) -> None:
        self._primary = None
        super().reset()

    def draw(self, data: str) -> None:
        draw_whole(self, data, super().draw)  # nothing after a zero-width character is lost


class ScreenModel:
    """A terminal screen of `width` x `height` fed with raw output bytes.

    Partial escape sequences and UTF-8 characters split across `feed` calls are carried over, so
    the output can be fed in whatever chunks it arrives in. The alternate screen is kept apart
    from the shell's, as a terminal keeps it.
    """

    def __init__(self, width: int = 80, height: int = 24) -> None:
        self.reset(width, height)

    def reset(self, width: int, height: int, data: bytes = b"") -> None:
        """Start over on a blank screen of the given size, then feed `data`."""
        self.width, self.height = max(1, width), max(1, height)
        self.screen = _Screen(self.width, self.height)
        self.stream = pyte.ByteStream(self.screen)
        self._styles: dict[tuple, Style] = {}
        if data:
            self.feed(data)

    def resize(self, width: int, height: int) -> None:
        """The remote terminal changed size (a recorded resize): keep the content, reflow nothing."""
        self.width, self.height = max(1, width), max(1, height)
        self.screen.resize(self.height, self.width)

    def feed(self, data: bytes) -> None:
        self.stream.feed(data)

    def text(self) -> str:
        """The screen's characters, one line per row, trailing spaces removed (for tests and logs)."""
        return "\n".join(line.rstrip() for line in self.screen.display)

    def lines(self, cursor: bool = True) -> list[Text]:
        """Each row as Rich text with the characters' colours and attributes kept."""
        rows: list[Text] = []
        show_cursor = cursor and not self.screen.cursor.hidden
        for y in range(self.height):
            row = self.screen.buffer[y]
            line = Text(no_wrap=True, end="")
            run: list[str] = []
            run_style: Style | None = None
            for x in range(self.width):
                char = row[x]
                if not char.data:
                    continue  # the second cell of a wide character
                style, data = self._style(char), char.data
                if len(data) > 1 and HIDDEN.search(data):
                    # A zero-width, bidi or control character the user's output held: never sent
                    # to the supervisor's terminal, but the cell it follows is marked.
                    data, style = HIDDEN.sub("", data) or " ", style + HIDDEN_MARK
                if show_cursor and x == self.screen.cursor.x and y == self.screen.cursor.y:
                    style = style + Style(reverse=not char.reverse)
                if style is not run_style and run:
                    line.append("".join(run), run_style)
                    run = []
                run_style = style
                run.append(data)
            if run:
                line.append("".join(run), run_style)
            rows.append(line)
        return rows

    def _style(self, char: pyte.screens.Char) -> Style:
        key = (char.fg, char.bg, char.bold, char.italics, char.underscore, char.strikethrough,
               char.reverse)
        style = self._styles.get(key)
        if style is None:
            style = Style(color=pyte_colour(char.fg), bgcolor=pyte_colour(char.bg),
                          bold=char.bold or None, italic=char.italics or None,
                          underline=char.underscore or None, strike=char.strikethrough or None,
                          reverse=char.reverse or None)
            self._styles[key] = style
        return style


class TerminalView(Widget):
    """Draws a ScreenModel at its own size, whole: the frame around it scrolls when the console is
    smaller, and stays where the supervisor scrolled it (from the top left, where full-screen
    programs keep their headers)."""

    def __init__(self, model: ScreenModel, *, cursor: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model
        self.cursor = cursor
        self.fit()

    def fit(self) -> None:
        """Match the widget's size to the model's (after a reset or a resize)."""
        self.styles.width = self.model.width
        self.styles.height = self.model.height

    def changed(self) -> None:
        """The model was fed: redraw. The view does not pan after the cursor: a screen larger
        than the console would lose its top rows and left columns to the pan."""
        self.refresh()

    def render(self) -> Text:
        return Text("\n").join(self.model.lines(self.cursor))
