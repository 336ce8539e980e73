"""Paths: what a command touches, as the lexically normalised absolute paths rules' `paths`
name (`PathArg`, `normalise_path`), through /proc's magic links (`through_proc`), with the
directories a line's `cd`s may have chosen bounded (`_MAX_DIRS`, `_bounded`), and the
descriptors a file name such as /dev/fd/3 opens (`_descriptor_file`)."""

from __future__ import annotations

import fnmatch
import re
from typing import NamedTuple

from tree_sitter import Node

from bastion.command_control.policy.proc_spellings import proc_readings
from bastion.command_control.policy.stock_links import home_readings, link_readings
from bastion.command_control.policy.words import _GLOB_CHARS, _STDIO, _expand_braces, _Word
from bastion.text import digits

# Directories a line's `cd`s may have chosen that relative paths are judged in; past this many
# the rest are one directory known only at run time. Each `cd a` adds one (`a` from wherever
# the line was), and every later path is judged in each: without a bound, judging `cd a;` n
# times cost n squared (attack E, finding 10).
_MAX_DIRS = 16
# Walks of the code a line stores for later (`_Collector._later`): passes before the directories
# it reaches are taken to be unknown, and values of HOME or CDPATH followed one by one.
_LATER_PASSES = 3
_LATER_VALUES = 4


_DESCRIPTOR_FILE = re.compile(r"/dev/(?:std(in|out|err)|fd/(.*))|/proc/[^/]+/(?:task/[^/]+/)?fd/(.*)")
_DESCRIPTOR_NAME = re.compile(r"[0-9]+|std(?:in|out|err)")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._+,@%=:-]+")
_STANDARD = {"in": 0, "out": 1, "err": 2}
# The names a pattern is tried against: the standard ones and low descriptors' (`_descriptor_file`).
_DESCRIPTOR_NAMES = ("/dev/stdin", "/dev/stdout", "/dev/stderr",
                     *(f"{d}/fd/{n}" for d in ("/dev", "/proc/self", "/proc/thread-self")
                       for n in range(10)))


def _descriptor_file(value: str) -> int | str | None:
    """The descriptor a file name opens (`/dev/fd/3` is 3, `/dev//stdin` 0, also through
    /proc/self/root), "unknown" for one that cannot be told (`/dev/fd/$n`, `/dev/fd/?`), None
    for a name that opens no descriptor.

    found after outside attack W (findings 3, 4): a path that climbs out of the working
    directory (`../dev/stdin`, `/proc/self/cwd/../../dev/fd/0`) reaches / from a directory no
    deeper than its `..`s, and the session starts in the login's home, which is not known
    here: it is taken to open the descriptor it names from /; so is a path through another
    process's working directory (`/proc/1/cwd/dev/stdin`: PID 1's is /), which /dev/stdin then
    resolves in the process that opens it, and a path from a home directory (`~root/../dev/stdin`)."""
    if value.startswith("~"):
        # A home directory, not known here (`~root/../dev/stdin` is /dev/stdin): as above.
        value = "../" + value.partition("/")[2]
    magic, path = through_proc(value, descriptors=True)
    if magic == "unknown" and "/cwd/" in value:
        path = "../" + normalise_path(value.rpartition("/cwd/")[2])
    if path == ".." or path.startswith("../"):
        path = "/" + "/".join(part for part in path.split("/") if part != "..")
    match = _DESCRIPTOR_FILE.fullmatch(path)
    if match is None:
        # A pattern the shell expands to a descriptor's name (`</dev/std?n`, `/*/stdin`,
        # `/pro?/self/fd/0`: attack q26o, findings 8 and 9) may open one: which, not known.
        if any(char in path for char in "*?[") and any(
                fnmatch.fnmatchcase(name, path) for name in _DESCRIPTOR_NAMES):
            return "unknown"
        return None
    standard, number = match.group(1), match.group(2) or match.group(3)
    if standard is not None:
        return _STANDARD[standard]
    return int(number) if digits(number) else "unknown"


