"""The daemons a kill by pattern, by user or of everything may reach (found after outside
attack X, finding 9): `pkill 'audit'` kills auditd, as `pkill auditd` (denied) does; so do
`killall -r audit`, `kill -9 -1` and `killall5`. The collector adds, for each well-known
system daemon such a command may reach, the plain `pkill NAME` it amounts to, so that the
policy's rules on killing a daemon by name (the shipped `no-security-daemon-kill`) apply.
"""

from __future__ import annotations

import fnmatch
import re

from bastion.command_control.policy.debuggers import debugger_stops
from bastion.command_control.policy.options import _long_option, _Options, _options, _permuted
from bastion.command_control.policy.respoken import DAEMON_PORTS, kill_operands
from bastion.command_control.policy.words import _Word

# System daemons a kill may reach, as the process name (pgrep's default) and as the command
# line `pkill -f` matches. The policy decides which of them matter.
_DAEMONS = {
    "auditd": "/sbin/auditd", "rsyslogd": "/usr/sbin/rsyslogd -n -iNONE",
    "syslog-ng": "/usr/sbin/syslog-ng -F", "systemd-journald": "/lib/systemd/systemd-journald",
    "sshd": "/usr/sbin/sshd -D", "cron": "/usr/sbin/cron -f", "crond": "/usr/sbin/crond -n",
    "firewalld": "/usr/bin/python3 /usr/sbin/firewalld --nofork",
    "fail2ban-server": "/usr/bin/python3 /usr/bin/fail2ban-server -xf start",
    # the older logging and audit daemons the service rules name (attack x33f, finding 13)
    "syslogd": "/usr/sbin/syslogd", "klogd": "/sbin/klogd", "metalog": "/usr/sbin/metalog",
    "audispd": "/sbin/audispd",
    # the host intrusion detection daemons no-hids-stop protects (attack z35f, finding 13)
    **{f"{kind}-{d}": f"/var/ossec/bin/{kind}-{d}" for kind in ("wazuh", "ossec") for d in (
        "agentd", "execd", "logcollector", "syscheckd", "modulesd", "analysisd", "remoted",
        "monitord", "authd", "db")},
    # the super-servers: a SIGHUP makes them start what their files say (attack z35f, 11)
    "inetd": "/usr/sbin/inetd", "xinetd": "/usr/sbin/xinetd -stayalive -pidfile /run/xinetd.pid",
    "rlinetd": "/usr/sbin/rlinetd", "inetutils-inetd": "/usr/sbin/inetutils-inetd",
    # PID 1: a signal reboots, powers off or isolates rescue (attack b11f, finding 6)
    "systemd": "/sbin/init splash",
}  # fmt: skip

# found after outside attack a36f (finding 12): the daemons that run as a user of their own,
# not root (Wazuh 4.x's agent and the OSSEC daemons, Ubuntu's rsyslogd): a kill by that user
# (`pkill -u wazuh`) kills them. A system account's number (1 to 999) may be any of them.
_HIDS = ("agentd", "execd", "logcollector", "syscheckd", "modulesd", "analysisd", "remoted",
         "monitord", "authd", "db")
_DAEMON_USERS = {
    "wazuh": [f"wazuh-{d}" for d in _HIDS],
    **{user: [f"ossec-{d}" for d in _HIDS] for user in ("ossec", "ossecm", "ossecr")},
    "syslog": ["rsyslogd", "syslogd", "klogd", "syslog-ng"],
}


_UID = re.compile(r"\s*([+-]?)0*([0-9]+)\s*")  # procps' strict_atol, dpkg's strtol
_UID_PATTERN = frozenset("0123456789+-*?[]!^ ")


def _user_names(user: str) -> list[str]:
    """The users a kill's user word names: a number read as procps and dpkg read it (blanks,
    one sign, any zeros: `00`, `+0`, `-0` are 0), each of a comma list, and a pattern bash may
    expand (`wazu?`, `wazu[h]`) as each user it may match; one that may match a number, as root
    (attack b37f, finding 3)."""
    names: list[str] = []
    for part in user.split(","):
        if not any(c in part for c in "*?["):
            uid = _UID.fullmatch(part)
            # a uid past 32 bits may wrap to its low bits (uid_t): read as those too
            number = int(uid.group(1) + uid.group(2)) if uid else None
            names += [part.strip()] if number is None else [str(number), str(number % 2**32)]
            continue
        candidates = ("root", *_DAEMON_USERS, *(str(n) for n in range(1000)))
        names += [n for n in candidates if fnmatch.fnmatchcase(n, part.strip())]
        if set(part) <= _UID_PATTERN:
            names.append("0")
    return names


