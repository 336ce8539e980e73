"""Commands said another way (outside attack b11f, findings 6, 11, 12, 13 and 15): the policy's
rules read one spelling of a dangerous command, and a program takes others that do the same.
`respoken` gives, for a command, the plain spelling each of its other spellings stands for, so
that the rules on the plain one apply: `auditctl -Di` is `auditctl -D -i`, `systemctl condstop
auditd` is `systemctl stop auditd`, `systemctl start reboot.target` is `systemctl reboot`,
`telinit --no-wall 6` is `telinit 6`, a signal to PID 1 (`kill -RTMIN+5 1`: systemd reboots) is
`kill -s SIG 1`, `iptables -I INPUT -t filter -4 -j ACCEPT` is `iptables -A INPUT -j ACCEPT`,
`nft rule ...` is `nft add rule ...`, `firewall-cmd --direct --passthrough ipv4 -F` is
`iptables -F`, `systemd-hwdb update` is `udevadm hwdb --update`, `augenrules --load` is
`auditctl -R`. The collector adds each as a command the original runs (wrappers: the original).
"""

from __future__ import annotations

import math
import re

from bastion.command_control.policy.short_options import read_cluster
from bastion.command_control.policy.trigger_units import trigger_units
from bastion.command_control.policy.units import stopped_units
from bastion.command_control.policy.words import _Word


def respoken(name: str, words: list[_Word]) -> list[tuple[str, ...]]:
    """The plain commands `name` with these words amounts to, where it is spelled otherwise
    than the policy's rules read; [] for a command spelled plainly and for other programs.
    A word known only at run time gives nothing here (the rules that read the original hold
    it or not as before)."""
    values = [w.value for w in words[1:]]
    if any(v is None for v in values) or name not in _READERS:
        return []
    said = [argv for argv in _READERS[name]([v for v in values if v is not None])
            if list(argv[1:]) != values or argv[0] != name]
    # a command said as another program's (systemd-run's trigger as `systemctl start UNIT`)
    # is read as that program's own line is: `start emergency.service` is the emergency verb
    # (attack v31f, finding 14)
    said += [again for argv in said if argv[0] != name and argv[0] in _READERS
             for again in _READERS[argv[0]](list(argv[1:]))
             if again != argv and again not in said]
    # an isolate, or `telinit 1`, stops the security units as their plain spelling does
    return [*said, *(s for argv in said for s in stopped_units(argv[0], [_Word(v, v) for v in argv]))]


# --- kill: a signal to PID 1 -----------------------------------------------------------------

_KILL_VALUE = frozenset({"-s", "-n", "--signal", "-q", "--queue"})
_KILL_LIST = frozenset({"-l", "-L", "--list", "--table"})
# The kill builtin and procps read a pid as strtoimax does: blanks around it, a sign, zeros.
_NUMBER = re.compile(r"\s*([+-]?)0*([0-9]+)\s*")


def kill_operands(values: list[str]) -> tuple[str, list[int | None]] | None:
    """The signal (as written, "TERM" when none) and the pids a kill sends it to, each as the
    number the kill builtin and procps read (None: no number, such as `%1` or a name); None
    for a listing (`kill -l`)."""
    signal, pids, index, saw = "TERM", [], 0, False
    while index < len(values):
        value = values[index]
        if value in _KILL_LIST:
            return None
        if value == "--":
            index += 1
            break
        if value in _KILL_VALUE or value.startswith("--signal="):
            signal = value.split("=", 1)[1] if "=" in value else (
                values[index + 1] if index + 1 < len(values) else "")
            index, saw = index + (1 if "=" in value else 2), True
            continue
        if value.startswith("-") and len(value) > 1 and not saw:
            signal, index, saw = value[1:], index + 1, True  # `-9`, `-KILL`, `-RTMIN+5`
            continue
        break
    for value in values[index:]:
        match = _NUMBER.fullmatch(value)
        number = int(match.group(1) + match.group(2)) if match else None
        pids.append(number)
        # procps' kill hands the long it read to kill(2) as a pid_t: its low 32 bits
        # (`kill -9 4294967295` is `kill -9 -1`: attack c38f, finding 16)
        if number is not None and (wrapped := (number + 2**31) % 2**32 - 2**31) != number:
            pids.append(wrapped)
    return signal, pids


