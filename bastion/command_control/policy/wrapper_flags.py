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


# setarch's flags, for its per-architecture names (linux32, linux64, i386, x86_64, uname26)
_SETARCH = ("BFILRSTXZ3vhV", _long(
    "32bit", "fdpic-funcptrs", "short-inode", "addr-compat-layout", "addr-no-randomize",
    "whole-seconds", "sticky-timeouts", "read-implies-exec", "mmap-page-zero", "3gb", "4gb",
    "uname-2.6", "verbose", "list", "help", "version"))
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
    # Issue 12 (fix-open): every other wrapper of `_WRAPPERS`, from its --help or man page
    # (Debian 12's where installed here); options a later version added are held.
    "sudo": ("ABbEHiKklNnPSsVvhe", _long(
        "askpass", "background", "bell", "preserve-env", "edit", "set-home", "help", "host",
        "login", "remove-timestamp", "reset-timestamp", "list", "no-update", "non-interactive",
        "preserve-groups", "stdin", "shell", "version", "validate")),
    "doas": ("nLs", frozenset()),
    "pkexec": ("", _long("disable-internal-agent", "keep-cwd", "help", "version")),
    "command": ("pvV", frozenset()),
    "builtin": ("", frozenset()),
    "exec": ("cl", frozenset()),
    "nohup": ("", _long("help", "version")),
    # bash's keyword (-p) and GNU time
    "time": ("apqvV", _long("append", "portability", "quiet", "verbose", "help", "version")),
    "unbuffer": ("p", frozenset()),
    "coproc": ("", frozenset()), "noglob": ("", frozenset()), "nocorrect": ("", frozenset()),
    "eatmydata": ("", _long("help", "version")),
    "nocache": ("", frozenset()),
    "catchsegv": ("", _long("help", "version")),
    "gosu": ("", _long("help", "version")), "su-exec": ("", frozenset()),
    "setuidgid": ("", frozenset()),
    "systemd-run": ("hrdtPqG", _long(
        "help", "version", "no-ask-password", "user", "system", "scope", "slice-inherit",
        "no-block", "remain-after-exit", "wait", "send-sighup", "same-dir", "pty", "pipe", "quiet",
        "collect", "on-timezone-change", "on-clock-change")),
    "sshpass": ("vhV", frozenset()),
    "cgexec": ("h", _long("sticky", "help")),
    "proxychains": ("q", frozenset()), "proxychains4": ("q", frozenset()),
    "linux32": _SETARCH, "linux64": _SETARCH, "i386": _SETARCH, "x86_64": _SETARCH,
    "uname26": _SETARCH,
    "chpst": ("vP012", frozenset()),
    "rlwrap": ("AcEhiInNorRUv", _long(
        "always-readline", "ansi-colour-aware", "complete-filenames", "always-echo", "help",
        "case-insensitive", "pass-sigint-as-sigterm", "multi-line", "no-warnings", "no-children",
        "one-shot", "prompt-colour", "remember", "renice", "mirror-arguments", "version",
        "polling")),
    "systemd-inhibit": ("h", _long("help", "version", "no-pager", "no-legend")),
    "cpulimit": ("bqkrzivhm", _long("background", "quiet", "kill", "restore", "lazy",
                                    "include-children", "verbose", "help", "monitor-forks")),
    "trickle": ("hvVs", frozenset()),
    "torsocks": ("idqh", _long("isolate", "debug", "quiet", "version", "help")),
    "dbus-launch": ("", _long("sh-syntax", "csh-syntax", "auto-syntax", "binary-syntax",
                              "close-stderr", "exit-with-session", "exit-with-x11", "version",
                              "help")),
    "dbus-run-session": ("", _long("help", "version")),
    "xvfb-run": ("adhl", _long("auto-servernum", "auto-display", "help", "listen-tcp")),
    "daemonize": ("av", frozenset()),
    "chronic": ("ev", frozenset()),
    "lckdo": ("wenqsxt", frozenset()),
    "setlock": ("nNxX", frozenset()),
    "softlimit": ("", frozenset()),
    "envuidgid": ("", frozenset()), "envdir": ("", frozenset()), "pgrphack": ("", frozenset()),
    "ssh-agent": ("cs", frozenset()),
    "systemd-cat": ("h", _long("help", "version")),
    "logsave": ("asv", frozenset()),
    "aa-exec": ("ivdh", _long("immediate", "verbose", "debug", "help")),
    "fakechroot": ("hvs", _long("help", "version", "use-system-libs")),
    "proot": ("0Vhl", _long("root-id", "kill-on-exit", "help", "version", "link2symlink")),
    "schroot": ("hVlibrepqva", _long(
        "help", "version", "list", "info", "config", "location", "begin-session",
        "run-session", "end-session", "recover-session", "preserve-environment", "quiet",
        "verbose", "all", "all-chroots", "all-sessions", "all-source-chroots",
        "automatic-session", "exclude-aliases", "force")),
    "lxc-attach": ("Rqh", _long("remount-sys-proc", "clear-env", "keep-env", "quiet", "help",
                                "version", "elevated-privileges")),
    "entr": ("acdnprsxz", frozenset()),
    # gpg-agent's flags (`gpg-agent --dump-options`); --pinentry-program, --scdaemon-program
    # (programs it runs) and the obsolete --write-env-file are in neither table: unknown.
    "gpg-agent": ("scvq", _long(
        "gpgconf-list", "gpgconf-test", "use-standard-socket-p", "daemon", "server",
        "supervised", "no-detach", "sh", "csh", "steal-socket", "no-options", "verbose",
        "quiet", "debug-all", "debug-quick-random", "debug-pinentry", "disable-scdaemon",
        "disable-check-own-socket", "keep-tty", "keep-display", "enable-ssh-support",
        "enable-putty-support", "disable-extended-key-format", "enable-extended-key-format",
        "auto-expand-secmem", "ignore-cache-for-signing", "no-allow-external-cache",
        "no-allow-mark-trusted", "allow-mark-trusted", "no-user-trustlist",
        "allow-preset-passphrase", "enforce-passphrase-constraints", "enable-passphrase-history",
        "batch", "no-allow-loopback-pinentry", "allow-loopback-pinentry", "grab", "no-grab",
        "pinentry-formatted-passphrase", "allow-emacs-pinentry", "use-standard-socket",
        "no-use-standard-socket", "help", "version", "warranty", "dump-option-table",
        "dump-options")),
    "torify": ("", frozenset()), "tsocks": ("", frozenset()),
    "ifne": ("n", frozenset()),
    "with-lock-ex": ("wqf", frozenset()),
    "sandbox": ("CcsMXSVh", frozenset()),
    "systemd-nspawn": ("abhnqxPUV", _long(
        "help", "version", "quiet", "boot", "as-pid2", "ephemeral", "read-only",
        "private-network", "network-veth", "keep-unit", "pipe", "private-users-chown",
        "volatile", "no-pager")),
    "tini": ("hsvwgl", _long("version")),
    "dumb-init": ("cvVh", _long("single-child", "verbose", "version", "help")),
    "catatonit": ("ghLPV", frozenset()),
    "nq": ("cqtw", frozenset()),
    "zrun": ("", frozenset()), "run-one": ("", frozenset()), "run-this-one": ("", frozenset()),
    "keep-one-running": ("", frozenset()), "run-one-constantly": ("", frozenset()),
    "run-one-until-success": ("", frozenset()), "run-one-until-failure": ("", frozenset()),
    "tsp": ("nEgfmBdz", frozenset()),
}  # fmt: skip
# Wrappers that read a long option's value only attached (`--log-file=F`, never the next word):
# any long option leaves the command where it is, so only their short options are checked.
_ATTACHED_ONLY = frozenset({"valgrind", "firejail"})
_FLAGS.update({"valgrind": ("hvqd", frozenset()), "firejail": ("c?", frozenset())})


