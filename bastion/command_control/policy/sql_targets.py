"""The files an SQL statement writes, found by the statement's grammar (outside attack z35f,
finding 4): the target of `COPY … TO`, `INTO OUTFILE`/`DUMPFILE`, `ATTACH [DATABASE] [IF NOT
EXISTS]`, `EXPORT DATABASE` and ClickHouse's `file(` is the token after the keyword, spelled in
any of the engines' string quotings: '…' (a doubled quote is one), "…" (MySQL's strings,
DuckDB's identifiers), E'…' (PostgreSQL's and DuckDB's escape strings, read only without a
backslash), $$…$$ and $tag$…$tag$ (PostgreSQL's, DuckDB's and ClickHouse's dollar quoting).
A relative target is a path from the working folder (judged so by the collector). A target
not spelled as a string so read (a bare word, a parameter, an expression, a string the
statement does not end) makes the statement unknown, whatever other paths the line names:
`COPY (SELECT 1 AS "/tmp/x") TO $$/etc/sudoers.d/ops$$` writes the second, not the first.
After attack a36f (findings 5, 22, 27): a string followed by another (the standard's
continuation across a newline), by an operator or a comment (an expression), or holding a
backslash (ClickHouse's and MySQL's escapes), and a statement holding `\\'`, are unknown;
sqlite's `VACUUM INTO` and `writefile(` are targets too; `setting_targets` reads DuckDB's
settings that write files."""

from __future__ import annotations

import re

# One token: a string in one of the quotings above, a word, or one other character.
_TOKEN = re.compile(r"""(?isx)
    (?P<dollar>\$(?P<tag>[A-Za-z_][A-Za-z0-9_]*)?\$)
  | (?P<escape>[Ee]')
  | (?P<quote>['"`])
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<space>\s+)
  | (?P<other>.)""")
# Targets that are not files: psql's and DuckDB's standard streams (`COPY t TO STDOUT`).
_STREAMS = frozenset({"stdout", "stdin", "stderr"})
_SKIPPED = frozenset({"database", "if", "not", "exists", "or", "replace"})
# What follows a target in an expression: `||`, arithmetic, a cast, a comment.
_OPERATORS = frozenset("|+-*/%.:[")
# DuckDB's settings whose value is a file or folder it writes (`log_query_path` logs every
# later query there), and those that choose where it fetches extensions (code) from.
_PATH_SETTINGS = frozenset({"log_query_path", "temp_directory", "profiling_output",
                            "profile_output", "secret_directory", "extension_directory",
                            "home_directory"})
_FETCH_SETTINGS = frozenset({"custom_extension_repository", "autoinstall_extension_repository",
                             "allow_unsigned_extensions", "allow_community_extensions"})


def _tokens(statement: str) -> list[tuple[str, str | None]] | None:
    """(kind, text) tokens: kind "string" (its decoded content, None when it cannot be read),
    "word" (lowercased), "other"; None when a string is not ended."""
    tokens: list[tuple[str, str | None]] = []
    index = 0
    while index < len(statement):
        match = _TOKEN.match(statement, index)
        if match is None:  # pragma: no cover - `.` with re.S matches any character
            return None
        index = match.end()
        if match.group("dollar"):
            end = statement.find(match.group("dollar"), index)
            if end < 0:
                return None
            tokens.append(("string", statement[index:end]))
            index = end + len(match.group("dollar"))
        elif match.group("escape") or match.group("quote"):
            quote = "'" if match.group("escape") else match.group("quote")
            content: list[str] = []
            while True:
                end = statement.find(quote, index)
                if end < 0:
                    return None
                content.append(statement[index:end])
                index = end + 1
                if statement.startswith(quote, index):  # a doubled quote is one
                    content.append(quote)
                    index += 1
                    continue
                break
            text = "".join(content)
            unreadable = match.group("escape") and "\\" in text
            tokens.append(("string", None if unreadable else text))
        elif match.group("word"):
            tokens.append(("word", match.group("word").lower()))
        elif match.group("other"):
            tokens.append(("other", match.group("other")))
    return tokens


def _next(tokens: list[tuple[str, str | None]], index: int) -> tuple[str, str | None]:
    """The first token at or after `index` that is no blank (("other", None) at the end)."""
    while index < len(tokens) and tokens[index][0] == "space":
        index += 1
    return tokens[index] if index < len(tokens) else ("other", None)


def _segments(tokens: list[tuple[str, str | None]]) -> list[list[tuple[str, str | None]]]:
    """The statements of `tokens`, split at each `;` outside a string."""
    segments: list[list[tuple[str, str | None]]] = [[]]
    for token in tokens:
        if token == ("other", ";"):
            segments.append([])
        else:
            segments[-1].append(token)
    return segments


