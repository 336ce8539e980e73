"""How iproute2's `ip` and `tc` read their words (attack m22f, finding 2): every option,
object and subcommand by any start of its name, the first in the program's table order that
it starts winning (iproute2's `matches()`: `ip net e NS CMD` is `ip netns exec NS CMD`,
`ip -a netns exec CMD` is `-all`, which takes no NAME), and `-b FILE`/`-batch -` reading
further command lines from a file or stdin (unknown to the filter).
"""

from __future__ import annotations

# ip's global options in ip.c's order, with whether each takes a value (`-n NS`).
_IP_OPTIONS = (
    ("-loops", True), ("-family", True), ("-4", False), ("-6", False), ("-0", False),
    ("-M", False), ("-B", False), ("-human", False), ("-human-readable", False),
    ("-iec", False), ("-stats", False), ("-statistics", False), ("-details", False),
    ("-resolve", False), ("-oneline", False), ("-timestamp", False), ("-tshort", False),
    ("-Version", False), ("-force", False), ("-batch", True), ("-brief", False),
    ("-json", False), ("-pretty", False), ("-rcvbuf", True), ("-color", False),
    ("-help", False), ("-netns", True), ("-Numeric", False), ("-all", False),
    ("-echo", False),
)
# ip's objects in ip.c's table order, up to the two that run a command.
_IP_OBJECTS = ("address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour",
               "ntable", "ntbl", "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap",
               "tap", "token", "tcpmetrics", "tcp_metrics", "monitor", "xfrm", "mroute",
               "mrule", "netns", "netconf", "vrf")


def _first(word: str, names: tuple[str, ...]) -> str | None:
    """The first of `names` that `word` starts (iproute2's `matches()`), or None."""
    return next((name for name in names if word and name.startswith(word)), None)


class IpReading:
    """What an `ip` or `tc` line runs: `batch` (it reads command lines from a file or stdin),
    `unknown` (a word known only at run time where it matters), or `command`, the index of the
    word that starts a command run in a namespace or VRF (None when it runs none)."""

    def __init__(self, batch: bool = False, unknown: bool = False, command: int | None = None):
        self.batch, self.unknown, self.command = batch, unknown, command


def read_ip(name: str, values: list[str | None]) -> IpReading:
    index, every = 1, False
    while index < len(values):
        value = values[index]
        if value is None:
            return IpReading(unknown=True)
        if value == "--":  # ends the options (ip.c); `-` alone is one (a start of -loops)
            index += 1
            break
        if not value.startswith("-"):
            break
        option = value[1:] if value.startswith("--") else value
        option = option.partition("=")[0]
        if name == "tc":
            if "-batch".startswith(option) and len(option) > 1:
                return IpReading(batch=True)
            index += 1
            continue
        found = _first(option, tuple(o for o, _ in _IP_OPTIONS))
        if found is None:
            return IpReading()  # ip refuses an unknown option and runs nothing
        if found == "-batch":
            return IpReading(batch=True)
        every = every or found == "-all"
        index += 2 if dict(_IP_OPTIONS)[found] else 1
    if name == "tc":
        # `tc exec bpf import FILE run CMD` runs CMD: unknown, as a batch is (the word after
        # an option that takes a value, `tc -n NS exec`, too)
        return IpReading(batch=any(v is None or (v and "exec".startswith(v))
                                   for v in values[index:index + 2]))
    if index + 1 >= len(values):
        return IpReading()
    obj, verb = values[index], values[index + 1]
    if obj is None or verb is None:
        return IpReading(unknown=True)
    found = _first(obj, _IP_OBJECTS)
    if found not in ("netns", "vrf") or not "exec".startswith(verb):
        return IpReading()
    if found == "netns" and every:
        return IpReading(command=index + 2)  # `ip -all netns exec CMD`: no NAME
    return IpReading(command=index + 3)
