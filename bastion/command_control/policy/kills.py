"""The daemons a kill by pattern, by user or of everything may reach (found after outside
attack X, finding 9): `pkill 'audit'` kills auditd, as `pkill auditd` (denied) does; so do
`killall -r audit`, `kill -9 -1` and `killall5`. The collector adds, for each well-known
system daemon such a command may reach, the plain `pkill NAME` it amounts to, so that the
policy's rules on killing a daemon by name (the shipped `no-security-daemon-kill`) apply.
"""

from __future__ import annotations

import re

from bastion.command_control.policy.options import _Options, _options, _permuted
from bastion.command_control.policy.respoken import kill_operands
from bastion.command_control.policy.words import _Word
from bastion.text import digits

# System daemons a kill may reach, as the process name (pgrep's default) and as the command
# line `pkill -f` matches. The policy decides which of them matter.
_DAEMONS = {
    "auditd": "/sbin/auditd", "rsyslogd": "/usr/sbin/rsyslogd -n -iNONE",
    "syslog-ng": "/usr/sbin/syslog-ng -F", "systemd-journald": "/lib/systemd/systemd-journald",
    "sshd": "/usr/sbin/sshd -D", "cron": "/usr/sbin/cron -f", "crond": "/usr/sbin/crond -n",
    "firewalld": "/usr/bin/python3 /usr/sbin/firewalld --nofork",
    "fail2ban-server": "/usr/bin/python3 /usr/bin/fail2ban-server -xf start",
    # PID 1: a signal reboots, powers off or isolates rescue (attack b11f, finding 6)
    "systemd": "/sbin/init splash",
}  # fmt: skip

# The daemons' programs (a command line's first word), and the files they hold open.
_PROGRAMS = frozenset(line.split()[0] for line in _DAEMONS.values())
_DAEMON_FILES = ("/var/log", "/run", "/dev/log", "/var/run")

_PGREP = _options("dgGPstuUFq", ("--delimiter", "--pgroup", "--group", "--parent", "--session",
                                 "--terminal", "--euid", "--uid", "--pidfile", "--signal",
                                 "--ns", "--nslist", "--runstates", "--cgroup", "--env", "-q",
                                 "--queue"))
_USERS = frozenset({"-u", "-U", "--euid", "--uid", "--user"})
_TERMINALS = frozenset({"-t", "--terminal"})
_KILLALL = _options("sunoyO", ("--signal", "--user", "--older-than", "--younger-than",
                               "--context", "--ns"))


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
    return []


# procps skill(1) and snice(1): `skill [SIGNAL] [OPTIONS] EXPRESSION`, `snice [PRIORITY] ...`.
_SKILL = _options("cptu", ("--command", "--pid", "--tty", "--user"),
                  flags=("--fast", "--interactive", "--list", "--table", "--no-action", "--verbose",
                         "--warnings", "--help", "--version"))
_PID = re.compile(r"\s*([+-]?)0*(\d+)\s*")  # as procps reads a pid: blanks, a sign, zeros
_SKILL_LISTS = frozenset({"-l", "-L", "--list", "--table", "-h", "--help", "-V", "--version"})
# A word skill or snice may take for the signal or priority: `-KILL`, `-sigterm`, `-9`,
# `-RTMIN+5`, `+20` (a one-letter option is none).
_SIGNAL_WORD = re.compile(r"[-+](?:SIG)?(?:[A-Za-z]{2,}(?:[+-]?\d+)?|\d+)", re.I)


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
    # An operand is guessed: a tty, a user, a pid or a command; read it as each of the last three.
    for operand in operands:
        value = operand.value or ""
        names.append(value)
        users.append(value)
        pids.append(value)
    if any(u in ("root", "0") for u in users):
        return list(_DAEMONS)
    # the kernel's process name is cut at 15 characters (`systemd-journal`)
    reached = [d for d in _DAEMONS if any(n and n[:15] == d[:15] for n in names)]
    init = any((m := _PID.fullmatch(p)) and int(m.group(1) + m.group(2)) == 1 for p in pids)
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
    if ({"--ppid", "--pid"} & values.keys() or any(u in ("root", "0") for u in users)
            or not (chosen or users)):
        return list(_DAEMONS)
    return [d for d in _DAEMONS if any(d in (v or "").rsplit("/", 1)[-1] for v in chosen)]


def _fuser(words: list[_Word]) -> list[str]:
    """`fuser -k FILE`: the processes using FILE. A daemon's program, a folder holding one or
    the logs, or `-m` (everything on that filesystem) reach the daemons; a port does not."""
    values = [w.value for w in words[1:]]
    options = [v for v in values if v is not None and v.startswith("-") and v != "-"]
    if not any(o == "--kill" or (not o.startswith("--") and "k" in o) for o in options):
        return []
    if None in values or any(o == "--mount" or (not o.startswith("--") and "m" in o)
                             for o in options):
        return list(_DAEMONS)
    for value in values:
        if value is None or value.startswith("-") or "/" not in value or value.endswith(("/tcp", "/udp")):
            continue
        path = value.rstrip("/") or "/"
        base = path.rsplit("/", 1)[-1]
        if path.startswith(_DAEMON_FILES) or any(
                program == path or program.startswith(path + "/") or program.endswith("/" + base)
                for program in _PROGRAMS):
            return list(_DAEMONS)
    return []


def _matching(words: list[_Word], table: _Options, regex: bool) -> list[str]:
    # A signal given as `-9` or `-KILL` is an option of its own (not a cluster of letters).
    plain = [w for w in words if not digits((w.value or "").lstrip("-"))
             and not re.fullmatch(r"-[A-Z]{2,}[0-9]*", w.value or "")]
    scanned = _permuted(plain, 1, table)
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
        users = [a.value for o, a in found if o in _USERS and a is not None]
        if (users and all(u not in ("root", "0") and u is not None and "," not in u
                          for u in users)) or seen & _TERMINALS:
            return []
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
