"""A pattern where a program's verb stands (outside attack x33f, finding 1). The rules on the
service and firewall tools key on a verb or action word (`systemctl stop`, `service ufw stop`,
`/etc/init.d/ufw stop`, `ufw disable`, `nft flush ruleset`, `setenforce 0`); a word such as
`sto[p]`, `st?p` or `s*` is that verb as soon as a file of the name is in the working folder
(`touch stop; systemctl sto[p] auditd`), which the line itself may make.

`pattern_verbs` reads such a pattern, for every program whose rules key on a verb, as every
word of the program's verbs it may match (each gives the plain command, judged by the rules:
`systemctl stop auditd` is denied), and says a pattern that stands where the verb stands is
unknown whatever it matches (the verbs' list is the programs' usage, not a promise). For
systemctl, service, invoke-rc.d and rc-service the unit's place is read by policy/units.py
(`systemctl stop 'audit*'`): only a pattern before the verb (or the action) is unknown there;
for the others every pattern among the words is.
"""

from __future__ import annotations

import fnmatch
import re

from bastion.command_control.policy.globs import _glob_regex
from bastion.command_control.policy.words import _Word

_INIT_ACTIONS = ("start", "stop", "restart", "force-stop", "reload", "force-reload",
                 "try-restart", "condrestart", "status", "flush", "flush-all", "teardown",
                 "save", "zap", "pause", "resume", "disable", "enable", "reset", "panic",
                 "clear", "kill", "shutdown", "halt", "off", "on")
_SYSTEMCTL = ("start", "stop", "reload", "restart", "try-restart", "reload-or-restart",
              "try-reload-or-restart", "condrestart", "force-reload", "isolate", "kill", "clean",
              "freeze", "thaw", "enable", "disable", "reenable", "preset", "preset-all",
              "mask", "unmask", "link", "revert", "add-wants", "add-requires", "edit",
              "set-default", "set-property", "set-environment", "unset-environment",
              "import-environment", "daemon-reload", "daemon-reexec", "log-level",
              "log-target", "service-log-level", "service-log-target", "rescue", "emergency",
              "halt", "poweroff", "reboot", "kexec", "exit", "switch-root", "suspend",
              "hibernate", "hybrid-sleep", "suspend-then-hibernate", "soft-reboot", "default",
              "bind", "mount-image", "reset-failed", "whoami", "status", "show", "cat")
# More programs whose shipped rules key on a verb or a keyword operand (attack z35f, finding 9:
# swept from config/policy.toml's rules with `args` on a program of services, security
# settings, the firewall and the directory; the editors, file tools and package managers,
# whose patterns are file names, are not verb-keyed).
_MORE_VERBS: dict[str, tuple[tuple[str, ...], str]] = {
    "dinitctl": (("start", "stop", "restart", "wake", "release", "unpin", "unload", "reload",
                  "list", "shutdown", "add-dep", "rm-dep", "enable", "disable", "setenv",
                  "unsetenv", "trigger", "untrigger", "catlog", "signal", "status",
                  "is-started", "is-failed"), "any"),
    "systemd-sysv-install": (("enable", "disable", "is-enabled"), "any"),
    "sysv-rc-conf": (("on", "off"), "any"),
    **{name: (("start", "stop", "restart", "status", "enable", "disable", "info", "reload"),
              "any") for name in ("ossec-control", "wazuh-control")},
    "semanage": (("import", "export", "login", "user", "port", "ibpkey", "ibendport",
                  "interface", "module", "node", "fcontext", "boolean", "permissive",
                  "dontaudit"), "any"),
    "ipset": (("create", "n", "add", "a", "del", "d", "test", "t", "destroy", "x", "list", "l",
               "save", "restore", "flush", "f", "rename", "e", "swap", "w", "help", "version"),
              "any"),
    "monit": (("start", "stop", "restart", "monitor", "unmonitor", "reload", "status",
               "summary", "report", "quit", "validate", "procmatch"), "any"),
    "portablectl": (("list", "attach", "detach", "reattach", "inspect", "is-attached",
                     "read-only", "set-limit"), "any"),
    **{name: (("status", "merge", "unmerge", "refresh", "list"), "any")
       for name in ("systemd-sysext", "systemd-confext")},
    "realm": (("discover", "join", "leave", "list", "permit", "deny"), "any"),
    # keyed on a word, read as unknown for any pattern among the words
    **{name: ((), "any") for name in (
        "setsebool", "togglesebool", "semodule", "insserv", "rcconf", "runsvctrl", "runsvchdir",
        "s6-rc", "svc", "csf", "ferm", "firewall-offline-cmd", "authselect", "sssctl",
        "loginctl", "homectl", "importctl", "bootctl", "kernelstub", "kexec", "ipa",
        "samba-tool", "kadmin", "kadmin.local", "kadmin.heimdal", "kadmin.mit", "trust",
        "sss_override", "pdbedit", "net", "s6-svscanctl", "runit-init", "kernel-install",
        "rc", "update-binfmts", "swupd", "grubby", "grub-editenv", "grub2-editenv",
        "ipmitool", "ipmi-chassis", "ipmipower", "racadm", "rtcwake", "systemd-firstboot")},
    "wtmpdb": (("last", "boot", "shutdown", "rotate", "import"), "any"),
}