def _kill(values: list[str]) -> list[tuple[str, ...]]:
    read = kill_operands(values)
    if read is None:
        return []
    signal, pids = read
    zero = re.fullmatch(r"\s*0+\s*", signal) is not None  # `kill -0 1` only asks whether it runs
    return [("kill", "-s", signal, "1")] if 1 in pids and not zero else []


# --- auditctl: getopt's clusters and long prefixes -------------------------------------------

_AUDITCTL_FLAGS = frozenset("hicslDvt")
_AUDITCTL_VALUE = frozenset("CefrbaAdSFmRwWkpq")
_AUDITCTL_LONG = ("--signal", "--backlog_wait_time", "--reset-lost", "--loginuid-immutable",
                  "--reset")


def _auditctl(values: list[str]) -> list[tuple[str, ...]]:
    """Each option on its own, long ones whole (`-Di` is `-D -i`, `-ie0` `-i -e 0`, `--sig
    term` `--signal TERM`): an option getopt cannot read leaves the rest as written."""
    out: list[str] = []
    index = 0
    while index < len(values):
        value = values[index]
        index += 1
        if value.startswith("--") and len(value) > 2:
            option, equals, argument = value.partition("=")
            whole = [o for o in _AUDITCTL_LONG if o == option] or [
                o for o in _AUDITCTL_LONG if o.startswith(option)]
            option = whole[0] if len(whole) == 1 else option
            if option == "--signal" and not equals and index < len(values):
                argument, equals, index = values[index], "=", index + 1
            out += [option, argument.upper()] if option == "--signal" and equals else (
                [option + equals + argument] if equals else [option])
            continue
        if not value.startswith("-") or len(value) < 2:
            out.append(value)
            continue
        cluster = read_cluster(value, _AUDITCTL_VALUE)
        out += [f"-{letter}" for letter in cluster.letters]
        if cluster.option:
            rest = cluster.value or ""
            if cluster.nexts and index < len(values):
                rest, index = values[index], index + 1
            out.append(rest)
    return [("auditctl", *out)]


# --- systemctl: legacy verbs, isolate as a job mode, the power targets -----------------------

_ALIASES = {"condstop": "stop", "condrestart": "try-restart", "condreload": "reload",
            "force-reload": "try-reload-or-restart", "reload-or-try-restart": "try-reload-or-restart"}
_STARTS = frozenset({"start", "restart", "try-restart", "reload-or-restart", "try-reload-or-restart",
                     "condrestart", "force-reload", "reload-or-try-restart", "enable",
                     "set-default", "add-wants", "add-requires"})
# A target or service that stops or halts the host, as the verb that asks for the same.
_POWER_UNITS = {
    **{u: "reboot" for u in ("reboot", "ctrl-alt-del", "runlevel6", "systemd-reboot")},
    **{u: "poweroff" for u in ("poweroff", "runlevel0", "systemd-poweroff", "exit", "systemd-exit")},
    "halt": "halt", "systemd-halt": "halt", "kexec": "kexec", "systemd-kexec": "kexec",
    "soft-reboot": "soft-reboot", "systemd-soft-reboot": "soft-reboot",
    **{u: "suspend" for u in ("suspend", "sleep", "systemd-suspend", "hibernate",
                              "systemd-hibernate", "hybrid-sleep", "systemd-hybrid-sleep",
                              "suspend-then-hibernate", "systemd-suspend-then-hibernate")},
    **{u: "rescue" for u in ("rescue", "runlevel1", "single")},
    **{u: "emergency" for u in ("emergency",)},
    **{u: "isolate" for u in ("initrd-switch-root", "initrd-switch-root.service", "switch-root")},
}  # fmt: skip
_SYSTEMCTL_VALUE = frozenset({"-t", "--type", "-s", "--signal", "-p", "--property", "-H", "--host",
                              "-M", "--machine", "-n", "--lines", "-o", "--output", "--job-mode",
                              "--kill-whom", "--kill-value", "--root", "--state", "--what",
                              "--preset-mode", "--boot-loader-entry", "--boot-loader-menu",
                              "--reboot-argument", "--timestamp", "--message", "--image",
                              "--when", "--drop-in", "--image-policy", "--check-inhibitors"})


