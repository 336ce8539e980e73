"""Wrappers: programs that run the command after their own options (sudo, env, nice, timeout,
chroot...). `_WRAPPERS` is one table of data, one entry per wrapper (the options that take an
argument); with it the smaller tables the collector's wrapper handlers read: which wrappers
change the working directory or root (`_CHANGES_DIRECTORY`), take assignments first, or start
the user's shell given no command, and the option tables of bwrap, tmux, xargs, parallel..."""

from __future__ import annotations

import re
import shlex
from typing import Any

from bastion.command_control.policy.options import _Options, _options
from bastion.command_control.policy.words import _Word
from bastion.command_control.policy.wrapper_flags import _FLAGS

# Wrappers run the command that follows their own options. Option tables list only the options
# that take an argument (so the argument is not mistaken for the command).
_WRAPPERS: dict[str, _Options] = {
    "sudo": _options(
        "aCcDgpRrTtUu",
        ("--auth-type", "--class", "--close-from", "--chdir", "--group", "--prompt", "--chroot",
         "--role", "--command-timeout", "--type", "--other-user", "--user"), attached="h",
        stop=("-l", "--list", "-v", "--validate", "-K", "--remove-timestamp", "-V", "--version",
              "-e", "--edit", "-h", "--help"),
        code=("-i", "-s", "--login", "--shell"),
    ),
    "doas": _options("aCu", stop=("-L", "-C"), code=("-s",)),
    "pkexec": _options(long=("--user",)),
    "run0": _options("uDg", ("--user", "--group", "--chdir", "--unit", "--property",
                             "--description", "--slice", "--nice", "--setenv", "--machine",
                             "--background", "--shell-prompt-prefix", "--lightweight",
                             "--area")),
    "command": _options(stop=("-v", "-V")),
    "builtin": _options(),
    "exec": _options("a"),
    "nohup": _options(),
    "nice": _options("n", ("--adjustment",)),
    "ionice": _options("cnpPu", ("--class", "--classdata", "--pid", "--pgid", "--uid"),
                       stop=("-p", "-P", "-u", "--pid", "--pgid", "--uid")),
    "time": _options("fo", ("--format", "--output")),
    "timeout": _options("sk", ("--signal", "--kill-after"), operands=1),
    "stdbuf": _options("ioe", ("--input", "--output", "--error")),
    "chrt": _options("TPD", ("--sched-runtime", "--sched-period", "--sched-deadline"),
                     operands=1, stop=("-p", "--pid", "-m", "--max")),
    "taskset": _options(operands=1, stop=("-p", "--pid")),
    "setsid": _options(),
    "unbuffer": _options(),
    "coproc": _options(),
    "noglob": _options(),
    "nocorrect": _options(),
    "eatmydata": _options(),
    "nocache": _options("n"),
    "catchsegv": _options(),
    "chroot": _options(long=("--userspec", "--groups"), operands=1),
    "gosu": _options(operands=1),
    "su-exec": _options(operands=1),
    "setuidgid": _options(operands=1),
    # (-m, -u... take a file attached only; -W/--wdns a folder: attack W, finding 1's class)
    "nsenter": _options("tSGW", ("--target", "--setuid", "--setgid", "--wdns"),
                        attached="wrmuinpCUT"),
    "unshare": _options("SGRw", ("--setuid", "--setgid", "--root", "--wd", "--map-user",
                                 "--map-group", "--map-users", "--map-groups", "--propagation",
                                 "--setgroups", "--monotonic", "--boottime")),
    "systemd-run": _options(
        "upEMH",
        ("--unit", "--property", "--setenv", "--machine", "--host", "--uid", "--gid", "--nice",
         "--working-directory", "--description", "--slice", "--on-active", "--on-boot",
         "--on-startup", "--on-unit-active", "--on-unit-inactive", "--on-calendar",
         "--timer-property", "--path-property", "--socket-property", "--service-type"),
    ),
    # found after outside attack W (finding 1): strace's and ltrace's long options, aliases
    # included; every option of the wrappers in `_FLAGS` (wrapper_flags.py) is known.
    "strace": _options("abeEIoOpPsSuUX", (
        "--abbrev", "--argv0", "--attach", "--columns", "--const-print-style", "--decode-pid",
        "--decode-pids", "--detach", "--detach-on", "--env", "--fault", "--inject",
        "--interruptible", "--kvm", "--output", "--raw", "--read", "--signal", "--signals",
        "--stack-trace-frame-limit", "--status", "--string-limit", "--summary-columns",
        "--summary-sort-by", "--summary-syscall-overhead", "--syscall-limit", "--trace",
        "--trace-fd", "--trace-fds", "--trace-path", "--user", "--verbose", "--write")),
    "ltrace": _options("aADeFlnopsuwx", ("--align", "--debug", "--config", "--library",
                                           "--indent", "--output", "--where")),
    "fakeroot": _options("lfisb", ("--lib", "--faked", "--fd-base")),
    "sshpass": _options("pfdP"),
    "cgexec": _options("g"),
    "proxychains": _options("f"),
    "proxychains4": _options("f"),
    "firejail": _options(),
    "setpriv": _options(long=("--reuid", "--regid", "--ruid", "--rgid", "--euid", "--egid",
                              "--groups", "--inh-caps", "--ambient-caps", "--bounding-set",
                              "--securebits", "--pdeathsig", "--selinux-label",
                              "--apparmor-profile")),
    # prlimit's resources (-n, --nofile...) take a limit attached only (`-n1024`).
    "prlimit": _options("op", ("--pid", "--output"), stop=("-p", "--pid"),
                        attached="cdefilmnqrstuvxy"),
    # found after outside attack B (finding 14): programs that run the command after them
    "linux32": _options(), "linux64": _options(), "i386": _options(), "x86_64": _options(),
    "uname26": _options(),
    "numactl": _options("ipmCNPwcSfoLMI", ("--interleave", "--preferred", "--membind",
                                            "--physcpubind", "--cpunodebind", "--cpubind",
                                            "--preferred-many", "--weighted-interleave",
                                            "--shm", "--file", "--offset", "--length",
                                            "--shmmode", "--shmid"),
                        stop=("-s", "--show", "-H", "--hardware")),
    "chpst": _options("uUbe/CnlLmdopfcrt"),
    # found after outside attack a10f (finding 2): util-linux's and systemd's launchers (the
    # ones writing files, memusage, sotruss, heaptrack, are read as unread launchers: unread.py)
    "choom": _options("np", ("--adjust", "--pid"), stop=("-p", "--pid")),
    "uclampset": _options("mM", stop=("-p", "--pid", "-s", "--system")),
    "systemd-socket-activate": _options("lE", ("--listen", "--setenv", "--fdname")),
    "rlwrap": _options("bCDefFgHlMOPqsStwz", ("--break-chars", "--command-name", "--history-no-dupes",
                                              "--extra-char-after-completion", "--file",
                                              "--history-format", "--forget-matching",
                                              "--history-filename", "--logfile",
                                              "--multi-line-ext", "--one-shot-rlwrap",
                                              "--pre-given", "--quote-characters",
                                              "--histsize", "--substitute-prompt",
                                              "--set-term-name", "--polling-interval",
                                              "--filter", "--only-cook"),
                       attached="ampW"),
    "systemd-inhibit": _options(long=("--what", "--who", "--why", "--mode"), stop=("--list",)),
    "cpulimit": _options("lpecPs", ("--limit", "--pid", "--exe", "--cpu", "--path", "--signal"),
                         stop=("-p", "-e", "-P", "--pid", "--exe", "--path")),
    "trickle": _options("dutlwn"),
    "torsocks": _options("upaP", ("--user", "--pass", "--address", "--port")),
    # (faketime's --date-prog PROGRAM runs PROGRAM: not in its tables, so unknown.)
    "faketime": _options("p", operands=1),
    "valgrind": _options(),
    "dbus-launch": _options(long=("--config-file", "--autolaunch")),
    # (--dbus-daemon=BINARY runs BINARY: in neither table, so unknown)
    "dbus-run-session": _options(long=("--config-file",)),
    "xvfb-run": _options("nsfepw", ("--server-num", "--server-args", "--auth-file", "--error-file",
                                    "--xauth-protocol", "--wait")),
    "daemonize": _options("ceEoplu"),
    "chronic": _options(),
    "lckdo": _options("WE", operands=1),
    "setlock": _options(operands=1),
    "softlimit": _options("acdflmoprst"),
    "envuidgid": _options(operands=1),
    "envdir": _options(operands=1),
    "pgrphack": _options(),
    "ssh-agent": _options("aEtPO", stop=("-k", "-D", "-d", "-T")),
    "systemd-cat": _options("tp", ("--identifier", "--priority", "--stderr-priority",
                                   "--level-prefix")),
    "logsave": _options(operands=1),
    "aa-exec": _options("pn", ("--profile", "--namespace")),
    # (-s/--use-system-libs is a flag: issue 12's wrapper tables)
    "fakechroot": _options("ecldb", ("--environment", "--config-dir", "--lib", "--elfloader",
                                     "--bindir")),
    "proot": _options("rbmwqkviRS", ("--rootfs", "--bind", "--mount", "--cwd", "--pwd", "--qemu",
                                     "--kernel-release", "--verbose", "--change-id")),
    "schroot": _options("cudnof", ("--chroot", "--user", "--directory", "--session-name",
                                   "--option", "--shell"),
                        stop=("-l", "--list", "-i", "--info", "--config", "--location", "-e",
                              "--end-session")),
    "lxc-attach": _options("nPsuvLagcolf", ("--name", "--lxcpath", "--arch", "--elevated-privileges",
                                       "--namespaces", "--uid", "--gid", "--context",
                                       "--set-var", "--logfile", "--logpriority", "--rcfile",
                                       "--keep-var", "--pty-log"), attached="e"),
    "entr": _options(),
    # found after outside attack E (finding 2): gpg-agent --daemon runs the command after it
    "gpg-agent": _options(long=("--homedir", "--options", "--log-file", "--debug-level",
                                "--debug", "--display", "--ttyname", "--ttytype", "--lc-ctype",
                                "--lc-messages", "--xauthority", "--debug-wait",
                                "--default-cache-ttl-ssh", "--max-cache-ttl-ssh",
                                "--listen-backlog", "--sys-trustlist-name", "--s2k-count",
                                "--s2k-calibration", "--min-passphrase-nonalpha",
                                "--check-sym-passphrase-pattern", "--pinentry-touch-file",
                                "--pinentry-invisible-char",
                                "--default-cache-ttl", "--max-cache-ttl", "--extra-socket",
                                "--browser-socket", "--min-passphrase-len", "--check-passphrase-pattern",
                                "--max-passphrase-days", "--ssh-fingerprint-digest",
                                "--pinentry-timeout", "--faked-system-time"),
                          flags=("--daemon", "--server", "--supervised")),
    # found after outside attack C (finding 12): more programs that run the command after them
    "torify": _options(), "tsocks": _options(), "ifne": _options(),
    "with-lock-ex": _options(operands=1),
    "sandbox": _options("lHTIWwit"),
    "systemd-nspawn": _options(
        "DiMuSpEZL",
        ("--directory", "--template", "--image", "--image-policy", "--oci-bundle", "--chdir",
         "--pivot-root", "--user", "--machine", "--hostname", "--uuid", "--slice", "--property",
         "--register", "--keep-unit", "--network-interface", "--network-macvlan",
         "--network-ipvlan", "--network-veth-extra", "--network-bridge", "--network-zone",
         "--network-namespace-path", "--port", "--bind", "--bind-ro", "--inaccessible",
         "--tmpfs", "--overlay", "--overlay-ro", "--setenv", "--capability",
         "--drop-capability", "--personality", "--selinux-context", "--selinux-apifs-context",
         "--link-journal", "--resolv-conf", "--timezone", "--console", "--kill-signal",
         "--notify-ready", "--root-hash", "--root-hash-sig", "--verity-data", "--private-users",
         "--system-call-filter", "--rlimit", "--oom-score-adjust", "--cpu-affinity",
         "--load-credential", "--set-credential", "--no-new-privileges", "--private-network",
         "--bind-user", "--suppress-sync", "--private-users-ownership", "--background")),
    # found after outside attack O (finding 5): init shims and job queues that run the
    # command after their options (tsp's listing and control options run none)
    "tini": _options("pe"),
    "dumb-init": _options("r", ("--rewrite",)),
    "catatonit": _options(),
    "nq": _options(),
    # found after outside attack W (finding 2): more programs that run the command after
    # their options (moreutils' zrun, run-one's family, timelimit, openvt)
    "zrun": _options(), "run-one": _options(), "run-this-one": _options(),
    "keep-one-running": _options(), "run-one-constantly": _options(),
    "run-one-until-success": _options(), "run-one-until-failure": _options(),
    "timelimit": _options("SsTt"),
    "openvt": _options("c", ("--console",)),
    "tsp": _options("LDNW", stop=("-K", "-C", "-l", "-S", "-t", "-c", "-p", "-o", "-i", "-s",
                                  "-r", "-w", "-k", "-T", "-u", "-U", "-h", "-V", "-M")),
}  # fmt: skip
# The long flags of the wrappers whose every option is known, among the names their options are
# read with, so that an exact name is not taken for a longer one that takes an argument
# (`strace --summary CMD` is no `--summary-columns`, `nsenter --wd=DIR` no `--wdns`).
_WRAPPERS.update({name: _WRAPPERS[name]._replace(flags=_WRAPPERS[name].flags | long_flags)
                  for name, (_, long_flags) in _FLAGS.items()})
