"""The names a D-Bus client's words give once decoded as the client or the service decodes
them (found after outside attack u30f, finding 1): the D-Bus rules are patterns on the words,
while systemd decodes a unit's object path label (`bus_label_unescape`: EVERY `_XX` of two hex
digits, either case, is that byte: `_64ebug_2Dshell_2eservice` is debug-shell.service), and
gdbus reads each argument as GVariant text, where a string takes `\\uXXXX`, `\\UXXXXXXXX` and
C escapes (`'debug\\u002dshell.service'`). `readings` gives the words so decoded; each is
judged beside the words as written (more readings judged, never fewer). A `\\u` or `\\U` not
followed by its hex digits cannot be read as gdbus reads it: `undecodable` says so (unknown)."""

from __future__ import annotations

import re

# The D-Bus clients the shipped rules name.
DBUS_CLIENTS = frozenset({"busctl", "dbus-send", "gdbus", "qdbus", "qdbus6", "qdbus-qt5",
                          "qdbus-qt6"})
_LABEL = re.compile(r"_([0-9A-Fa-f]{2})")
_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
# GVariant's string escapes, and (in a second reading) the \x and octal ones of bytestrings.
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|x[0-9A-Fa-f]{1,2}|[0-7]{1,3}|.)", re.S)
_BROKEN = re.compile(r"\\(?:u(?![0-9A-Fa-f]{4})|U(?![0-9A-Fa-f]{8}))")


