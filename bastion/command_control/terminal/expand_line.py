"""What shell-expand-line (Esc Ctrl-E, and 0x85 in the C locale) runs, as bash does it: the
line's history expansion first, then the whole line expanded as one word, so that a `$( )`
after a `#` runs as surely as one before it (attack j19i, findings 2 and 3). Pure; used by the
tracker's reading (reading.py; docs/ARCHITECTURE.md, "One keystroke, client to target and back")."""

from __future__ import annotations

import re

# What expansion can run code through: command and process substitution, and arithmetic or
# parameter expansion (array subscripts); a line without them runs nothing.
EXPANDS_CODE = re.compile(r"[$`]|[<>]\(")
# History expansion with bash's default history characters: `!` anywhere (bash expands it in
# double quotes too), `^` first on a line (the quick substitution `^old^new`). A line changed
# by the history list runs what the list holds, which the line does not show.
_HISTORY = re.compile(r"!|^[ \t]*\^", re.M)
HISTORY_FIRST = ("shell-expand-line runs history expansion first: what the line becomes comes "
                 "from the history list")
# A `#` that starts a word, which the shell's reading of a command line takes for a comment
# and shell-expand-line, reading the line as one word, does not.
_COMMENT = re.compile(r"(^|[\s;&|()<>])#", re.M)


def as_expanded(statements: list[str]) -> tuple[list[str], str] | None:
    """The statements to judge for a shell-expand-line over `statements` (the readings of the
    line), and the reason the `unknown` action applies on top ("" for none); None when none
    holds anything expansion can run. A `#` starting a word is escaped, so that what follows
    it is judged as the code it is."""
    if any(_HISTORY.search(st) for st in statements):
        return statements, HISTORY_FIRST
    if not any(EXPANDS_CODE.search(st) for st in statements):
        return None
    return [_COMMENT.sub(lambda m: m.group(1) + "\\#", st) for st in statements], ""
