"""vim's command line read as vim reads it (found after outside attack W, finding 6): the ex
commands it runs (`-c CMD`, `-cCMD` and in a cluster `-esc'!cmd'`, `--cmd CMD`, `+CMD`), the files
its options write (`-w`/`-W` FILE, `-i` VIMINFO, `-V20FILE`, `--startuptime`, `--log`), and what
the policy does not read (another vim's commands, an option it does not know)."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.words import _Word
from bastion.text import digits

# The editors whose command line is vim's (vi and ex are vim or nvi on the systems the bastion
# serves; `editor` and `sensible-editor` start the one the alternatives or $EDITOR name).
_VIM_LIKE = frozenset({
    "ex", "vi", "vim", "view", "rvim", "rview", "vimdiff", "nvim", "vim.basic", "vim.tiny",
    "vim.nox", "vim.gtk", "vim.gtk3", "vim.athena", "vim.motif", "nvi", "nex", "elvis", "gvim",
    "gview", "evim", "eview", "rgvim", "rgview", "gvimdiff", "vimx", "nvimdiff", "editor",
    "sensible-editor",
})  # fmt: skip
# vim's letters that take the rest of the word or the next word: commands (c), a file sourced
# (S), a file of typed keys (s, unless in ex mode where -s is silent), a terminal, vimrc, tag,
# error file (T, u, U, t, q), files written (w unless a number, W, i), a log (V: digits, then a
# file written).
_VIM_VALUES = "cSsTuUtqwWiV"
_VIM_FLAGS = frozenset("AbCdDeEfFgGhHlLmMnNrRvxXyYZoOp0123456789")
_VIM_WRITE = frozenset("wWi")
_VIM_LONG_FLAGS = frozenset({"--clean", "--noplugin", "--not-a-term", "--ttyfail", "--literal",
                             "--nofork", "--help", "--version", "--echo-wid", "--serverlist",
                             "--headless", "--embed", "--api-info"})
_VIM_LONG_VALUES = frozenset({"--servername", "--socketid", "--windowid", "--role", "--listen"})
_VIM_LONG_WRITES = frozenset({"--startuptime", "--log"})


class _VimPart(NamedTuple):
    """One thing a vim command line asks for: "command" (an ex command, `word` its text),
    "write" (a file written, `word` its name), "source" (a file of commands or keys read), or
    "unknown" (`reason` says what)."""

    kind: str
    word: _Word | None
    reason: str = ""


def _vim_parts(words: list[_Word]) -> list[_VimPart]:
    """What vim's words ask for, read as vim's command line scanner reads them: clusters of
    letters (`-esc CMD`, `-Nu NONE`), a letter's value as the rest of the word or the next word,
    `--` ending the options, `+CMD` before it."""
    parts: list[_VimPart] = []
    ex_mode = (words[0].value or "").rsplit("/", 1)[-1] in ("ex", "nex")
    index = 1
    while index < len(words):
        value = words[index].value
        following = words[index + 1] if index + 1 < len(words) else None
        index += 1
        if value is None or value == "-" or not value.startswith(("-", "+")):
            continue
        if value == "--":
            break
        if value.startswith("+"):
            parts.append(_VimPart("command", _Word(value[1:], value)))
        elif value.startswith("--"):
            name = value.partition("=")[0]
            if name == "--cmd":
                parts.append(_VimPart("command", following))
                index += 1
            elif name in _VIM_LONG_WRITES:
                parts.append(_VimPart("write", following))
                index += 1
            elif name in _VIM_LONG_VALUES:
                index += 1
            elif name not in _VIM_LONG_FLAGS:
                parts.append(_VimPart("unknown", None, f"a vim option the policy does not read: "
                                                       f"{name}"))
        else:
            taken, ex_mode = _vim_cluster(value, following, ex_mode, parts)
            index += taken
    return parts


def _vim_cluster(value: str, following: _Word | None, ex_mode: bool, parts: list[_VimPart]
                 ) -> tuple[int, bool]:
    """The parts of one cluster of vim's letters (`-esc CMD`): the number of words its value
    took after it (0 or 1), and whether vim is in ex mode after it (`-e`, `-E`)."""
    for offset, letter in enumerate(value[1:], start=2):
        rest = value[offset:]
        if letter in "eE":
            ex_mode = True
        if letter == "s" and ex_mode:
            continue  # ex mode's silent mode
        if letter in "wV" and (not rest or digits(rest)) and (letter == "V" or rest):
            return 0, ex_mode  # a window height (`-w40`), a verbosity (`-V9`)
        if letter == "V":
            count = len(rest) - len(rest.lstrip("0123456789"))
            parts.append(_VimPart("write", _Word(rest[count:], rest[count:])))
            return 0, ex_mode
        if letter in _VIM_VALUES:
            argument = _Word(rest, rest) if rest else following
            kind = "command" if letter == "c" else "write" if letter in _VIM_WRITE else "source"
            if not (letter == "i" and argument is not None and argument.value == "NONE"):
                parts.append(_VimPart(kind, argument))
            return (0 if rest else 1), ex_mode
        if letter not in _VIM_FLAGS:
            parts.append(_VimPart("unknown", None, f"a vim option the policy does not read: -{letter}"))
            return 0, ex_mode
    return 0, ex_mode
