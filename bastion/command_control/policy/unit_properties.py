"""The properties `systemd-run -p NAME=VALUE` gives the unit it starts (outside attack b11f,
finding 5): some are commands systemd runs as root (ExecStartPre=, ExecStopPost=,
ExecCondition=...), some files it writes (StandardOutput=file:PATH, append:, truncate:;
StateDirectory= and kin create and hand over a folder), some change what the command sees
(BindPaths=, RootDirectory=, TemporaryFileSystem=) or stop other units (Conflicts=).
`unit_properties` reads each: the commands are judged as shell code, the files as writes, and
a property no table here knows makes the command unknown (held), never allowed.
"""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.options import _scan_options
from bastion.command_control.policy.words import _Word
from bastion.command_control.policy.wrappers import _WRAPPERS

# Properties whose value is a command line systemd runs (systemd.service(5), systemd.socket(5)).
_COMMANDS = frozenset({"ExecStart", "ExecStartPre", "ExecStartPost", "ExecCondition", "ExecReload",
                       "ExecStop", "ExecStopPost", "ExecStopPre"})
# Properties naming an output file: StandardOutput=file:PATH (append:, truncate:).
_OUTPUTS = frozenset({"StandardOutput", "StandardError"})
_OUTPUT_KINDS = ("file:", "append:", "truncate:")
# Folders systemd creates under a base and hands to the unit's user (systemd.exec(5)).
_DIRECTORIES = {"RuntimeDirectory": "/run", "StateDirectory": "/var/lib", "CacheDirectory":
                "/var/cache", "LogsDirectory": "/var/log", "ConfigurationDirectory": "/etc"}
# Properties that only limit, describe or order the unit, or name what it reads: harmless.
# Not Wants=, Requires=, BindsTo=, Upholds= (they start another unit: `Wants=reboot.target`
# reboots) nor PIDFile= (the unit then owns, and stops, whatever process the file names):
# attack c12f, finding 5.
_HARMLESS = frozenset({
    "Description", "Documentation", "Type", "RemainAfterExit", "Restart", "RestartSec",
    "TimeoutSec", "TimeoutStartSec", "TimeoutStopSec", "RuntimeMaxSec", "RuntimeRandomizedExtraSec",
    "WatchdogSec", "CPUQuota", "CPUQuotaPeriodSec", "CPUWeight", "StartupCPUWeight", "CPUShares",
    "MemoryMax", "MemoryHigh", "MemoryLow", "MemoryMin", "MemoryLimit", "MemorySwapMax",
    "TasksMax", "IOWeight", "StartupIOWeight", "IOReadBandwidthMax", "IOWriteBandwidthMax",
    "IOReadIOPSMax", "IOWriteIOPSMax", "Nice", "CPUSchedulingPolicy", "CPUSchedulingPriority",
    "CPUAffinity", "IOSchedulingClass", "IOSchedulingPriority", "OOMScoreAdjust", "OOMPolicy",
    "KillMode", "KillSignal", "SendSIGKILL", "SendSIGHUP", "FinalKillSignal", "User", "Group",
    "DynamicUser", "SupplementaryGroups", "NoNewPrivileges", "PrivateTmp", "PrivateDevices",
    "PrivateNetwork", "PrivateUsers", "ProtectSystem", "ProtectHome", "ProtectKernelTunables",
    "ProtectKernelModules", "ProtectKernelLogs", "ProtectControlGroups", "ProtectClock",
    "ProtectHostname", "ReadOnlyPaths", "InaccessiblePaths", "SyslogIdentifier",
    "SyslogFacility", "SyslogLevel", "Delegate", "CollectMode", "UMask", "After", "Before",
    "PartOf", "SuccessExitStatus", "RestartPreventExitStatus",
    "StartLimitIntervalSec", "StartLimitBurst", "AccuracySec", "RandomizedDelaySec",
    "Persistent", "WakeSystem", "RestrictRealtime", "RestrictSUIDSGID", "LockPersonality",
    "MemoryDenyWriteExecute", "SystemCallArchitectures", "TTYPath", "StandardInput",
    "IgnoreSIGPIPE", "TimerSlackNSec", "NotifyAccess", "MemoryAccounting",
    "CPUAccounting", "IOAccounting", "TasksAccounting", "IPAccounting", "Slice",
    *(f"Limit{name}" for name in ("CPU", "FSIZE", "DATA", "STACK", "CORE", "RSS", "NOFILE", "AS",
                                  "NPROC", "MEMLOCK", "LOCKS", "SIGPENDING", "MSGQUEUE", "NICE",
                                  "RTPRIO", "RTTIME")),
})  # fmt: skip
# Output targets that write no file of the command's choosing.
_PLAIN_OUTPUTS = frozenset({"inherit", "null", "tty", "journal", "kmsg", "journal+console",
                            "kmsg+console", "socket", ""})