class PathArg(NamedTuple):
    """A file a command names, as the parser read it (resolved against the login when judged).

    `kind` is "exact" (a literal path), "pattern" (an unquoted glob or brace the shell expands
    first), "tree" (a literal folder and everything under it, all touched: the source of a
    move or a link, what `rm -r` removes) or "unknown" (known only at run time: `"$f"`,
    `$(cmd)`). `tilde` is true when the
    text starts with an unquoted `~` that the shell replaces with a home directory.
    """

    text: str
    kind: str = "exact"
    tilde: bool = False


# found after outside attack u30f (findings 18 to 20): what a program writes in its working
# folder under names the line does not give (an archive's members, a server's names, a
# mirror's tree). With a `cd` on the line it is judged in each folder the `cd` names but a
# home (collect_files._in_dirs); with none, as a relative path is, as written. Spelled
# `.//**` so that no shell word (`rm ./**`) is taken for it.
HERE = PathArg(".//**", "pattern")


def _path_arg(word: _Word, text: str | None = None, tilde: bool | None = None) -> PathArg:
    value = word.value if text is None else text
    if value is None:
        return PathArg(word.text, "fresh" if word.fresh else "unknown")
    if tilde is None:
        tilde = word.text.startswith("~")
    return PathArg(value, "pattern" if word.glob or word.brace else "exact", tilde)


# bash's directory-stack tildes: `~N`, `~+N`, `~-N` (`~0`, `~+0`: $PWD).
_STACK_TILDE = re.compile(r"[+-]?[0-9]+")
_ASSIGNMENT_LIKE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)


def _operand_paths(words: list[_Word]) -> tuple[PathArg, ...]:
    """Every word of a command that may name a file: operands, `--opt=VALUE` and `-oVALUE`
    values that look like paths, and the VALUE of `NAME=VALUE` operands (dd's `of=`)."""
    found: list[PathArg] = []
    options = True
    for word in words[1:]:
        value = word.value
        if value is None:
            found.append(PathArg(word.text, "fresh" if word.fresh else "unknown"))
            continue
        if options and value == "--":
            options = False
            continue
        if options and value.startswith("-") and len(value) > 1:
            attached = value.partition("=")[2] if value.startswith("--") else value[2:]
            if attached[:1] in ("/", "~"):
                found.append(_path_arg(word, attached, False))
            continue
        if "=" in value:
            assignment = _ASSIGNMENT_LIKE.fullmatch(value)
            if assignment is not None:
                found.append(_path_arg(word, assignment.group(2),
                                       f"{assignment.group(1)}=~" in word.text))
                continue
        found.append(PathArg(value, "pattern" if word.glob or word.brace else "exact",
                             value[:1] == "~" and word.text[:1] == "~"))
    return tuple(found)


def _backgrounded(node: Node) -> bool:
    """Whether a statement is run as a `&` job (in a child of the shell)."""
    following = node.next_sibling
    return following is not None and following.type == "&"


def _bounded(dirs: list[PathArg]) -> list[PathArg]:
    """`dirs` without repeats, at most _MAX_DIRS of them: the rest one directory known only
    at run time (relative paths in it are unknown, so rules that could match them hold)."""
    unique = list(dict.fromkeys(dirs))
    if len(unique) <= _MAX_DIRS:
        return unique
    return [*unique[: _MAX_DIRS - 1], PathArg("(a directory known only at run time)", "unknown")]


def _place(folder: _Word | PathArg | None) -> PathArg:
    """A directory a wrapper names, as a path (None: known only at run time)."""
    if folder is None:
        return PathArg("(a directory known only at run time)", "unknown")
    return folder if isinstance(folder, PathArg) else _path_arg(folder)


def _rooted(root: PathArg, path: PathArg) -> PathArg:
    """The absolute `path` inside the root directory `root` (`chroot /mnt`: /mnt/etc/x)."""
    if root.kind == "unknown":
        return PathArg(f"{root.text}{path.text}", "unknown")
    kind = "pattern" if "pattern" in (root.kind, path.kind) else path.kind
    return PathArg(f"{root.text.rstrip('/')}{path.text}", kind, root.tilde)


