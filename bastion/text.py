"""Text that came from a user, made safe to show to anyone, and the rule for text people give.

A command line, a ticket, a reason or a user name can hold characters that a terminal or a
console would act on, or that make it read as something else: escape sequences (ESC, CSI, OSC),
carriage returns that overwrite a row, C1 controls that some terminals read as CSI, bidi
controls that reorder a line, zero-width and invisible characters that hide text or make two
strings look the same, and spaces that are not the space the shell splits words on. `visible`
spells each of them out (`\\x1b`, `\\u202e`), so that what is shown is what was sent, and never
an instruction to the viewer's terminal. `check_line` refuses them in the text people give
(reasons, tickets), with the one length limit for reasons.

The class is Unicode's own: categories Cc (C0, DEL, C1), Cf (format: bidi marks, embeddings,
overrides and isolates, zero-width characters, the byte-order mark, tag characters, soft
hyphen), Zl and Zp (line and paragraph separators), Cs (lone surrogates), spaces other than
U+0020, variation selectors and the invisible fillers (Hangul fillers, the combining grapheme
joiner). tests/test_display.py checks the set against the running Python's Unicode database.
"""

from __future__ import annotations

import logging
import re
from types import TracebackType

from bastion.errors import BastionError

__all__ = ["HIDDEN", "MAX_REASON", "TextError", "VisibleFormatter", "check_line", "has_hidden",
           "one_line", "shown_command", "visible"]

MAX_REASON = 500  # characters in a reason, on every door (CLI, SSH commands, control API)

HIDDEN = re.compile(
    "["
    "\x00-\x1f\x7f-\x9f"                       # Cc: C0 (tab and newline too), DEL, C1
    "\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"   # spaces that look like U+0020 but are not
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"   # Cf
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"   # Cf
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"  # Cf
    "\U000e0001\U000e0020-\U000e007f"          # Cf: language tag and tag characters
    "\u2028\u2029"                             # Zl, Zp
    "\ud800-\udfff"                            # Cs: lone surrogates
    "\u034f\u115f\u1160\u3164\uffa0"           # combining grapheme joiner, Hangul fillers
    "\u180b-\u180d\u180f\ufe00-\ufe0f\U000e0100-\U000e01ef"   # variation selectors
    "]"
)


_ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class TextError(BastionError):
    """Text someone gave (a reason, a ticket) was refused: hidden characters, or too long."""


def _spell(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """`text` with every character HIDDEN matches spelled out as an escape (`\\x1b`, `\\u202e`,
    `\\U000e0041`); the rest unchanged. The result holds no HIDDEN character, so it always
    encodes as UTF-8, and `visible(visible(t)) == visible(t)`."""
    return HIDDEN.sub(_spell, text)


# Spaces in a row that a table cell or a notice spells out: padding would push the rest of a
# command (`systemctl restart nginx<1500 spaces>; reboot`) out of sight.
_SPACE_RUN = re.compile(" {4,}")


def shown_command(text: str, width: int | None = None) -> str:
    """A user's command as one line for a table cell or a notice: `visible`, every run of four or
    more spaces spelled out (" [1500 spaces] "), and, past `width` characters, cut with a mark
    that says so and how long the command is ("…[1531 chars]"). What is shown is never more
    than `width` characters unless the mark alone is wider."""
    line = _SPACE_RUN.sub(lambda m: f" [{len(m.group())} spaces] ", visible(text))
    if width is None or len(line) <= width:
        return line
    mark = f"…[{len(text)} chars]"
    return line[: max(0, width - len(mark))] + mark


def one_line(text: str, limit: int | None = None) -> str:
    """`text` flattened for a one-line message (an scp error line, a login banner, a verdict's
    reason): every run of whitespace, newlines and tabs included, made one space, the ends
    trimmed, every other hidden character spelled out (`visible`), and, past `limit` characters,
    cut to `limit` characters ending in "…". The result holds no newline."""
    flat = visible(" ".join(text.split()))
    if limit is None or len(flat) <= limit:
        return flat
    return flat[: limit - 1] + "…"


def has_hidden(text: str) -> bool:
    """True when `text` holds a character `visible` would spell out."""
    return HIDDEN.search(text) is not None


def check_line(value: str, what: str, *, limit: int | None = MAX_REASON) -> str:
    """`value` with surrounding whitespace removed, when it is one line of plain characters of at
    most `limit` characters (None: any length). Raises TextError with a one-line reason that
    names `what` and the first hidden character, spelled out."""
    if not isinstance(value, str):
        raise TextError(f"{what} must be text")
    value = value.strip()
    if (found := HIDDEN.search(value)) is not None:
        raise TextError(f"{what} must be one line of plain text: character {found.start() + 1} is "
                        f"{visible(found.group())} (a control, bidi, invisible or unusual space "
                        "character)")
    if limit is not None and len(value) > limit:
        raise TextError(f"{what} is longer than {limit} characters ({len(value)})")
    return value


class VisibleFormatter(logging.Formatter):
    """Log lines with every hidden character spelled out: a log line quotes what clients sent
    (a user name before authentication, a reason), and whoever reads the log on a terminal must
    not have it act there, nor read a line that a newline in a user name forged. A traceback
    keeps its lines; each is spelled out on its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return visible(super().formatMessage(record))

    def formatException(self, ei: _ExcInfo) -> str:
        return "\n".join(visible(line) for line in super().formatException(ei).split("\n"))

    def formatStack(self, stack_info: str) -> str:
        return "\n".join(visible(line) for line in super().formatStack(stack_info).split("\n"))
