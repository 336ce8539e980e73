"""The login and shell servers a service manager starts under their units' names (outside attack
r27f, finding 5): the policy's rules hold the servers by program name (confirm-other-ssh-server,
confirm-network-shell-server), and `systemctl start tinysshd` names one, but the units their
packages ship are named otherwise: a socket (`tinysshd.socket`, `inetd.socket`), a template
instance (`tinysshd@x`, `ttyd@x`, `telnet@x`), or a package's own name (`shellinabox` runs
shellinaboxd, `inetutils-inetd` inetd, `rlogin.socket` rlogind, `cockpit.socket` cockpit-ws).

`started_servers` gives, for a command that starts or enables units (systemctl's starting verbs,
`enable` with or without --now, `preset`, `add-wants`; service(8), invoke-rc.d, update-rc.d,
chkconfig, rc-service and rc-update), the program each unit runs: the unit's name without its
type suffix and template instance, through the package table below; the collector judges each
as that program run (with no words), so that the rules on the program apply. A unit glob is
read generously (each server unit it may match). systemd's `debug-shell` (an unauthenticated
root shell on tty9) is given as its own name: the plain `systemctl start debug-shell`, which
the shipped `no-debug-shell` refuses. Reading a unit's state (`status`, `cat`, `show`) and
stopping one start nothing and give nothing.
"""

from __future__ import annotations

import fnmatch
import re

from bastion.command_control.policy.units import _BRACKET, _ESCAPE, _GLOB
from bastion.command_control.policy.unread import _names_program
from bastion.command_control.policy.words import _Word

# A unit's name as its package ships it -> the program it runs, where they differ (Debian,
# Fedora, Arch, the upstream units).
_PACKAGE_UNITS = {
    "shellinabox": "shellinaboxd",
    "inetutils-inetd": "inetd", "openbsd-inetd": "inetd", "inetd": "inetd", "xinetd": "xinetd",
    "rlogin": "rlogind", "rsh": "rshd", "rexec": "rexecd",  # Fedora's rsh-server
    "telnet": "telnetd", "telnetd": "telnetd", "inetutils-telnetd": "telnetd",
    "cockpit": "cockpit-ws", "cockpit-wsinstance-http": "cockpit-ws",
    "cockpit-wsinstance-https": "cockpit-ws", "cockpit-wsinstance-https-factory": "cockpit-ws",
    "webmin": "miniserv.pl", "usermin": "miniserv.pl",
    "xrdp": "xrdp", "xrdp-sesman": "xrdp-sesman",
    "vncserver": "vncserver", "vncsession": "vncsession", "x11vnc": "x11vnc",
    "tigervncserver": "vncserver", "x0vncserver": "x0vncserver",
    "dropbear": "dropbear", "tinysshd": "tinysshd", "tinyssh": "tinysshd",
    "ttyd": "ttyd", "gotty": "gotty", "wetty": "wetty", "websocketd": "websocketd",
    "stunnel": "stunnel", "stunnel4": "stunnel4",
    "debug-shell": "debug-shell",
    # (attack t29f, finding 11)
    "teleport": "teleport", "upterm": "upterm", "kshd": "kshd", "klogind": "klogind",
    "kshell": "kshd", "klogin": "klogind", "eklogin": "klogind",
    # (attack v31f, finding 8)
    "lsh-server": "lshd", "lshd": "lshd", "rlinetd": "rlinetd", "jupyterhub": "jupyterhub",
    "jupyter": "jupyter-lab", "jupyterlab": "jupyter-lab", "jupyter-lab": "jupyter-lab",
    "jupyter-notebook": "jupyter-notebook", "notebook": "jupyter-notebook",
    "code-server": "code-server", "openvscode-server": "openvscode-server",
    "rstudio-server": "rstudio-server", "xpra": "xpra", "xpra-server": "xpra",
}
_PROGRAMS = frozenset(_PACKAGE_UNITS.values())
DEBUG_SHELL = "debug-shell"
# systemctl's verbs that start the units they name now, at boot or as their preset says
# (Debian's preset policy enables every unit). add-wants/add-requires name a target first.
_STARTS = frozenset({"start", "restart", "try-restart", "reload-or-restart",
                     "try-reload-or-restart", "condrestart", "force-reload",
                     "reload-or-try-restart", "enable", "reenable", "preset"})
