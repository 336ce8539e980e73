"""systemd-run's options read as its getopt_long reads them (outside attack v31f, finding 1):
a trigger (`--on-active`, `--on-calendar`, a `--timer-property`...) with `--unit NAME` starts
the unit NAME when it fires, an existing one too (`debug-shell`), with no command needed.

getopt_long takes any unambiguous start of a long option (`--on-act=1`, `--un=debug-shell`,
`--uni debug-shell`) and short options in clusters (`-qu NAME`, `-qudebug-shell`: `-u`'s value
is the cluster's rest or the next word); the options stop at the first operand (systemd-run's
optstring starts with `+`: the command and its words follow). The table is the union of the
options of systemd 252 to 256; read fail closed: a long word that starts more than one option
of the table is read as each of them (a trigger if one is, its value the unit if one is the
unit), since which one a given version takes is not known here.
"""

from __future__ import annotations

from bastion.command_control.policy.short_options import read_cluster

# long option -> (takes a value, kind): "trigger", "unit" or ""
_LONG = {
    "help": (False, ""), "version": (False, ""), "user": (False, ""), "system": (False, ""),
    "scope": (False, ""), "unit": (True, "unit"), "description": (True, ""), "slice": (True, ""),
    "slice-inherit": (False, ""), "remain-after-exit": (False, ""), "send-sighup": (False, ""),
    "host": (True, ""), "machine": (True, ""), "service-type": (True, ""), "wait": (False, ""),
    "uid": (True, ""), "gid": (True, ""), "nice": (True, ""), "setenv": (True, ""),
    "property": (True, ""), "tty": (False, ""), "pty": (False, ""), "pipe": (False, ""),
    "quiet": (False, ""), "on-active": (True, "trigger"), "on-boot": (True, "trigger"),
    "on-startup": (True, "trigger"), "on-unit-active": (True, "trigger"),
    "on-unit-inactive": (True, "trigger"), "on-calendar": (True, "trigger"),
    "on-timezone-change": (False, "trigger"), "on-clock-change": (False, "trigger"),
    "timer-property": (True, "trigger"), "path-property": (True, "trigger"),
    "socket-property": (True, "trigger"), "no-block": (False, ""), "no-ask-password": (False, ""),
    "collect": (False, ""), "working-directory": (True, ""), "same-dir": (False, ""),
    "shell": (False, ""), "expand-environment": (True, ""), "json": (True, ""),
    "ignore-failure": (False, ""), "background": (True, ""), "capsule": (True, ""),
    "pty-late": (False, ""), "job-mode": (True, ""),
}
_SHORT_VALUE = frozenset("HMEpuC")  # `+hrC:H:M:E:p:tPqGdSu:`
# the types a trigger's unit name may carry: the service it starts is NAME.service
_TRIGGER_SUFFIXES = (".timer", ".path", ".socket")


def trigger_units(values: list[str]) -> list[str]:
    """The units a systemd-run line with these words starts through a trigger (a timer, path
    or socket unit it makes); [] when it names no trigger or no unit."""
    trigger, units, index = False, [], 0
    while index < len(values):
        value = values[index]
        index += 1
        if value == "--" or not value.startswith("-") or value == "-":
            break  # the command starts here
        if value.startswith("--"):
            option, equals, argument = value[2:].partition("=")
            names = [option] if option in _LONG else [n for n in _LONG if n.startswith(option)]
            if not names:
                continue  # getopt refuses it: the line fails
            takes = any(_LONG[n][0] for n in names)
            kinds = {_LONG[n][1] for n in names}
            if takes and not equals and index < len(values):
                argument, index = values[index], index + 1
            trigger = trigger or "trigger" in kinds
            if "unit" in kinds and takes:
                units.append(argument)
            continue
        cluster = read_cluster(value, _SHORT_VALUE)  # `-qu NAME`, `-qudebug-shell`
        argument = cluster.value or ""
        if cluster.nexts and index < len(values):
            argument, index = values[index], index + 1
        if cluster.option == "u":
            units.append(argument)
    if not trigger:
        return []
    out = []
    for unit in units:
        for suffix in _TRIGGER_SUFFIXES:
            if unit.endswith(suffix):
                unit = unit[: -len(suffix)] + ".service"
        out.append(unit)
    return out
