"""The files systemctl's and update-rc.d's verbs write, written by hand (attack u30f, finding 13).

`systemctl enable debug-shell` is `ln -s .../debug-shell.service .../multi-user.target.wants/`;
`disable auditd` is `rm .../multi-user.target.wants/auditd.service`; `mask ufw` is `ln -s
/dev/null /etc/systemd/system/ufw.service`; `set-default rescue.target` is a link named
default.target; a link `foo.service -> debug-shell.service` in a unit folder is an alias
(`systemctl start foo` starts debug-shell); `update-rc.d auditd disable` renames
/etc/rcN.d/S01auditd to K01auditd. `unit_file_changes` gives, for ln, cp, mv, install, link and
the removers, the plain command each such change amounts to, judged by the collector as if
typed, so the rules on the plain spelling (no-debug-shell, no-security-service-stop...) apply.
Any other write into those folders is held by the shipped `confirm-unit-folder-writes` (paths).
"""

from __future__ import annotations

import posixpath
import re

from bastion.command_control.policy.words import SimpleCommand

# Every folder the system manager reads units from (systemd.unit(5), "Unit File Load Path"),
# the /var/run spelling of /run, and /lib where /usr is not merged.
UNIT_FOLDERS = tuple(
    f"{top}/{leaf}"
    for top in ("/etc/systemd", "/run/systemd", "/var/run/systemd", "/usr/local/lib/systemd",
                "/usr/lib/systemd", "/lib/systemd")
    for leaf in ("system", "system.control", "system.attached", "transient", "generator",
                 "generator.early", "generator.late")
)
_SYSTEMD_TOPS = ("/etc/systemd", "/run/systemd", "/usr/local/lib/systemd", "/usr/lib/systemd",
                 "/lib/systemd")
_UNIT = re.compile(r"[^/]+\.(service|socket|target|timer|path|mount|automount|swap|slice|scope|device)")
_DEPENDS = re.compile(r"(?P<target>[^/]+)\.(wants|requires|upholds)")
_RC = re.compile(r"/etc/(rc\.d/)?rc[0-6sS]\.d/[SK][0-9]*(?P<name>[^/]+)")
_INIT_SCRIPT = re.compile(r"/etc/(rc\.d/)?init\.d/(?P<name>[^/]+)")

# option -> takes a value, for the GNU tools read here (`-t DIR` names the folder)
_VALUED = {
    "ln": {"-S", "--suffix", "-t", "--target-directory"},
    "cp": {"-S", "--suffix", "-t", "--target-directory"},
    "mv": {"-S", "--suffix", "-t", "--target-directory"},
    "install": {"-S", "--suffix", "-t", "--target-directory", "-m", "--mode", "-o", "--owner",
                "-g", "--group", "--strip-program"},
    "link": set(),
}
_REMOVERS = frozenset({"rm", "unlink", "shred", "rmdir", "srm", "wipe", "trash-put", "gio"})


def _normal(path: str) -> str:
    path = posixpath.normpath(path) if path.startswith("/") else path
    return "/run" + path[len("/var/run"):] if path.startswith("/var/run/") else path


def _read(name: str, values: list[str]) -> tuple[list[str], str | None, bool] | None:
    """ln/cp/mv/install/link: (sources, destination, destination is a folder for sure)."""
    valued = _VALUED[name]
    operands: list[str] = []
    folder: str | None = None
    exact = False
    index = 0
    while index < len(values):
        value = values[index]
        index += 1
        if value == "--":
            operands += values[index:]
            break
        option, equals, argument = value.partition("=")
        if value.startswith("--"):
            if option in ("--target-directory",) or ("--target-directory".startswith(option)
                                                      and len(option) > 3 and option.startswith("--ta")):
                folder = argument if equals else (values[index] if index < len(values) else "")
                index += 0 if equals else 1
            elif option in valued and not equals:
                index += 1
            elif option in ("--no-target-directory",):
                exact = True
            continue
        if value.startswith("-") and len(value) > 1:
            letters = value[1:]
            for at, letter in enumerate(letters):
                if letter == "T":
                    exact = True
                if f"-{letter}" in valued:
                    rest = letters[at + 1:]
                    argument = rest if rest else (values[index] if index < len(values) else "")
                    if not rest:
                        index += 1
                    if letter == "t":
                        folder = argument
                    break
            continue
        operands.append(value)
    if folder is not None:
        return operands, folder, True
    if len(operands) < 2:
        # `ln -s SRC`: a link in the working folder, named as SRC
        return (operands, None, False) if name == "ln" and operands else None
    return operands[:-1], operands[-1], len(operands) > 2 and not exact


def _landings(name: str, values: list[str]) -> list[tuple[str, str]]:
    """(landing path, source) for each file the command writes; a destination that may be a
    folder gives both readings."""
    read = _read(name, values)
    if read is None:
        return []
    sources, dest, is_folder = read
    found: list[tuple[str, str]] = []
    for source in sources:
        base = posixpath.basename(source.rstrip("/"))
        if dest is None:
            found.append((base, source))
            continue
        if is_folder or dest.endswith("/"):
            found.append((posixpath.join(dest, base), source))
        else:
            found += [(dest, source), (posixpath.join(dest, base), source)]
    return found