_ADDS = frozenset({"add-wants", "add-requires"})
# systemctl's options that take the next word as their value (as respoken.py reads them)
_VALUE = frozenset({"-t", "--type", "-s", "--signal", "-p", "--property", "-H", "--host",
                    "-M", "--machine", "-n", "--lines", "-o", "--output", "--job-mode",
                    "--kill-whom", "--kill-value", "--root", "--state", "--what",
                    "--preset-mode", "--boot-loader-entry", "--boot-loader-menu",
                    "--reboot-argument", "--timestamp", "--message", "--image", "--when",
                    "--drop-in", "--image-policy", "--check-inhibitors"})
# the other service tools (`service NAME ACTION`; `rc-update add NAME`): name -> the actions
# that start or enable the unit
_SERVICE_TOOLS = {
    "service": frozenset({"start", "restart", "try-restart", "reload-or-restart",
                          "force-reload", "condrestart", "force-start"}),
    "invoke-rc.d": frozenset({"start", "restart", "try-restart", "force-reload"}),
    "rc-service": frozenset({"start", "restart"}),
    "update-rc.d": frozenset({"enable", "defaults", "defaults-disabled", "start"}),
    "chkconfig": frozenset({"on"}),
    "rc-update": frozenset({"add"}),
    "sysv-rc-conf": frozenset({"on"}),  # (attack v31f, finding 11)
}
# The tools that take their verb first and then the services it starts (attack v31f, finding
# 11): systemctl's SysV helper, runit's sv (which reads a verb's first letter: up, once) and
# runsvctrl, dinit, upstart's initctl, supervisord's and monit's clients. Read fail closed as
# systemctl is: a starting verb anywhere among the words that are no option makes each other
# such word a service it may start.
_VERB_TOOLS = {
    "systemd-sysv-install": frozenset({"enable"}),
    "dinitctl": frozenset({"start", "restart", "wake", "enable"}),
    "initctl": frozenset({"start", "restart", "reload"}),
    "supervisorctl": frozenset({"start", "restart", "add", "reread"}),
    "monit": frozenset({"start", "restart", "monitor"}),
    "sv": frozenset({"start", "restart", "force-restart", "force-reload", "try-restart"}),
    "runsvctrl": frozenset(),
}
_FIRST_LETTER = {"sv": ("u", "o"), "runsvctrl": ("u", "o")}
# Tools whose every operand is a service started: upstart's start and restart links, insserv
# (which enables each script it is given, unless -r), s6 and daemontools' up and once options.
_EVERY_OPERAND = frozenset({"start", "restart", "insserv", "s6-svc", "svc", "s6-rc"})
_SUFFIX = re.compile(r"\.(service|socket|path|timer)$")
_INIT_SCRIPT = re.compile(r"/etc/(?:rc\.d/)?init\.d/[^/]+$|/etc/rc\.d/[^/]+$")


def started_servers(name: str, words: list[_Word], handled: frozenset[str],
                    rule_programs: frozenset[str]) -> list[str]:
    """The programs of the units `name` with these words starts or enables: as the package
    table names them, or the unit's own base name where it names a program a table knows or
    a rule names (`_names_program`, as a launcher's word is read); [] for other commands. A
    unit known only at run time gives nothing here (the shipped rules on starting units hold
    that line)."""
    values = [w.value for w in words[1:]]
    script = (words[0].value or "") if words else ""
    if _INIT_SCRIPT.match(script):
        # `/etc/init.d/NAME start`: the script by its path (Debian's LSB hook hands it to
        # systemctl; sysvinit runs the daemon): attack t29f, finding 3
        starting = _SERVICE_TOOLS["service"]
        units = [name] if any(v in starting for v in values if v is not None) else []
    elif name == "systemctl":
        units = _systemctl_units(values)
    elif name in _VERB_TOOLS:
        units = _verb_tool_units(name, values)
    elif name in _EVERY_OPERAND or name == "rcconf":
        units = _option_tool_units(name, values)
    elif name in _SERVICE_TOOLS:
        # an option's value is no unit (`chkconfig --level 35 NAME on`)
        operands = [v for i, v in enumerate(values) if v is not None and not v.startswith("-")
                    and not (i and values[i - 1] in ("--level", "--type"))]
        actions = _SERVICE_TOOLS[name]
        restart = name == "service" and "--full-restart" in values  # stop, then start
        if name == "chkconfig" and "--add" in values:  # `chkconfig --add NAME`
            units = operands[:1]
        elif name == "rc-update":  # `rc-update add NAME [RUNLEVEL]`
            units = operands[1:2] if operands[:1] and operands[0] in actions else []
        else:
            units = operands[:1] if restart or any(a in actions for a in operands[1:]) else []
    else:
        return []
    programs: list[str] = []
    for unit in units:
        for program in _programs(unit):
            if program not in programs and (program in _PROGRAMS or _names_program(
                    program, handled, rule_programs)):
                programs.append(program)
    return programs