def _systemctl(values: list[str]) -> list[tuple[str, ...]]:
    operands, isolate, index = [], False, 0
    while index < len(values):
        value = values[index]
        index += 1
        option, equals, argument = value.partition("=")
        if value.startswith("--j") and "--job-mode".startswith(option):
            if not equals and index < len(values):
                argument, index = values[index], index + 1
            isolate = isolate or argument == "isolate"
        elif option in _SYSTEMCTL_VALUE and not equals and not (len(option) == 2 and value != option):
            index += 1
        elif not value.startswith("-"):
            operands.append(value)
    if not operands:
        return []
    verb, units = operands[0], operands[1:]
    said: list[tuple[str, ...]] = []
    if verb in _ALIASES:
        said.append(("systemctl", _ALIASES[verb], *units))
    if verb in _STARTS:
        if isolate:
            said.append(("systemctl", "isolate", *units))
        for unit in units:
            base = re.sub(r"\.(target|service)$", "", unit)
            if base in _POWER_UNITS:
                said.append(("systemctl", _POWER_UNITS[base], unit))
    return said


# --- init and telinit: options before the runlevel -------------------------------------------

def _telinit(values: list[str]) -> list[tuple[str, ...]]:
    return [("telinit", v) for v in values if not v.startswith("-")][:1]


# --- iptables: a rule accepting everything, options anywhere ---------------------------------

_IPT_NEUTRAL_FLAGS = frozenset({"-4", "-6", "-v", "-n", "-x", "--verbose", "--numeric", "--exact",
                                "--line-numbers", "--ipv4", "--ipv6", "-w", "--wait"})
_IPT_NEUTRAL_VALUE = frozenset({"-W", "--wait-interval", "--modprobe"})
_IPT_CHAIN = frozenset({"-A", "--append", "-I", "--insert", "-R", "--replace"})
_IPT_TAKES = _IPT_CHAIN | _IPT_NEUTRAL_VALUE | frozenset({"-D", "--delete",
    "-j", "--jump", "-g", "--goto", "-t", "--table", "-s", "--source", "--src", "-d",
    "--destination", "--dst", "-p", "--protocol", "-i", "--in-interface", "-o", "--out-interface",
    "-m", "--match", "-c", "--set-counters"})
# iptables' own long options and NFQUEUE's, which getopt_long takes by any unambiguous start
# (`--ap`, `--ju=ACCEPT`, `--proto`: attack c12f, finding 6).
_IPT_LONG = ("--append", "--check", "--delete", "--insert", "--replace", "--list", "--list-rules",
             "--flush", "--zero", "--new-chain", "--delete-chain", "--policy", "--rename-chain",
             "--protocol", "--source", "--src", "--destination", "--dst", "--jump", "--goto",
             "--in-interface", "--out-interface", "--fragment", "--match", "--numeric", "--table",
             "--verbose", "--wait", "--wait-interval", "--exact", "--line-numbers", "--modprobe",
             "--set-counters", "--ipv4", "--ipv6", "--queue-num", "--queue-balance",
             "--queue-bypass", "--queue-cpu-fanout")
_IPT_QUEUE_VALUE = frozenset({"--queue-num", "--queue-balance"})
# Protocol 0 is every protocol: `all` in any case, its /etc/protocols names, 0 in any base.
_IPT_EVERY_PROTOCOL = re.compile(r"(?i)all|ip|hopopt")
_IPT_EVERY_PORT_PROTOCOL = re.compile(r"(?i)tcp|udp|udplite|sctp|dccp")
# Targets that never let a packet in: any other (ACCEPT, a chain of the user's) may. NFQUEUE
# with --queue-bypass accepts every packet while no program listens on the queue.
# RETURN is not among them (attack j19f, finding 13): in a built-in chain (INPUT, FORWARD) it
# hands the packet to the chain's policy, ACCEPT where the rules below it do the dropping.
_IPT_CLOSED = frozenset({"DROP", "REJECT", "LOG", "NFLOG", "ULOG", "TRACE", "AUDIT", "MARK",
                         "CONNMARK", "TARPIT", "CT", "NOTRACK", "CHECKSUM", "SET",
                         "TCPMSS", "TOS", "DSCP", "CLASSIFY", "LED", "IDLETIMER", "SECMARK",
                         "CONNSECMARK", "NFQUEUE", "QUEUE", "TEE", "HMARK", "RATEEST", "SYNPROXY"})
