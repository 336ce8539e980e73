"""Writes and mounts that programs make without naming them as one (outside attack n23f,
findings 3 and 6).

`systemctl link PATH` (also `enable`, `reenable`, `add-wants`/`add-requires` of a path) puts a
symbolic link named as the unit file into /etc/systemd/system (/run/systemd/system with
`--runtime`): `systemctl link /tmp/x/auditd.service` replaces auditd's unit as `ln -s` into
that folder would. `unit_links` gives those files, judged by the collector as writes (`>`), so
the paths rules on the protected unit names apply. `add-wants TARGET UNIT` also writes
TARGET.wants/UNIT (`.requires`).

A mount or a freeze of a folder reaches every file beneath it: `systemd-dissect --mount IMG
/etc` (`-M`) mounts an image over /etc as `mount IMG /etc` does; `fsfreeze -f /var/log`
(xfs_freeze) stops every write under /var/log, the audit log's included;
`systemctl mount-image UNIT IMG DEST` and `systemctl bind UNIT SRC [DEST]` mount over DEST in
the unit's namespace; `systemd-mount WHAT WHERE` and the `mount.TYPE` helpers mount as mount
does. `mounts` gives, for each, the `mount` command it stands for, judged as mount is (the
folder and everything beneath it).
"""

from __future__ import annotations

import posixpath
import re

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

# systemctl's verbs that link a unit file given by its path into the unit search path
_LINKERS = frozenset({"link", "enable", "reenable", "add-wants", "add-requires"})
_DEPENDS = {"add-wants": "wants", "add-requires": "requires"}
# systemd-dissect's mount: -m, --mount, -M (--mount --mkdir), in a cluster, or a start of
# --mount getopt takes (`--mo`, `--mou`, `--moun`)
_DISSECT_MOUNT = re.compile(r"-[a-zA-Z]*[mM][a-zA-Z]*|--mo(u(nt?)?)?")
# fsfreeze's and xfs_freeze's unfreeze (-u, --unfreeze and its starts): the only run left out
_UNFREEZE = re.compile(r"-u|--u(n(f(r(e(e(ze?)?)?)?)?)?)?")
_FREEZERS = frozenset({"fsfreeze", "xfs_freeze"})


def _operands(words: list[_Word]) -> list[_Word]:
    """The words not spelled as options (a word known only at run time is kept: it may be an
    operand), and every word after `--`."""
    found: list[_Word] = []
    for index, word in enumerate(words[1:], 1):
        if word.value == "--":
            return found + list(words[index + 1:])
        if word.value is None or not word.value.startswith("-"):
            found.append(word)
    return found


def unit_links(name: str, words: list[_Word]) -> list[PathArg]:
    """The links `systemctl link|enable|reenable PATH` and `add-wants|add-requires TARGET
    UNIT` write ([] for other commands). The verb is the first operand that is one (or a word
    known only at run time, which may be one): a value of an option before it is passed over."""
    if name != "systemctl":
        return []
    runtime = any(w.value == "--runtime" for w in words[1:])
    folder = "/run/systemd/system" if runtime else "/etc/systemd/system"
    operands = _operands(words)
    found: list[PathArg] = []
    for at, word in enumerate(operands):
        if word.value is not None and word.value not in _LINKERS:
            continue
        units = operands[at + 1:]
        depend = _DEPENDS.get(word.value or "")
        if depend is not None and units:
            target, units = units[0], units[1:]
            for unit in units:
                base = posixpath.basename((unit.value or unit.text).rstrip("/"))
                if target.value is None or unit.value is None:
                    found.append(PathArg(f"{folder}/(a unit named at run time)", "unknown"))
                else:
                    found.append(_path_arg(unit, f"{folder}/{target.value}.{depend}/{base}", False))
        for unit in units:
            if unit.value is None:
                # a path known only at run time: any unit name
                found.append(_path_arg(unit))
            elif "/" in unit.value:
                # the link is /etc/systemd/system/NAME whatever the operand's spelling: no tilde
                # of its own (attack p25f, finding 12: `link ~/auditd.service`)
                found.append(_path_arg(unit, f"{folder}/{posixpath.basename(unit.value.rstrip('/'))}",
                                       False))
        break
    return found


