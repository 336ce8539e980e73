"""Drawing text into a pyte screen without losing any of it.

pyte 0.8's `Screen.draw` stops drawing the rest of a chunk at the first character it gives no
cell and cannot combine: a zero-width character that is not a combining mark (U+200B, U+2060,
U+FEFF, bidi controls, U+FE0F) or one its wcwidth calls unprintable (-1). Everything after it in
the chunk was missing from the screen: the supervisor's views hid `; reboot` behind a U+200B,
and the line gate read `echo A` for `echo A<U+200B>; touch x` (attack a10o F3). `draw_whole`
draws every character: such a character is kept in the cell before the cursor, as pyte keeps a
combining mark, and the rest is drawn. Who shows a cell decides how to show what it holds
(tui/terminal.py marks it; the gate reads it as part of the line).

A wide character that does not fit in the last column wraps first, as xterm and VTE wrap it,
instead of pyte's half a character in the last cell.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pyte
from pyte import modes as mo
from wcwidth import wcwidth


def _kept_aside(char: str) -> bool:
    """A character pyte's draw would stop at: no cell, and not a combining mark."""
    width = wcwidth(char)
    return width < 0 or (width == 0 and not unicodedata.combining(char))


def draw_whole(screen: pyte.Screen, data: str, draw: Callable[[str], None]) -> None:
    """Draw `data` on `screen` with `draw` (pyte's own `Screen.draw`, bound), every character
    of it: those pyte would stop at go into the cell before the cursor (see the module)."""
    if data.isascii() and data.isprintable():  # most output: nothing pyte stops at
        draw(data)
        return
    start = 0
    for i, char in enumerate(data):
        aside = _kept_aside(char)
        if not aside and wcwidth(char) != 2:
            continue
        if i > start:
            draw(data[start:i])
        start = i + 1
        if aside:
            _attach(screen, char)
        else:
            if screen.cursor.x == screen.columns - 1 and mo.DECAWM in screen.mode:
                screen.cursor.x = screen.columns  # drawing wraps first, as a terminal does
            draw(char)
    if start < len(data):
        draw(data[start:])


def _attach(screen: pyte.Screen, char: str) -> None:
    x, y = min(screen.cursor.x, screen.columns), screen.cursor.y
    if x:
        line, x = screen.buffer[y], x - 1
    elif y:
        line, x = screen.buffer[y - 1], screen.columns - 1
    else:  # the top left corner: nothing before it on the screen, kept in the cell itself
        line = screen.buffer[y]
    line[x] = line[x]._replace(data=line[x].data + char)
    screen.dirty.add(y)