# A value that matches every packet: an address range of fewer than 8 bits, every port.
_EVERY_PORT = re.compile(r"[01]?:(65535)?|0-65535|1-65535")
_EVERY_RANGE = re.compile(r"0?[0-9]{0,2}\.[0-9]+\.[0-9]+\.[0-9]+-25[45]\.[0-9]+\.[0-9]+\.[0-9]+|::?-[fF:]+")


# found after outside attack d13f (finding 2): iptables' letters that take a value (`-vjACCEPT`
# is -v, then -j with ACCEPT), and a match's values that match every packet: each conntrack
# state of a packet tracked (UNTRACKED only after a raw-table NOTRACK), each address type, a
# probability of 1, every first packet, a TTL above 0.
_IPT_VALUE_LETTERS = "AIRCDjgtspiodmcWNXPE"
# Any word of one dash and two characters or more (`-vs0/0`, `-vi+`: attack e14f, finding 8).
_IPT_CLUSTER = re.compile(r"-[A-Za-z0-9]\S+")
# found after outside attack e14f (finding 8): the long options of the matches the policy reads
# (and of the protocol matches `-p` loads), which getopt_long takes by any unambiguous start
# among the options of the matches loaded so far (`-m state --st NEW,...`, `--prob 1`).
_IPT_MATCH_LONG = {
    "state": ("--state",), "conntrack": ("--ctstate", "--ctproto", "--ctorigsrc", "--ctorigdst",
                                         "--ctreplsrc", "--ctrepldst", "--ctorigsrcport",
                                         "--ctorigdstport", "--ctreplsrcport", "--ctrepldstport",
                                         "--ctstatus", "--ctexpire", "--ctdir"),
    "statistic": ("--mode", "--probability", "--every", "--packet"),
    "ttl": ("--ttl-eq", "--ttl-gt", "--ttl-lt"), "hl": ("--hl-eq", "--hl-gt", "--hl-lt"),
    "addrtype": ("--src-type", "--dst-type", "--limit-iface-in", "--limit-iface-out"),
    "comment": ("--comment",), "length": ("--length",), "mark": ("--mark",),
    "tcp": ("--source-port", "--sport", "--destination-port", "--dport", "--tcp-flags", "--syn",
            "--tcp-option"),
    "udp": ("--source-port", "--sport", "--destination-port", "--dport"),
    "multiport": ("--source-ports", "--sports", "--destination-ports", "--dports", "--ports"),
    "iprange": ("--src-range", "--dst-range"),
}
_EVERY_STATE = frozenset({"NEW", "ESTABLISHED", "RELATED", "INVALID"})
_EVERY_ADDRTYPE = frozenset({"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
                             "BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE"})
_IPT_MATCH_NEUTRAL = frozenset({"--mode", "--packet", "--syn"})  # --syn: every new TCP connection


def _ipt_cluster(value: str) -> list[str]:
    """A cluster of iptables' short options as getopt reads it: each letter an option, up to
    the first that takes a value, whose value is the rest of the word (or the next word)."""
    if not _IPT_CLUSTER.fullmatch(value) or re.fullmatch(r"-w[0-9]+", value):
        return [value]
    cluster = read_cluster(value, _IPT_VALUE_LETTERS)
    return [f"-{letter}" for letter in cluster.letters] + (
        [cluster.value] if cluster.value else [])


def _every_packet(option: str, value: str) -> bool:
    """Whether a match's option with `value` matches every packet (`--ctstate` naming each
    state, `--probability 1`, `--dport 0:65535`, `-s 0/0`...)."""
    names = {name.strip().upper() for name in value.split(",")}
    if option in ("--ctstate", "--state"):
        # NEW is every connection's first packet: the rest of them follow it (v31f, 22)
        return _EVERY_STATE <= names or "NEW" in names
    if option in ("--src-type", "--dst-type"):
        return _EVERY_ADDRTYPE <= names
    if option == "--probability":
        return _every_probability(value)
    if option == "--length":
        low, _, high = value.partition(":")
        low_value, high_value = _c_number(low or "0"), _c_number(high) if high else 65535
        return low_value is not None and high_value is not None and low_value <= 20 \
            and high_value >= 65535
    if option == "--every":
        return _c_number(value) == 1
    if option in ("--ttl-gt", "--hl-gt"):
        return _c_number(value) == 0
    return option in _IPT_MATCH_NEUTRAL or bool(
        _EVERY_PORT.fullmatch(value) or _EVERY_RANGE.fullmatch(value) or _broad_address(value))


