"""Text that came from a user, made safe to show to anyone.

A command line, a ticket, a reason or a user name can hold characters that a terminal or a
console would act on: escape sequences (ESC, CSI, OSC), carriage returns that overwrite a row,
C1 controls that some terminals read as CSI, and bidi or zero-width characters that reorder or
hide text. `visible` spells each of them out (`\\x1b`, `\\u202e`), so that what is shown is what
was sent, and never an instruction to the viewer's terminal.
"""

from __future__ import annotations

import re

__all__ = ["HIDDEN", "has_hidden", "visible"]

# C0 (tab included), DEL, C1, zero-width and directional marks, bidi embeddings and overrides,
# bidi isolates, and the byte-order mark (a zero-width no-break space).
HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def _spell(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every character HIDDEN matches spelled out as an escape (`\\x1b`, `\\u202e`);
    the rest unchanged. Lone surrogates are spelled out too (`\\ud800`), so the result always
    encodes as UTF-8."""
    text = HIDDEN.sub(_spell, text)
    if not text.isascii():
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def has_hidden(text: str) -> bool:
    """True when `text` holds a character `visible` would spell out."""
    return HIDDEN.search(text) is not None
