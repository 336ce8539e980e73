"""Text that came from a user, made safe to show to anyone, and the rule for text people give.

A command line, a ticket, a reason or a user name can hold characters that a terminal or a
console would act on, or that make it read as something else: escape sequences (ESC, CSI, OSC),
carriage returns that overwrite a row, C1 controls that some terminals read as CSI, bidi
controls that reorder a line, zero-width and invisible characters that hide text or make two
strings look the same, and spaces that are not the space the shell splits words on. `visible`
spells each of them out (`\\x1b`, `\\u202e`), so that what is shown is what was sent, and never
an instruction to the viewer's terminal. `check_line` refuses them in the text people give
(reasons, tickets), with the one length limit for reasons.

The class is Unicode's own, read from the running Python's database: categories Cc (C0, DEL,
C1), Cf (format: bidi marks, embeddings, overrides and isolates, zero-width characters, the
byte-order mark, tag characters, soft hyphen), Cn (unassigned), Co (private use), Zl and Zp
(line and paragraph separators), Cs (lone surrogates), spaces other than U+0020, the other
default-ignorable code points (variation selectors, Hangul fillers, the combining grapheme
joiner, Khmer inherent vowels) and the braille blank U+2800. A run of four or more of one such
character (or of spaces) is counted rather than repeated in a table cell (`shown_command`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from types import TracebackType
from typing import Any

from bastion.errors import BastionError

__all__ = ["HIDDEN", "LISTED_TEXT", "MAX_REASON", "TextError", "VisibleFormatter", "check_line",
           "cut_mark", "cut_text", "has_hidden", "is_hidden", "map_texts", "one_line",
           "shown_command", "visible"]

MAX_REASON = 500  # characters in a reason, on every door (CLI, SSH commands, control API)
# Characters of one text a listing holds (the console's `audit` and `sessions`, cut in the
# store's queries and in the control replies alike), then `cut_mark`.
LISTED_TEXT = 4096


def cut_mark(size: int) -> str:
    """What follows a text cut short: how long it was ("…[1531 chars]")."""
    return f"…[{size} chars]"


def map_texts(value: Any, change: Callable[[str, str], str], place: str = "") -> Any:
    """`value` (what JSON holds: dicts, lists, texts, numbers) with each text `change(text,
    place)`, `place` naming where it stands (`line`, `names.3`); keys are kept as they are."""
    if isinstance(value, str):
        return change(value, place)
    if isinstance(value, dict):
        return {k: map_texts(v, change, f"{place}.{k}" if place else str(k))
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [map_texts(v, change, f"{place}.{i}") for i, v in enumerate(value)]
    return value


def cut_text(text: str, size: int = LISTED_TEXT) -> str:
    """`text`, or when it is longer than `size` characters its start and `cut_mark`, `size`
    characters in all (so a listing that cuts at `size` again leaves it as it is)."""
    if len(text) <= size:
        return text
    mark = cut_mark(len(text))
    return text[:max(0, size - len(mark))] + mark

# Unicode's categories of what draws nothing or acts: controls (Cc), format characters (Cf:
# bidi, zero-width, tags), unassigned code points (Cn: whatever a later Unicode or a terminal
# makes of them, U+2065, U+FFF0-FFF8, U+E0080-E0FFF), private use (Co: a font's choice), lone
# surrogates (Cs), line and paragraph separators, and every space but U+0020 (Zs).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp", "Zs"})
# Default-ignorable code points of other categories (the combining grapheme joiner, Hangul
# fillers, Khmer inherent vowels, variation selectors), and U+2800, the braille blank, which
# draws as a space without being one (attack a10o F4).
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10))) + "".join(map(chr, range(0xE0100, 0xE01F0))))
_CANDIDATE = re.compile(r"[^\x20-\x7e]")


def digits(text: str) -> bool:
    """Whether `text` is one or more ASCII digits, as bash, readline, the kernel and the tools
    read a number: `str.isdigit` also takes `١٢٣` and `²`, which none of them does (and which
    `int` turns into a number or rejects with a traceback: attack o24o, finding 3)."""
    return text.isascii() and text.isdigit()


def is_hidden(char: str) -> bool:
    """True for one character that `visible` spells out (see the module docstring)."""
    return char in _INVISIBLE or unicodedata.category(char) in _HIDDEN_CATEGORIES


class _Hidden:
    """The hidden characters as a pattern (`search`, `match`, `sub`, like a compiled regex's),
    decided by Unicode properties rather than a list that drifts from Python's database."""

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        for m in _CANDIDATE.finditer(text, pos):
            if is_hidden(m.group()):
                return m
        return None

    def match(self, text: str, pos: int = 0) -> re.Match[str] | None:
        m = _CANDIDATE.match(text, pos)
        return m if m is not None and is_hidden(m.group()) else None

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str) -> str:
        """`text` with each hidden character replaced by `repl` (taken as is) or `repl(match)`."""
        def each(m: re.Match[str]) -> str:
            if not is_hidden(m.group()):
                return m.group()
            return repl if isinstance(repl, str) else repl(m)
        return _CANDIDATE.sub(each, text)


HIDDEN = _Hidden()


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


# Runs of blank or hidden characters that a table cell or a notice counts: padding would push
# the rest of a command (`systemctl restart nginx<1500 spaces>; reboot`, or 400 braille blanks,
# or both mixed) out of sight.
_BLANKS = re.compile(r"[^\x21-\x7e]{4,}")
_RUN_LISTS = 8  # distinct characters a counted run names


def _blank(char: str) -> bool:
    return char == " " or is_hidden(char)


def _count_runs(m: re.Match[str]) -> str:
    text, out, i = m.group(), [], 0
    while i < len(text):
        j = i
        while j < len(text) and _blank(text[j]):
            j += 1
        if j - i >= 4:
            run = text[i:j]
            if run == " " * len(run):
                out.append(f" [{len(run)} spaces] ")
            else:
                kinds = sorted(set(run))
                named = visible("".join(kinds[:_RUN_LISTS]).replace(" ", "\\x20"))
                out.append(f" [{len(run)} blank or hidden: {named}{'…' * (len(kinds) > _RUN_LISTS)}] ")
        else:
            out.append(text[i:j + 1])
            j += 1
        i = j
    return "".join(out)


def shown_command(text: str, width: int | None = None) -> str:
    """A user's command as one line for a table cell or a notice: `visible`, every run of four or
    more spaces or of one hidden character counted (" [1500 spaces] ",
    " [400 blank or hidden: \\u2800] "), and, past `width` characters, cut with a mark
    that says so and how long the command is ("…[1531 chars]"). What is shown is never more
    than `width` characters unless the mark alone is wider."""
    line = visible(_BLANKS.sub(_count_runs, text))
    if width is None or len(line) <= width:
        return line
    mark = cut_mark(len(text))
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