_STRTOD = re.compile(r"\s*[+-]?(0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*([pP][+-]?[0-9]+)?"
                     r"|[0-9]*\.?[0-9]*([eE][+-]?[0-9]+)?|(?i:inf(inity)?|nan))")


def _every_probability(value: str) -> bool:
    """Whether statistic's `--probability` matches every packet: the kernel compares a random
    31-bit number with lround(2^31 * p), read by strtod (`1e0`, `0x1`, `0.9999999999` rounds
    to 2^31: attack e14f, finding 8)."""
    text = _STRTOD.match(value).group().strip()  # type: ignore[union-attr]
    try:
        number = float.fromhex(text) if "x" in text.lower() else float(text)
    except ValueError:
        return False
    return number >= 1 or math.floor(number * 2 ** 31 + 0.5) >= 2 ** 31  # above 1: refused, or wraps


def _broad_address(value: str) -> bool:
    """Whether an address list (`-s a,b`) holds one of fewer than 8 leading bits (0/0,
    0.0.0.0/0.0.0.0, 0.0.0.0/1, ::/0)."""
    for address in value.split(","):
        _, slash, mask = address.partition("/")
        if not slash:
            continue
        bits = _c_number(mask)
        if bits is not None and bits < 8:
            return True
        octets = [_c_number(octet) for octet in mask.split(".")]
        if len(octets) == 4 and None not in octets and sum(
                bin((octet or 0) & 255).count("1") for octet in octets) < 8:
            return True
    return False


def _c_number(text: str) -> int | None:
    """A number as strtoul with base 0 reads it, as iptables reads a mask's bits (`0x0`, `00`,
    octal after a leading 0: attack c12f, finding 6), after blanks and a sign (`+0`: attack
    d13f, finding 2; `-0` is 0, any other negative wraps past every bound); None if it is none."""
    sign, text = re.fullmatch(r"\s*([+-]?)(.*)", text, re.S).groups()  # type: ignore[union-attr]
    if sign == "-":
        return 0 if _c_number(text) == 0 else None
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
        return int(text, 16)
    if re.fullmatch(r"0[0-7]*", text):
        return int(text, 8)
    return int(text) if re.fullmatch(r"[1-9][0-9]*", text) else None


def _ipt_long(option: str, matches: tuple[str, ...] = ()) -> str:
    """A long option as getopt_long reads it: an unambiguous start of a name (among
    iptables' own and those of the `matches` loaded) is that name."""
    known = (*_IPT_LONG, *matches)
    if not option.startswith("--") or option in known:
        return option
    names = {name for name in known if name.startswith(option)}
    return names.pop() if len(names) == 1 else option