# Each program whose rules key on a verb: its verbs (and actions), and where the verb stands
# ("first": the first operand for systemctl, "second": after the unit's name; "any": any word).
VERBS: dict[str, tuple[tuple[str, ...], str]] = {
    "systemctl": (_SYSTEMCTL, "first"),
    "service": (_INIT_ACTIONS, "second"),
    "invoke-rc.d": (_INIT_ACTIONS, "second"),
    "rc-service": (_INIT_ACTIONS, "second"),
    "initctl": (("start", "stop", "restart", "reload", "emit", "set-env", "unset-env",
                 "reset-env", "reload-configuration", "status"), "any"),
    "supervisorctl": (("start", "stop", "restart", "shutdown", "remove", "update", "reread",
                       "signal", "clear", "add", "reload", "fg", "all", "status"), "any"),
    "sv": (("down", "d", "up", "u", "exit", "x", "kill", "k", "term", "t", "stop", "s",
            "shutdown", "force-stop", "force-shutdown", "pause", "p", "hup", "h", "interrupt",
            "i", "alarm", "a", "quit", "q", "once", "o", "1", "2", "restart", "status"),
           "any"),
    "ufw": (("enable", "disable", "reset", "default", "allow", "deny", "reject", "limit",
             "delete", "insert", "prepend", "route", "reload", "logging", "off", "low",
             "incoming", "outgoing", "routed", "status"), "any"),
    "nft": (("flush", "delete", "destroy", "add", "create", "insert", "replace", "reset",
             "list", "ruleset", "table", "chain", "rule", "set", "map", "element"), "any"),
    "update-rc.d": (("disable", "enable", "remove", "defaults", "defaults-disabled", "start",
                     "stop"), "any"),
    "chkconfig": (("off", "on", "del", "reset", "resetpriorities", "add"), "any"),
    "rc-update": (("del", "delete", "add", "show", "update"), "any"),
    "fail2ban-client": (("stop", "unban", "set", "reload", "restart", "start", "banned",
                         "status", "unbanip", "banip", "dbpurgeage", "flushlogs", "--all",
                         "idle", "on", "off"), "any"),
    **_MORE_VERBS,
    "setenforce": (("0", "1", "permissive", "enforcing", "Permissive", "Enforcing"), "any"),
    "aa-teardown": ((), "any"), "apparmor_parser": ((), "any"),
    # programs keyed on an option letter (`s6-svc -[d]`, `auditctl -[D]`)
    "s6-svc": (tuple(f"-{c}" for c in "udDkKtxXpshaiqoO12rwWT"), "any"),
    "auditctl": (tuple(f"-{c}" for c in "DeflsaAdwWRbrk"), "any"),
    **{name: ((), "any") for name in (
        "iptables", "ip6tables", "iptables-nft", "ip6tables-nft", "iptables-legacy",
        "ip6tables-legacy", "ebtables", "arptables", "xtables-nft-multi",
        "xtables-legacy-multi", "iptables-restore", "ip6tables-restore", "firewall-cmd",
        "augenrules", "runsvctl", "openrc", "telinit", "init", "stop",
        "start", "restart")},
    **{name: (_INIT_ACTIONS, "any") for name in (
        "ufw-init", "netfilter-persistent", "apf", "shorewall", "shorewall6", "shorewall-lite")},
}
_SCRIPT = re.compile(r"(^|/)(init\.d|rc[0-6sS]\.d|rc\.d)/")
_GLOB = re.compile(r"[*?\[]")
_BRACKET = re.compile(r"\[[!^]?\]?(?:\[([:.=]).*?\1\]|[^\]])*\]")
_ESCAPE = re.compile(r"\\(.)")
_EXTGLOB = re.compile(r"[?*+@!]\([^)]*\)")  # `sto@(p)`, `+(s)top`: read as `*`


def _table(name: str, words: list[_Word]) -> tuple[tuple[str, ...], str] | None:
    first = words[0].value or "" if words else ""
    if _SCRIPT.search(first):  # an init script (or its runlevel link): its action
        return (_INIT_ACTIONS, "any")
    return VERBS.get(name)


def may_match(pattern: str, word: str) -> bool:
    """Whether bash's pathname expansion may make `pattern` the name `word`: a bracket read as
    bash reads it, any case (`nocaseglob`), an extended pattern as `*`; a pattern that cannot be
    read so, generously (a bracket as any one character, a backslash as quoting nothing)."""
    pattern = _EXTGLOB.sub("*", pattern)
    try:
        return re.fullmatch(_glob_regex(pattern), word, re.I | re.S) is not None
    except re.error:
        loose = _ESCAPE.sub(r"\1", _BRACKET.sub("?", pattern))
        return fnmatch.fnmatch(word.lower(), loose.lower())


def pattern_verbs(name: str, words: list[_Word]) -> tuple[list[list[_Word]], str]:
    """For a program whose rules key on a verb: the plain commands its pattern words may
    become, as words (each pattern replaced by each of the program's verbs it may match), and a reason
    when a pattern stands where the verb does ("" when none)."""
    table = _table(name, words)
    if table is None or not any(w.glob for w in words[1:]):
        return [], ""
    verbs, where = table
    said: list[list[_Word]] = []
    unknown = ""
    operand = 0
    verb_seen = False
    for at, word in enumerate(words[1:], 1):
        value = word.value
        if value is None:
            continue
        if word.glob and _GLOB.search(value):
            matched = [v for v in verbs if may_match(value, v)]
            for verb in matched[:24]:
                said.append([_Word(verb, verb) if i == at else w for i, w in enumerate(words)])
            before = where == "any" or (where == "first" and not verb_seen) or (
                where == "second" and operand >= 1)
            if before and not unknown:
                unknown = (f"a pattern where {name}'s verb or action stands: pathname expansion "
                           f"may make it any of them ({value})")
        if value.startswith("-") and len(value) > 1:
            continue
        if not word.glob and value in verbs:
            verb_seen = True
        operand += 1
    return said, unknown
