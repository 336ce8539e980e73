"""Rules' `paths` globs: a glob made a regex (`_glob_regex`), one glob (`_PathGlob`) and a
rule's set of them (`_PathGlobs`), and whether a path may meet a glob when parts of it are known
only at run time (`_parts_meet`)."""

from __future__ import annotations

import contextvars
import functools
import re

from bastion.command_control.policy.words import _GLOB_CHARS


@functools.lru_cache(maxsize=8192)
def _compiled(pattern: str) -> re.Pattern[str]:
    """`re.compile(pattern, re.S)`, kept: the shipped policy's globs are some 3,000 regexes,
    past `re`'s own cache, and a process that loads the same policy again (a reload, a CLI
    command after `init`) would compile them all anew. A compiled pattern is immutable."""
    return re.compile(pattern, re.S)


@functools.lru_cache(maxsize=8192)  # the same policy loaded again: see `_compiled`
def _glob_regex(glob: str) -> str:
    """A rule glob as a regular expression: `*` and `?` stay within a component, `**` spans
    components (also none), `[...]` is a class read as bash reads it (`bracket`)."""
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
        elif char == "[" and (found := bracket(glob, index)) is not None:
            out.append(found[0])
            index = found[1]
        elif char == "\\" and index + 1 < len(glob):
            # itself (quoted), or the escape of the next character (an unquoted expansion's)
            out.append(f"\\\\?{re.escape(glob[index + 1])}")
            index += 2
        else:
            out.append(re.escape(char))
            index += 1
    return "".join(out)


# A character class, a collating symbol, an equivalence class inside a bracket expression.
_ELEMENT = re.compile(r"\[([:.=])(.*?)\1\]", re.S)
_ANY = "[^/]"


def bracket(pattern: str, index: int) -> tuple[str, int] | None:
    """The bracket expression at `pattern[index]` (a `[`) as bash and glibc's fnmatch read it:
    a regular expression for one character and the index past its `]`, or None when no `]`
    ends it (the `[` is then an ordinary character). `!` or `^` first negates, a `]` first
    (after either) is a member, `a-z` a range, a backslash escapes the next character, `[.x.]` the collating
    symbol x; a character class (`[:alpha:]`), an equivalence class (`[=s=]`), a collating
    symbol of more than one character, a range with an end of that kind or between
    characters of different kinds: any one character (stricter: attack p25f, finding 2). A
    backslash may also be itself (whether it was quoted is not kept)."""
    at = index + 1
    negated = at < len(pattern) and pattern[at] in "!^"
    at += negated
    members: list[str] = []
    vague = False
    first = True
    while at < len(pattern):
        char = pattern[at]
        if char == "]" and not first:
            break
        first = False
        element = _ELEMENT.match(pattern, at) if char == "[" else None
        if element is not None:
            at = element.end()
            if element.group(1) == "." and len(element.group(2)) == 1 and not (
                    pattern.startswith("-", at) and not pattern.startswith("-]", at)):
                members.append(element.group(2))
            else:
                vague = True
                members.append("")
            continue
        if char == "\\" and at + 1 < len(pattern):
            if not negated:  # itself, or the escape of the next
                members.append(re.escape("\\"))
            at += 1
            char = pattern[at]
        if pattern.startswith("-", at + 1) and at + 2 < len(pattern) and pattern[at + 2] != "]":
            end = pattern[at + 2]
            if end == "[" and _ELEMENT.match(pattern, at + 2) is not None:
                vague, at = True, _ELEMENT.match(pattern, at + 2).end()  # type: ignore[union-attr]
                continue
            if end == "\\" and at + 3 < len(pattern):
                end, at = pattern[at + 3], at + 1
            if _same_kind(char, end):
                members.append(f"{re.escape(char)}-{re.escape(end)}" if char <= end else "")
            else:
                vague = True
            at += 3
            continue
        members.append(re.escape(char))
        at += 1
    else:
        return None
    if vague or (negated and "[" in pattern[index + 2:at]):
        # (bash reads a `[` that starts no class in a negated expression otherwise: `[![:]`)
        return _ANY, at + 1
    inner = "".join(members)
    if not inner:
        return (_ANY if negated else "(?!)"), at + 1
    return (f"[^/{inner}]" if negated else f"(?:(?!/)[{inner}])"), at + 1


def _same_kind(a: str, b: str) -> bool:
    """Whether a range from `a` to `b` means the same in every locale (with globasciiranges
    off, bash orders letters by the locale's collation)."""
    return any(a.isascii() and b.isascii() and test(a) and test(b)
               for test in (str.isdigit, str.islower, str.isupper))


