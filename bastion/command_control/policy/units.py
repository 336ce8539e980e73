"""The security units a command may stop without naming them (attack Z, filter): a unit glob
(`systemctl stop 'audit*'`, `audit\\*`, `'*.service'`: systemctl matches it against every
loaded unit) or a unit known only at run time (`systemctl stop "$u"`, as `pkill "$x"` is
read); an isolate of a target other than the everyday ones (`isolate rescue.target` stops
every unit it does not want), `init 1`, and a start of shutdown.target or umount.target (every
unit conflicts with them; the host stays up). The collector adds, for each well-known unit such a command may
reach, the plain command naming it (`systemctl stop auditd`), so that the policy's rules on
stopping that unit by name (the shipped `no-security-service-stop`) apply.
"""

from __future__ import annotations

import fnmatch
import re

from bastion.command_control.policy.options import _options, _permuted
from bastion.command_control.policy.words import _Word

# Units that keep audit, logging and firewalling running, as systemd names them. The policy
# decides which of them matter.
_UNITS = ("auditd", "audit-rules", "rsyslog", "syslog", "syslog-ng", "systemd-journald",
          "systemd-journald-audit", "systemd-journald-dev-log", "firewalld", "ufw", "nftables",
          "iptables", "ip6tables", "netfilter-persistent", "apparmor", "fail2ban",
          # the HIDS agents' (no-hids-service-stop; attack b37f, finding 12)
          "wazuh-agent", "wazuh-manager", "ossec", "ossec-hids", "ossec-hids-agent",
          "ossec-hids-server")
# systemctl's verbs that change how a unit runs: its resources (set-property), its unit file
# (edit, revert), its logging; a pattern in their unit is read as each unit it may match,
# with the properties after it (attack b37f, finding 12): the security units, those the
# bastion's access depends on, and the slices (confirm-slice-limits).
_CHANGES = frozenset({"set-property", "edit", "revert", "service-log-level",
                      "service-log-target"})
_ACCESS = ("ssh", "sshd", "dbus", "dbus-broker", "systemd-logind", "systemd-udevd",
           "systemd-networkd", "systemd-resolved", "polkit", "cron", "crond", "system.slice",
           "user.slice", "machine.slice", "-.slice", "init.scope")
_SUFFIXES = ("", ".service", ".socket")
# systemctl's verbs that stop, or keep from starting, the units they name.
_STOPS = frozenset({"stop", "kill", "disable", "mask", "freeze", "clean"})
_ISOLATES = frozenset({"isolate", "rescue", "emergency"})
_STARTS = frozenset({"start", "restart", "try-restart", "reload-or-restart",
                     "try-reload-or-restart", "enable"})
_EVERYDAY = frozenset({"multi-user", "graphical", "default", "runlevel2", "runlevel3",
                       "runlevel4", "runlevel5"})
# targets every unit conflicts with (umount.target: every mount; attack c12f, finding 5)
_STOP_ALL = frozenset({"shutdown", "final", "umount"})
# targets whose start stops every unit or the host; a glob reaching one is held as they are
_FAR = _STOP_ALL | {"rescue", "emergency", "reboot", "poweroff", "halt", "kexec", "exit",
                    "soft-reboot", "ctrl-alt-del", "sleep", "suspend", "hibernate",
                    "hybrid-sleep", "suspend-then-hibernate", "runlevel0", "runlevel1",
                    "runlevel6", "initrd-switch-root"}
_SINGLE_USER = frozenset({"1", "s", "S", "single"})  # init(8)'s runlevels that isolate rescue
_GLOB = re.compile(r"[*?\[]")
# A bracket expression matches one character; a backslash quotes the next one (fnmatch(3)).
# `[[:alpha:]]`, `[[.t.]]`, `[[=t=]]` too (attack p25f, finding 2)
_BRACKET = re.compile(r"\[[!^]?\]?(?:\[([:.=]).*?\1\]|[^\]])*\]")
_ESCAPE = re.compile(r"\\(.)")


# The super-servers' units (attack z35f, finding 11): a glob reaching one under a verb that
# starts or signals it (`systemctl reload 'inetd.*'`) is read as `systemctl reload inetd.service`.
_SUPER_SERVERS = ("inetd", "xinetd", "openbsd-inetd", "inetutils-inetd", "rlinetd")
_SIGNALS = frozenset({"start", "restart", "try-restart", "reload", "reload-or-restart",
                      "try-reload-or-restart", "force-reload", "condrestart", "condreload",
                      "enable", "reenable", "kill"})


