"""One reading of a cluster of short options (`-qu NAME`, `-eo pipefail`, `-Di`, `-ie0`), shared
by the readers that walk one (outside attack x33f, finding 2: each had its own walk, and the
init-script reading took `bash -eo pipefail SCRIPT`'s `pipefail` for the script).

Two readers exist: getopt(3)'s, where the first letter that takes a value ends the cluster and
its value is the rest of the word or, when nothing is left, the next word (`-qudebug-shell`,
`-qu debug-shell`); and the shells' own (bash, dash, zsh, ksh), where every letter of the
cluster is an option and each that takes a value (`o`, `O`) takes the next word in turn
(`bash -eo pipefail`, `-oO pipefail extglob`: `-opipefail` is no value)."""

from __future__ import annotations

from collections.abc import Collection
from typing import NamedTuple


class Cluster(NamedTuple):
    letters: str  # the options the word holds, in order (up to the one taking a value)
    option: str  # the (last) letter taking a value, "" when none does
    value: str | None  # getopt: a value glued to the last letter (`-ufoo`: "foo"), else None
    nexts: int  # how many of the following words the cluster takes as values


def read_cluster(word: str, valued: Collection[str], getopt: bool = True) -> Cluster:
    """The options of the short-option cluster `word` (`-xyz` or `+xyz`) for a program whose
    letters in `valued` take a value: getopt's reading, or the shells' (`getopt` False)."""
    letters = ""
    for at, letter in enumerate(word[1:], start=2):
        letters += letter
        if getopt and letter in valued:
            rest = word[at:]
            return Cluster(letters, letter, rest or None, 0 if rest else 1)
    taking = [letter for letter in letters if letter in valued] if not getopt else []
    return Cluster(letters, taking[-1] if taking else "", None, len(taking))


def is_cluster(word: str, plus: bool = False) -> bool:
    """Whether `word` is read as short options: `-x...` (or `+x...` for a shell's `plus`), not
    `-`, `--` nor a long option."""
    return len(word) > 1 and (word[0] == "-" or (plus and word[0] == "+")) and word[1] != "-"