def _iptables(values: list[str]) -> list[tuple[str, ...]]:
    """A rule appended, inserted or replaced on INPUT or FORWARD of the filter table whose
    every match matches every packet and whose target may accept (options in any order)."""
    chain, target, table, narrow, negated, bypass = None, None, "filter", False, False, False
    deleting = by_number = False  # `-D CHAIN RULE...` or `-D CHAIN NUMBER` (attack j19f)
    words = list(values)
    loaded: list[str] = []  # the long options of the matches loaded so far
    while words:
        value = words.pop(0)
        if value == "--":
            continue  # the end of the options; iptables refuses any word after it
        cluster = _ipt_cluster(value)
        value, words = cluster[0], cluster[1:] + words
        option, equals, argument = value.partition("=")
        option = _ipt_long(option)
        if not equals and option in _IPT_TAKES | _IPT_QUEUE_VALUE and words:
            argument = words.pop(0)
        elif not equals and re.fullmatch(r"-[AIRDjgtspiodm]\S+", value):
            option, argument = value[:2], value[2:]  # getopt's attached argument
        if value == "!":
            negated = True
            continue
        if option in _IPT_CHAIN:
            chain = argument
            if words and words[0][:1] not in ("-", "!"):
                # iptables takes any such word as the rule number, read by strtoul with base 0
                # (`+1`, `0x1`, `01`: attack f15f, finding 6); one it cannot read fails the line
                words.pop(0)
        elif option in ("-D", "--delete"):
            chain, deleting = argument, True
            if words and words[0][:1] not in ("-", "!"):
                by_number = True  # which rule is known only at run time: the drop-all, perhaps
                words.pop(0)
        elif option in ("-j", "--jump", "-g", "--goto"):
            target = argument
        elif option in ("-t", "--table"):
            table = argument
        elif option in _IPT_NEUTRAL_FLAGS or re.fullmatch(r"-w[0-9]*|--wait=[0-9]+", value):
            pass
        elif option in _IPT_NEUTRAL_VALUE:
            pass
        elif option in ("-c", "--set-counters"):
            words = words[1:]
        elif option in ("-s", "--source", "--src", "-d", "--destination", "--dst"):
            narrow = narrow or not (negated or _broad_address(argument))
        elif option in ("-p", "--protocol"):
            loaded += _IPT_MATCH_LONG.get(argument.lower(), ())
            # a transport protocol alone (`-p tcp`) lets every port of it in (v31f, 22)
            narrow = narrow or not (negated or _IPT_EVERY_PROTOCOL.fullmatch(argument)
                                    or _IPT_EVERY_PORT_PROTOCOL.fullmatch(argument)
                                    or _c_number(argument) in (0, 6, 17, 33, 132, 136))
        elif option == "--queue-bypass":
            bypass = True
        elif option in _IPT_QUEUE_VALUE or option == "--queue-cpu-fanout":
            pass
        elif option in ("-i", "--in-interface", "-o", "--out-interface"):
            narrow = narrow or not (negated or argument == "+")
        elif option in ("-m", "--match"):
            loaded += _IPT_MATCH_LONG.get(argument, ())
        elif option.startswith("-"):
            # a match's own option: narrow unless its value spans every address or port
            option = _ipt_long(option, tuple(loaded))
            if not equals and words and not words[0].startswith("-"):
                argument = words.pop(0)
            if option != "--comment":
                narrow = narrow or not (negated or _every_packet(option, argument))
        else:
            narrow = True  # a word no option above takes
        negated = False
    accepts = target is not None and (target not in _IPT_CLOSED or (target == "NFQUEUE" and bypass))
    if deleting:
        # Deleting the rule that drops everything (or one known by its number only) opens
        # the chain as an accept-all rule does (attack j19f, finding 13's class).
        accepts = by_number or (not narrow and target in ("DROP", "REJECT", "TARPIT"))
    if chain in ("INPUT", "FORWARD") and table == "filter" and not narrow and accepts:
        return [("iptables", "-A", chain, "-j", "ACCEPT")]
    return []


# --- nft: `add` left out, sets and verdict maps covering everything --------------------------

_NFT_OPTIONS = re.compile(r"(-[a-zA-Z]+|--[a-z-]+)(\s+|$)")
_NFT_COMMAND = re.compile(r"(^|[;\n])(\s*)(rule|element|chain|table|set|map)(?=\s)")
_NFT_BROAD = re.compile(
    r"(^|[\s,{])([0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-7]|[0-9a-fA-F:]*:[0-9a-fA-F:]*/[0-9])(?![0-9])"
    r"|(^|[\s,{])0?[0-9]?[0-9]?\.[0-9]+\.[0-9]+\.[0-9]+\s*-\s*25[45]\.[0-9]+\.[0-9]+\.[0-9]+|(^|[\s,{])::\s*-\s*[fF]")
_NFT_VMAP = re.compile(r"\b(nfproto|ip\s+version|ip6\s+version|meta\s+protocol|ether\s+type)\s+vmap\b"
                       r"|\bct\s+state\s+vmap\s*\{[^}]*\bnew\s*:\s*accept")


def _nft(values: list[str]) -> list[tuple[str, ...]]:
    text = " ".join(values)
    body = text
    while (match := _NFT_OPTIONS.match(body)) is not None:
        body = body[match.end():]
    said: list[tuple[str, ...]] = []
    added = _NFT_COMMAND.sub(r"\1\2add \3", body)
    if added != body:
        said.append(("nft", added))
    if re.search(r"\b(element|elements)\b", text) and _NFT_BROAD.search(text):
        said.append(("nft", "add element (a set covering every address) 0.0.0.0/0"))
    if added != body or re.search(r"(^|[\s;])(add|insert|replace|create)\s+rule\b", body):
        # a queue that lets packets through while no program listens (attack c12f, finding 6)
        bypassed = re.sub(r"\bqueue\b[^;}\n]*\bbypass\b[^;}\n]*", "accept", added)
        # `return` in a base chain hands the packet to the chain's policy (attack j19f)
        bypassed = re.sub(r"\breturn\b", "accept", bypassed)
        if bypassed != added:
            said.append(("nft", bypassed))
    if re.search(r"\bvmap\b", text) and (_NFT_VMAP.search(text) or _NFT_BROAD.search(text)) \
            and re.search(r":\s*accept\b", text):
        said.append(("nft", "add rule inet filter input accept"))
    covered = _nft_uncovered(added)
    if covered != added:
        said.append(("nft", covered))
    return said