def _by_root(users: list[str | None]) -> bool:
    """Whether a kill by these users (None: known only at run time) may be one by root."""
    return any(u is None or {"root", "0"} & set(_user_names(u)) for u in users)


def _users_daemons(users: list[str | None]) -> list[str]:
    """The daemons of _DAEMONS a kill by these users (names or numbers) reaches, root aside."""
    reached: list[str] = []
    for user in users:
        for name in _user_names(user or ""):
            if name.isdigit() and 0 < int(name) < 1000:
                daemons = [d for names in _DAEMON_USERS.values() for d in names]
            else:
                daemons = _DAEMON_USERS.get(name, [])
            reached += [d for d in daemons if d not in reached]
    return reached


# The daemons' programs (a command line's first word), and the files they hold open.
_PROGRAMS = frozenset(line.split()[0] for line in _DAEMONS.values())
_DAEMON_FILES = ("/var/log", "/run", "/dev/log", "/var/run")

_PGREP = _options("dgGPstuUFqrO", ("--delimiter", "--pgroup", "--group", "--parent", "--session",
                                   "--terminal", "--euid", "--uid", "--pidfile", "--signal",
                                   "--ns", "--nslist", "--runstates", "--cgroup", "--env", "-q",
                                   "--queue", "--older"),
                  # every flag too, so that a start of one is read as it (`--fu`, `--inv`)
                  flags=("--full", "--exact", "--inverse", "--ignore-case", "--echo", "--count",
                         "--newest", "--oldest", "--logpidfile", "--ignore-ancestors",
                         "--list-name", "--list-full", "--lightweight", "--require-handler",
                         "--help", "--version"))
_USERS = frozenset({"-u", "-U", "--euid", "--uid", "--user"})
_TERMINALS = frozenset({"-t", "--terminal"})
# psmisc killall's whole option table (killall --help): -n/--ns, -s, -u, -o, -y and -Z take a
# value, in the next word or attached; the flags are listed so that a start of one is read as
# it (`--reg`: attack n23f, finding 8).
_KILLALL = _options("sunoyOZ", ("--signal", "--user", "--older-than", "--younger-than",
                                "--context", "--ns"),
                    flags=("--exact", "--ignore-case", "--process-group", "--interactive",
                           "--list", "--quiet", "--regexp", "--verbose", "--version", "--wait",
                           "--help"))


def killed_daemons(name: str, words: list[_Word]) -> list[str]:
    """The daemons of _DAEMONS the command may kill, for pkill, killall -r, kill of every
    process (`-1`) and killall5; [] for others and for kills that name no daemon."""
    if name == "killall5":
        return list(_DAEMONS)
    if name == "kill":
        # -1 as the kill builtin and procps read a pid (attack b11f, finding 7: `-01`, `' -1'`,
        # `-- -001`), and as a lone signal `kill -1 PID` (held as before: it may be a pid)
        read = kill_operands([w.value for w in words[1:] if w.value is not None])
        minus_one = read is not None and -1 in read[1]
        return list(_DAEMONS) if minus_one or any(w.value == "-1" for w in words[1:]) else []
    if name == "pkill":
        return _matching(words, _PGREP, regex=True)
    if name == "killall":
        return _matching(words, _KILLALL, regex=False)
    if name == "fuser":
        return _fuser(words)
    if name == "start-stop-daemon":
        return _stopped(words)
    if name in ("skill", "snice"):
        return _skilled(words)
    if name == "slay":
        return _slayed(words)
    return []


# procps skill(1) and snice(1): `skill [SIGNAL] [OPTIONS] EXPRESSION`, `snice [PRIORITY] ...`.
_SKILL = _options("cptu", ("--command", "--pid", "--tty", "--user", "--ns", "--nslist"),
                  flags=("--fast", "--interactive", "--list", "--table", "--no-action", "--verbose",
                         "--warnings", "--help", "--version"))
