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


def globbing(values: list[str]) -> bool:
    """Whether curl globs its URLs: not given `-g`/`--globoff` (any start of it from `--glo`),
    read only as whole words (a `g` in a cluster may be another option's value: still globs)."""
    return not any(v == "-g" or (len(v) > 4 and "--globoff".startswith(v)) for v in values)


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