# found after outside attack W (finding 12): other names of a program the policy judges, as
# Debian installs them (the alternatives rsh, rlogin and rcp are OpenSSH's ssh, slogin and
# scp), judged (and matched by rules) as that program.
OTHER_NAMES = {"slogin": "ssh", "rsh": "ssh", "rlogin": "ssh", "rcp": "scp",
               "gdb-multiarch": "gdb",
               # (attack a10f, finding 2: Debian's fakeroot alternatives, GNU parallel's
               # env_parallel, gdb's text-interface name)
               "fakeroot-sysv": "fakeroot", "fakeroot-tcp": "fakeroot",
               "env_parallel": "parallel", "gdbtui": "gdb",
               # (attack b11f, finding 14: Debian's maintainer-script front ends hand their
               # verb and units to systemctl in its own order)
               "deb-systemd-invoke": "systemctl", "deb-systemd-helper": "systemctl",
               # (attack r27f, finding 8: the names Debian and others install these clients
               # as; /usr/bin/ftp and telnet are alternatives links to them)
               "netkit-ftp": "ftp", "inetutils-ftp": "ftp", "tnftp": "ftp", "pftp": "ftp",
               "ftp-ssl": "ftp", "gftp-text": "ftp", "inetutils-telnet": "telnet",
               "netkit-telnet": "telnet", "telnet-ssl": "telnet", "telnet.netkit": "telnet",
               "bsd-mailx": "mailx", "heirloom-mailx": "mailx", "nail": "mailx",
               "mail.mailutils": "mail", "mail.s-nail": "mail", "bsd-write": "write",
               # (attack t29f, finding 5: sqlite3's shell built with SQLCipher or SpatiaLite)
               "sqlcipher": "sqlite3", "spatialite": "sqlite3",
               # (attack v31o, finding 5: redis-cli under its forks' names, YugabyteDB's psql)
               "valkey-cli": "redis-cli", "keydb-cli": "redis-cli", "ysqlsh": "psql"}


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
        if name in _ATTACHED_ONLY:
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