_PID = re.compile(r"\s*([+-]?)0*([0-9]+)\s*")  # as procps reads a pid: blanks, a sign, zeros
_SKILL_LISTS = frozenset({"-l", "-L", "--list", "--table", "-h", "--help", "-V", "--version"})
# A word skill or snice may take for the signal or priority: `-KILL`, `-sigterm`, `-9`,
# `-RTMIN+5`, `+20` (a one-letter option is none).
_SIGNAL_WORD = re.compile(r"[-+](?:SIG)?(?:[A-Za-z]{2,}(?:[+-]?[0-9]+)?|[0-9]+)", re.I)


def _skilled(words: list[_Word]) -> list[str]:
    """The daemons `skill` (a signal) or `snice` (a new priority: `+20` starves the daemon) may
    reach (attack c12f, finding 2): by command name, by pid (1: PID 1, read as `systemd`), or
    by user root (any). The first word is read both as a signal or priority and as options,
    whichever skill takes it for, so that neither reading hides a daemon."""
    values = [w.value for w in words[1:]]
    if None in values:
        return list(_DAEMONS)
    first = values[0] if values else ""
    readings = [words[1:]]
    if first[:1] in ("-", "+") and len(first) > 1:
        readings.append(words[2:])
    # procps looks for the signal in every word, not only the first (`skill -c auditd -KILL`:
    # read as options, -KILL held an L, "list the signals", attack d13f): also without them
    readings.append([w for w in words[1:] if not _SIGNAL_WORD.fullmatch(w.value or "")])
    reached: list[str] = []
    for reading in readings:
        for daemon in _skill_reading([_Word("skill", "skill"), *reading]):
            if daemon not in reached:
                reached.append(daemon)
    return reached


def _skill_reading(words: list[_Word]) -> list[str]:
    scanned = _permuted(words, 1, _SKILL)
    if scanned is None:
        return list(_DAEMONS)
    found, operands = scanned
    if any(option in _SKILL_LISTS for option, _ in found):
        return []  # lists the signals, or prints help, and exits
    names = [a.value or "" for o, a in found if o in ("-c", "--command") and a is not None]
    users = [a.value or "" for o, a in found if o in ("-u", "--user") and a is not None]
    pids = [a.value or "" for o, a in found if o in ("-p", "--pid") and a is not None]
    if not all(_a_terminal(a.value) for o, a in found if o in ("-t", "--tty") and a is not None):
        return list(_DAEMONS)  # `-t '?'`: no terminal, every daemon (attack c38f, finding 3)
    # An operand is guessed: a tty, a user, a pid or a command; read it as each of the last three.
    for operand in operands:
        value = operand.value or ""
        names.append(value)
        if value[:1] not in "+-":  # a priority (`snice +5`), not a user
            users.append(value)
        pids.append(value)
    if _by_root(users):
        return list(_DAEMONS)
    by_user = _users_daemons(users)
    # the kernel's process name is cut at 15 characters (`systemd-journal`)
    reached = [d for d in _DAEMONS if any(n and n[:15] == d[:15] for n in names) or d in by_user]
    init = any((m := _PID.fullmatch(p)) and pid_t(int(m.group(1) + m.group(2))) == 1 for p in pids)
    return [*reached, "systemd"] if init and "systemd" not in reached else reached


# start-stop-daemon's options that take a value, and those that choose what it stops.
_SSD = _options("pxnugsRadrNPkcICOm", ("--pidfile", "--exec", "--name", "--user", "--group",
                                     "--signal", "--retry", "--startas", "--chroot", "--chdir",
                                     "--nicelevel", "--procsched", "--iosched", "--umask",
                                     "--chuid", "--ppid", "--pid", "--output", "--notify-timeout"),
               # every flag too: getopt_long takes any unambiguous start (`--sto`: m22f, 4)
               flags=("--stop", "--start", "--status", "--test", "--oknodo", "--quiet",
                      "--background", "--make-pidfile", "--remove-pidfile", "--no-close",
                      "--notify-await", "--verbose", "--help", "--version"))