def _target(tokens: list[tuple[str, str | None]], after: int) -> tuple[str | None, bool]:
    """The literal target at `after` (blanks skipped) and whether it is unknown: a string
    followed by another string (the standard's continuation across a newline: `'/e'<NL>'tc/x'`
    is '/etc/x') or by an operator or a comment (`'/e'||'tc/x'`: an expression), a string
    with a backslash (ClickHouse's and MySQL's escapes: `'\\/etc/x'` is '/etc/x'), anything
    else but a stream (attack a36f, findings 5 and 27)."""
    while after < len(tokens) and tokens[after][0] == "space":
        after += 1
    target = tokens[after] if after < len(tokens) else ("other", None)
    if target[0] == "word" and target[1] in _STREAMS:
        return None, False
    if target[0] != "string" or not target[1] or "\\" in target[1]:
        return None, True
    follower = _next(tokens, after + 1)
    if follower[0] == "string" or (follower[0] == "other" and follower[1] in _OPERATORS):
        return None, True
    return target[1], False


def written_targets(statement: str) -> tuple[list[str], bool]:
    """The files `statement` (one or more statements) writes by its grammar, and whether a
    write's target could not be read so (unknown)."""
    tokens = _tokens(statement)
    if tokens is None:
        return [], True
    targets: list[str] = []
    # a backslash before a quote ends no string in PostgreSQL's and sqlite's grammar, and does
    # not end one in ClickHouse's and MySQL's: where the strings are is not known (a36f, 5)
    unknown = bool(re.search(r"""\\['"`]""", statement))
    for segment in _segments(tokens):
        words = [text for kind, text in segment if kind == "word"]
        for index, (kind, text) in enumerate(segment):
            if kind != "word":
                continue
            after = index + 1
            before = [t for t in segment[:index] if t[0] != "space"]
            if text == "to" and "copy" in words:
                pass
            elif text in ("outfile", "dumpfile", "attach"):
                pass
            elif text == "database" and before[-1:] == [("word", "export")]:
                pass
            elif text == "into" and ("word", "vacuum") in before[-2:]:
                pass  # sqlite's `VACUUM [schema] INTO 'file'`
            elif text in ("file", "writefile") and _next(segment, after) == ("other", "("):
                after = segment.index(("other", "("), after) + 1
            else:
                continue
            while text == "attach" and _next(segment, after)[0] == "word" and \
                    _next(segment, after)[1] in _SKIPPED:
                after = segment.index(_next(segment, after), after) + 1
            found, unreadable = _target(segment, after)
            targets += [found] if found else []
            unknown = unknown or unreadable
    return targets, unknown


def setting_targets(statement: str) -> tuple[list[str], bool]:
    """DuckDB's settings that write files, or fetch code, read as writes of their value
    (attack a36f, finding 22): `SET [GLOBAL|SESSION|LOCAL] NAME {=|TO} VALUE` and `PRAGMA
    NAME = VALUE` / `PRAGMA NAME(VALUE)`. A writing setting's value not a plain literal, and any
    other setting given a value that names a path or a place (starting `/`, `~` or `.`, or a URL), are
    unknown."""
    tokens = _tokens(statement)
    if tokens is None:
        return [], True
    targets: list[str] = []
    unknown = False
    for segment in _segments(tokens):
        solid = [t for t in segment if t[0] != "space"]
        if not solid or solid[0] not in (("word", "set"), ("word", "pragma")):
            continue
        at = 1
        while at < len(solid) and solid[at] in (("word", "global"), ("word", "session"),
                                                 ("word", "local")):
            at += 1
        if at >= len(solid) or solid[at][0] != "word":
            continue
        name = solid[at][1] or ""
        rest = solid[at + 1:]
        if rest[:1] in ([("other", "=")], [("word", "to")], [("other", "(")]):
            rest = rest[1:]
        elif not rest:
            continue
        values = [t[1] for t in rest if t[0] == "string"]
        if name in _PATH_SETTINGS:
            plain = len(rest) == 1 or (len(rest) == 2 and rest[1] == ("other", ")"))
            if plain and rest[0][0] == "string" and rest[0][1] and "\\" not in rest[0][1]:
                targets.append(rest[0][1])
            else:
                unknown = True
        elif name in _FETCH_SETTINGS or any(
                v is None or re.search(r"^\s*[/~.]|://", v) for v in values):
            unknown = True
    return targets, unknown