# Programs with a handler that run no command taken from their arguments: xargs may append
# words to them (`xargs printf '%s\n'`, `xargs test -f`) without running anything it names.
# The others, given no command on the line, run what xargs appends (`_resolve`).
_DATA_PROGRAMS = frozenset({
    "printf", "test", "[", "read", "mapfile", "readarray", "getopts", "wait", "let", "hash",
    "set", "shopt", "bind", "bindkey", "complete", "compgen", "enable", "alias", "fc", "r",
    # Their handler looks only for a program read from stdin, and xargs gives its commands
    # /dev/null for stdin: judged under xargs as before they had one.
    "sed", "make", "gmake", "bmake", "pmake",
})  # fmt: skip
# pip and its versioned names: a handler (the folders its options fill) that runs nothing
# (attack U).
PIPS = frozenset({"pip", "pip2", "pip3", *(f"pip3.{n}" for n in range(6, 16))})
_DATA_PROGRAMS |= PIPS | {"virtualenv", "pyvenv"}


def _git_verb_index(words: list[_Word]) -> int:
    """The index of git's first word after its global options (`-C DIR`, `-c K=V`, `--git-dir
    D`...): the subcommand, or a word known only at run time; len(words) when there is none."""
    index = 1
    while index < len(words):
        value = words[index].value
        if value in ("-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env"):
            index += 2
        elif value is not None and value.startswith("-"):
            index += 1
        else:
            return index
    return len(words)


