"""Files that programs the tables already read write by options of their own (found after
outside attack X, finding 12): logsave's log, gpg's status, log and keyring files, ssh's
known_hosts and control socket, psql's output and log, redis-cli's dumps, valgrind's tools'
output files, start-stop-daemon's pidfile and output; and patch's backups and folder (finding
7: `patch -b -B /etc/sudoers.d/ zz` wrote /etc/sudoers.d/zz). The rest of the writers:
writes.py, program_writes.py, other_writes.py, configured_writes.py."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable

from bastion.command_control.policy.gpg_writes import gpg_implicit_writes
from bastion.command_control.policy.options import _after_options, _last_argument, _options, _permuted
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.programs import ssh_setting
from bastion.command_control.policy.words import _Word

# patch's grammar (GNU patch 2.7): the options that take a value, and the flags whose names
# start another's.
PATCH = _options("pdoirBDFVYzgx", ("--strip", "--directory", "--output", "--input", "--reject-file",
                                    "--prefix", "--ifdef", "--fuzz", "--version-control",
                                    "--basename-prefix", "--suffix", "--get", "--debug",
                                    "--quoting-style", "--reject-format", "--read-only"),
                 flags=("--merge", "--backup", "--backup-if-mismatch"))

# Options whose value is a file the program writes, in every spelling getopt reads.
_OWN_FILES: dict[str, frozenset[str]] = {
    # (--output/-o: writes.py)
    "gpg": frozenset({"--status-file", "--logger-file", "--log-file", "--attribute-file",
                      "--keyring", "--secret-keyring", "--primary-keyring", "--trustdb-name"}),
    "psql": frozenset({"-o", "--output", "-L", "--log-file"}),
    "redis-cli": frozenset({"--rdb", "--functions-rdb"}),
    # (--log-file and --xml-file: writes.py)
    # (--log-file and --xml-file also here: their %-tokens, attack s28f, finding 23)
    "valgrind": frozenset({"--massif-out-file", "--callgrind-out-file", "--cachegrind-out-file",
                           "--dhat-out-file", "--xtree-memory-file", "--log-file", "--xml-file"}),
    "start-stop-daemon": frozenset({"-O", "--output"}),
}
# Options whose value is a folder the program fills (gpg's keyrings and trust database).
_OWN_FOLDERS: dict[str, frozenset[str]] = {"gpg": frozenset({"--homedir"})}
# Options whose value is a program run (or a library loaded) by the program.
_OWN_PROGRAMS: dict[str, frozenset[str]] = {
    "gpg": frozenset({"--agent-program", "--dirmngr-program", "--keyboxd-program", "--photo-viewer",
                      "--exec-path"}),
    # valgrind before 3.11: the debugger command it runs (%f, %p: its file and pid)
    "valgrind": frozenset({"--db-command"}),
}

# ssh's -o keys (any case) naming files it writes (known_hosts, the control socket), and
# those naming a program it runs or a library it loads.
_SSH_FILES = frozenset({"userknownhostsfile", "globalknownhostsfile", "controlpath"})
_SSH_PROGRAMS = frozenset({"xauthlocation", "pkcs11provider", "securitykeyprovider"})
_SSH_VALUES = "BbcDEeFIiJLlmOoPpQRSWw"  # ssh's short options that take a value
# ssh's and valgrind's %-tokens (%h, %p, %q{VAR}...): any text at run time.
_TOKEN = re.compile(r"%(?:q\{[^}]*\}|.)")


def _tokens(path: PathArg) -> PathArg:
    """`path` with ssh's and valgrind's %-tokens read as any text (a pattern); valgrind's
    `%q{VAR}` is a variable's value, which may hold `/` and `..` (`--log-file=%q{X}`, X=/etc/shadow:
    attack s28f, finding 23): known only at run time."""
    if path.kind == "unknown" or "%" not in path.text:
        return path
    if "%q" in path.text:
        return PathArg(path.text, "unknown")
    return path._replace(text=_TOKEN.sub("*", path.text), kind="pattern")


def _options_writes(name: str, words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    written = [_tokens(p) for p in _after_options(words, _OWN_FILES.get(name, frozenset()))]
    written += [p if p.kind == "unknown" else p._replace(text=f"{p.text.rstrip('/')}/**", kind="pattern")
                for p in _after_options(words, _OWN_FOLDERS.get(name, frozenset()))]
    codes: list[str | None] = [None if p.kind == "unknown" else p.text
                               for p in _after_options(words, _OWN_PROGRAMS.get(name, frozenset()))]
    if name == "gpg" and any((w.value or "").startswith("--use-embedded-f") for w in words[1:]):
        written.append(PathArg("(the file name stored in the message)", "unknown"))
    if name == "valgrind":
        # --vgdb-prefix=P makes FIFOs named P-from-vgdb-to-PID...
        written += [p if p.kind == "unknown" else p._replace(text=f"{p.text}*", kind="pattern")
                    for p in _after_options(words, frozenset({"--vgdb-prefix"}))]
    if name == "start-stop-daemon" and any(
            v in ("--make-pidfile", "--remove-pidfile") or (
                v.startswith("-") and not v.startswith("--") and "m" in v[1:].split("p")[0])
            for v in (w.value or "" for w in words[1:])):
        written += _after_options(words, frozenset({"-p", "--pidfile"}))
    return [p for p in written if p.text not in ("-", "/dev/null")], codes


def _logsave_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """`logsave [-asv] LOGFILE COMMAND...`: LOGFILE (`-` is stdout)."""
    for word in words[1:]:
        if word.value is not None and word.value.startswith("-") and word.value != "-":
            continue
        return ([] if word.value == "-" else [_path_arg(word)]), []
    return [], []


def _ssh_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """ssh's files from `-o KEY=VALUE` (also `-oKEY=VALUE`, `-o 'KEY VALUE'`) and -S: each
    known_hosts file named (a value may name several), the control socket; and the programs
    -o names to run or load (XAuthLocation, PKCS11Provider, SecurityKeyProvider)."""
    written: list[PathArg] = []
    codes: list[str | None] = []
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None or not value.startswith("-") or value.startswith("--") or len(value) < 2:
            continue
        # The first letter that takes a value, after any flags (`-vo KEY=VALUE`, `-MS F`).
        position = next((i for i, c in enumerate(value[1:], start=1) if c in _SSH_VALUES), 0)
        if not position or value[position] not in "oS":
            continue
        argument = words[index + 1] if position == len(value) - 1 and index + 1 < len(words) \
            else _Word(value[position + 1:], value[position + 1:])
        if argument.value is None:
            written.append(PathArg(argument.text, "unknown"))
            continue
        if value[position] == "S":
            written.append(_tokens(_path_arg(argument)))
            continue
        read = ssh_setting(argument.value)  # the keyword as ssh reads it (attack j19f, 4)
        if read is None:
            continue
        key, setting = read[0], read[1].strip()
        if key in _SSH_FILES and setting.lower() != "none":
            # ssh splits the value as its config file does: quotes group and are removed
            # (`UserKnownHostsFile=/etc/sha"dow"` is /etc/shadow: attack Z, filter finding 7).
            try:
                parts = shlex.split(setting)
            except ValueError:
                parts = [setting.replace('"', "")]
            written += [_tokens(PathArg(part, "exact", part.startswith("~"))) for part in parts]
        elif key in _SSH_PROGRAMS and setting.lower() not in ("none", "internal", ""):
            codes.append(setting)
    return [p for p in written if p.text != "/dev/null"], codes


def _patch_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """What patch writes besides its operand (writes.py): the file patched, its output and
    reject files inside `-d DIR`, and the backup of each file patched (GNU patch makes one when
    a hunk does not apply cleanly even without -b): PREFIX+FILE (-B), DIR/PREFIX+NAME (-Y),
    FILE+SUFFIX (-z; .orig by default), FILE.~N~ (-V numbered)."""
    permuted = _permuted(words, 1, PATCH)
    if permuted is None:
        return [PathArg(words[0].text + " ...", "unknown")], []
    found, operands = permuted
    files = [_path_arg(operands[0])] if operands else [PathArg("(the files the patch names)", "unknown")]
    files += [_path_arg(a) if a is not None else PathArg("-o", "unknown")
              for o, a in found if o in ("-o", "--output", "-r", "--reject-file")]
    folder = _last_argument(found, {"-d", "--directory"})
    if folder is not None:
        place = _path_arg(folder[1]) if folder[1] is not None else PathArg("-d", "unknown")
        files += [_in(place, f) for f in files]

    def value(*names: str) -> PathArg | None:
        option = _last_argument(found, set(names))
        if option is None:
            return None
        return _path_arg(option[1], tilde=False) if option[1] is not None else PathArg("", "unknown")

    prefix, base, suffix = value("-B", "--prefix"), value("-Y", "--basename-prefix"), value("-z", "--suffix")
    written: list[PathArg] = list(files)
    for file in files:
        if file.kind == "unknown":
            # A name known only at run time: a prefix still puts every backup under it.
            if prefix is not None and prefix.kind != "unknown" and "/" in prefix.text:
                written.append(PathArg(f"{prefix.text}**", "pattern", prefix.text.startswith("~")))
            elif prefix is not None or (base is not None and "/" in base.text):
                written.append(PathArg("(a backup of a file the patch names)", "unknown"))
            continue
        ends = [".orig", ".~*~"] if suffix is None else [suffix.text]
        if suffix is not None and suffix.kind == "unknown":
            written.append(PathArg("(a backup with a suffix known only at run time)", "unknown"))
        heads = []
        if prefix is not None:
            heads.append(f"{prefix.text}{file.text}" if prefix.kind != "unknown" else None)
        if base is not None:
            folder_text, _, name = file.text.rpartition("/")
            heads.append(f"{folder_text + '/' if folder_text else ''}{base.text}{name}"
                         if base.kind != "unknown" else None)
        if not heads:
            heads = [file.text]
        for head in heads:
            if head is None:
                written.append(PathArg("(a backup with a prefix known only at run time)", "unknown"))
                continue
            written.append(PathArg(head, file.kind, head.startswith("~")))
            written += [PathArg(f"{head}{end}", "pattern" if "*" in end else file.kind,
                                head.startswith("~")) for end in ends]
    return written, []


def _in(folder: PathArg, path: PathArg) -> PathArg:
    """`path` as a program that changed to `folder` first reads it."""
    if path.kind != "unknown" and path.text.startswith(("/", "~")):
        return path
    if folder.kind == "unknown" or path.kind == "unknown":
        return PathArg(f"{folder.text}/{path.text}", "unknown")
    kind = "pattern" if "pattern" in (folder.kind, path.kind) else "exact"
    return PathArg(f"{folder.text.rstrip('/')}/{path.text}", kind, folder.tilde)


# Each program's reader: the files it writes (as `>`) and the code its options run (None: a
# program known only at run time), read from the command's words.
OWN_WRITERS: dict[str, Callable[[list[_Word]], tuple[list[PathArg], list[str | None]]]] = {
    **{name: (lambda words, name=name: _options_writes(name, words))
       for name in (*_OWN_FILES, *_OWN_FOLDERS)},
    # gpg's files beside its operands (issue 12: gpg_writes.py) with its options' files
    "gpg": lambda words: (lambda own: (own[0] + gpg_implicit_writes(words), own[1]))(
        _options_writes("gpg", words)),
    "logsave": _logsave_writes,
    "ssh": _ssh_writes,
    "patch": _patch_writes,
}
