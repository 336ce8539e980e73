"""Recursive removers under other names (outside attack s28f, finding 21): programs that remove,
wipe, trash or reap the files and folders they are given, read as `rm -r` of their operands so
that the rm rules (no-root-wipe, the credential and log files) meet them: `wipe -rf /etc`,
`srm -r /usr`, `trash-put /etc`, `tmpwatch 0 /etc` (every file under /etc older than nothing),
`fdupes -rdN /etc` (every duplicate under /etc), `kioclient5 move /etc trash:/`, `scrub -r`,
`bleachbit --shred`.

Every operand is taken, options' values left out only where the option is known to take one
(an option the table does not know is read as a flag: its value, if it had one, is then also
judged as removed, which holds more, never less); a word known only at run time is a removal
known only at run time. A folder is the tree under it, a glob its `/**`, as `rm -r` is read
(writes.py, `_whole_trees`).
"""

from __future__ import annotations

import fnmatch

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

# remover -> its options that take a separate value (`-l 2`, `--exclude PATTERN`).
_REMOVERS: dict[str, frozenset[str]] = {
    "wipe": frozenset({"-l", "-x", "-p", "-b", "-S", "-F", "-T"}),
    "srm": frozenset(),
    "trash-put": frozenset({"--trash-dir"}),
    "trash": frozenset({"--trash-dir"}),
    "rmtrash": frozenset(),
    "gtrash": frozenset(),
    "rip": frozenset({"--graveyard"}),
    "rmw": frozenset({"-c", "--config"}),
    "safe-rm": frozenset(),
    "gvfs-rm": frozenset(),
    "gvfs-trash": frozenset(),
    "tmpwatch": frozenset({"-U", "--exclude-user", "-X", "--exclude-pattern", "-x", "--exclude"}),
    "tmpreaper": frozenset({"--protect", "--delay"}),
    "kioclient": frozenset(),
    "kioclient5": frozenset(),
    "kioclient6": frozenset(),
    "kde-mv": frozenset(),
    "gvfs-move": frozenset(),
    # overwrite what they are given (and remove it with -r, --shred): its contents are gone
    "scrub": frozenset({"-p", "--pattern", "-b", "--blocksize", "-s", "--device-size", "-D",
                        "--dirent"}),
    "bleachbit": frozenset(),
}
# Duplicate finders that remove only with their delete option (a short letter in a cluster).
_DEDUPERS: dict[str, tuple[str, frozenset[str], frozenset[str]]] = {
    "fdupes": ("d", frozenset({"--delete"}), frozenset({"-o", "--order", "-l", "--log", "-x", "--size"})),
    "jdupes": ("d", frozenset({"--delete"}), frozenset({"-o", "--order", "-X", "--ext-filter", "-y",
                                                        "--hash-db", "-P", "--print"})),
    "rdfind": ("", frozenset({"-deleteduplicates"}), frozenset({
        "-ignoreempty", "-minsize", "-maxsize", "-followsymlinks", "-removeidentinode",
        "-checksum", "-deterministic", "-makesymlinks", "-makehardlinks", "-makeresultsfile",
        "-outputname", "-deleteduplicates", "-sleep", "-dryrun", "-n"})),
}


def removes(name: str) -> bool:
    """Whether `name` is one of the removers read here (xargs appending its operands: what it
    removes is known only at run time)."""
    return name in _REMOVERS or name in _DEDUPERS


def other_removals(name: str, words: list[_Word]) -> list[PathArg]:
    """What `name` removes, as the trees `rm -r` of them removes; [] for other programs and for
    a duplicate finder not told to delete."""
    if name in _REMOVERS:
        valued = _REMOVERS[name]
    elif name in _DEDUPERS:
        letter, longs, valued = _DEDUPERS[name]
        if not _deletes(words, letter, longs):
            return []
    else:
        return []
    removed: list[PathArg] = []
    for word in _removed_operands(name, _operands(words, valued)):
        value = word.value
        if value is None:
            removed.append(_path_arg(word))
            continue
        if "://" in value or ":" in value.partition("/")[0]:
            continue  # a URL (`trash:/`, `smb://...`): not a local file
        path = _path_arg(word)
        if path.kind == "exact":
            removed.append(path._replace(kind="tree"))
        elif path.kind == "pattern":
            removed.append(path._replace(text=f"{path.text.rstrip('/')}/**"))
        else:
            removed.append(path)
    return removed


