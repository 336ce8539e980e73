"""The security units a systemctl or service command may stop without naming them (attack Z,
filter): a unit glob (`systemctl stop 'audit*'`, `audit\\*`, `'*.service'`; systemctl matches
it against every loaded unit) and `isolate` of a target other than the everyday ones (`isolate
rescue.target` stops every unit it does not want). The collector adds, for each well-known
unit such a command may reach, the plain command naming it (`systemctl stop auditd`), so that
the policy's rules on stopping that unit by name (the shipped `no-security-service-stop`)
apply.
"""

from __future__ import annotations

import fnmatch
import re

from bastion.command_control.policy.words import _Word

# Units that keep audit, logging and firewalling running, as systemd names them. The policy
# decides which of them matter.
_UNITS = ("auditd", "audit-rules", "rsyslog", "syslog", "syslog-ng", "systemd-journald",
          "systemd-journald-audit", "systemd-journald-dev-log", "firewalld", "ufw", "nftables",
          "iptables", "ip6tables", "netfilter-persistent", "apparmor", "fail2ban")
_SUFFIXES = ("", ".service", ".socket")
# systemctl's verbs that stop, or keep from starting, the units they name.
_STOPS = frozenset({"stop", "kill", "disable", "mask", "freeze", "clean"})
_ISOLATES = frozenset({"isolate", "rescue", "emergency"})
_EVERYDAY = frozenset({"multi-user", "graphical", "default"})
_GLOB = re.compile(r"[*?\[]")
# A bracket expression matches one character; a backslash quotes the next one (fnmatch(3)).
_BRACKET = re.compile(r"\[!?\]?(?:\[:\w+:\]|[^\]])*\]")  # `[[:alpha:]]` too
_ESCAPE = re.compile(r"\\(.)")


def stopped_units(name: str, words: list[_Word]) -> list[tuple[str, str]]:
    """(verb, unit) for each unit of _UNITS that `systemctl VERB GLOB`, `service GLOB VERB` or
    an isolate may stop without naming it; [] for other commands and for plain unit names
    (the policy's rules read those)."""
    values = [w.value for w in words[1:] if w.value is not None]
    operands = [v for v in values if not v.startswith("-")]
    if name == "systemctl":
        for at, verb in enumerate(operands):
            if verb in _ISOLATES:
                targets = operands[at + 1:] if verb == "isolate" else [verb]
                if any(t.removesuffix(".target") not in _EVERYDAY for t in targets) or not targets:
                    return [("stop", unit) for unit in _UNITS]
                return []
            if verb in _STOPS:
                return [(verb, unit) for glob in operands[at + 1:] for unit in _reached(glob)]
        return []
    if name in ("service", "invoke-rc.d") and len(operands) >= 2:
        # service(8) hands `NAME ACTION` to systemctl as NAME.service, a glob included.
        return [(unit, operands[1]) for unit in _reached(operands[0])]
    return []


def _reached(glob: str) -> list[str]:
    """The units of _UNITS a unit glob may match, read generously: each bracket expression as
    any one character, a backslash as quoting nothing."""
    if not _GLOB.search(glob):
        return []
    pattern = _ESCAPE.sub(r"\1", _BRACKET.sub("?", glob))
    return [unit for unit in _UNITS
            if any(fnmatch.fnmatchcase(unit + suffix, pattern) for suffix in _SUFFIXES)]
