"""Command lines a program splits into words itself, without a shell (attack j19f, finding 7).

man-db's pager (`man -P`, MANPAGER, PAGER: libpipeline's argstr), rsync's remote shell (`-e`,
RSYNC_RSH), ansible's `command` module (Python's shlex), ncat's `-e`/`--exec`, socat's EXEC
address, ssh's KnownHostsCommand and sftp's -D run the words they split with no shell: no `#`
comment (sftp -D aside), no operators, no globs. Bash's grammar reads `rm #x -rf /etc` as `rm`; these programs
run `rm '#x' -rf /etc`. `split_reading` spells their words as bash words (`shlex.join`), so the
filter judges the command the program runs as well as the shell's reading (the union: stricter
where they differ); None where the program's split is not known here (then unknown).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable


def posix_words(text: str) -> list[str] | None:
    """Quotes and backslashes as sh reads them, whitespace separating, nothing else (libpipeline's
    argstr, Python's shlex.split, GNU wordsplit without variables): None on an open quote."""
    try:
        return shlex.split(text)
    except ValueError:
        return None


def rsync_words(text: str) -> list[str] | None:
    """rsync's `do_cmd` (main.c): spaces separate (not tabs), single or double quotes group and a
    doubled quote inside them is one; no backslash escapes. None on an open quote."""
    words: list[str] = []
    index = 0
    while index < len(text):
        if text[index] == " ":
            index += 1
            continue
        word, quote = [], ""
        while index < len(text) and (text[index] != " " or quote):
            char = text[index]
            if char in "'\"" and not quote:
                quote = char
                index += 1
                continue
            if char == quote:
                if text[index + 1:index + 2] != quote:
                    quote = ""
                    index += 1
                    continue
                index += 1  # a doubled quote: one literal quote
            word.append(text[index])
            index += 1
        if quote:
            return None
        words.append("".join(word))
    return words


def space_words(text: str) -> list[str] | None:
    """Words between whitespace (ncat's --exec, socat's EXEC without quotes); None where the text
    holds quotes or backslashes, whose reading differs between versions."""
    if any(c in text for c in "'\"\\"):
        return None
    return text.split()


def split_reading(text: str, splitter: Callable[[str], list[str] | None]) -> str | None:
    """The words `splitter` gives, as one bash line that runs exactly them; None if it cannot
    split the text."""
    words = splitter(text)
    return None if words is None else shlex.join(words)


def sshfs_words(text: str) -> list[str]:
    """sshfs's `ssh_command=` (`set_ssh_command`): spaces separate, a backslash keeps the next
    character, quotes are plain characters."""
    return [w for w in _split_escaped(text, " ") if w]


def fuse_options(text: str) -> list[str]:
    """A FUSE `-o` list (fuse_opt_parse): commas separate, a backslash keeps the next character."""
    return _split_escaped(text, ",")


def _split_escaped(text: str, separator: str) -> list[str]:
    """`text` split at each `separator`, a backslash keeping the character after it."""
    parts, part, index = [], [], 0
    while index < len(text):
        char = text[index]
        if char == separator:
            parts.append("".join(part))
            part = []
        else:
            if char == "\\" and index + 1 < len(text):
                index += 1
            part.append(text[index])
        index += 1
    return [*parts, "".join(part)]
