"""What a wrapper's own options do beside running the command (found after outside attack p25o,
findings 3 and 5): the files they write or read (`fakeroot -s FILE` truncates and rewrites
FILE when the command ends, `daemonize -p PIDFILE`, `rlwrap -l LOG`, nohup's nohup.out...),
the environment they give the command (`strace -E VAR=VAL`: judged as `env VAR=VAL CMD` is),
and the options that change what the command does, so that its words no longer say what it
does: strace's system call tampering (`-e inject=openat:poke_enter=@arg2=...` rewrites the path `tee F` opens,
`-e fault=`, `--inject`, `--fault`), a library or program of the user's loaded into or run
beside it (`fakeroot -l LIB`, `fakeroot -f FAKED`, fakechroot's value options). Those are
`unknown` (held) whatever the command. strace's `-o FILE` and time's are read in writes.py;
strace -p with inject or fault is also judged as a kill of the pid (kills.py)."""

from __future__ import annotations

import posixpath
import re
from typing import NamedTuple

from bastion.command_control.policy.options import _scan_options
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word
from bastion.command_control.policy.wrappers import _WRAPPERS
from bastion.command_control.policy.writes import _WRITES, _permuted

# wrapper -> {option (as `_scan_options` names it): ">" a file it writes, "<" one it reads}
_OPTION_FILES: dict[str, dict[str, str]] = {
    "fakeroot": {"-s": ">", "-i": "<"},  # -s: faked's state saved there (truncated) at the end
    "daemonize": {"-o": ">", "-e": ">", "-p": ">", "-l": ">"},  # stdout, stderr, pid, lock
    "rlwrap": {"-l": ">", "--logfile": ">", "-H": ">", "--history-filename": ">"},
    "xvfb-run": {"-e": ">", "--error-file": ">", "-f": ">", "--auth-file": ">"},
    "lxc-attach": {"-o": ">", "--logfile": ">", "-L": ">", "--pty-log": ">"},
    "gpg-agent": {"--log-file": ">", "--write-env-file": ">"},  # (gnupg 2.0's env file)
    # found after outside attack r27f (finding 6): firejail's own files, named after `=` only
    # (its parser reads `--output=F`, never the next word): the command's stdout and stderr
    # copied there (--output, rotated to F.1..F.5; --output-stderr), the trace (--trace=F),
    # the profile it builds (--build=F), the D-Bus proxy's log (--dbus-log=F)
    "firejail": {"--output": ">", "--output-stderr": ">", "--trace": ">", "--build": ">",
                 "--dbus-log": ">"},
    # runit's chpst -l/-L FILE opens its lock file with O_CREAT (`-l /etc/nologin` makes it);
    # unshare --mount=FILE (and each namespace's) bind-mounts the namespace over FILE
    "chpst": {"-l": ">", "-L": ">"},
    "unshare": {f"--{n}": ">" for n in ("mount", "uts", "ipc", "net", "pid", "user", "cgroup",
                                        "time")},
}
# firejail's commands on a running sandbox (`--put=NAME SRC DEST` copies SRC over DEST as
# seen there, the host's own file where the sandbox shares it; `--get=NAME FILE` copies FILE
# to ./FILE's last part; `--cat=NAME FILE` prints it): the operands' reads and writes
# (the operation, which operand)
_FIREJAIL_FILES = {"--put": (("<", 0), (">", 1)), "--get": (("<", 0), ("./", 0)),
                   "--cat": (("<", 0),)}
# wrappers whose first operand is a lock file they create (as `flock FILE CMD` is judged)
_LOCK_OPERAND = frozenset({"lckdo", "setlock", "with-lock-ex"})
# wrapper -> its options that give the command an environment variable (`-E VAR=VAL`)
_ENVIRONMENT = {"strace": frozenset({"-E", "--env"}), "daemonize": frozenset({"-E"})}
# wrapper -> its options that mount a folder over the command's home: `~` names that folder
# (`firejail --private=/etc sh -c 'echo x > ~/sudoers'`; the other paths: programs.py)
_HOME_OVER = {"firejail": frozenset({"--private"}), "sandbox": frozenset({"-H"})}
# wrapper -> its options that load a library into the command or run a program of the user's
_LOADS = {
    "fakeroot": frozenset({"-l", "--lib", "-f", "--faked"}),
    "fakechroot": frozenset({"-e", "--environment", "-c", "--config-dir", "-l", "--lib",
                             "-d", "--elfloader", "-b", "--bindir"}),
}
# wrapper -> its options that run a command beside the command (rlwrap's filter: split at
# blanks and exec'd, a name without `/` looked up in its filter folder first, where `pipeline`
# and its kin run the filters they are given: attack s28f, finding 8)
_FILTERS = {"rlwrap": frozenset({"-z", "--filter"})}
# strace's qualifying expressions that tamper with the traced program's system calls
_STRACE_TAMPERS = re.compile(r"\s*!?\s*(inject|fault)\b")
# fakeroot hands its -s and -i values to sh's `eval`: only a plain word stays that word
_EVAL_PLAIN = re.compile(r"[A-Za-z0-9_./@%+,:-]+")