def _git_subcommand(words: list[_Word]) -> bool:
    """Whether git is given a subcommand on the line (words xargs appends to `git add` are its
    operands; to a bare `git` they may be `-c alias.x=!cmd x`)."""
    index = _git_verb_index(words)
    return index < len(words) and words[index].value is not None


_KEEP: Any = object()  # the line's own directory, unchanged
# (wrapper, option) -> what it changes: the working directory ("cwd", to the option's argument;
# an optional argument missing: unknown), the root ("root"), the working directory to the
# target user's home ("home"), a folder bound at another path ("bind": HOST:GUEST), or one
# shown over the home or /tmp ("over").
_CHANGES_DIRECTORY = {
    ("sudo", "-D"): "cwd", ("sudo", "--chdir"): "cwd", ("sudo", "-R"): "root",
    ("sudo", "--chroot"): "root", ("sudo", "-i"): "home", ("sudo", "--login"): "home",
    ("run0", "-D"): "cwd", ("run0", "--chdir"): "cwd",
    ("nsenter", "-w"): "cwd", ("nsenter", "--wd"): "cwd", ("nsenter", "-r"): "root",
    ("nsenter", "--root"): "root",
    # found after outside attack X (finding 6): -W/--wdns sets the directory after entering
    # the mount namespace (`nsenter -W /etc cp /tmp/x sudoers`).
    ("nsenter", "-W"): "cwd", ("nsenter", "--wdns"): "cwd",
    ("unshare", "-w"): "cwd", ("unshare", "--wd"): "cwd", ("unshare", "-R"): "root",
    ("unshare", "--root"): "root",
    ("schroot", "-d"): "cwd", ("schroot", "--directory"): "cwd",
    ("proot", "-w"): "cwd", ("proot", "--cwd"): "cwd", ("proot", "--pwd"): "cwd",
    ("proot", "-r"): "root", ("proot", "--rootfs"): "root",
    # found after outside attack U: a host folder shown at another path (`-b /etc:/tmp/e`)
    ("proot", "-b"): "bind", ("proot", "--bind"): "bind", ("proot", "-m"): "bind",
    ("proot", "--mount"): "bind",
    ("daemonize", "-c"): "cwd",
    # found after outside attack r27f (finding 6's class): SELinux sandbox mounts -H DIR over
    # the home and -T DIR over /tmp (`sandbox -H /etc sh -c 'echo x >> ~/sudoers'`)
    ("sandbox", "-H"): "over", ("sandbox", "-T"): "over",
    # found after outside attack b11f (finding 14): runit's chpst -C DIR is its chdir, -/ DIR
    # its chroot (`chpst -C /etc rm -f sudoers`)
    ("chpst", "-C"): "cwd", ("chpst", "-/"): "root",
    ("systemd-nspawn", "--chdir"): "cwd", ("systemd-nspawn", "-D"): "root",
    ("systemd-nspawn", "--directory"): "root",
}  # fmt: skip


