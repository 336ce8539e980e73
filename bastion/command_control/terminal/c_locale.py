"""The line as readline holds it in a C or POSIX locale, where a typed character outside ASCII
is not text (attack e14ia, finding 5).

There readline's `convert-meta` reads each byte of 0x80 and up as Esc and the byte less 0x80:
U+4800 (bytes E4 A0 80) is M-d, M-SPC, M-C-@, and kills a word. The keystroke model takes the
character as text, as a UTF-8 locale does, and a job drawing the model's line over bash's own
hid the edit. The bastion cannot know the target's locale, so from the first such key on, a
line gets a second reading: the bytes as the meta keys they are (word edits, case changes and
undo as the model follows them, a digit argument before typed text, keys bound to nothing);
that line is judged too (`Reconstruction.also`). Where a byte is a meta key the model does not
follow (history, completion, yanks), what the line became is unknown: the `unknown` action.

Part of the terminal model (see the package docstring). Pure.
"""

from __future__ import annotations

import dataclasses

from bastion.command_control.terminal.edits import UNDO_KEYS, _Undo, edit_for, insert_text
from bastion.text import digits

# Meta keys bash binds with no inputrc (`bind -p`, bash 5.2), as the byte less 0x80 reads:
# those the model follows, those that change nothing, and the digit arguments. Any other bound
# one is not followed; one bound to nothing rings the bell.
_FOLLOWED = frozenset("bdftulcr\\\x7f\x08\x12")
_NOTHING = frozenset(" =?\x07\x0c#\x05")
_BOUND = frozenset(" !#$&*-./0123456789<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\^_bcdfglnprtuy{~"
                   "\x7f\x1d\x02\x04\x05\x06\x07\x08\x09\x0c\x12\x14\x19\x1b")
# Meta keys that bring text the keys cannot know (history, completion, yanks, expansions): after
# one the second reading is lost, as the model's own reading is after Tab or Up (SECURITY.md,
# Open), and the line is judged as the screen and the keys show it.
_BRINGS = frozenset("!$&*./<>@^_{~gnpy\x1b\x09\x19")
_UNKNOWN = ("characters outside ASCII were typed: in a C or POSIX locale readline reads their "
            "bytes as meta keys the bastion does not follow (a digit argument, a character "
            "search, a shell-word edit)")


@dataclasses.dataclass
class _Plain:
    text: str
    cursor: int
    undo: list[_Undo] | None = None
    undoing: bool = False


class CLocaleReading:
    """The line in a C locale, begun at the first key outside ASCII typed at readline's prompt
    in emacs mode (`before`: the line and cursor the key found)."""

    def __init__(self, before: tuple[str, int] | None) -> None:
        self.line = _Plain(*(before or ("", 0)))
        self.unknown = before is None or not before[0].isascii()
        self.count: str | None = None  # a digit argument typed as meta bytes
        self.lost = False  # a meta key brought text the keys cannot know

    def typed(self, text: str) -> None:
        for char in text:
            if char.isascii():
                self._insert(char)
            else:
                for byte in char.encode("utf-8", "surrogatepass"):
                    self._meta(chr(byte & 0x7F))

    def pasted(self, text: str) -> None:
        """Readline inserts a paste's bytes as they are: one outside ASCII is a byte, not a
        character, to the C locale's edits."""
        self.unknown = self.unknown or not text.isascii()
        self._insert(text)

    def key(self, key: str) -> None:
        """A key other than text, as the model took it (it is no meta byte)."""
        if self.count is not None:
            self.unknown = True
        edit = edit_for(key, True)
        if edit is None or (key in UNDO_KEYS and self.line.undo is None):
            # An undo with no undo list followed (`lsé` then M-r): not known (attack r27i, 2).
            self.unknown = True
        elif not self.unknown:
            edit(self.line)

    def judged(self, rec, pending: list[str]):
        """`rec` (a command Reconstruction) with this reading judged too, or held unknown."""
        if self.lost and not self.unknown:
            return rec
        if self.unknown:
            return rec if rec.unknown else dataclasses.replace(rec, unknown=_UNKNOWN)
        text = "\n".join([*pending, self.line.text])
        if text.strip(" \t\n") and text != rec.text and text not in rec.also:
            return dataclasses.replace(rec, also=(*rec.also, text))
        return rec

    def _insert(self, text: str) -> None:
        if self.count is not None:
            times, self.count = self.count, None
            if not digits(times) or int(times) > 64:
                self.unknown = True
                return
            text = text[0] * int(times) + text[1:]
        insert_text(self.line, text)

    def _meta(self, key: str) -> None:
        if key in "O[":
            self.unknown = True  # Esc O and Esc [ start a terminal key: the next byte ends it
            return
        if key.isupper():
            key = key.lower()  # do-lowercase-version
        if digits(key) or key == "-":
            if self.count is None:
                self.count = key
            elif digits(key):
                self.count += key
            else:
                self.unknown = True  # M-- after digits (attack g16i, F5)
        elif self.count is not None:
            self.unknown = True
        elif key in _FOLLOWED:
            edit = edit_for("\x1br" if key == "\x12" else "\x1b" + key, True)
            if edit is None or (key in "r\x12" and self.line.undo is None):
                self.unknown = True
            else:
                edit(self.line)
        elif key in _BRINGS:
            self.lost = True
        elif key in _BOUND and key not in _NOTHING:
            self.unknown = True
