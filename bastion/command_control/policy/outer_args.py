"""A script a shell sources or reads with the arguments the line gives it (outside attack a36f,
findings 3, 18, 19 and 25): the `sh -c '. FILE' x stop` reading of script_spellings.py, for the
other places the sourced file and the outer `$1` stand.

- `sourced_files(code)`: each `. FILE` / `source FILE` in a shell's code (a `-c` string, a
  here-string or here-document it reads as its script), the file's word read as the shell
  reads it (quotes and backslashes removed), wherever the command stands in the code (`{ . F;
  }`, `command . F`, `set -e; . F`); dash's `.` ignores words after the file and keeps the
  outer `$1`, so the file is judged with the outer arguments whatever follows it;
- `outer_file(word, arg0, args)`: `$0`, `${0}`, `$N` in that word read from the shell's own
  operands; None for a word known only at run time;
- `shell_operands(strings)`: a shell's option letters, its startup files (`--rcfile`,
  `--init-file`) and where its operands start.
"""

from __future__ import annotations

import itertools
import re
import shlex

from bastion.command_control.policy.short_options import is_cluster, read_cluster

UNKNOWN = "\0(known only at run time)"  # an operand's stand-in
_SOURCES = frozenset({".", "source"})
_STARTUP = frozenset({"--rcfile", "--init-file"})
_POSITIONAL = re.compile(r"\$(?:\{(?P<braced>[0-9]+)\}|(?P<bare>[0-9]))")
# a `.` or `source` word, for code shlex cannot split (an unclosed quote, a here-document)
_SOURCE_WORD = re.compile(r"(?:^|[\s;&|({`])(?:\.|source)\s")


def sourced_files(code: str, depth: int = 0) -> tuple[list[str], list[str]] | None:
    """The words after each `.` or `source` in `code` (the files it sources, as written after
    quote removal), also in a string the code may run (`eval '. F'`), and the folders a `cd`
    or `pushd` in it names; None when the code cannot be split and may source a file."""
    try:
        lexer = shlex.shlex(code, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        lexer.commenters = ""
        tokens = list(lexer)
    except ValueError:
        return None if _SOURCE_WORD.search(code) else ([], [])
    files = [after for before, after in itertools.pairwise(tokens)
             if before in _SOURCES and after not in ";&|()<>"]
    dirs = [after for before, after in itertools.pairwise(tokens)
            if before in ("cd", "pushd") and after not in ";&|()<>" and not after.startswith("-")]
    for token in tokens:
        if depth < 3 and _SOURCE_WORD.search(token):
            inner = sourced_files(token, depth + 1)
            if inner is None:
                return None
            files += inner[0]
            dirs += inner[1]
    return files, dirs


def outer_file(word: str, arg0: str | None, args: list[str | None]) -> str | None:
    """`word` with `$0`/`${0}`/`$N` read from the shell's operands; None when any part of it is
    known only at run time."""
    unknown = False

    def one(match: re.Match[str]) -> str:
        nonlocal unknown
        index = int(match.group("braced") or match.group("bare"))
        value = arg0 if index == 0 else (args[index - 1] if index <= len(args) else "")
        if value is None or value == UNKNOWN:
            unknown = True
            return ""
        return value

    read = _POSITIONAL.sub(one, word)
    if unknown or "$" in read or "`" in read:
        return None
    return read


def shell_operands(strings: list[str]) -> tuple[str, list[str], int]:
    """(option letters, startup files, index of the first operand) of a shell's words."""
    at, letters, startup = 1, "", []
    while at < len(strings) and strings[at][:1] in ("-", "+") and strings[at] not in ("-", "--"):
        word = strings[at]
        option, has_value, value = word.partition("=")
        if f"--{option.lstrip('-')}" in _STARTUP:  # bash takes its long options with one dash too
            if has_value:
                startup.append(value)
            elif at + 1 < len(strings):
                startup.append(strings[at + 1])
                at += 1
            at += 1
        elif word.startswith("--"):
            at += 1
        elif is_cluster(word, plus=True):
            cluster = read_cluster(word, "oO", getopt=False)
            letters += cluster.letters  # (bash and dash take `c` in either sign)
            at += 1 + cluster.nexts
        else:
            at += 1
    if at < len(strings) and strings[at] in ("--", "-"):
        at += 1
    return letters, startup, at