def _folder_of(path: str) -> tuple[str, str] | None:
    """(unit folder, the rest of the path under it) for a path under one."""
    for folder in UNIT_FOLDERS:
        folder = _normal(folder)
        if path.startswith(folder + "/"):
            return folder, path[len(folder) + 1:]
    return None


def _unit_commands(path: str, source: str | None) -> list[tuple[str, ...]]:
    """The systemctl or update-rc.d commands a write (source given: a link or copy of it; ""
    for a write of unknown content) or a removal (None) of `path` amounts to."""
    path = _normal(path)
    said: list[tuple[str, ...]] = []
    source_unit = posixpath.basename(source.rstrip("/")) if source else ""
    linked = source_unit if _UNIT.fullmatch(source_unit) else ""
    if path.startswith(_SYSTEMD_TOPS) and any(
            folder == path or folder.startswith(path.rstrip("/") + "/")
            for folder in map(_normal, UNIT_FOLDERS)):
        # a whole unit folder (or systemd's folder above it) removed or replaced: every unit
        # in it (/etc and / themselves are left to the rules on them: no-root-wipe)
        return [("systemctl", "disable", "*"), ("systemctl", "mask", "*")]
    rc = _RC.fullmatch(path)
    if rc is not None:
        letter = posixpath.basename(path)[0]
        verb = "enable" if source is not None and letter == "S" else "disable"
        return [("update-rc.d", rc.group("name"), verb)]
    script = _INIT_SCRIPT.fullmatch(path)
    if script is not None:
        return [("update-rc.d", script.group("name"), "remove")]
    if re.fullmatch(r"/etc/(rc\.d/)?rc[0-6sS]\.d|/etc/(rc\.d/)?init\.d|/etc/rc\.d", path.rstrip("/")):
        return [("update-rc.d", "auditd", "remove"), ("update-rc.d", "rsyslog", "remove")]
    placed = _folder_of(path)
    if placed is None:
        return []
    _, rest = placed
    parts = rest.split("/")
    if len(parts) == 1:
        (leaf,) = parts
        if _DEPENDS.fullmatch(leaf) and source is None:  # a whole .wants folder removed
            return [("systemctl", "disable", "*")]
        if not _UNIT.fullmatch(leaf):
            return []
        if leaf == "default.target":
            return [("systemctl", "set-default", linked)] if linked else []
        if source is None:
            return [("systemctl", "revert", leaf)]
        said.append(("systemctl", "mask", leaf))  # another file in its place: masked or replaced
        if linked and linked != leaf:  # an alias: starting it starts the unit linked
            said += [("systemctl", "enable", linked), ("systemctl", "start", linked)]
        return said
    if len(parts) == 2:
        holder, leaf = parts
        depends = _DEPENDS.fullmatch(holder)
        if depends is not None and _UNIT.fullmatch(leaf):
            if source is None:
                return [("systemctl", "disable", leaf)]
            units = {leaf, linked} - {""}
            return [("systemctl", "enable", unit) for unit in sorted(units)]
        # a drop-in (`UNIT.d/x.conf`) is held by the paths rules, as written any other way
    return []


def unit_file_changes(name: str, values: list[str | None]) -> list[tuple[str, ...]]:
    """The plain systemctl / update-rc.d commands a link, copy, move or removal into the
    folders units and sysv links are read from amounts to ([] for other commands, and where
    a word is known only at run time: the paths rule holds those)."""
    if any(v is None for v in values):
        return []
    words = [v for v in values if v is not None]
    said: list[tuple[str, ...]] = []
    if name in _VALUED:
        landings = _landings(name, words)
        for path, source in landings:
            said += _unit_commands(path, source)
        if name == "mv":  # the sources leave where they were
            read = _read(name, words)
            for source in read[0] if read else []:
                said += _unit_commands(source, None)
    elif name in _REMOVERS:
        for value in words:
            if value.startswith("-") or value in ("remove", "trash", "rm"):
                continue
            said += _unit_commands(value, None)
    unique: list[tuple[str, ...]] = []
    for argv in said:
        if argv not in unique:
            unique.append(argv)
    return unique


def written_unit_commands(commands: list[SimpleCommand]) -> list[SimpleCommand]:
    """The same verbs for the line's other writes and removals into those folders: a `>` write
    (a redirection, tee, cp's or rsync's destination, sed -i...) of UNIT is `mask UNIT` (another
    file in its place), of a `.wants` entry `enable` and `start` of it; a remover's operand as
    above. Their paths are the collector's, so a relative name after `cd` is read too."""
    found: list[SimpleCommand] = []
    for command in commands:
        if command.name != ">" and command.name not in _REMOVERS:
            continue
        for path in command.paths:
            text = path.text
            if path.kind == "unknown" or not text.startswith("/") or any(c in text for c in "*?[{"):
                continue
            said = _unit_commands(text, "" if command.name == ">" else None)
            said += [("systemctl", "start", argv[2]) for argv in said if argv[:2] == ("systemctl", "enable")]
            for argv in said:
                made = SimpleCommand(argv[0], argv, command.text, "", False,
                                     (*command.wrappers, command.name or ""))
                if made not in found:
                    found.append(made)
    return found