def _stopped(words: list[_Word]) -> list[str]:
    """`start-stop-daemon --stop` (-K, in any cluster): the daemons its matching options reach:
    by program, name or pid file (a daemon's name in the value), by user (root: any), or by
    parent (any); none of them: any (attack Z, filter finding 2)."""
    scanned = _permuted(words, 1, _SSD)
    if scanned is None:
        return list(_DAEMONS)
    found = scanned[0]
    if not any(o in ("-K", "--stop") for o, _ in found):
        return []
    if any(a is not None and a.value is None for _, a in found):
        return list(_DAEMONS)  # a value known only at run time
    values = {o: a.value for o, a in found if a is not None}
    chosen = [values[o] for o in ("-x", "--exec", "-n", "--name", "-p", "--pidfile") if o in values]
    users = [values[o] for o in ("-u", "--user") if o in values]
    if ({"--ppid", "--pid"} & values.keys() or _by_root(users)
            or not (chosen or users)):
        return list(_DAEMONS)
    return [d for d in _DAEMONS if d in _users_daemons(users) or any(
        d in (v or "").rsplit("/", 1)[-1]
        or (v or "").rsplit("/", 1)[-1].removesuffix(".pid") == _PIDFILES.get(d) for v in chosen)]


# pid files not named after their daemon's process (`-p /run/fail2ban/fail2ban.pid`)
_PIDFILES = {"fail2ban-server": "fail2ban", "rsyslogd": "rsyslog", "systemd-journald": "journald"}


def _fuser(words: list[_Word]) -> list[str]:
    """`fuser -k FILE`: the processes using FILE. A daemon's program, a folder holding one or
    the logs, or `-m` (everything on that filesystem) reach the daemons; so does a network
    name (`22/tcp`, `514/udp`, `-n tcp 60`, `ssh/tcp`) on a port a daemon listens on (attack
    u30f, finding 16: any other port is held by the shipped `confirm-kill-by-port`)."""
    values = [w.value for w in words[1:]]
    options = [v for v in values if v is not None and v.startswith("-") and v != "-"]
    if not any(o == "--kill" or (not o.startswith("--") and "k" in o) for o in options):
        return []
    if None in values or any(o == "--mount" or (not o.startswith("--") and "m" in o)
                             for o in options):
        return list(_DAEMONS)
    spaced = any(o in ("-n", "--namespace") or o.startswith("--namespace=")
                 or (not o.startswith("--") and o.endswith("n") and o[1:].isalpha()) for o in options)
    ports = [v.split("/", 1)[0] for v in values if v is not None and not v.startswith("-")
             and (spaced or re.search(r"/(tcp|udp)$", v))]
    reached = _by_ports(ports, every=False) if ports else []
    for value in values:
        if value is None or value.startswith("-") or "/" not in value or value.endswith(("/tcp", "/udp")):
            continue
        path = value.rstrip("/") or "/"
        base = path.rsplit("/", 1)[-1]
        if path.startswith(_DAEMON_FILES) or any(
                program == path or program.startswith(path + "/") or program.endswith("/" + base)
                for program in _PROGRAMS):
            return list(_DAEMONS)
    return reached


def _by_ports(values: list[str], every: bool) -> list[str]:
    """The daemons listening on the ports these words name (fuser's `LOCAL,HOST,REMOTE`: each
    port field counts; a word known only at run time: any)."""
    reached: list[str] = []
    for value in values:
        fields = {f.strip().lstrip("0") or "0" for f in re.split(r"[,:\s]+", value) if f.strip()}
        for daemon, ports in DAEMON_PORTS.items():
            if fields & set(ports) and daemon not in reached:
                reached.append(daemon)
    return list(_DAEMONS) if every and not values else reached


def _without_signals(words: list[_Word], table: _Options) -> list[_Word]:
    """The words without a signal given as `-9` or `-KILL` (an option of its own, not a cluster
    of letters), but for the value of an option that takes one: `killall -n 0 -r a`, `-s 9 -r`,
    `--ns 0` (the value is no signal, and dropping it made the option take `-r` for its value:
    attack n23f, finding 8)."""
    kept, index = list(words[:1]), 1
    while index < len(words):
        value = words[index].value or ""
        kept_value = False
        if value.startswith("--") and "=" not in value:
            kept_value = _long_option(value, table.long | table.flags) in table.long
        elif value.startswith("-") and len(value) > 1 and not _SIGNAL.fullmatch(value):
            letters = value[1:]
            first = next((i for i, letter in enumerate(letters) if letter in table.short), None)
            kept_value = first is not None and first == len(letters) - 1
        if not _SIGNAL.fullmatch(value) or not value.startswith("-"):
            kept.append(words[index])
        if kept_value and index + 1 < len(words):
            kept.append(words[index + 1])
            index += 1
        index += 1
    return kept


_SIGNAL = re.compile(r"-([0-9]+|[A-Z]{2,}[0-9]*)")