# Matches that cover every packet, or all but a few (attack u30f, finding 10), as the iptables
# reading takes them: every conntrack state, a set holding a whole range or prefix, a negation
# (`ip saddr != 255.255.255.255`, `ip protocol != 255`), a family of an inet table, nft's
# wildcard interface name. Left out, the rule is judged as the accept-all it amounts to.
_NFT_STATES = re.compile(r"\bct\s+state\s+(\{[^}]*\}|[a-z]+(\s*,\s*[a-z]+)*)")
_NFT_SET_OR_VALUE = r"(\{[^}]*\}|\"[^\"]*\"|\S+)"
_NFT_COVERING = re.compile(
    r"(?<![\w-])([a-z][\w-]*(\s+[a-z][\w-]*)?)\s+(!=|ne)\s+" + _NFT_SET_OR_VALUE
    + r"|\b(ip6?\s+[sd]addr|ip6?\s+(saddr|daddr))\s+(\{[^}]*\}|\S+)(?=\s)"
    + r"|\bmeta\s+(nfproto\s+ipv[46]|protocol\s+ip6?)\b|\bip6?\s+version\s+[46]\b"
    + r"|\b[io]if(name)?\s+\"?\*\"?(?=\s)")


# A transport protocol alone, every port of one, a SYN (attack v31f, finding 22: iptables' kin)
_NFT_EVERY_PORT_PROTOCOLS = frozenset({"tcp", "udp", "sctp", "dccp", "udplite", "6", "17", "132",
                                       "33", "136"})
_NFT_TRANSPORT = re.compile(r"\b(meta\s+l4proto|ip\s+protocol|ip6\s+nexthdr)\s+(\{[^}]*\}|[a-z0-9]+)")
_NFT_EVERY_PORT = re.compile(r"\b(tcp|udp|sctp|dccp|udplite|th)\s+[sd]port\s+(\{\s*)?[01]?\s*-\s*65535"
                             r"(\s*\})?|\btcp\s+flags\s+syn\b(?!\s*[,/|&])")


def _nft_uncovered(body: str) -> str:
    def state(match: re.Match[str]) -> str:
        states = set(re.findall(r"[a-z]+", match.group(1)))
        # `new` is every connection's first packet, as iptables' NEW (attack v31f, finding 22)
        return "" if {"new", "established", "related", "invalid"} <= states or "new" in states \
            else match.group(0)

    def transport(match: re.Match[str]) -> str:
        protocols = set(re.findall(r"[a-z0-9]+", match.group(2)))
        return "" if protocols <= _NFT_EVERY_PORT_PROTOCOLS else match.group(0)

    def covering(match: re.Match[str]) -> str:
        text = match.group(0)
        if re.match(r"(ip6?\s+)?[sd]addr\b", text) or re.match(r"ip6?\s+(saddr|daddr)\b", text):
            if "!=" not in text and not re.search(r"\sne\s", text) and not _NFT_BROAD.search(
                    text.split(None, 2)[-1].strip("{} ")):
                return text
        return ""

    out = _NFT_STATES.sub(state, body)
    out = _NFT_TRANSPORT.sub(transport, out)
    out = _NFT_EVERY_PORT.sub("", out)
    out = _NFT_COVERING.sub(covering, out)
    return re.sub(r"[ \t]{2,}", " ", out)


# --- firewalld, hwdb, augenrules: programs that run another's change -------------------------