class WrapperChanges(NamedTuple):
    files: list[tuple[str, PathArg]]  # (">" or "<", the path)
    environment: list[tuple[str, _Word]]  # (variable, its value)
    unknown: str  # why the command's behaviour is not what its words say; "" when it is
    codes: tuple[_Word, ...] = ()  # commands run beside it (`rlwrap -z CMD`), split at blanks


_NONE = WrapperChanges([], [], "")


def wrapper_changes(name: str, words: list[_Word]) -> WrapperChanges:
    """What wrapper `name`'s options (`words`: its whole line) do beside running the command."""
    if name == "script":
        return WrapperChanges(_typescript(words), [], "")
    if name not in _OPTION_FILES and name not in _LOCK_OPERAND and name not in _ENVIRONMENT \
            and name not in _LOADS and name not in _HOME_OVER and name not in ("strace", "nohup"):
        return _NONE
    scanned = _scan_options(words, 1, _WRAPPERS[name], patterns=True)
    if scanned is None:
        return _NONE  # options known only at run time: the wrapper's handler holds the line
    index, found = scanned
    files: list[tuple[str, PathArg]] = []
    environment: list[tuple[str, _Word]] = []
    unknown = ""
    codes: list[_Word] = []
    table = _OPTION_FILES.get(name, {})
    for option, argument in found:
        if option in _FILTERS.get(name, ()):
            unknown = (f"{name}'s {option} runs a filter beside the command, which sees what is "
                       "typed and shown: what it does is not what its words say")
            codes += [argument] if argument is not None else []
        elif option in table and argument is not None:
            if name == "fakeroot" and (argument.value is None
                                       or not _EVAL_PLAIN.fullmatch(argument.value)):
                unknown = (f"fakeroot hands {option}'s file name to sh's eval: "
                           "what it runs or writes cannot be told")
            files.append((table[option], _path_arg(argument)))
        elif option in _ENVIRONMENT.get(name, ()) and argument is not None:
            variable, has, value = (argument.value or "").partition("=")
            if argument.value is None:
                unknown = f"{name}'s {option} sets a variable known only at run time"
            elif has:
                environment.append((variable, _Word(value, value)))
        elif option in _HOME_OVER.get(name, ()) and argument is not None:
            environment.append(("HOME", argument))
        elif option in _LOADS.get(name, ()):
            unknown = (f"{name}'s {option} loads a library or runs a program beside the command:"
                       " what it does is not what its words say")
        elif name == "strace" and (option in ("--inject", "--fault") or (option == "-e" and (
                argument is None or argument.value is None
                or _STRACE_TAMPERS.match(argument.value)))):
            unknown = ("strace's inject/fault tampers with the system calls of what it runs: "
                       "what it does is not what its words say")
    if name == "firejail":
        files += _firejail_operands(found, words[index:])
    if name == "nohup" and index < len(words):  # stdout a terminal: ./nohup.out or ~/nohup.out
        files += [(">", PathArg("nohup.out")), (">", PathArg("~/nohup.out", tilde=True))]
    if name in _LOCK_OPERAND and index < len(words):
        files.append((">", _path_arg(words[index])))
    return WrapperChanges(files, environment, unknown, tuple(codes))


def _firejail_operands(found: list[tuple[str, _Word | None]], operands: list[_Word]
                       ) -> list[tuple[str, PathArg]]:
    """The files firejail's --put, --get and --cat read and write (`_FIREJAIL_FILES`)."""
    files: list[tuple[str, PathArg]] = []
    for option, _ in found:
        for operation, at in _FIREJAIL_FILES.get(option, ()):
            if at >= len(operands):
                continue
            word = operands[at]
            if operation == "./":  # --get writes the file's last part in the directory
                last = posixpath.basename((word.value or "").rstrip("/"))
                path = PathArg("(a file named at run time)", "unknown") if word.value is None \
                    or last in ("", ".", "..") else PathArg(last)
                files.append((">", path))
            else:
                files.append((operation, _path_arg(word)))
    return files


_SCRIPT_LOGS = frozenset({"-I", "--log-in", "-O", "--log-out", "-B", "--log-io"})


def _typescript(words: list[_Word]) -> list[tuple[str, PathArg]]:
    """util-linux script given no file and no -I/-O/-B log writes ./typescript (the file it
    is given is a write in writes.py's table)."""
    spec = _WRITES["script"]
    permuted = _permuted(words, 1, spec.options)  # type: ignore[union-attr]
    if permuted is None:
        return []  # options known only at run time: held by writes.py's table
    found, operands = permuted
    if operands or any(option in _SCRIPT_LOGS for option, _ in found):
        return []
    return [(">", PathArg("typescript"))]