_PROPERTY_OPTIONS = frozenset({"-p", "--property", "--timer-property", "--path-property",
                               "--socket-property"})


class Properties(NamedTuple):
    """What a unit's properties do: `codes` (command lines systemd runs), `writes` (files it
    writes), `environment` (NAME=VALUE set for the command), `doubt` (why the command cannot
    be told, or "")."""

    codes: list[str]
    writes: list[str]
    environment: list[str]
    doubt: str


def unit_properties(name: str, words: list[_Word]) -> Properties:
    """The properties `systemd-run` (or `systemctl set-property UNIT ...`) sets, read."""
    found = Properties([], [], [], "")
    if name in ("systemd-run", "run0"):
        scanned = _scan_options(words, 1, _WRAPPERS[name], patterns=True)
        if scanned is None:
            return found  # held by the wrapper as options known only at run time
        values = [(o, a) for o, a in scanned[1] if o in _PROPERTY_OPTIONS or o in ("-E", "--setenv")]
        if any(w.glob for w in words[1:scanned[0]]):
            # `-E B*` after `touch BASH_ENV=/tmp/evil` (attack k20f, finding 13's class)
            return found._replace(doubt="a pattern among the options, which pathname expansion "
                                        "may make a unit property or a variable")
        if any(w.value is not None and "$" in w.value for w in words[scanned[0]:]):
            # The manager expands `${X}` and `$X` in a service's command line (systemd 254's
            # --expand-environment, on by default; run0 alike, unchecked): `-E X=/ rm -rf
            # '${X}'` removes / (attack j19f, finding 6).
            return found._replace(doubt="a command line holding `$`, which the service manager "
                                        "expands from the unit's environment")
    elif name == "systemctl" and any(w.value == "set-property" for w in words):
        at = next(i for i, w in enumerate(words) if w.value == "set-property")
        values = [("-p", w) for w in words[at + 2:] if w.value is None or not w.value.startswith("-")]
    else:
        return found
    for option, argument in values:
        value = argument.value if argument is not None else ""
        if value is None:
            return found._replace(doubt="a unit property known only at run time")
        if option in ("-E", "--setenv"):
            found.environment.append(value)
            continue
        key, _, setting = value.partition("=")
        key = key.strip()
        if key in _COMMANDS and any(c in setting for c in "$\\%"):
            # systemd splits an Exec*= value with its own grammar: C escapes (`\x2f`, `\057`,
            # `\u002f` are `/`), `$X`/`${X}` from the environment, `%` specifiers; bash reads
            # none of them so (attack j19f, finding 6).
            return found._replace(doubt=f"the unit property {key}= holding escapes, variables or "
                                        "specifiers systemd expands")
        if key in _COMMANDS:
            found.codes.append(_command_line(setting))
        elif key in _OUTPUTS:
            kind = next((k for k in _OUTPUT_KINDS if setting.startswith(k)), None)
            if kind is not None:
                found.writes.append(setting[len(kind):])
            elif setting not in _PLAIN_OUTPUTS and not setting.startswith("fd:"):
                return found._replace(doubt=f"the unit property {key}={setting}")
        elif key in _DIRECTORIES:
            found.writes.extend(f"{_DIRECTORIES[key]}/{folder}" for folder in setting.split())
        elif key == "Environment":
            found.environment.extend(setting.split())
        elif key not in _HARMLESS:
            # BindPaths=, RootDirectory=, WorkingDirectory=, TemporaryFileSystem=, Conflicts=...
            return found._replace(doubt=f"the unit property {key or value}, which the policy "
                                        "does not read, may change what the command does")
    return found


def _command_line(setting: str) -> str:
    """An Exec*= value as the shell code it stands for: its prefixes (`-`, `@`, `+`, `!`,
    `:`, `|`) dropped, and with `@` the second word (the name the program is shown) too."""
    stripped = setting.lstrip()
    prefixes = ""
    while stripped[:1] in ("-", "@", "+", "!", ":", "|") and stripped:
        prefixes, stripped = prefixes + stripped[0], stripped[1:]
    if "@" in prefixes:
        parts = stripped.split(None, 2)
        stripped = " ".join(parts[:1] + parts[2:])
    return stripped
