"""Which options a pattern may become, for the programs that read a pattern among their options
as an operand (`PATTERN_SAFE`: `ls *`, `rm *.log`, `cp *.conf /srv/app/`). A name such as
`./-t` makes `cp ?t /etc/sudoers.d evil` run `cp -t /etc/sudoers.d evil` (attack k20f, finding
1): for each such program, the options that move what it writes or what it runs (`RISKS`), and
whether a pattern may expand to a word that getopt reads as one of them (`risky_pattern`).

The check walks the pattern (`*`, `?`, `[...]`) against a small reader of getopt's words, over
an alphabet of the characters that matter (letters, digits, `-`, `=`, `/`, `.` and one standing
for every other): a cluster of letters the program takes (`-lt.conf` is `-l -t .conf`), a letter
taking the rest of the word or the next word, a long option by any start of its name
(`--par`), with `=VALUE` or not. A letter the program does not take ends the reading: getopt
refuses the word and the program runs nothing."""

from __future__ import annotations

import re
import string
from typing import NamedTuple

from bastion.command_control.policy.globs import _glob_regex, bracket
from bastion.command_control.policy.words import _Word, may_be_option


class Risk(NamedTuple):
    valid: str = ""  # short options that take no argument
    args: str = ""  # short options whose argument is the rest of the word or the next word
    flags: str = ""  # options that matter when the line names `threshold` operands itself
    targets: str = ""  # options taking an argument that names where it writes (cp -t DIR)
    # Long options: "flag" (as `flags`), "target" (as `targets`), "any" (held whatever the value:
    # xz --files=LIST, git --output).
    longs: tuple[tuple[str, str], ...] = ()
    threshold: int = 0  # operands written on the line (not patterns) for `flags` to matter
    # `flags` matter too once one of them names a path (`chmod ?R /etc`: a pattern may give the
    # mode as well, `touch ./-R ./777`).
    paths: bool = False
    words: tuple[str, ...] = ()  # exact words that are options wherever they stand (test -v)


_CHMOD_MODES = "rwxXstugoa,+=01234567"  # chmod's `-w` is a mode; it takes the rest of the word
RISKS: dict[str, Risk] = {
    # cp -t DIR writes into DIR; -l/-s link the sources (a later write goes to them), --parents
    # writes under the target the path a source names (attack k20f, finding 1).
    # -T makes the last operand the thing replaced, not a directory written into.
    "cp": Risk("abdfHilLnPpRrsTuvxZ", "St", "lsT", "t",
               (("link", "flag"), ("symbolic-link", "flag"), ("parents", "flag"),
                ("target-directory", "target"), ("no-target-directory", "flag")), threshold=2),
    "mv": Risk("bfinTuvZ", "St", "T", "t", (("target-directory", "target"),
                                           ("no-target-directory", "flag")), threshold=2),
    "ln": Risk("bdfFinLPrsTv", "St", "T", "t", (("target-directory", "target"),
                                               ("no-target-directory", "flag")), threshold=2),
    "chmod": Risk("Rcfv", _CHMOD_MODES, "R", "", (("recursive", "flag"),), 2, True),
    "chown": Risk("HLPRcfhv", "", "R", "", (("recursive", "flag"),), 2, True),
    "chgrp": Risk("HLPRcfhv", "", "R", "", (("recursive", "flag"),), 2, True),
    # gzip -r DIR changes every file under DIR (attack k20f, finding 8).
    "gzip": Risk("acdfhklLnNqrtvV123456789", "S", "r", "", (("recursive", "flag"),),
                 threshold=1),
    "gunzip": Risk("acdfhklLnNqrtvV123456789", "S", "r", "", (("recursive", "flag"),),
                   threshold=1),
    # xz --files=LIST / --files0 compresses and removes the files LIST names (attack k20f,
    # finding 3).
    **{name: Risk("zdtlkfcqvhHVe0123456789", "FCTMS", "", "",
                  (("files", "any"), ("files0", "any"))) for name in ("xz", "unxz", "xzcat")},
    # file -C writes a compiled magic file.
    "file": Risk("bcCdEhiIklLnNprsvz0", "efFmP", "C", "", (("compile", "flag"),), threshold=1),
    # tree -o FILE writes its listing to FILE.
    "tree": Risk(string.ascii_letters.replace("o", ""), "LPIHTo", "", "o", (("output", "target"),)),
    # test -v NAME and -R NAME evaluate a subscript (`a[$(CMD)]`) as arithmetic.
    "test": Risk(words=("-v", "-R")),
    "[": Risk(words=("-v", "-R")),
}
# git's commands read by their own table: diff, log and show write `--output FILE` and run
# drivers with --ext-diff / --textconv; those that change the work tree take the paths to change
# from a file (attack k20f, finding 10).
_GIT_DIFFS = (("output", "any"), ("ext-diff", "any"), ("textconv", "any"))
_GIT_PATHS = (("pathspec-from-file", "any"),)
_ANY = string.ascii_letters + string.digits
GIT_RISKS: dict[str, Risk] = {
    **{verb: Risk(_ANY, "", "", "", _GIT_DIFFS) for verb in ("diff", "log", "show")},
    **{verb: Risk(_ANY, "", "", "", _GIT_PATHS)
       for verb in ("rm", "mv", "restore", "checkout", "reset", "stash")},
    **{verb: Risk(_ANY) for verb in ("add", "status", "blame", "ls-files", "commit")},
}

