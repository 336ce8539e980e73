"""pm2 and `rr replay` (issue 12, fix-open): what they run, read from their words.

`pm2 start PROGRAM -- ARGS` runs PROGRAM (a script with node or python, another file as a
program, a string with spaces as a command line) and keeps it running; `pm2 start
ecosystem.config.js` starts the apps a file lists, and `pm2 startup`, `install`, `deploy`
write an init unit, install a module's code or run a file's deploy commands: unknown. `rr
replay` starts gdb on the replay (gdb reads its commands from stdin), or `-d DEBUGGER`.

Pure readers: they return a plan (`Plan`) the collector judges (collect_starters.py)."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.words import _Word


class Plan(NamedTuple):
    """What a line runs: `command` (words to judge as a command, None: nothing), `writes`
    (files its options name), `unknown` (why it cannot be told, "" when it can)."""

    command: list[_Word] | None = None
    writes: tuple[_Word, ...] = ()
    unknown: str = ""


# pm2 start's options (pm2 5, `pm2 start -h`) that take a value, and its flags. --interpreter,
# --node-args/--interpreter-args (node's --require is code), --cwd and any other are unknown.
_PM2_VALUES = frozenset({"-n", "--name", "-i", "--instances", "--max-memory-restart", "-l",
                         "--log", "-o", "--output", "-e", "--error", "--log-date-format",
                         "--env", "--namespace", "--restart-delay", "--cron", "--cron-restart",
                         "--kill-timeout", "--listen-timeout", "--max-restarts",
                         "--exp-backoff-restart-delay", "--log-type", "-p", "--pid"})
_PM2_FLAGS = frozenset({"-f", "--force", "--no-autorestart", "--time", "--merge-logs",
                        "--update-env", "--no-daemon", "--no-vizion", "--no-pmx",
                        "--no-treekill", "--silent", "-s", "--watch", "--wait-ready",
                        "--disable-logs", "--source-map-support", "--attach"})
_PM2_WRITES = frozenset({"-l", "--log", "-o", "--output", "-e", "--error", "-p", "--pid"})
_PM2_UNKNOWN_VERBS = frozenset({"startup", "unstartup", "install", "module:install", "deploy",
                                "set", "conf", "config", "link", "plus", "serve", "expose",
                                "resurrect", "update", "updatePM2", "trigger", "sendSignal",
                                # found after outside attack b11f (finding 14): the verbs that
                                # start a file's apps as start does, and `send`, which types a
                                # line into an app's stdin (`pm2 start bash -- -s`)
                                "startOrRestart", "startOrReload", "startOrGracefulReload",
                                "send", "attach"})
# Verbs that start a file's apps when given one (`pm2 restart ecosystem.config.js`); given an
# app's name or id they restart what already runs.
_PM2_FILE_VERBS = frozenset({"restart", "reload", "gracefulReload"})
_ECOSYSTEM = (".json", ".config.js", ".config.cjs", ".config.mjs", ".yml", ".yaml")
_NODE_SCRIPTS = (".js", ".mjs", ".cjs", ".ts", ".coffee")


def pm2_plan(words: list[_Word]) -> Plan | None:
    """`pm2 start ...`'s plan; an unknown plan for the verbs that run or install what the line
    does not show; None for the others (lists, logs, stop, restart...: read as before)."""
    verb = words[1].value if len(words) > 1 else ""
    if verb is None:
        return Plan(unknown="a pm2 subcommand known only at run time")
    if verb in _PM2_UNKNOWN_VERBS:
        return Plan(unknown=f"pm2 {verb} writes, installs or runs what the line does not show")
    if verb in _PM2_FILE_VERBS and any(w.value is None or w.value.endswith(_ECOSYSTEM)
                                       for w in words[2:]):
        return Plan(unknown=f"pm2 {verb} starts the apps a file lists, which the line does not show")
    if verb != "start":
        return None
    program: _Word | None = None
    writes: list[_Word] = []
    index = 2
    while index < len(words):
        value = words[index].value
        following = words[index + 1] if index + 1 < len(words) else None
        index += 1
        if value is None:
            return Plan(unknown="pm2 start's words known only at run time")
        if value == "--":
            break
        if not value.startswith("-"):
            if program is not None:
                return Plan(unknown="pm2 start given several apps")
            program = words[index - 1]
            continue
        option, has_value, attached = value.partition("=")
        if option in _PM2_VALUES:
            given = _Word(attached, attached) if has_value else following
            index += 0 if has_value else 1
            if option in _PM2_WRITES and given is not None:
                writes.append(given)
        elif option not in _PM2_FLAGS or has_value:
            return Plan(unknown=f"pm2 start's option {option}, which the policy does not read")
    if program is None or program.value is None:
        return Plan(writes=tuple(writes), unknown="the app pm2 starts is known only at run time"
                    if program is not None else "pm2 start given no app: its ecosystem file")
    name = program.value
    arguments = words[index:]
    if name.endswith(_ECOSYSTEM) or name.startswith("ecosystem"):
        return Plan(writes=tuple(writes), unknown="pm2 starts the apps its ecosystem file lists")
    if " " in name:
        return Plan([_Word("sh", "sh"), _Word("-c", "-c"), program], tuple(writes))
    if name.endswith(_NODE_SCRIPTS):
        return Plan([_Word("node", "node"), program, *arguments], tuple(writes))
    if name.endswith(".py"):
        return Plan([_Word("python3", "python3"), program, *arguments], tuple(writes))
    return Plan([program, *arguments], tuple(writes))


# rr replay's options (rr 5.6, `rr help replay`): those that take a value, and its flags.
_RR_VALUES = frozenset("fgpsht")
_RR_LONG_VALUES = frozenset({"--onfork", "--goto", "--onprocess", "--dbgport", "--dbghost",
                             "--trace", "--tty", "--debugger"})
_RR_FLAGS = frozenset("aqku")
_RR_LONG_FLAGS = frozenset({"--autopilot", "--no-redirect-output", "--keep-listening",
                            "--fullname", "--stats", "--serve-files", "--cpu-unbound"})


def rr_replay_plan(words: list[_Word]) -> Plan:
    """`rr replay [OPTIONS] [TRACE]` (words[1] is "replay"): gdb, or the -d debugger, run on
    the replay; with -a nothing reads commands; `-s PORT` waits for a debugger from the network;
    -o (an option passed to gdb) and -x (a gdb script) are code: unknown."""
    debugger: _Word | None = _Word("gdb", "gdb")
    index = 2
    while index < len(words):
        value = words[index].value
        following = words[index + 1] if index + 1 < len(words) else None
        index += 1
        if value is None:
            return Plan(unknown="rr replay's words known only at run time")
        if value == "--" or not value.startswith("-"):
            break
        option, has_value, attached = value.partition("=")
        if option in ("-d", "--debugger"):
            debugger = _Word(attached, attached) if has_value else following
            index += 0 if has_value else 1
            if debugger is None:
                return Plan(unknown="rr replay -d given no debugger")
        elif option in ("-s", "--dbgport", "-h", "--dbghost"):
            return Plan(unknown="rr replay serves the replay to a debugger from the network")
        elif option in _RR_LONG_VALUES or (len(option) == 2 and option[1] in _RR_VALUES):
            index += 0 if has_value else 1
        elif option in ("-a", "--autopilot"):
            debugger = None
        elif option not in _RR_LONG_FLAGS and not (len(option) == 2 and option[1] in _RR_FLAGS):
            return Plan(unknown=f"rr replay's option {option}, which the policy does not read "
                                "(-o/-x give gdb code)")
    return Plan([debugger] if debugger is not None else None)
