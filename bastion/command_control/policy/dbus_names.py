"""The names a D-Bus client's words give once decoded as the client or the service decodes
them (found after outside attack u30f, finding 1): the D-Bus rules are patterns on the words,
while systemd decodes a unit's object path label (`bus_label_unescape`: EVERY `_XX` of two hex
digits, either case, is that byte: `_64ebug_2Dshell_2eservice` is debug-shell.service), and
gdbus reads each argument as GVariant text, where a string takes `\\uXXXX`, `\\UXXXXXXXX` and
C escapes (`'debug\\u002dshell.service'`). `readings` gives the words so decoded; each is
judged beside the words as written (more readings judged, never fewer). A `\\u` or `\\U` not
followed by its hex digits cannot be read as gdbus reads it: `undecodable` says so (unknown)."""

from __future__ import annotations

import re

# The D-Bus clients the shipped rules name.
DBUS_CLIENTS = frozenset({"busctl", "dbus-send", "gdbus", "qdbus", "qdbus6", "qdbus-qt5",
                          "qdbus-qt6"})
_LABEL = re.compile(r"_([0-9A-Fa-f]{2})")
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
# GVariant's string escapes, and (in a second reading) the \x and octal ones of bytestrings.
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.S)
_BROKEN = re.compile(r"\\(?:u(?![0-9A-Fa-f]{4})|U(?![0-9A-Fa-f]{8}))")


def _unescape(word: str, numeric: bool) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "uU" and len(body) > 1:
            code = int(body[1:], 16)
            return chr(code) if code < 0x110000 else body
        if body[0] == "x" and len(body) > 1:
            return chr(int(body[1:], 16)) if numeric else body
        if body[0] in "01234567":
            return chr(int(body, 8) & 0xFF) if numeric else body
        return _C_ESCAPES.get(body, body)
    return _ESCAPE.sub(one, word)


def _label(word: str) -> str:
    """An object path's labels decoded as systemd decodes them (every `_XX`)."""
    return _LABEL.sub(lambda m: chr(int(m.group(1), 16)), word) if "/" in word else word


def readings(argv: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The D-Bus client's words (`argv`) decoded where that gives other words: the object
    paths' labels, GVariant's escapes (with and without the numeric ones)."""
    found: list[tuple[str, ...]] = []
    for numeric in (False, True):
        decoded = tuple(_label(_unescape(w, numeric) if "\\" in w else w) for w in argv)
        if decoded != argv and decoded not in found:
            found.append(decoded)
    return found


def undecodable(argv: tuple[str, ...]) -> str | None:
    """A word holding an escape gdbus's GVariant reading does not take as written, or None."""
    return next((w for w in argv[1:] if _BROKEN.search(w)), None)