def _systemctl_units(values: list[str | None]) -> list[str]:
    operands: list[str] = []
    index = 0
    while index < len(values):
        value = values[index]
        index += 1
        if value is None:
            operands.append("")  # a word known only at run time: no unit of ours
        elif value in _VALUE:
            index += 1
        elif not value.startswith("-"):
            operands.append(value)
    if not operands:
        return []
    # Read fail closed (attack t29f, finding 3: `-P Id`, `--legend no`, `-qP Id` took the word
    # after for the verb): a starting verb anywhere among the words that are no option makes
    # every other of them a unit it may start.
    if set(operands) & (_STARTS | _ADDS):
        return [o for o in operands if o not in _STARTS and o not in _ADDS]
    return []


def _verb_tool_units(name: str, values: list[str | None]) -> list[str]:
    operands = [v for v in values if v is None or (not v.startswith("-") and "=" not in v)]
    letters = _FIRST_LETTER.get(name, ())
    if letters:  # `sv [-v] [-w SEC] VERB SERVICE...`: the verb is the first operand
        words = [v for i, v in enumerate(values) if not (i and values[i - 1] == "-w")]
        operands = [v for v in words if v is None or not v.startswith("-")]
        verb = operands[0] if operands else None
        return [v or "" for v in operands[1:]] if verb is None or verb[:1] in letters \
            or verb in _VERB_TOOLS[name] else []
    starting = [v for v in operands if v is not None and (
        v in _VERB_TOOLS[name] or (letters and v[:1] in letters))]
    if not starting:
        return []
    return [v or "" for v in operands if v not in starting]


def _option_tool_units(name: str, values: list[str | None]) -> list[str]:
    """upstart's `start NAME` (KEY=VALUE words are the job's environment), `insserv NAME`
    (`-r` removes), `s6-svc -u DIR`, `svc -u DIR` (`-o`: once), `s6-rc change NAME` (up
    unless -d), `rcconf --on NAME`."""
    options = [v for v in values if v is not None and v.startswith("-")]
    operands = [v or "" for v in values if v is None or (not v.startswith("-") and "=" not in v)]
    clusters = "".join(o[1:] for o in options if not o.startswith("--"))
    if name == "rcconf":
        return [values[i + 1] or "" for i, v in enumerate(values[:-1]) if v == "--on"]
    if name == "insserv":
        removing = "r" in clusters or any(o.startswith("--r") for o in options)
        return [] if removing else [o.split(",", 1)[0] for o in operands]
    if name in ("s6-svc", "svc"):
        return operands if set(clusters) & set("uUoOr") else []
    if name == "s6-rc":
        if "change" not in operands or set(clusters) & set("dD"):
            return []
        return [o for o in operands if o != "change"]
    return operands


def _programs(unit: str) -> list[str]:
    """The programs a unit name (or glob) may start: its base name (no type suffix, no template
    instance) through the package table, or itself; each server of the table a glob may match."""
    if not unit:
        return []
    if _GLOB.search(unit):
        pattern = _ESCAPE.sub(r"\1", _BRACKET.sub("?", unit))
        return [program for base, program in _PACKAGE_UNITS.items()
                if any(fnmatch.fnmatchcase(base + suffix, pattern)
                       for suffix in ("", ".service", ".socket", "@.service", "@x.service"))]
    # `enable /lib/systemd/system/tinysshd.socket` links the file by its path
    base = _SUFFIX.sub("", unit.rstrip("/").rsplit("/", 1)[-1]).split("@", 1)[0]
    return [_PACKAGE_UNITS.get(base, base)] if base else []
