"""Tables of the shell's builtins (the option letters of fc, printf, read, mapfile, wait,
complete, bind, hash, enable, stty), and readline's key bindings (`bind`): which settings and
bindings leave the line, the keys and the prompt as the tracker expects, and which run code."""

from __future__ import annotations

import re

from bastion.command_control.policy.options import _options

_SCP = _options("cDFiJloPSX")
_PRINTF = _options("v")
_READ = _options("adinNptu")
_MAPFILE = _options("dnOsuCc")
_WAIT = _options("p")
_COMPLETE = _options("oAGWFCXPSDV")
_BIND = _options("mfqurx")
_HASH = _options("pdt")
_ENABLE = _options("f")
_COMMENTS_OFF = "with interactive comments off, `#` no longer hides what follows it"
_FD_VARIABLE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_MOVES_STANDARD = re.compile(r"[<>]&\s*[0-2]-")
_TERMINAL_AWAY = ("the shell's stdin or stderr no longer goes to the terminal: readline's "
                  "echo and line ends are out of the bastion's sight")
_STTY_SIZE = frozenset({"cols", "columns", "rows"})
_TSET_SETS = frozenset("eik")  # tset's -e, -i, -k: the erase, interrupt and kill characters
_TSET_ARGUMENT = frozenset("admp")  # its other options that take a value
# `echo` only: turning echo on hides nothing. `-echo` typed at a terminal is unknown (attack J):
# a shell then reads its lines at a prompt that echoes nothing, and keys typed blind at a
# program's prompt pass as a secret that only an explicit rule refuses (a line only the `unknown`
# default would hold, `eval "$(printf ...)"`, ran unseen, and a statement split over two hidden
# lines was judged a line at a time). Programs that turn echo off themselves (`read -s`, sudo,
# ssh's passphrase prompt) are not affected. -echoctl (no `^C`, which the backstop reads),
# -echoe, -icanon and the special characters stay unknown too.
_STTY_SHOWN = frozenset({"-a", "--all", "-g", "--save", "sane", "size", "speed", "echo"})
_EDITING_OFF = ("line editing off: the terminal driver edits the line, with keys the bastion "
                "does not follow")


# Readline variables that change only how completions are listed or the bell sounds: the line,
# the keys and the prompt are as the tracker expects. Every other variable (comment-begin,
# convert-meta, input-meta, keyseq-timeout, horizontal-scroll-mode, echo-control-characters,
# show-mode-in-prompt, mark-modified-lines, blink-matching-paren, expand-tilde...) is unknown.
_READLINE_DISPLAY = frozenset({
    "bell-style", "colored-completion-prefix", "colored-stats", "completion-display-width",
    "completion-ignore-case", "completion-map-case", "completion-prefix-display-length",
    "completion-query-items", "mark-directories", "mark-symlinked-directories",
    "match-hidden-files", "menu-complete-display-prefix", "page-completions",
    "print-completions-horizontally", "show-all-if-ambiguous", "show-all-if-unmodified",
    "visible-stats", "history-size",
})  # fmt: skip
# Readline functions that only move the cursor, list or fetch text (history, completion): the
# tracker reads the line from the screen after a key it does not follow, and a key it does
# follow (Ctrl-A, Ctrl-U) bound to one shows otherwise than predicted: uncertain, never wrong.
_BINDING_SAFE = frozenset({
    "history-search-backward", "history-search-forward", "history-substring-search-backward",
    "history-substring-search-forward", "previous-history", "next-history",
    "beginning-of-history", "end-of-history", "reverse-search-history",
    "forward-search-history", "beginning-of-line", "end-of-line", "forward-char",
    "backward-char", "forward-word", "backward-word", "shell-forward-word",
    "shell-backward-word", "complete", "menu-complete", "menu-complete-backward",
    "possible-completions", "clear-screen", "redraw-current-line", "dynamic-complete-history",
    "yank-last-arg", "yank-nth-arg",
})  # fmt: skip
_BINDING_RUNS = frozenset({
    "accept-line", "operate-and-get-next", "edit-and-execute-command",
    "vi-edit-and-execute-command", "shell-expand-line", "insert-comment", "call-last-kbd-macro",
    "re-read-init-file",
})  # fmt: skip


def _binding(text: str) -> tuple[str, str]:
    """A readline binding `"keyseq": rhs` or `keyname: rhs` split in two."""
    text = text.strip()
    if text.startswith('"'):
        position = 1
        while position < len(text) and text[position] != '"':
            position += 2 if text[position] == "\\" else 1
        rest = text[position + 1:]
        return text[: position + 1], rest.partition(":")[2].strip()
    key, _, rhs = text.partition(":")
    return key, rhs.strip()


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _binding_changes(text: str | None) -> str | None:
    """Why a readline binding or setting given to `bind` changes what a key does or how a line
    is drawn, or None for a display-only setting (`_READLINE_DISPLAY`)."""
    if text is None:
        return "a key binding known only at run time"
    stripped = text.strip()
    if stripped.startswith("set ") or stripped == "set":
        words = stripped.split()
        variable = words[1].lower() if len(words) >= 2 else ""
        value = words[2].lower() if len(words) >= 3 else ""
        if variable == "enable-bracketed-paste" and value != "on":
            return "turning bracketed paste off hides from the bastion when a line is accepted"
        if variable == "editing-mode" and value in ("emacs", "vi"):
            return None  # followed by the tracker, as `set -o vi` is
        if variable in _READLINE_DISPLAY or variable == "enable-bracketed-paste":
            return None
        return (f"the readline variable {variable or '(none)'} changes what keys do or how the "
                "line is read")
    if ":" not in stripped:
        return "a key binding the bastion cannot read"
    rhs = _binding(stripped)[1]
    if rhs[:1] in ("'", '"'):
        return "a key bound to typed text (a macro) that the bastion sees as one key"
    if rhs in _BINDING_RUNS:
        return f"a key bound to {rhs}, which runs or submits the line"
    if rhs in _BINDING_SAFE:
        return None
    return f"a key bound to {rhs or '(nothing)'} does what the bastion does not follow"


def _binding_runs(text: str | None) -> bool:
    """Whether a binding given to `bind` runs or submits a line, or hides that one was (unknown
    wherever the line is judged; other bindings only where a terminal is read)."""
    if text is None:
        return True
    stripped = text.strip()
    if stripped.startswith("set ") or stripped == "set":
        words = stripped.split()
        return len(words) >= 2 and words[1].lower() == "enable-bracketed-paste" and (
            len(words) < 3 or words[2].lower() != "on")
    rhs = _binding(stripped)[1] if ":" in stripped else ""
    return rhs[:1] in ("'", '"') or rhs in _BINDING_RUNS
