"""Wrappers whose every option the policy knows, and other names of judged programs.

`_WRAPPERS` (wrappers.py) lists the options that take an argument, and `_FLAGS` here those
that take none (or only an attached `--name=VALUE`). For these wrappers an option in neither
table makes the line unknown: were it one that takes an argument, the argument would be read
as the command (found after outside attack W, finding 1: `strace --output /dev/null sh -c
...`, `prlimit -o RESOURCE tee F`, `unshare --monotonic 10 tee F` ran the value as the command
and the command as its argument). `OTHER_NAMES`: programs judged under another name."""

from __future__ import annotations

from bastion.command_control.policy.options import _Options
from bastion.command_control.policy.words import _Word


def _long(*names: str) -> frozenset[str]:
    return frozenset(f"--{name}" for name in names)


# wrapper -> (short options that take no argument, long options that take none or only an
# attached `=VALUE`). strace's from strace 6.x's own table, aliases included (`--detach`,
# `--trace-fds`, `--signals`, `--silent` are undocumented spellings strace reads).
_FLAGS: dict[str, tuple[str, frozenset[str]]] = {
    "strace": ("AcCdDfFhiknqrtTvVwxyYzZ", _long(
        "absolute-timestamps", "daemonised", "daemonize", "daemonized", "debug", "decode-fd",
        "decode-fds", "failed-only", "failing-only", "follow-forks", "help",
        "instruction-pointer", "kill", "kill-on-exit", "no-abbrev", "output-append-mode",
        "output-separately", "pidns", "pidns-translation", "quiet", "relative-timestamps",
        "seccomp", "seccomp-bpf", "secontext", "silence", "silent", "stack-trace",
        "stack-traces", "strings-in-hex", "successful", "successful-only", "summary",
        "summary-only", "summary-wall-clock", "syscall-number", "syscall-times", "timestamp",
        "timestamps", "tips", "version")),
    "ltrace": ("bcCfhiLrStTV", _long("no-signals", "demangle", "help", "version")),
    # prlimit's resources take their limit attached only (`-n1024`, `--nofile=1024`).
    "prlimit": ("hV", _long(
        "noheadings", "raw", "verbose", "help", "version", "core", "data", "nice", "fsize",
        "sigpending", "memlock", "rss", "nofile", "msgqueue", "rtprio", "stack", "cpu", "nproc",
        "as", "locks", "rttime")),
    "unshare": ("fhVmuinpCTUrc", _long(
        "fork", "help", "version", "mount", "uts", "ipc", "net", "pid", "user", "cgroup",
        "time", "map-root-user", "map-current-user", "map-auto", "kill-child", "mount-proc",
        "keep-caps", "mount-binfmt")),
    "numactl": ("abslHtdDuTV", _long(
        "all", "balancing", "show", "localalloc", "hardware", "strict", "dump", "dump-nodes",
        "huge", "touch", "verify")),
    "fakeroot": ("uvh", _long("unknown-is-real", "version", "help")),
    "choom": ("hV", _long("help", "version")),
    "uclampset": ("aRvhVps", _long("all-tasks", "reset-on-fork", "verbose", "help", "version",
                                   "pid", "system")),
    "systemd-socket-activate": ("ad", _long("accept", "datagram", "seqpacket", "inetd", "now",
                                            "help", "version")),
    # faketime reads its words one by one: no clusters, no shortened names.
    "faketime": ("mfhv", _long("exclude-monotonic", "disable-shm", "help", "version")),
    "run0": ("hV", _long("no-ask-password", "slice-inherit", "pty", "pipe", "help",
                         "version")),
    "timelimit": ("pqh", frozenset()),
    # coreutils' and util-linux's (`nice -10`: the old spelling of an adjustment)
    "nice": ("0123456789", _long("help", "version")),
    "timeout": ("v", _long("preserve-status", "foreground", "verbose", "help", "version")),
    "stdbuf": ("", _long("help", "version")),
    "setsid": ("cfwhV", _long("ctty", "fork", "wait", "help", "version")),
    "chroot": ("", _long("skip-chdir", "help", "version")),
    "taskset": ("apchV", _long("all-tasks", "pid", "cpu-list", "help", "version")),
    "chrt": ("bdfiorRamvphV", _long("batch", "deadline", "fifo", "idle", "other", "rr",
                                     "reset-on-fork", "all-tasks", "max", "pid", "verbose",
                                     "help", "version")),
    "ionice": ("thV", _long("ignore", "help", "version")),
    "nsenter": ("aFZhV", _long("all", "mount", "uts", "ipc", "net", "pid", "cgroup", "user",
                               "time", "root", "wd", "preserve-credentials", "no-fork",
                               "follow-context", "help", "version")),
    "setpriv": ("dhV", _long("dump", "nnp", "no-new-privs", "clear-groups", "keep-groups",
                             "init-groups", "reset-env", "help", "version")),
    "openvt": ("sulvwfeVh", _long("switch", "user", "login", "verbose", "wait", "force",
                                  "exec", "version", "help")),
}  # fmt: skip


# found after outside attack W (finding 12): other names of a program the policy judges, as
# Debian installs them (the alternatives rsh, rlogin and rcp are OpenSSH's ssh, slogin and
# scp), judged (and matched by rules) as that program.
OTHER_NAMES = {"slogin": "ssh", "rsh": "ssh", "rlogin": "ssh", "rcp": "scp",
               "gdb-multiarch": "gdb",
               # (attack a10f, finding 2: Debian's fakeroot alternatives, GNU parallel's
               # env_parallel, gdb's text-interface name)
               "fakeroot-sysv": "fakeroot", "fakeroot-tcp": "fakeroot",
               "env_parallel": "parallel", "gdbtui": "gdb"}


def _unread_option(name: str, spec: _Options, found: list[tuple[str, _Word | None]],
                   words: list[_Word]) -> str | None:
    """The first option among `found` (as `_scan_options` read `words`, the wrapper's options)
    that wrapper `name`'s tables do not hold, or a long name, as written, that starts both an
    option that takes an argument and one that takes none (getopt refuses it; the policy cannot
    tell which word is the command). None when every option is known, or `name` has no
    complete table."""
    table = _FLAGS.get(name)
    if table is None:
        return None
    short, long_flags = table
    takes = spec.long | spec.code | spec.stop
    known_short = set(short) | set(spec.short) | set(spec.attached)
    arguments = {id(argument) for _, argument in found if argument is not None}
    for word in words:
        written = (word.value or "").partition("=")[0]
        if id(word) in arguments or not written.startswith("--") or written == "--":
            continue
        if written in takes or written in long_flags:
            continue
        matches = [n for n in takes | long_flags if n.startswith(written)]
        if not matches or ({n in long_flags for n in matches} == {True, False}):
            return written
    for option, _ in found:
        if not option.startswith("--") and option != "-" and option[1:] not in known_short:
            return option
    return None