def _home(user: str, login: str | None) -> str:
    """The home directory `~user` names: root's is /root, another user's is taken to be
    /home/USER; `~` with no login given is some /home/* (a glob)."""
    user = user or (login or "*")
    return "/root" if user == "root" else f"/home/{user}"


def normalise_path(path: str) -> str:
    """`path` with `//`, `.` and `..` resolved lexically (`/etc/../etc//sudoers` is
    `/etc/sudoers`, `/tmp/../` is `/`); a relative path stays relative. Symbolic links are not
    followed: the bastion cannot see the target's file system."""
    if not path:
        return "."
    absolute = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not absolute:
                parts.append(part)
            continue
        parts.append(part)
    joined = "/".join(parts)
    return "/" + joined if absolute else (joined or ".")


_PROCESS = re.compile(r"self|thread-self|[0-9]+")


def through_proc(path: str, descriptors: bool = False) -> tuple[str, str]:
    """(kind, path): `path` resolved lexically (as `normalise_path`) through the magic links
    of /proc, which a lexical `..` would otherwise step over (`/proc/self/cwd/..` is the parent
    of the working directory, not /proc/self). For /proc/PID and /proc/PID/task/TID (PID a
    number, self or thread-self):

    - `root` is the root directory: /proc/1/root/etc/shadow is /etc/shadow (the process's root,
      taken to be the shell's: a chrooted process's root is not known);
    - `cwd` of the process itself (self, thread-self) is the working directory: what follows is
      a relative path (`/proc/self/cwd/x` is `x`, `/proc/self/cwd/../etc` is `../etc`); another
      process's working directory is not known: "unknown";
    - `fd/N`, `exe` and `map_files/...` are open files, which the policy cannot see: "unknown"
      when the path goes on through them, and for fd/N itself but of the process itself;
      /dev/fd/N and /dev/stdin (stdout, stderr) are /proc/self/fd/N: a path through them is
      "unknown" too. With `descriptors` they are kept as they are (for `_descriptor_file`).

    Any other path: ("exact", normalise_path(path))."""
    if "/proc" not in path and "/dev" not in path:
        return "exact", normalise_path(path)
    relative = not path.startswith("/")
    parts: list[str] = []
    components = [c for c in path.split("/") if c not in ("", ".")]
    for index, part in enumerate(components):
        last = index == len(components) - 1
        if part == ".." and parts == ["dev", "fd"] and not relative:
            parts = ["proc", "self"]  # /dev/fd is /proc/self/fd, a folder (attack c38f, 6)
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif relative:
                parts.append(part)
            continue
        parts.append(part)
        if relative:
            continue
        process = len(parts) >= 3 and parts[0] == "proc" and _PROCESS.fullmatch(parts[1]) and (
            len(parts) == 3 or (len(parts) == 5 and parts[2] == "task" and digits(parts[3])))
        if process:
            own = parts[1] in ("self", "thread-self")
            if part == "root":
                parts = []
            elif part == "cwd":
                if not own:
                    return "unknown", path
                parts, relative = [], True
            elif part in ("exe", "map_files") or (
                    part == "fd" and not last and not descriptors and components[index + 1] != ".."
                    and not (own and index == len(components) - 2)):
                return "unknown", path
        elif not descriptors and not last and (
                (len(parts) == 4 and parts[0] == "proc" and parts[2] == "fd")
                or (len(parts) == 6 and parts[0] == "proc" and parts[4] == "fd")
                or (len(parts) == 3 and parts[:2] == ["dev", "fd"])
                or (len(parts) == 2 and parts[0] == "dev" and parts[1] in _STDIO)):
            return "unknown", path  # a path through an open file
    joined = "/".join(parts)
    return "exact", (joined or ".") if relative else "/" + joined


