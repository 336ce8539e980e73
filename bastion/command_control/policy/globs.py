"""Rules' `paths` globs: a glob made a regex (`_glob_regex`), one glob (`_PathGlob`) and a
rule's set of them (`_PathGlobs`), and whether a path may meet a glob when parts of it are known
only at run time (`_parts_meet`)."""

from __future__ import annotations

import functools
import re

from bastion.command_control.policy.words import _GLOB_CHARS


def _glob_regex(glob: str) -> str:
    """A rule glob as a regular expression: `*` and `?` stay within a component, `**` spans
    components (also none), `[...]` is a class."""
    out: list[str] = []
    index = 0
    while index < len(glob):
        char = glob[index]
        if glob.startswith("/**", index) and (index + 3 == len(glob) or glob[index + 3] == "/"):
            out.append("(?:/.*)?")
            index += 3
        elif glob.startswith("**/", index) and index == 0:
            out.append("(?:.*/)?")
            index += 3
        elif glob.startswith("**", index):
            out.append(".*")
            index += 2
        elif char == "*":
            out.append("[^/]*")
            index += 1
        elif char == "?":
            out.append("[^/]")
            index += 1
        elif char == "[":
            close = glob.find("]", index + 2)
            if close < 0:
                out.append(re.escape(char))
                index += 1
                continue
            inner = glob[index + 1: close]
            if inner.startswith("!"):
                inner = "^" + inner[1:]
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            index = close + 1
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


class _PathGlob:
    """One glob of a rule's `paths`. A glob without `/` names the last component of any path
    (`.bash_history`); any other is matched against the whole normalised path."""

    __slots__ = ("basename", "first", "glob", "parts", "regex")

    def __init__(self, glob: str) -> None:
        glob = glob if glob == "/" else glob.rstrip("/")
        self.glob = glob
        self.basename = "/" not in glob
        self.regex = re.compile(_glob_regex(glob), re.S)
        self.parts = tuple(part for part in glob.split("/") if part) if not self.basename else (
            glob,)
        # The first component when it is literal: most patterns differ from it at once.
        self.first = self.parts[0] if self.parts and not _GLOB_CHARS.search(self.parts[0]) \
            and not self.basename else None

    def could_match(self, pattern: str) -> bool:
        """Whether some path the shell glob `pattern` expands to could match this glob."""
        return self.meets(tuple(p for p in pattern.split("/") if p), pattern.startswith("/"))

    def meets(self, parts: tuple[str, ...], absolute: bool) -> bool:
        """`could_match` for a pattern given as its components."""
        if self.basename:
            last = parts[-1] if parts else ""
            # What a recursive copy writes under a directory (D/**) is checked against absolute
            # globs only: against bare names every copy of a home would meet .bash_history.
            return last != "**" and _parts_meet(last, self.glob)
        if not absolute:
            return False  # relative: judged as written, the working directory being unknown
        if self.first is not None and parts and parts[0] != self.first \
                and not _GLOB_CHARS.search(parts[0]):
            return False
        return _components_meet(parts, self.parts)