_TERMINAL_NAME = re.compile(r"(?:/dev/)?[A-Za-z][A-Za-z0-9]*(?:/[0-9]+)?")


def _a_terminal(value: str | None) -> bool:
    """Whether every name of a terminal list (`pts/1,tty2`) is a terminal's (none a daemon's)."""
    return value is not None and all(_TERMINAL_NAME.fullmatch(t) for t in value.split(","))


def _slayed(words: list[_Word]) -> list[str]:
    """`slay [-SIGNAL] [-clean] USER...` (Debian's slay: every process of each user, attack
    c38f, finding 13): read as `pkill -u USER` for each operand."""
    users = [w.value for w in words[1:] if w.value is None or not w.value.startswith("-")]
    if not users or _by_root(users):
        return list(_DAEMONS) if users else []
    return _users_daemons(users)


def _matching(words: list[_Word], table: _Options, regex: bool) -> list[str]:
    scanned = _permuted(_without_signals(words, table), 1, table)
    if scanned is None:
        return list(_DAEMONS)  # an option known only at run time: anything
    found, operands = scanned
    seen = {option for option, _ in found}
    if seen & {"-v", "--inverse"}:
        return list(_DAEMONS)  # every process but those named
    full = bool(seen & {"-f", "--full"})
    flags = re.IGNORECASE if seen & {"-i", "-I", "--ignore-case"} else 0
    if not regex:  # killall: a name, or with -r a pattern
        regex = bool(seen & {"-r", "--regexp"})
    whole = not regex or bool(seen & {"-x", "--exact"})  # pgrep's pattern matches anywhere
    if not operands:
        # Chosen by user, group, session, terminal or parent: any, unless only users other
        # than root (the daemons' own) or terminals (they have none) choose.
        # A terminal list is an AND with the rest; it reaches no daemon only when each of its
        # names is a terminal's: `?` is procps' name for "no terminal" (every daemon), and a
        # word known only at run time may be it (attack c38f, finding 3).
        users = [a.value for o, a in found if o in _USERS and a is not None]
        terminals = [a.value for o, a in found if o in _TERMINALS and a is not None]
        if terminals and all(_a_terminal(t) for t in terminals):
            return []
        if users and not _by_root(users):
            return _users_daemons(users)
        return list(_DAEMONS) if regex or seen else []
    reached = []
    for operand in operands:
        if operand.value is None:
            return list(_DAEMONS)
        if "\\" in operand.value or "[[" in operand.value:
            return list(_DAEMONS)  # POSIX escapes and classes Python's re reads otherwise
        try:
            pattern = re.compile(operand.value, flags)
        except re.error:
            return list(_DAEMONS)
        for daemon, line in _DAEMONS.items():
            subject = line if full else daemon
            hit = pattern.fullmatch(subject) if whole else pattern.search(subject)
            if hit and daemon not in reached:
                reached.append(daemon)
    return reached


# --- a kill by attaching (attack n23f, finding 4) ----------------------------------------------

# util-linux prlimit(1): the limits (each takes an optional value: `--fsize=0`, `-f0`), and the
# options that take one.
_PRLIMIT_LIMITS = "cdefilmnqrstuvxy"
_PRLIMIT_LONG = ("--core", "--data", "--nice", "--fsize", "--sigpending", "--memlock", "--rss",
                 "--nofile", "--msgqueue", "--rtprio", "--stack", "--cpu", "--nproc", "--as",
                 "--locks", "--rttime")
_PRLIMIT_OTHER = ("--pid", "--output", "--noheadings", "--raw", "--verbose", "--help",
                  "--version")
# strace(1)'s options that take a value, and those that make the tracee fail or die.
_STRACE_VALUE = "abeEIoOpPSsUXu"
_STRACE_HARM = ("--inject", "--fault", "--kill-on-exit")
_STRACE_LONG = ("--attach", "--trace", "--signal", "--status", "--output", "--user",
                "--trace-path", "--env", "--string-limit", "--columns", "--detach-on",
                "--summary-columns", "--successful-only", "--failed-only", "--absolute-timestamps",
                "--seccomp-bpf", "--decode-fds", "--quiet", "--silent", "--follow-forks",
                "--output-separately", "--summary", "--summary-only", "--summary-sort-by",
                "--stack-traces", "--syscall-times", "--timestamps", "--relative-timestamps",
                *_STRACE_HARM)