def _resolve_path(arg: PathArg, login: str | None) -> list[tuple[str, str]]:
    """(kind, normalised text) for each path `arg` may become once `~` and braces expand."""
    if arg.kind in ("unknown", "fresh"):
        return [(arg.kind, arg.text)]
    texts = [(arg.text, arg.kind)]
    if arg.tilde:
        user, slash, rest = arg.text[1:].partition("/")
        if user in ("+", "-") or _GLOB_CHARS.search(user) or _STACK_TILDE.fullmatch(user):
            # ~+ and ~- are $PWD and $OLDPWD, ~N, ~+N, ~-N the directory stack (~0 is $PWD)
            return [("unknown", arg.text)]
        # a system account's home is its own (`~sys` is /dev: stock_links.py)
        homes = home_readings(user, login) if user else (_home(user, login),)
        texts = [(home + slash + rest, "pattern" if _GLOB_CHARS.search(home) else arg.kind)
                 for home in homes]
    found: list[tuple[str, str]] = []
    for text, kind in texts:
        readings = link_readings(text)  # a stock link before a `..` (stock_links.py)
        if readings is None:
            return [("unknown", arg.text)]
        for reading in readings:
            found += _resolve_one(arg, reading, kind)
    return list(dict.fromkeys(found))


def _resolve_one(arg: PathArg, text: str, kind: str) -> list[tuple[str, str]]:
    """(kind, normalised text) for `text`: `arg` with `~` expanded and stock links followed."""
    if kind == "pattern" and "{" in text:
        expanded = _expand_braces(text)
        if expanded is None:
            return [("unknown", arg.text)]
        found = [_through(t, "pattern" if _GLOB_CHARS.search(t) else "exact") for t in expanded]
        return _above([("unknown", arg.text) if f is None else f for f in found])
    if kind == "pattern" and (readings := proc_readings(text)):
        # a pattern in the /proc part (`/proc/sel?/root/etc/x`: attack c38f, finding 15)
        found = [_through(t, "pattern" if _GLOB_CHARS.search(t) else "exact") for t in readings]
        return _above([("unknown", arg.text) if f is None else f for f in found]
                      + [("pattern", normalise_path(text))])
    resolved = _through(text, kind)
    if resolved is None:
        return [("unknown", arg.text)]
    if resolved[0] == "pattern" and not _GLOB_CHARS.search(resolved[1]):
        return [("exact", resolved[1])]  # the glob went with a `..`: /home/*/../../etc is /etc
    return _above([resolved])


def _above(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`found`, and for each relative path that climbs (`../../etc/sudoers`) the path it is
    from a working directory no deeper than its `..`s: `/etc/sudoers`, a path that may be
    touched (as a glob: rules that meet it hold). Enough `..`s reach it from any home
    directory, whatever the working directory is (attack M, the copies engineer's note); a
    relative path that does not climb stays judged as written."""
    more: list[tuple[str, str]] = []
    for kind, text in found:
        if kind in ("unknown", "fresh") or not (text == ".." or text.startswith("../")):
            continue
        top = "/" + "/".join(part for part in text.split("/") if part != "..")
        more.append(("pattern", top.rstrip("/") + "/**" if kind == "tree" else top))
    return found + more


def _through(text: str, kind: str) -> tuple[str, str] | None:
    """(kind, normalised text), through /proc's magic links (`through_proc`); None when the
    path goes through an open file or another process's directory, or out of the working
    directory through /proc/self/cwd (that directory is not known here: `_in_dirs` adds the
    directories a `cd` on the line chose)."""
    magic, resolved = through_proc(text)
    if magic == "unknown" or (text.startswith("/") and (resolved == ".." or
                                                         resolved.startswith("../"))):
        return None
    return kind, resolved


# found after outside attack U: a link's target is read when the link is used, by the process
# using it: through a process's own view (its working directory, root or open files) it names
# whatever that process sees then, not what the line's shell sees now.
_VIEW_OF_ITS_USER = re.compile(r"/proc/[^/]+/(?:task/[^/]+/)?(?:cwd|root|fd|map_files)(?:/.*)?"
                               r"|/dev/(?:fd|stdin|stdout|stderr)(?:/.*)?")


def names_at_use(target: str) -> bool:
    """Whether a symbolic link to `target` (absolute) names a file known only when it is used:
    a path through /proc/PID/{cwd,root,fd}, /dev/fd or /dev/std*."""
    return _VIEW_OF_ITS_USER.fullmatch(normalise_path(target)) is not None