@functools.lru_cache(maxsize=4096)
def _components_meet(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether two paths given as components, globs allowed (`**`: any number of components),
    could name the same file."""
    if not mine or not theirs:
        return all(p == "**" for p in mine + theirs)
    if mine[0] == "**":
        return _components_meet(mine[1:], theirs) or _components_meet(mine, theirs[1:])
    if theirs[0] == "**":
        return _components_meet(mine, theirs[1:]) or _components_meet(mine[1:], theirs)
    return _parts_meet(mine[0], theirs[0]) and _components_meet(mine[1:], theirs[1:])


def _parts_meet(a: str, b: str) -> bool:
    """Whether two path components, either of which may be a glob, could name the same file
    (two globs are assumed to). A shell glob does not match a leading dot unless it starts
    with one."""
    a_glob, b_glob = bool(_GLOB_CHARS.search(a)), bool(_GLOB_CHARS.search(b))
    if a_glob and not b_glob and b.startswith(".") and not a.startswith("."):
        return False
    if not a_glob:
        return _glob_matches(b, a) if b_glob else a == b
    if not b_glob:
        return _glob_matches(a, b)
    # Two globs: a name both match starts with both literal prefixes and ends with both
    # literal suffixes (`*.gz` and `*.log` meet nowhere; `*.gz` and `wtmp*` in wtmp.1.gz).
    a_head, b_head = _GLOB_HEAD.match(a).group(), _GLOB_HEAD.match(b).group()  # type: ignore[union-attr]
    a_tail, b_tail = _GLOB_TAIL.search(a).group(), _GLOB_TAIL.search(b).group()  # type: ignore[union-attr]
    return (a_head.startswith(b_head) or b_head.startswith(a_head)) and (
        a_tail.endswith(b_tail) or b_tail.endswith(a_tail))


_GLOB_HEAD = re.compile(r"[^*?\[]*")
_GLOB_TAIL = re.compile(r"[^*?\]]*$")


def _glob_matches(glob: str, name: str) -> bool:
    """Whether the component glob matches the literal name; its literal head and tail are
    checked first, which spares compiling most globs."""
    head, tail = _GLOB_HEAD.match(glob).group(), _GLOB_TAIL.search(glob).group()  # type: ignore[union-attr]
    if not name.startswith(head) or not name.endswith(tail):
        return False
    return _glob_pattern(glob).fullmatch(name) is not None


@functools.lru_cache(maxsize=1024)
def _glob_pattern(glob: str) -> re.Pattern[str]:
    return re.compile(_glob_regex(glob), re.S)


class _PathGlobs:
    """A rule's `paths`, with one regular expression per kind of glob so that a path is
    matched against all of them at once."""

    __slots__ = ("absolute", "anywhere", "base", "globs")

    def __init__(self, globs: tuple[str, ...]) -> None:
        self.globs = tuple(_PathGlob(glob) for glob in globs)
        self.base = _alternation([g for g in self.globs if g.basename])
        self.absolute = _alternation([g for g in self.globs if not g.basename])
        self.anywhere = _alternation([g for g in self.globs if g.glob.startswith("**/")])

    def matches(self, path: str) -> bool:
        if self.base is not None and self.base.fullmatch(path.rsplit("/", 1)[-1]):
            return True
        # A relative path is judged as written, the working directory being unknown: only
        # names (and **/ globs) match it.
        whole = self.absolute if path.startswith("/") else self.anywhere
        return whole is not None and whole.fullmatch(path) is not None

    def state(self, paths: list[tuple[str, str]], every: bool) -> str:
        """"yes", "maybe" or "no": whether the command's paths match. With `every` (an allow
        rule) each path must match for certain; otherwise one that matches is enough, and one
        that could match (a glob, a path known only at run time) makes it "maybe"."""
        if every:
            certain = all(kind == "exact" and self.matches(text) for kind, text in paths)
            return "yes" if paths and certain else "no"
        state = "no"
        for kind, text in paths:
            if kind == "fresh":
                continue  # a path mktemp made on the line: new, and no file a rule names
            if kind == "unknown":
                state = "maybe"
            elif kind == "exact":
                if self.matches(text):
                    return "yes"
            elif kind == "tree":
                # A folder and all it holds (`mv /etc /tmp/v`, `ln -s /etc /tmp/e`): a rule's
                # file under it is touched for certain (attack M, finding 7). Names alone are
                # not followed into it, as for a copy's D/** (`meets`).
                # (A literal name holding `*` or `?` is left to `matches`: `meets` reads globs.)
                parts = tuple(p for p in text.split("/") if p)
                if self.matches(text) or (text.startswith("/") and not _GLOB_CHARS.search(text)
                                          and any(not g.basename and g.meets((*parts, "**"), True)
                                                  for g in self.globs)):
                    return "yes"
            elif state != "maybe":
                last = text.rsplit("/", 1)[-1]
                if self.base is not None and not _GLOB_CHARS.search(last) and \
                        self.base.fullmatch(last):
                    return "yes"
                parts = tuple(p for p in text.split("/") if p)
                if any(g.meets(parts, text.startswith("/")) for g in self.globs):
                    state = "maybe"
        return state


def _alternation(globs: list[_PathGlob]) -> re.Pattern[str] | None:
    if not globs:
        return None
    return re.compile("|".join(f"(?:{g.regex.pattern})" for g in globs), re.S)
