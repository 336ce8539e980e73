"""A bash pattern in the /proc part of a path (outside attack c38f, findings 6, 9 and 15): bash
expands `/proc/sel?/root/etc/sudoers`, `/proc/[s]elf/cwd/...`, `/pro?/self/root/...`,
`/proc/self/roo?/...`, `/dev/f?/../root/...` to the /proc spelling it matches before the
command runs, and the kernel then follows the magic link. `proc_readings` gives each literal
/proc spelling such a pattern may become (the process folder as self, thread-self or a number,
another process's: `1`), the rest of the path as written, for `through_proc` to resolve."""

from __future__ import annotations

import re

from bastion.command_control.policy.verb_patterns import may_match

_GLOB = re.compile(r"[*?\[]")
_BRACKETS = re.compile(r"\[[^\]]*\]|[*?]")
_LINKS = ("root", "cwd", "fd", "exe", "map_files", "task")
_THREAD_LINKS = ("root", "cwd", "fd", "exe", "map_files")
_NUMBER = "1"  # a process folder by number: another process's (its cwd is not known)


def _may_be_number(part: str) -> bool:
    """Whether a pattern may match a process number: only digits outside its wildcards."""
    return _BRACKETS.sub("", part).isdigit() or not _BRACKETS.sub("", part)


def _choices(part: str, words: tuple[str, ...], number: bool = False) -> list[str]:
    """The words of `words` (and a number, when `number`) the component `part` may be."""
    if not _GLOB.search(part):
        return [part] if part in words or (number and part.isdigit()) else []
    found = [w for w in words if may_match(part, w)]
    return [*found, _NUMBER] if number and _may_be_number(part) else found


def proc_readings(path: str) -> list[str]:
    """The literal /proc spellings an absolute path with a pattern in its /proc part may
    become (`/proc/sel?/root/etc/x` → `/proc/self/root/etc/x`); [] when it has none."""
    if not path.startswith("/") or not _GLOB.search(path):
        return []
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if len(parts) < 3 or not any(_GLOB.search(p) for p in parts[:5]):
        return []
    found: list[str] = []
    if "dev" in _choices(parts[0], ("dev",)) and "fd" in _choices(parts[1], ("fd",)) \
            and parts[2] == "..":
        found.append("/proc/self/" + "/".join(parts[3:]))  # `/dev/f?/..` is /proc/self
    if "proc" not in _choices(parts[0], ("proc",)):
        return found
    for process in _choices(parts[1], ("self", "thread-self"), number=True):
        for link in _choices(parts[2], _LINKS):
            if link != "task":
                found.append("/".join(["", "proc", process, link, *parts[3:]]))
                continue
            if len(parts) < 5:
                continue
            for thread in _choices(parts[3], (), number=True):
                for inner in _choices(parts[4], _THREAD_LINKS):
                    found.append("/".join(["", "proc", process, "task", thread, inner,
                                           *parts[5:]]))
    return list(dict.fromkeys(found))


_STANDARD = {"stdin": 0, "stdout": 1, "stderr": 2}
_DESCRIPTOR_PATHS = (*(f"/dev/{name}" for name in _STANDARD),
                     *(f"{d}/fd/{n}" for d in ("/dev", "/proc/self", "/proc/thread-self")
                       for n in range(10)))


def descriptor_numbers(path: str) -> list[int]:
    """The descriptors a pattern may name (`/dev/stdi?`, `/dev/fd/[0]`, `/dev/f?/0`,
    `/proc/sel?/fd/0`: bash expands it to a name that exists, before the redirections make
    that descriptor a file: attack c38f, finding 9); [] for no pattern."""
    if not _GLOB.search(path) or not path.startswith("/"):
        return []
    parts = [p for p in path.split("/") if p not in ("", ".")]
    found: list[int] = []
    for name in _DESCRIPTOR_PATHS:
        want = [p for p in name.split("/") if p]
        if len(want) == len(parts) and all(may_match(p, w) if _GLOB.search(p) else p == w
                                           for p, w in zip(parts, want, strict=True)):
            last = want[-1]
            found.append(_STANDARD[last] if last in _STANDARD else int(last))
    return list(dict.fromkeys(found))
