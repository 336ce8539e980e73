"""The folders git runs configured code in (outside attack c38f, finding 18): git chdirs at each
`-C DIR` (relative to the one before) while it reads its options, and runs a `!` alias, a pager
or another configured command in the top folder of the repository it then finds (`--work-tree`,
GIT_WORK_TREE: that folder), which is that folder or one above it; outside any repository, in
that folder itself. So `git -C /usr/sbin -c alias.x='!python3 ufw disable' x` runs
/usr/sbin/ufw: the code's relative paths are read in the folder git went to and each one above
it, and in a folder known only at run time."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence

from bastion.command_control.policy.paths import PathArg

_UNKNOWN = PathArg("(a directory known only at run time)", "unknown")


def git_code_places(words: Sequence[str | None], values: Mapping[str, str | None],
                    dirs: Sequence[PathArg]) -> list[PathArg]:
    """The folders `git WORDS`' configured code may run in, the last a folder known only at run
    time; `dirs`: the line's own folders (a `cd`), where a relative one starts."""
    folder: str | None = ""
    tree: str | None = values.get("GIT_WORK_TREE", "") if "GIT_WORK_TREE" in values else ""
    index = 1
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else None
        if word == "-C":
            folder = _join(folder, following)
            index += 2
        elif word in ("-c", "--git-dir", "--namespace", "--config-env", "--exec-path"):
            index += 2
        elif word == "--work-tree" or (word or "").startswith("--work-tree="):
            value = word.partition("=")[2] if "=" in (word or "") else following
            tree = _join(folder, value) if value is not None else None
            index += 1 if "=" in (word or "") else 2
        elif word is not None and word.startswith("-"):
            index += 1
        else:
            break
    base = tree if tree != "" else folder or "."
    if base is None:
        return [_UNKNOWN]
    if base.startswith("/"):
        return [*_climb(base), _UNKNOWN]
    starts = [d.text for d in dirs if d.kind == "exact" and d.text.startswith("/")]
    if not starts:  # no `cd`: a relative folder as written (as the line's own relative paths)
        return [PathArg(base, "exact"), _UNKNOWN]
    return [*(p for start in starts for p in _climb(f"{start.rstrip('/')}/{base}")), _UNKNOWN]


def _join(folder: str | None, path: str | None) -> str | None:
    if path is None or folder is None:
        return None
    if path.startswith("/") or not folder:
        return path
    return f"{folder.rstrip('/')}/{path}"


def _climb(base: str) -> list[PathArg]:
    """The absolute `base` and each folder above it."""
    kind = "pattern" if any(c in base for c in "*?[") else "exact"
    found, here = [], posixpath.normpath(base)
    while True:
        found.append(PathArg(here, kind))
        if here in ("/", "//"):
            return found
        here = posixpath.dirname(here)