class _PathGlob:
    """One glob of a rule's `paths`. A glob without `/` names the last component of any path
    (`.bash_history`); any other is matched against the whole normalised path."""

    __slots__ = ("basename", "first", "glob", "parts", "regex")

    def __init__(self, glob: str) -> None:
        glob = glob if glob == "/" else glob.rstrip("/")
        self.glob = glob
        self.basename = "/" not in glob
        self.regex = _compiled(_glob_regex(glob))
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


# Whether the line may have turned bash's dotglob on (`shopt -s dotglob`, `bash -O dotglob`,
# any GLOBIGNORE assignment): set by the verdict for the line (match.py).
DOTGLOB: contextvars.ContextVar[bool] = contextvars.ContextVar("dotglob", default=False)


def _components_meet(mine: tuple[str, ...], theirs: tuple[str, ...]) -> bool:
    """Whether two paths given as components, globs allowed (`**`: any number of components),
    could name the same file. `mine` is the shell's pattern, `theirs` the rule's glob."""
    return _components_meet_cached(mine, theirs, DOTGLOB.get())


@functools.lru_cache(maxsize=4096)
def _components_meet_cached(mine: tuple[str, ...], theirs: tuple[str, ...], dots: bool) -> bool:
    if not mine or not theirs:
        return all(p == "**" for p in mine + theirs)
    if mine[0] == "**":
        return _components_meet_cached(mine[1:], theirs, dots) or \
            _components_meet_cached(mine, theirs[1:], dots)
    if theirs[0] == "**":
        return _components_meet_cached(mine, theirs[1:], dots) or \
            _components_meet_cached(mine[1:], theirs, dots)
    return _parts_meet(mine[0], theirs[0], dots) and _components_meet_cached(mine[1:], theirs[1:], dots)


def _parts_meet(a: str, b: str, dots: bool | None = None) -> bool:
    """Whether two path components, either of which may be a glob, could name the same file
    (two globs are assumed to). `a` is the shell's pattern: a shell glob does not match a
    leading dot unless it starts with one, or dotglob may be on (`dots`, by default
    `DOTGLOB`: attack p25f, finding 3). It is matched without case: `shopt -s nocaseglob`, on
    this line or an earlier one, makes `/etc/SUDOER[S]` /etc/sudoers (attack p25f, finding 1);
    a component without a pattern character stays literal (bash reads it so)."""
    dots = DOTGLOB.get() if dots is None else dots
    a_glob, b_glob = bool(_GLOB_CHARS.search(a)), bool(_GLOB_CHARS.search(b))
    if a_glob and not b_glob and b.startswith(".") and not a.startswith(".") and not dots:
        return False
    if not a_glob:
        return _glob_matches(b, a) if b_glob else a == b
    if not b_glob:
        return _glob_matches(a, b, fold=True)
    # Two globs: a name both match starts with both literal prefixes and ends with both
    # literal suffixes (`*.gz` and `*.log` meet nowhere; `*.gz` and `wtmp*` in wtmp.1.gz).
    a, b = a.lower(), b.lower()
    a_head, b_head = _GLOB_HEAD.match(a).group(), _GLOB_HEAD.match(b).group()  # type: ignore[union-attr]
    a_tail, b_tail = _GLOB_TAIL.search(a).group(), _GLOB_TAIL.search(b).group()  # type: ignore[union-attr]
    return (a_head.startswith(b_head) or b_head.startswith(a_head)) and (
        a_tail.endswith(b_tail) or b_tail.endswith(a_tail))


_GLOB_HEAD = re.compile(r"[^*?\[\\]*")
_GLOB_TAIL = re.compile(r"[^*?\]\\]*$")


def _glob_matches(glob: str, name: str, fold: bool = False) -> bool:
    """Whether the component glob matches the literal name (`fold`: without case); its
    literal head and tail are checked first, which spares compiling most globs."""
    head, tail = _GLOB_HEAD.match(glob).group(), _GLOB_TAIL.search(glob).group()  # type: ignore[union-attr]
    folded = name.lower() if fold else name
    if not folded.startswith(head.lower() if fold else head) or \
            not folded.endswith(tail.lower() if fold else tail):
        return False
    return _glob_pattern(glob, fold).fullmatch(name) is not None


@functools.lru_cache(maxsize=1024)
def _glob_pattern(glob: str, fold: bool = False) -> re.Pattern[str]:
    return re.compile(_glob_regex(glob), re.S | (re.I if fold else 0))


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
    return _compiled("|".join(f"(?:{g.regex.pattern})" for g in globs))