def mounts(name: str, words: list[_Word]) -> list[list[_Word]]:
    """The `mount` commands a mount or a freeze by another program stands for ([] for other
    commands and runs that mount nothing)."""
    mount = _Word("mount", "mount")
    bind = _Word("--bind", "--bind")
    operands = _operands(words)
    if name == "systemctl":
        for at, word in enumerate(operands):
            if word.value in ("mount-image", "bind") or word.value is None:
                given = operands[at + 2:]  # after UNIT: SOURCE [DEST [IMAGE-PATH]]
                if not given:
                    return []
                return [[mount, bind, given[0], given[1] if len(given) > 1 else given[0]]]
        return []
    if name == "systemd-dissect":
        if operands and any(w.value is None or _DISSECT_MOUNT.fullmatch(w.value) for w in words[1:]):
            return [[mount, *operands]]
        return []
    if name in _FREEZERS:
        if operands and not any(w.value is not None and _UNFREEZE.fullmatch(w.value) for w in words[1:]):
            return [[mount, bind, *operands]]
        return []
    if name == "systemd-mount" or (name.startswith("mount.") and len(name) > len("mount.")):
        if any(w.value is not None and _SYSTEMD_UMOUNT.fullmatch(w.value) for w in words[1:]):
            return unmounts("umount", words)
        return [[mount, *operands]] if operands else []
    return unmounts(name, words)


# umount's options that take a value (util-linux and busybox), and its "every mount" ones
_UMOUNT_VALUE = frozenset({"-t", "--types", "-O", "--test-opts", "-N", "--namespace"})
_UMOUNT_ALL = re.compile(r"-[a-zA-Z]*[aA][a-zA-Z]*|--all|--all-targets|--al|--all-t\S*")
_SYSTEMD_UMOUNT = re.compile(r"-[a-zA-Z]*u[a-zA-Z]*|--umount|--um|--umo|--umou|--umoun")
_UNMOUNTERS = frozenset({"umount", "eject", "systemd-umount", "fusermount", "fusermount3"})


def unmounts(name: str, words: list[_Word]) -> list[list[_Word]]:
    """`umount DIR` (any spelling: -l, -f, -R, busybox's) takes away the file system mounted
    on DIR and what is mounted beneath it, as `mount --move DIR ELSEWHERE` does (attack u30f,
    finding 9): the `mount` of DIR it stands for, judged as mount is (the folder and its
    tree). A device, a relative name or `-a` (every mount) may be any mount point: `mount /`.
    eject, systemd-umount, `systemd-mount -u`, `zfs unmount` and fusermount -u the same."""
    mount = _Word("mount", "mount")
    if name == "zfs":
        verbs = [w.value for w in words[1:] if w.value is not None and not w.value.startswith("-")]
        if not verbs or verbs[0] not in ("unmount", "umount"):
            return []
        words = [words[0], *[w for w in words[2:]]]
        name = "umount"
    if name not in _UNMOUNTERS and name != "umount":
        return []
    targets: list[_Word] = []
    every = False
    index = 1
    while index < len(words):
        word = words[index]
        index += 1
        value = word.value
        if value is None:
            targets.append(word)
        elif value == "--":
            targets += words[index:]
            break
        elif value.startswith("-") and len(value) > 1:
            option = value.split("=", 1)[0]
            every = every or (name in ("umount", "systemd-umount")
                              and _UMOUNT_ALL.fullmatch(value) is not None)
            if option in _UMOUNT_VALUE and "=" not in value:
                index += 1
        else:
            targets.append(word)
    root = _Word("/", "/")
    found = [[mount, root]] if every else []
    for target in targets:
        value = target.value
        if value is None or not value.startswith("/") or value.startswith("/dev/"):
            # a device, a label, or a name known only at run time: wherever it is mounted
            found.append([mount, root])
        else:
            found.append([mount, target])
    return found