# Wrappers before whose command bash (time, coproc) or the wrapper (sudo) takes NAME=VALUE
# words as assignments, not as the command.
_ASSIGNMENTS_FIRST = frozenset({"time", "coproc", "sudo"})
_ASSIGNMENT_WORD = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")
# Wrappers that start the user's shell when no command follows them.
_SHELL_WITHOUT_COMMAND = frozenset({"chroot", "nsenter", "unshare", "pkexec", "run0",
                                    "schroot", "lxc-attach",
                                    # found after outside attack W (finding 3): /bin/sh or
                                    # the user's shell, reading the line's stdin
                                    "linux32", "linux64", "i386", "x86_64", "uname26",
                                    "fakeroot", "firejail", "proot", "fakechroot"})
_BWRAP_TWO = frozenset({
    "--bind", "--ro-bind", "--dev-bind", "--bind-try", "--ro-bind-try", "--dev-bind-try",
    "--symlink", "--setenv", "--chmod", "--file", "--bind-data", "--ro-bind-data",
})  # fmt: skip
_BWRAP_ONE = frozenset({
    "--dev", "--proc", "--tmpfs", "--mqueue", "--dir", "--remount-ro", "--chdir", "--unsetenv",
    "--uid", "--gid", "--hostname", "--lock-file", "--sync-fd", "--info-fd", "--json-status-fd",
    "--block-fd", "--userns-block-fd", "--userns", "--userns2", "--pidns", "--seccomp",
    "--add-seccomp-fd", "--exec-label", "--file-label", "--cap-add", "--cap-drop", "--perms",
    "--size", "--args", "--argv0", "--overlay-src", "--tmp-overlay", "--ro-overlay",
})  # fmt: skip
_START_STOP = _options(
    "xapnugcrdNPIkRsO",
    ("--exec", "--startas", "--pidfile", "--name", "--user", "--group", "--chuid", "--chroot",
     "--chdir", "--nicelevel", "--procsched", "--iosched", "--umask", "--retry", "--signal",
     "--output", "--ppid", "--pid", "--notify-timeout"),
    flags=("--start", "--stop", "--status", "--test", "--oknodo", "--quiet", "--background",
           "--make-pidfile", "--remove-pidfile", "--no-close", "--notify-await", "--verbose",
           "--help", "--version"),
)  # fmt: skip
_MACHINECTL = _options("MHpsEon", ("--machine", "--host", "--property", "--signal", "--uid",
                                   "--setenv", "--kill-whom", "--format", "--output", "--lines",
                                   "--max-addresses"))  # fmt: skip