# systemctl's options that take a value (systemd 252's getopt_long table), and init's and
# telinit's (sysvinit: `-t SEC`, `-e VAR=VAL`, init's `-z XXX`): the value is no verb
# (`systemctl -p start set-property 'audit?' CPUQuota=1%`: attack c38f, finding 4).
_SYSTEMCTL = _options("tpPsHMnoC", (
    "--type", "--property", "--state", "--job-mode", "--root", "--image", "--image-policy",
    "--kill-whom", "--kill-value", "--signal", "--host", "--machine", "--lines", "--output",
    "--preset-mode", "--what", "--boot-loader-menu", "--boot-loader-entry", "--reboot-argument",
    "--timestamp", "--message", "--legend", "--drop-in", "--when", "--check-inhibitors",
    "--kill-who", "--after-kill", "--capsule"), flags=(
    "--all", "--recursive", "--reverse", "--after", "--before", "--with-dependencies",
    "--show-types", "--value", "--failed", "--full", "--fail", "--ignore-dependencies",
    "--irreversible", "--user", "--system", "--global", "--wait", "--no-block", "--no-wall",
    "--no-reload", "--no-legend", "--no-pager", "--no-ask-password", "--quiet", "--force",
    "--runtime", "--now", "--plain", "--firmware-setup", "--mkdir", "--marked", "--read-only",
    "--dry-run", "--no-warn", "--help", "--version", "--show-transaction", "--ask-password"))
_INIT = _options("tez", ())


def _operand_readings(name: str, words: list[_Word]) -> list[list[str | None]]:
    """The operands, each way they may be read: every word not an option (the values of
    options too, as before), and as getopt reads them (the values skipped)."""
    plain = [w.value for w in words[1:] if w.value is None or not w.value.startswith("-")]
    table = _SYSTEMCTL if name == "systemctl" else _INIT if name in ("init", "telinit") else None
    scanned = _permuted(words, 1, table) if table is not None else None
    read = [w.value for w in scanned[1]] if scanned is not None else plain
    return [plain] if read == plain else [plain, read]


def stopped_units(name: str, words: list[_Word]) -> list[tuple[str, ...]]:
    """`_stopped_units`, and a super-server a systemctl glob reloads or starts."""
    said: list[tuple[str, ...]] = []
    for operands in _operand_readings(name, words):
        said += [s for s in _stopped_units(name, operands) if s not in said]
        if name != "systemctl":
            continue
        # the verb after any option's value (`--signal HUP kill 'x*'`)
        at = next((i for i, v in enumerate(operands) if v in _SIGNALS), len(operands))
        if any(t is not None and _reached(t, _SUPER_SERVERS) for t in operands[at + 1:]):
            if ("systemctl", "reload", "inetd.service") not in said:
                said.append(("systemctl", "reload", "inetd.service"))  # confirm-inetd-units
    return said


def _stopped_units(name: str, operands: list[str | None]) -> list[tuple[str, ...]]:
    """The plain commands (`systemctl stop auditd`, `service auditd stop`) that stand for what
    `name` with these operands may stop among the well-known units without naming them; [] for
    other commands and for plain unit names (the policy's rules read those)."""
    every = [("systemctl", "stop", unit) for unit in _UNITS]
    if name in ("init", "telinit"):
        return every if operands[:1] and operands[0] in _SINGLE_USER else []
    if name == "systemctl":
        for at, verb in enumerate(operands):
            if verb in _ISOLATES:
                targets = operands[at + 1:] if verb == "isolate" else [verb]
                return every if not targets or any(
                    t is None or t.removesuffix(".target") not in _EVERYDAY for t in targets) else []
            if verb in _STARTS:
                # a glob too: `start 'shutdown.targe?'`, `'*'` (attack m22f, finding 1)
                return every if any(t is not None and (t.removesuffix(".target") in _STOP_ALL
                                                       or _starts_far(t))
                                    for t in operands[at + 1:]) else []
            if verb in _CHANGES:
                rest = [w for w in operands[at + 1:] if w is not None]
                return [("systemctl", verb, unit, *rest[1:]) for glob in rest
                        for unit in _reached(glob, (*_UNITS, *_ACCESS))]
            if verb in _STOPS:
                return [("systemctl", verb, unit) for glob in operands[at + 1:]
                        for unit in _reached(glob)]
        return []
    if name in ("service", "invoke-rc.d") and len(operands) >= 2 and operands[1] is not None:
        # service(8) hands `NAME ACTION` to systemctl as NAME.service, a glob included.
        return [(name, unit, operands[1]) for unit in _reached(operands[0])]
    return []


def _starts_far(glob: str) -> bool:
    """Whether a unit glob may name a target whose start stops the security units or the host
    (shutdown, umount, rescue, emergency, reboot...), read as generously as `_reached`."""
    if not _GLOB.search(glob):
        return False
    pattern = _ESCAPE.sub(r"\1", _BRACKET.sub("?", glob))
    return any(fnmatch.fnmatchcase(target + suffix, pattern)
               for target in _FAR for suffix in ("", ".target"))


def _reached(glob: str | None, units: tuple[str, ...] = _UNITS) -> list[str]:
    """The units of _UNITS a unit name may match: all of them for one known only at run time;
    for a glob, read generously (each bracket expression as any one character, a backslash
    as quoting nothing)."""
    if glob is None:
        return list(units)
    if not _GLOB.search(glob):
        return []
    pattern = _ESCAPE.sub(r"\1", _BRACKET.sub("?", glob))
    return [unit for unit in units
            if any(fnmatch.fnmatchcase(unit + suffix, pattern) for suffix in _SUFFIXES)]