def attached_kills(name: str, words: list[_Word]) -> list[_Word]:
    """The pids a command may kill or starve by attaching to them, each judged as `kill -s KILL
    PID` (held for a pid known only at run time, as `kill -9 $(pidof auditd)` is): `prlimit
    --pid PID` setting a limit (`--fsize=0`: the next write raises SIGXFSZ; `--nofile=0`),
    `strace -p PID` with `-e inject=`/`fault=`, `--inject`, `--fault` or `--kill-on-exit`,
    `cpulimit -p PID` (SIGSTOPs it), `criu dump -t PID` (the dumped tree is killed), and the
    pids starved as `snice +20` starves them: `renice +N [-p] PID`, `chrt -i -p 0 PID`
    (SCHED_IDLE), `ionice -c 3 -p PID` (idle I/O: the daemon's log writes wait); a debugger's
    attach (`gdb -p PID`: stopped while gdb waits at its prompt; policy/debuggers.py)."""
    return [read for pid in _attached(name, words) for read in _pid_readings(pid)]


def _attached(name: str, words: list[_Word]) -> list[_Word]:
    values = [w.value for w in words[1:]]
    if stopped := debugger_stops(name, words):
        return stopped
    if name == "prlimit":
        return _prlimit(words)
    if name == "strace":
        return _strace(words)
    if name == "cpulimit":
        return _pid_values(words, "pePlz", "peP", ("--pid", "--exe", "--path"))
    if name in ("renice", "chrt", "ionice"):
        return _starved(name, words)
    if name == "criu" and "dump" in values and not {"-R", "--leave-running"} & set(values):
        return _pid_values(words, "tDWoLv", "t", ("--tree",))
    return []


_C_NUMBER = re.compile(r"\s*([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)\s*")


def _pid_readings(word: _Word) -> list[_Word]:
    """A pid word as the programs read it (attack c38f, finding 17): in base 10 and as C's
    strtoul with base 0 reads it (gdb, lldb: `0x1`, `01` octal), each cut to its low 32 bits
    as a pid_t (`4294967297` is 1); a word that is no number as written."""
    match = _C_NUMBER.fullmatch(word.value or "")
    if match is None:
        return [word]
    sign = -1 if match.group(1) == "-" else 1
    digits = match.group(2)
    numbers = {int(digits, 0) if digits[:2].lower() == "0x" else int(digits, 8 if digits[:1] == "0"
               and digits.isdigit() and set(digits) <= set("01234567") else 10)}
    if digits.isdigit():
        numbers.add(int(digits))
    return [_Word(str(n), str(n)) for n in sorted({pid_t(sign * n) for n in numbers})]


def pid_t(number: int) -> int:
    """A number cut to its low 32 bits, read as a signed pid_t (procps' kill, gdb)."""
    return (number + 2**31) % 2**32 - 2**31


def _values(words: list[_Word], takes: str, letters: str, long: tuple[str, ...],
            names: frozenset[str] = frozenset()) -> list[_Word | None]:
    """The values of the options `letters` (among the short options `takes` that take one: a
    cluster `-fp PID` too) and `long` (any start of one among `names`), each as getopt reads
    it; an option word known only at run time gives None (it may be any of them)."""
    found: list[_Word | None] = []
    index = 1
    while index < len(words):
        value = words[index].value
        following = words[index + 1] if index + 1 < len(words) else _Word(None, "")
        if value is None:
            found.append(None)
        elif value == "--":
            break
        elif value.startswith("--") and len(value) > 2:
            option, has, rest = value.partition("=")
            option = _long_option(option, names | frozenset(long))
            if option in long:
                found.append(_Word(rest, rest) if has else following)
                index += 0 if has else 1
            elif option in names and not has and option in _TAKES_LONG:
                index += 1
        elif value.startswith("-") and len(value) > 1:
            for offset, letter in enumerate(value[1:], start=2):
                if letter in takes:
                    if letter in letters:
                        found.append(_Word(value[offset:], value[offset:]) if value[offset:]
                                     else following)
                    index += 0 if value[offset:] else 1
                    break
        index += 1
    return found


def _pid_values(words: list[_Word], takes: str, letters: str, long: tuple[str, ...]
                ) -> list[_Word]:
    return [w if w is not None else _Word(None, "") for w in _values(words, takes, letters, long)]