# tmux commands that take a shell command, and the letters of their options that take an
# argument; and the commands that run what is known only later.
_TMUX_SHELL_COMMANDS = {
    "new-session": "cefFnstxy", "new": "cefFnstxy", "new-window": "cefFnt", "neww": "cefFnt",
    "split-window": "cefFlpt", "splitw": "cefFlpt", "respawn-pane": "cet", "respawnp": "cet",
    "respawn-window": "cet", "respawnw": "cet", "display-popup": "bcdehsStTwxy",
    "popup": "bcdehsStTwxy", "run-shell": "cdt", "run": "cdt", "pipe-pane": "t",
    "pipep": "t", "if-shell": "t", "if": "t",
}  # fmt: skip
_TMUX_UNKNOWN = frozenset({
    "send-keys", "send", "bind-key", "bind", "set-hook", "source-file", "source",
    "command-prompt", "confirm-before", "confirm", "paste-buffer", "pasteb", "set-buffer",
    "setb", "load-buffer", "loadb",
})  # fmt: skip
_RUNUSER = _options("gGsuwc", ("--user", "--group", "--supp-group", "--shell",
                               "--whitelist-environment", "--command"))  # fmt: skip
_FLOCK = _options("wE", ("--wait", "--timeout", "--conflict-exit-code"))
_WATCH = _options("nq", ("--interval", "--equexit"))
_AT = _options("qfmMtF")
_XARGS = _options(
    "IadELnPs",
    ("--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
     "--process-slot-var"),
    attached="iel",  # optional arguments, attached only
)  # fmt: skip
_ENV = _options("uCSPa", ("--unset", "--chdir", "--split-string", "--argv0"), lone_dash=True,
               flags=("--ignore-environment",))