_OTHER = "\x01"  # any character the readers below give no meaning
_ALPHABET = string.ascii_letters + string.digits + "-=./,+_:@%" + _OTHER
_EXTGLOB = ("?(", "*(", "+(", "@(", "!(")


def _parts(pattern: str) -> list[str] | None:
    """The pattern's parts: one character, `*`, `?` or a whole `[...]` (read as bash reads
    it: `globs.bracket`); None when it holds an extended pattern (`@(-t)`), read as any word."""
    if any(mark in pattern for mark in _EXTGLOB):
        return None
    parts, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        found = bracket(pattern, index) if char == "[" else None
        if found is not None:
            parts.append(pattern[index:found[1]])
            index = found[1]
            continue
        parts.append(char)
        index += 1
    return parts


def _matches(part: str, char: str) -> bool:
    """Whether a part matches one character, without case (`shopt -s nocaseglob` makes
    `[-]T` match a file named `-t`: attack p25f, finding 1)."""
    if part == "?" or part == "*":
        return char != "/"
    if len(part) == 1:
        return part.lower() == char.lower()
    found = bracket(part, 0)
    if found is None:
        return False
    if char == _OTHER:
        # any character outside the alphabet: a negated or vague bracket, or one naming one
        return found[0].startswith("[^") or any(c not in _ALPHABET for c in part[1:-1])
    return re.fullmatch(found[0], char, re.I) is not None


def _step(state: tuple, char: str, risk: Risk, longs: dict[str, str], flags: bool
          ) -> tuple | None:
    kind = state[0]
    if kind == "start":
        return ("dash",) if char == "-" else None
    if kind in ("dash", "cluster"):
        flagged = kind == "cluster" and state[1]
        if kind == "dash" and char == "-":
            return ("long", "")
        if char in risk.targets:
            return ("value", flagged, "")
        if char in risk.args:
            return ("rest", flagged)
        if char in risk.flags:
            return ("cluster", flagged or flags)
        if char in risk.valid:
            return ("cluster", flagged)
        return None
    if kind == "rest":
        return state
    if kind == "value":
        return ("value", state[1], _value(state[2], char))
    if kind == "long":
        if char == "=":
            named = [longs[name] for name in longs if state[1] and name.startswith(state[1])]
            return ("longvalue", max(named), "") if named else None
        name = state[1] + char
        return ("long", name) if any(n.startswith(name) for n in longs) else None
    if kind == "longvalue":
        return ("longvalue", state[1], _value(state[2], char))
    return None


