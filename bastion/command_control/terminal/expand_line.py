"""What readline's expanding keys run, as bash does it (attacks j19i, k20i). Pure; used by the
tracker's reading (reading.py; docs/ARCHITECTURE.md, "One keystroke, client to target and
back").

- shell-expand-line (Esc Ctrl-E; 0x85 in a C locale): history expansion first, then alias
  expansion, then the whole line expanded as one word, so that a `$( )` after a `#` runs as
  surely as one before it, and on a continuation line only that line.
- completion (Tab and its kin): the word at the cursor is expanded, substitutions included
  (`ls "${x:-$(cmd)}"/` Tab runs cmd, with no completion function at all)."""

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
# A word glued to `(`, `{` or `[`: were it an alias ending in `$`, `<` or `>` (`alias e='echo
# $'`, then `e(cmd)`), alias expansion would make a substitution of what follows.
_ALIAS_GLUE = re.compile(r"[^ \t\n$;&|<>(){}\[\]'\"`\\=]([({\[])")
ALIASES_FIRST = ("shell-expand-line expands aliases first, which the bastion does not know: an "
                 "alias ending in $, < or > makes code of the ( { or [ after it")
# A `#` that starts a word, which the shell's reading of a command line takes for a comment
# and an expansion of the line as one word does not.
_COMMENT = re.compile(r"(^|[ \t\n;&|()<>])#", re.M)  # bash's blanks: ASCII (a36i, 4)
RUNS_NOTHING = {"expand": "shell-expand-line runs nothing here",
                "complete": "completion runs nothing here"}
UNKNOWN_HOW = {"edit": "the editor decides what runs (edit-and-execute-command)",
               "macro": "a keyboard macro decides what runs",
               "rebind": "re-reading the init file changes what keys do (re-read-init-file)"}


def acted_on(how: str, statements: list[str], current: str, typed: str
             ) -> tuple[list[str], str] | None:
    """The statements to judge when readline acts on the line with the key `how` (not an
    accept), and the reason the `unknown` action applies on top ("" for none); None when an
    expanding key (`expand`, `complete`) finds nothing to run. `statements` are the line's
    readings with the earlier lines of an unfinished statement, `current` the line alone (an
    expanding key acts on it only), `typed` the line as the keys typed it where the screen may
    show another ("" otherwise)."""
    if how not in ("expand", "complete"):
        return statements, UNKNOWN_HOW.get(how, "")
    seen = list(dict.fromkeys([*statements, current, *([typed] if typed else [])]))
    if how == "expand" and any(_HISTORY.search(st) for st in seen):
        return seen, HISTORY_FIRST
    code = any(EXPANDS_CODE.search(st) for st in seen)
    glue = how == "expand" and any(_ALIAS_GLUE.search(st) for st in seen)
    if not code and not glue:
        return None
    if how == "complete":
        # Completion takes the word at the cursor out of its quotes (and backslashes) before
        # it expands it: `echo '${x:-$(cmd)}/'` with the cursor inside the quotes runs cmd
        # (attack l21i, finding 4). Each line is judged without them too.
        seen += [st.replace("'", "").replace("\\", "") for st in seen if "'" in st or "\\" in st]
    one_word = [_COMMENT.sub(lambda m: m.group(1) + "\\#", st) for st in seen]
    return one_word, ALIASES_FIRST if glue else ""


def may_expand(*texts: str) -> bool:
    """Whether a completion key on a line holding `texts` may run code (see `acted_on`)."""
    return any(EXPANDS_CODE.search(text) for text in texts)