_NO_TERM = ("without TERM readline takes a dumb terminal (no bracketed paste: no backstop), whose "
            "drawing the bastion does not follow")

# Short options of each shell that take an argument (`bash -o emacs`: "emacs" is no script),
# and long ones (bash --rcfile FILE, fish --debug-output FILE, zsh --emulate sh).
# zsh's -O is correct_all, no argument (attack c12f, finding 8).
_SHELL_ARGUMENTS = {"bash": "oO", "rbash": "oO", "mksh": "oT", "lksh": "oT", "ksh": "oR", "zsh": "o",
                    "fish": "Cdco", "csh": "", "tcsh": "", "nu": "cetmI", "xonsh": "D"}  # fmt: skip
_SHELL_LONG_ARGUMENTS = frozenset({"--rcfile", "--init-file", "--init-command", "--command",
                                   "--debug", "--debug-output", "--profile", "--features",
                                   "--emulate",
                                   # nu's (attack M, finding 11: `nu -n` reads no config, and
                                   # runs what it reads)
                                   "--commands", "--execute", "--threads", "--table-mode",
                                   "--include-path", "--config", "--env-config", "--log-level",
                                   "--log-target", "--plugins",
                                   "--rc", "--shell-type"})  # xonsh's  # fmt: skip


_ENV_SPACE = " \t\n\v\f\r"
# a word of env's options holding -S's text (`-S`, `-iSTEXT`, `--split-string=`, `--sp`)
_ENV_SPLIT_WORD = re.compile(r"-[i0v]*S|--s")
_ENV_ESCAPES = {'"': '"', "#": "#", "$": "$", "'": "'", "\\": "\\", "f": "\f", "n": "\n",
                "r": "\r", "t": "\t", "v": "\v"}
_ENV_NAME = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


_SUDO_ESCAPE = re.compile(r"[^A-Za-z0-9_$-]")


def sudo_escaped(words: list[_Word]) -> str | None:
    """The code `sudo -i/-s WORDS` hands the shell's -c, or None if a word is known only at run
    time: sudo (parse_args.c) backslash-escapes each character but letters, digits, `_`, `-`
    and `$`, so each word stays one (`sudo -i sh -c 'rm -rf /'`, attack m22f, finding 7)."""
    if any(w.value is None for w in words):
        return None
    return " ".join(_SUDO_ESCAPE.sub(r"\\\g<0>", w.value or "") for w in words)


def env_split(text: str) -> list[str] | None:
    """The words `env -S TEXT` gives, as GNU env splits them (coreutils env.c `build_argv`),
    each spelt as a bash word (`${NAME}`, expanded by env from its environment without
    splitting, a word only if set, as `${NAME+"${NAME}"}`): whitespace or `\\_` outside
    double quotes separate, `\\_` inside them is a space, `\\c` and a `#` starting a word
    end the text, quotes group (in single ones
    only `\\\\` and `\\'` are escapes), `\\t \\n \\v \\f \\r \\" \\' \\$ \\# \\\\`.
    None where env refuses the text (it then runs nothing; attack j19f, finding 5)."""
    words: list[list[str]] = []
    single = double = False
    separate = True
    index = 0

    def add(part: str) -> None:
        nonlocal separate
        if separate:
            words.append([])
            separate = False
        words[-1].append(part)

    while index < len(text):
        char = text[index]
        if char == "'" and not double:
            single = not single
            add("''")
        elif char == '"' and not single:
            double = not double
            add("''")
        elif char in _ENV_SPACE and not (single or double):
            separate = True
        elif char == "#" and separate and not (single or double):
            break
        elif char == "\\" and not (single and text[index + 1:index + 2] not in ("\\", "'")):
            index += 1
            escaped = text[index:index + 1]
            if escaped == "_" and not double:
                separate = True
            elif escaped == "_":
                add(shlex.quote(" "))
            elif escaped == "c" and not double:
                break
            elif escaped in _ENV_ESCAPES:
                add(shlex.quote(_ENV_ESCAPES[escaped]))
            else:
                return None  # `\c` in double quotes, an unknown escape, a lone `\` at the end
        elif char == "$" and not single:
            name = _ENV_NAME.match(text, index)
            if name is None:
                return None  # only ${NAME} is expanded; env refuses any other `$`
            add(f'${{{name.group(1)}+"${{{name.group(1)}}}"}}')  # unset: no word at all
            index = name.end()
            continue
        else:
            add(shlex.quote(char))
        index += 1
    if single or double:
        return None
    return ["".join(parts) for parts in words]