def _unescape(word: str, numeric: bool) -> str:
    def one(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "uU" and len(body) > 1:
            code = int(body[1:], 16)
            return chr(code) if code < 0x110000 else body
        if body[0] == "x" and len(body) > 1:
            return chr(int(body[1:], 16)) if numeric else body
        if body[0] in "01234567":
            return chr(int(body, 8) & 0xFF) if numeric else body
        return _C_ESCAPES.get(body, body)
    return _ESCAPE.sub(one, word)


def _label(word: str) -> str:
    """An object path's labels decoded as systemd decodes them (every `_XX`)."""
    return _LABEL.sub(lambda m: chr(int(m.group(1), 16)), word) if "/" in word else word


def readings(argv: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The D-Bus client's words (`argv`) decoded where that gives other words: the object
    paths' labels, GVariant's escapes (with and without the numeric ones)."""
    found: list[tuple[str, ...]] = []
    for numeric in (False, True):
        decoded = tuple(_label(_unescape(w, numeric) if "\\" in w else w) for w in argv)
        if decoded != argv and decoded not in found:
            found.append(decoded)
    return found


def undecodable(argv: tuple[str, ...]) -> str | None:
    """A word holding an escape gdbus's GVariant reading does not take as written, or None."""
    return next((w for w in argv[1:] if _BROKEN.search(w)), None)


# --- systemd's Manager and Unit methods, as the systemctl verbs that call them ----------------
# (attack x33f, finding 4: `Manager.SetDefaultTarget rescue.target` is `systemctl set-default
# rescue.target`, `PresetAllUnitFiles` is `systemctl preset-all`). A method of those
# interfaces no table names is unknown.
_MANAGER_VERBS = {
    "StartUnit": "start", "StartUnitReplace": "start", "StartUnitWithFlags": "start",
    "StopUnit": "stop", "ReloadUnit": "reload", "RestartUnit": "restart",
    "TryRestartUnit": "try-restart", "ReloadOrRestartUnit": "reload-or-restart",
    "ReloadOrTryRestartUnit": "try-reload-or-restart", "KillUnit": "kill",
    "QueueSignalUnit": "kill", "CleanUnit": "clean", "FreezeUnit": "freeze", "ThawUnit": "thaw",
    "ResetFailedUnit": "reset-failed", "ResetFailed": "reset-failed",
    "SetUnitProperties": "set-property", "BindMountUnit": "bind", "MountImageUnit": "mount-image",
    "CancelJob": "cancel", "ClearJobs": "cancel", "Reload": "daemon-reload",
    "Reexecute": "daemon-reexec", "Exit": "exit", "Reboot": "reboot", "SoftReboot": "soft-reboot",
    "PowerOff": "poweroff", "Halt": "halt", "KExec": "kexec", "SwitchRoot": "switch-root",
    "SetEnvironment": "set-environment", "UnsetEnvironment": "unset-environment",
    "UnsetAndSetEnvironment": "set-environment", "EnableUnitFiles": "enable",
    "EnableUnitFilesWithFlags": "enable", "DisableUnitFiles": "disable",
    "DisableUnitFilesWithFlags": "disable", "DisableUnitFilesWithFlagsAndInstallInfo": "disable",
    "ReenableUnitFiles": "reenable", "LinkUnitFiles": "link", "PresetUnitFiles": "preset",
    "PresetUnitFilesWithMode": "preset", "MaskUnitFiles": "mask", "UnmaskUnitFiles": "unmask",
    "RevertUnitFiles": "revert", "SetDefaultTarget": "set-default", "PresetAllUnitFiles": "preset-all",
    "AddDependencyUnitFiles": "add-wants", "EnqueueUnitJob": "", "EnqueueMarkedJobs": "reload-or-restart",
}
_UNIT_VERBS = {
    "Start": "start", "Stop": "stop", "Reload": "reload", "Restart": "restart",
    "TryRestart": "try-restart", "ReloadOrRestart": "reload-or-restart",
    "ReloadOrTryRestart": "try-reload-or-restart", "EnqueueJob": "", "Kill": "kill",
    "QueueSignal": "kill", "ResetFailed": "reset-failed", "SetProperties": "set-property",
    "Clean": "clean", "Freeze": "freeze", "Thaw": "thaw", "BindMount": "bind",
    "MountImage": "mount-image",
}
# Methods that read, or that the shipped rules judge by their own name (StartTransientUnit,
# AbandonScope, the Properties interface's Set), or that change nothing lasting.
_JUDGED = frozenset({
    "GetUnit", "GetUnitByPID", "GetUnitByInvocationID", "GetUnitByControlGroup", "GetUnitByPIDFD",
    "LoadUnit", "GetUnitProcesses", "GetJob", "GetJobAfter", "GetJobBefore", "ListUnits",
    "ListUnitsFiltered", "ListUnitsByPatterns", "ListUnitsByNames", "ListJobs", "Subscribe",
    "Unsubscribe", "Dump", "DumpByFileDescriptor", "DumpUnitsMatchingPatterns",
    "DumpUnitsMatchingPatternsByFileDescriptor", "DumpUnitFileDescriptorStore", "ListUnitFiles",
    "ListUnitFilesByPatterns", "GetUnitFileState", "GetUnitFileLinks", "GetDefaultTarget",
    "LookupDynamicUserByName", "LookupDynamicUserByUID", "GetDynamicUsers", "RefUnit",
    "UnrefUnit", "Ref", "Unref", "StartTransientUnit", "AbandonScope", "Abandon",
    "SetShowStatus", "GetProcesses", "GetJobs", "DumpFileDescriptorStore"})
_INTERFACES = r"org\.freedesktop\.systemd1\.(Manager|Unit|Service|Scope|Socket|Mount|Swap|Timer|Path|Slice)"
_INTERFACE = re.compile(_INTERFACES)
_MEMBER = re.compile(rf"(?:^|=){_INTERFACES}\.(\w+)$")
_UNIT_PATH = "/org/freedesktop/systemd1/unit/"
_TYPES = re.compile(r"^((array|dict|variant|string|boolean|byte|u?int(16|32|64)|double|objpath|"
                    r"signature|unix_fd):)+")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_SIGNATURE = re.compile(r"[ybnqiuxtdsogahv(){}]+")
_NO_NAME = re.compile(r"(?i)true|false|yes|no|on|off|-?\d+|@\w+")
_JOB_VERBS = {"reload-or-try-restart": "try-reload-or-restart"}


def _values(words: tuple[str, ...], signature: bool) -> list[str]:
    """The strings among a D-Bus call's argument words (busctl's signature, dbus-send's type
    prefixes, GVariant's quotes and arrays, booleans and numbers left out)."""
    found: list[str] = []
    for index, word in enumerate(words):
        if signature and index == 0 and _SIGNATURE.fullmatch(word):
            continue
        quoted = [a or b for a, b in _QUOTED.findall(word)]
        parts = quoted or [p for p in re.split(r"[,\[\]\s]+", _TYPES.sub("", word)) if p]
        found += [p for p in parts if quoted or not _NO_NAME.fullmatch(p)]
    return found


def systemctl_readings(name: str, argv: tuple[str, ...]) -> tuple[list[tuple[str, ...]], str | None]:
    """The systemctl commands a D-Bus client's call to systemd's Manager or to a unit's object
    stands for (`busctl call ... Manager SetDefaultTarget sb rescue.target true` is `systemctl
    set-default rescue.target true`), and a method of those interfaces no table names (None
    if none)."""
    words = argv[1:]
    for index, word in enumerate(words):
        match = _MEMBER.search(word)
        interface, method, rest = "", "", ()
        if match is not None:
            interface, method, rest = match.group(1), match.group(2), words[index + 1:]
        elif _INTERFACE.fullmatch(word) and index + 1 < len(words) and "call" in words[:index]:
            # busctl's `call SERVICE PATH INTERFACE METHOD` (not get-property's PROPERTY)
            interface, method, rest = word.rsplit(".", 1)[1], words[index + 1], words[index + 2:]
        elif name.startswith("qdbus") and word.rstrip("/") == "/org/freedesktop/systemd1" and \
                index + 1 < len(words) and re.fullmatch(r"[A-Z]\w*", words[index + 1]):
            interface, method, rest = "Manager", words[index + 1], words[index + 2:]
        if not method:
            continue
        values = _values(rest, name == "busctl")
        if interface == "Manager":
            verb = _MANAGER_VERBS.get(method)
            unit: list[str] = []
        else:
            verb = _UNIT_VERBS.get(method)
            path = next((w for w in words if w.startswith(_UNIT_PATH)), "")
            unit = [_label(path)[len(_UNIT_PATH):]] if path else []
        if verb is None:
            if method in _JUDGED:
                return [], None
            return [], f"{method}: a method of systemd's {interface} the bastion does not know"
        if method in ("EnqueueUnitJob", "EnqueueJob"):
            at = 0 if unit else 1
            job = values[at] if len(values) > at else "start"
            verb = _JOB_VERBS.get(job, job)
            values = values[:at] + values[at + 1:]
        if method == "AddDependencyUnitFiles" and len(values) >= 3:
            kind = values[-1].lower()
            values = [values[-2], *values[:-2]]
            verb = "add-requires" if kind.startswith("requ") else "add-wants"
        said = [("systemctl", verb, *unit, *values)]
        if method == "EnqueueMarkedJobs":
            said = [("systemctl", verb, "--marked")]
        if "isolate" in values:
            said.append(("systemctl", "isolate", *unit, *[v for v in values if v != "isolate"]))
        return said, None
    return [], None