def _firewall_cmd(values: list[str]) -> list[tuple[str, ...]]:
    """`--direct --passthrough ipv4 ARGS` is iptables ARGS; `--direct --add-rule ipv4 TABLE
    CHAIN PRIORITY ARGS` is iptables -t TABLE -A CHAIN ARGS."""
    for at, value in enumerate(values):
        family = values[at + 1] if at + 1 < len(values) else ""
        program = {"ipv4": "iptables", "ipv6": "ip6tables", "eb": "ebtables"}.get(family)
        if program is None:
            continue
        if value.startswith("--pas"):
            return [(program, *values[at + 2:])]
        if value.startswith("--add-ru") and len(values) >= at + 5:
            return [(program, "-t", values[at + 2], "-A", values[at + 3], *values[at + 5:])]
    return []


def _systemd_hwdb(values: list[str]) -> list[tuple[str, ...]]:
    operands = [v for v in values if not v.startswith("-")]
    return [("udevadm", "hwdb", "--update")] if operands[:1] == ["update"] else []


def _augenrules(values: list[str]) -> list[tuple[str, ...]]:
    # without --check it writes /etc/audit/audit.rules, loaded at the next start of auditd
    if any(v in ("--check", "--help", "-h") for v in values):
        return []
    return [("auditctl", "-R", "/etc/audit/audit.rules")]


# --- systemd-run: a timer, path or socket trigger for a unit it names ---------------------------

def _systemd_run(values: list[str]) -> list[tuple[str, ...]]:
    """`systemd-run --on-active=1 --unit=NAME` (a trigger, no command needed): the trigger
    starts the unit NAME, an existing one too (`debug-shell`): `systemctl start NAME` (attack
    u30f, finding 4), its options read as getopt_long reads them (v31f, finding 1)."""
    return [("systemctl", "start", unit) for unit in trigger_units(values)]


# --- kills by port: ss -K, kill-port and kin (attack u30f, finding 16) ------------------------

# The ports the daemons listen on (and /etc/services' names for them): sshd, the syslog
# daemons' network inputs (514 udp "syslog" and tcp "shell", 601, 6514), auditd's remote
# logging (60), journald's remote and gateway servers.
DAEMON_PORTS = {
    "sshd": ("22", "ssh"), "auditd": ("60",),
    "rsyslogd": ("514", "601", "6514", "syslog", "shell", "syslog-conn", "syslog-tls"),
    "syslog-ng": ("514", "601", "6514", "syslog", "shell", "syslog-conn", "syslog-tls"),
    "systemd-journald": ("19531", "19532"),
}

def _port_kill(values: list[str]) -> list[tuple[str, ...]]:
    """`ss -K FILTER` (`--kill`) closes the sockets the filter matches; `kill-port PORT`,
    `killport PORT`, `tcpkill EXPR`, `cutter IP PORT` kill or cut what holds a port: each is
    `fuser -k PORT/tcp` of the ports it names (`sport = :22`, `port 22`), or of any port."""
    ports = re.findall(r"(?:^|[\s:])([0-9]+|[a-z][a-z-]*)(?=\s|$|\))", " ".join(values))
    named = {p for ports in DAEMON_PORTS.values() for p in ports}
    ports = [p.lstrip("0") or "0" for p in ports if p.isdigit() or p in named]
    daemons = [d for d, theirs in DAEMON_PORTS.items() if set(theirs) & set(ports)]
    return [*(("fuser", "-k", f"{port}/tcp") for port in ports or ["0"]),
            *(("pkill", daemon) for daemon in daemons)]


def _ss(values: list[str]) -> list[tuple[str, ...]]:
    if not any((v.startswith("--k") and "--kill".startswith(v.split("=")[0]))
               or (v.startswith("-") and not v.startswith("--") and "K" in v) for v in values):
        return []
    return _port_kill([v for v in values if not v.startswith("-")])


_READERS = {
    "ss": _ss, "kill-port": _port_kill, "killport": _port_kill, "tcpkill": _port_kill,
    "cutter": _port_kill,
    "systemd-run": _systemd_run,
    "kill": _kill, "auditctl": _auditctl, "systemctl": _systemctl, "telinit": _telinit,
    "init": _telinit, "iptables": _iptables, "ip6tables": _iptables, "iptables-nft": _iptables,
    "iptables-legacy": _iptables, "ip6tables-nft": _iptables, "ip6tables-legacy": _iptables,
    "nft": _nft, "firewall-cmd": _firewall_cmd, "firewall-offline-cmd": _firewall_cmd,
    "systemd-hwdb": _systemd_hwdb, "augenrules": _augenrules,
}
