"""curl's own URL globbing (found after outside attack s28f, finding 10): without `-g`/
`--globoff`, curl expands `{a,b}` sets and `[a-z]`/`[1-10:2]` ranges in each URL itself, and
`-o` names may say `#N` for the Nth glob's text (`curl 'https://x/{sudoers}' -o '/etc/#1'`,
`curl -T F 'file:///etc/{sudoers}'`, `-O` after a glob). `expand_url` gives the URLs and the
globs' texts as curl does (glob.c: a backslash before `{}[],` keeps it literal); a glob too
large or not read here gives None, which the callers read as a name known only at run time."""

from __future__ import annotations

import itertools
import re
import string

_LIMIT = 256  # expansions read before the URL is taken as known only at run time
_RANGE = re.compile(r"(?:([a-zA-Z])-([a-zA-Z])|(\d+)-(\d+))(?::(\d+))?")


# curl's options that take no value (their short letters, and long names read by any start
# curl accepts): a `-g` after one of these is curl's own `-g`; after any other option it may
# be that option's value (`-H -g`, `-e -g`, `-o -g`: attack u30f, finding 2).
_FLAG_LETTERS = frozenset("0123456#:afgiIjJkLlMnNOpqRsSvVZ")
_FLAG_LONGS = ("--globoff", "--no-globoff", "--silent", "--show-error", "--verbose",
               "--insecure", "--location", "--fail", "--include", "--head", "--remote-name",
               "--remote-name-all", "--remote-header-name", "--remote-time", "--compressed",
               "--create-dirs", "--next", "--disable", "--no-buffer", "--ipv4", "--ipv6")


def _long(value: str, name: str) -> bool:
    """`value` is curl's long option `name` by a start of it (`--glo`), or `--name` whole."""
    option = value.partition("=")[0]
    return len(option) > 4 and name.startswith(option)


def _flag(value: str) -> bool:
    """Whether the word `value` is an option curl reads as taking no value (so a `-g` after it
    is an option, not its value)."""
    if value.startswith("--"):
        return any(_long(value, name) for name in _FLAG_LONGS)
    return value.startswith("-") and len(value) > 1 and set(value[1:]) <= _FLAG_LETTERS


def glob_reading(values: list[str]) -> str:
    """How curl globs the URLs of a command line (`values`, its words after the name): "on",
    "off" (each operation sets `-g`/`--globoff` last, certainly as an option), or "both"
    where it is not certain (read both ways). found after outside attack u30f (finding 2): the
    words are read in order per operation (`--next`/`-:` starts one afresh, its options
    reset), the last of `-g`/`--globoff`/`--no-globoff` wins, a `-g` that may be another
    option's value (`-H -g`) or a `g` in a cluster (`-sg`, `-Hg`) is not certain, and a
    config file (`-K`, `--config`: any setting, `next` too) makes it uncertain."""
    operations: list[str] = []  # per operation: "on", "off" or "both"
    state, before = "on", ""
    for value in [*values, "--next"]:
        if value in ("-:",) or _long(value, "--next"):
            operations.append(state)
            state, before = "on", ""
            continue
        certain = before == "" or not before.startswith("-") or _flag(before)
        if value == "-g" or (value.startswith("--") and _long(value, "--globoff")):
            state = "off" if certain or state == "off" else "both"
        elif value.startswith("--") and _long(value, "--no-globoff"):
            state = "on" if certain or state == "on" else "both"
        elif value.startswith("--") and (_long(value, "--config") or value.startswith("--no-g")):
            state = "both"
        elif value.startswith("-") and not value.startswith("--") and len(value) > 2 and (
                "g" in value[1:] or "K" in value[1:]):
            state = "both"  # a cluster: `-sg` turns it off, `-Hg` is a header
        elif value == "-K":
            state = "both"
        before = value
    if all(o == "off" for o in operations):
        return "off"
    return "on" if all(o == "on" for o in operations) else "both"


def globbing(values: list[str]) -> bool:
    """Whether curl may glob its URLs: all but a line whose every operation is certainly
    `-g`/`--globoff` (`glob_reading`)."""
    return glob_reading(values) != "off"


def _range(body: str) -> list[str] | None:
    match = _RANGE.fullmatch(body)
    if match is None:
        return None
    step = int(match.group(5) or "1")
    if step < 1:
        return None
    if match.group(1):
        first, last = match.group(1), match.group(2)
        if (first in string.ascii_lowercase) != (last in string.ascii_lowercase) or first > last:
            return None
        return [chr(c) for c in range(ord(first), ord(last) + 1, step)]
    first_text, last_text = match.group(3), match.group(4)
    first, last = int(first_text), int(last_text)
    if first > last or (last - first) // step > _LIMIT:
        return None
    width = len(first_text) if first_text.startswith("0") else 0  # `[001-100]` keeps the zeros
    return [str(n).zfill(width) for n in range(first, last + 1, step)]


def _pieces(url: str) -> list[list[str]] | None:
    """The URL as a list of alternatives per piece: a literal piece has one; None where curl
    would refuse the glob or it is not read here."""
    pieces: list[list[str]] = []
    literal: list[str] = []
    index = 0
    while index < len(url):
        char = url[index]
        if char == "\\" and url[index + 1:index + 2] in ("{", "}", "[", "]", ","):
            literal.append(url[index + 1])
            index += 2
            continue
        if char not in "{[":
            literal.append(char)
            index += 1
            continue
        close = "}" if char == "{" else "]"
        end = url.find(close, index + 1)
        if end < 0:
            return None
        body = url[index + 1:end]
        if "\\" in body or "{" in body or "[" in body:
            return None
        pieces.append(["".join(literal)])
        literal = []
        alternatives = body.split(",") if char == "{" else _range(body)
        if alternatives is None:
            return None
        pieces.append(alternatives)
        index = end + 1
    pieces.append(["".join(literal)])
    return pieces


def expand_url(url: str) -> list[tuple[str, tuple[str, ...]]] | None:
    """Each URL curl makes of `url`, with the texts its globs gave (`#1`, `#2`...); the URL
    alone when it holds no glob. None where the expansion is not read here or too large."""
    if not any(c in url for c in "{[") :
        return [(url, ())]
    pieces = _pieces(url)
    if pieces is None:
        return None
    globs = [i for i in range(1, len(pieces), 2)]
    total = 1
    for i in globs:
        total *= len(pieces[i])
        if total > _LIMIT:
            return None
    found: list[tuple[str, tuple[str, ...]]] = []
    for choice in itertools.product(*pieces):
        found.append(("".join(choice), tuple(choice[i] for i in globs)))
    return found


def output_names(name: str, texts: tuple[str, ...]) -> str:
    """An `-o` name with `#N` replaced by the Nth glob's text (curl leaves `#N` past the
    globs, and a `#` not before a digit, as it is)."""
    def one(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return texts[number - 1] if 1 <= number <= len(texts) else match.group(0)
    return re.sub(r"#(\d+)", one, name)