def _prlimit(words: list[_Word]) -> list[_Word]:
    pids = _pid_values(words, "po", "p", ("--pid",))
    names = frozenset(_PRLIMIT_LONG + _PRLIMIT_OTHER)
    sets, index = False, 0
    while (index := index + 1) < len(words):
        value = words[index].value
        following = words[index + 1].value if index + 1 < len(words) else "-"
        if value is None:
            sets = True
        elif value in ("-p", "-o") or _long_option(value, names) in ("--pid", "--output"):
            index += 1  # its value (`--pid=P`, `-pP` hold theirs)
        elif value.startswith("--") and len(value) > 2:
            option, has, _ = value.partition("=")
            sets |= _long_option(option, names) in _PRLIMIT_LONG and (
                bool(has) or following is None or not following.startswith("-"))
        elif value.startswith("-") and len(value) > 1 and not value.startswith(("-p", "-o")):
            # a limit letter takes what follows it in its word (`-f0`, `-nf0`), or, read
            # the stricter way, the next word
            letters = value[1:].split("o", 1)[0]
            at = next((i for i, letter in enumerate(letters) if letter in _PRLIMIT_LIMITS), None)
            sets |= at is not None and (at < len(value) - 2 or following is None
                                        or not following.startswith("-"))
    return pids if sets else []


def _strace(words: list[_Word]) -> list[_Word]:
    pids = _pid_values(words, _STRACE_VALUE, "p", ("--attach",))
    names = frozenset(_STRACE_LONG)
    expressions = _values(words, _STRACE_VALUE, "e", (), names)
    harm = any(e is None or e.value is None or _STRACE_FAULT.match(e.value) for e in expressions)
    for word in words[1:]:
        value = word.value or ""
        if value == "--":
            break
        if value.startswith("--") and len(value) > 2:
            harm |= _long_option(value.partition("=")[0], names) in _STRACE_HARM
    return pids if harm else []


_STRACE_FAULT = re.compile(r"\s*!?\s*(inject|fault)\b")
_TAKES_LONG = frozenset({"--output", "--trace", "--signal", "--status", "--user", "--trace-path",
                         "--env", "--string-limit", "--columns", "--detach-on", "--summary-columns",
                         "--summary-sort-by"})


_NUMBER_WORD = re.compile(r"[+-]?[0-9]+")


def _starved(name: str, words: list[_Word]) -> list[_Word]:
    """The pids `renice` (a positive priority, pids by default or after -p), `chrt` (-i/--idle
    with -p: the last operand) or `ionice` (class 3/idle with -p) sets to starve; a value known
    only at run time may starve. Users and groups (`renice 19 -u root`) are not read here."""
    values = [w.value for w in words[1:]]
    if name == "chrt":
        idle = any(v is None or v in ("--idle", "--id", "--idl") or re.fullmatch(r"-[a-z]*i[a-z]*", v)
                   for v in values[:-1])  # the last word is the pid
        attach = any(v is None or v in ("--pid", "--p", "--pi") or re.fullmatch(r"-[a-z]*p[a-z]*", v)
                     for v in values)
        return [words[-1]] if idle and attach and len(words) > 2 else []
    if name == "ionice":
        classes = _values(words, "cnpPtu", "c", ("--class",),
                          frozenset({"--classdata", "--pid", "--pgid", "--uid", "--ignore"}))
        if not any(c is None or c.value is None or c.value.strip() in ("3", "idle") for c in classes):
            return []
        # `-p PID...`: every word after -p up to the next option is a pid
        pids, after = [], False
        for word in words[1:]:
            if word.value is not None and word.value.startswith("-"):
                after = word.value in ("-p", "--pid") or word.value.startswith(("-p", "--pid="))
                attached = word.value[2:] if word.value.startswith("-p") else word.value[6:]
                if after and attached:
                    pids.append(_Word(attached, attached))
            elif after:
                pids.append(word)
        return pids
    # renice
    pids: list[_Word] = []
    mode, priority, index = "p", None, 1
    while index < len(words):
        value = words[index].value
        if value in ("-n", "--priority", "--relative") and index + 1 < len(words):
            priority, index = words[index + 1], index + 2
            continue
        if value in ("-p", "--pid", "-g", "--pgrp", "-u", "--user"):
            mode = value.lstrip("-")[0]
        elif priority is None and (value is None or _NUMBER_WORD.fullmatch(value)):
            priority = words[index]
        elif mode == "p":
            pids.append(words[index])
        index += 1
    if priority is None or (priority.value is not None and int(priority.value) <= 0):
        return []
    return pids