def _value(seen: str, char: str) -> str:
    """What an attached value may name, as far as it goes: `/` (a path away from here), `..`
    (the directory above), else a name in the current directory."""
    if seen == "/" or char == "/":
        return "/"
    if seen in ("", ".") and char == ".":
        return seen + "."
    return "x"


def _risky_end(state: tuple, longs: dict[str, str], flags: bool) -> bool:
    kind = state[0]
    if kind in ("cluster", "rest"):
        return state[1]
    if kind == "value":
        return state[1] or state[2] in ("", "..", "/")
    if kind == "long":
        named = {longs[n] for n in longs if state[1] and n.startswith(state[1])}
        return bool(named & {"any", "target"}) or ("flag" in named and flags)
    if kind == "longvalue":
        return state[1] == "any" or (state[1] == "target" and state[2] in ("..", "/"))
    return False


def may_spell(pattern: str, risk: Risk, flags: bool) -> bool:
    """Whether pathname expansion may make `pattern` a word getopt reads as one of `risk`'s
    options (`flags`: whether its `flags` matter on this line)."""
    pieces = _parts(pattern)
    if pieces is None:
        return True
    if any(re.fullmatch(_glob_regex(pattern), w, re.I | re.S) for w in risk.words):
        return True
    longs = dict(risk.longs)
    states: set[tuple] = {("start",)}
    for part in pieces:
        if part == "*":
            reached, frontier = set(states), set(states)
            while frontier:
                following = {s for state in frontier for c in _ALPHABET if c != "/"
                             if (s := _step(state, c, risk, longs, flags)) is not None}
                frontier = following - reached
                reached |= following
            states = reached
        else:
            states = {s for state in states for c in _ALPHABET if _matches(part, c)
                      if (s := _step(state, c, risk, longs, flags)) is not None}
        if not states:
            return False
    return any(_risky_end(state, longs, flags) for state in states)


def risky_pattern(risk: Risk, words: list[_Word]) -> _Word | None:
    """The first pattern among `words` (options and operands of a program read by `risk`, up to
    its `--`) that may expand to one of its risky options; None when there is none."""
    operands = [w.value for w in words if not w.glob and w.value is not None
                and not (w.value.startswith("-") and len(w.value) > 1)]
    flags = len(operands) >= risk.threshold or (risk.paths and any("/" in o for o in operands))
    for word in words:
        if word.value == "--" and not risk.words:
            return None
        if (may_be_option(word) or (word.glob and word.value and word.value[:2] in _EXTGLOB)) \
                and may_spell(word.value or "", risk, flags):
            return word
    return None


_XZ = frozenset({"xz", "unxz", "xzcat", "lzma", "unlzma", "lzcat"})
_LISTS = {**dict.fromkeys(_XZ, ("files0",)), "zstd": ("filelist",), "zstdmt": ("filelist",)}
# 7-Zip's and rar's list files (`7z a -sdel x.7z @LIST`, `-i@LIST`, `rar m x.rar @LIST`, `-n@`).
_AT_LISTS = frozenset({"7z", "7za", "7zr", "7zz", "rar"})
_AT_LIST = re.compile(r"@|-(i|n)[rR0-]*@")


def names_read_at_run_time(name: str, words: list[_Word]) -> _Word | None:
    """A list of the files to work on read at run time (attack k20f, finding 3), as tar -T's
    is: xz's `--files[=LIST]` / `--files0[=LIST]` (any start of the name: `--fi`), which
    compresses and removes each file LIST (or stdin) names; zstd's `--filelist`; 7-Zip's and
    rar's `@LIST`."""
    names = _LISTS.get(name, ())
    if not names and name not in _AT_LISTS:
        return None
    for word in words[1:]:
        value = word.value or ""
        if value == "--" and names:
            return None
        option = value.partition("=")[0]
        if len(option) > 2 and option.startswith("--") and any(
                n.startswith(option[2:]) for n in names):
            return word
        if name in _AT_LISTS and _AT_LIST.match(value):
            return word
    return None