def _operands(words: list[_Word], valued: frozenset[str]) -> list[_Word]:
    """The operands among `words` (after the program's name): options and the values of those
    in `valued` left out, every word after `--` kept."""
    operands: list[_Word] = []
    skip = False
    options = True
    for word in words[1:]:
        value = word.value
        if skip:
            skip = False
        elif value is not None and options and value == "--":
            options = False
        elif value is not None and options and value.startswith("-") and value != "-":
            skip = value in valued
        else:
            operands.append(word)
    return operands


def _removed_operands(name: str, operands: list[_Word]) -> list[_Word]:
    """The operands a remover takes away: a mover's sources (kioclient's `move SRC... DEST`,
    kde-mv, gvfs-move), kioclient's `remove` operands, every operand of the others."""
    if name in ("kde-mv", "gvfs-move"):
        return operands[:-1]
    if name.startswith("kioclient"):
        verb = operands[0].value if operands else ""
        if verb is None:  # the verb known only at run time
            return operands
        if verb in ("move", "mv"):
            return operands[1:-1]
        return operands[1:] if verb in ("remove", "rm") else []
    return operands


def _deletes(words: list[_Word], letter: str, longs: frozenset[str]) -> bool:
    """Whether a duplicate finder is told to delete: its long option (or a start of it), its
    short letter in a cluster, or an option known only at run time."""
    for word in words[1:]:
        value = word.value
        if value is None:
            return True
        if value == "--":
            return False
        if value.startswith("--") or (value.startswith("-") and not letter):
            option = value.partition("=")[0]
            if any(long.startswith(option) and len(option) > 2 for long in longs):
                return True
        elif value.startswith("-") and letter and letter in value[1:]:
            return True
    return False


# bleachbit's cleaners (attack u30f, finding 15) are names, not paths: `journald.clean` runs
# `journalctl --vacuum-size=1`, `system.rotated_logs` removes /var/log's rotated logs (audit's
# `audit.log.N` too), `bash.history` the shell histories; each is judged as that plain command.
# A glob (`system.*`, `*.*`) names every cleaner it matches. `--preset`, `--all-but-warning`,
# the free-space and custom-path cleaners are held by the shipped `confirm-bleachbit-unknown`.
_CLEANERS: dict[str, tuple[str, ...]] = {
    "journald.clean": ("journalctl", "--vacuum-size=1"),
    "system.rotated_logs": ("rm", "-f", "/var/log/auth.log.1", "/var/log/audit/audit.log.1",
                            "/var/log/wtmp.1", "/var/log/btmp.1"),
    "bash.history": ("history", "-c"),
}


def bleachbit_cleaners(name: str, words: list[_Word]) -> list[tuple[str, ...]]:
    """The plain commands the cleaners `bleachbit --clean NAME...` runs amount to ([] for other
    programs, for a preview or list, and for cleaners that reach no protected file)."""
    if name != "bleachbit":
        return []
    values = [w.value for w in words[1:]]
    cleans = any(v is None or (v.startswith("--") and len(v) > 3 and "--clean".startswith(v))
                 or (v.startswith("-") and not v.startswith("--") and "c" in v) for v in values)
    if not cleans:
        return []
    said: list[tuple[str, ...]] = []
    for value in values:
        if value is not None and value.startswith("-"):
            continue
        for cleaner, argv in _CLEANERS.items():
            if (value is None or fnmatch.fnmatchcase(cleaner, value)) and argv not in said:
                said.append(argv)
    return said
