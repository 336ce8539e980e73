"""The files an SQL statement writes, found by the statement's grammar (outside attack z35f,
finding 4): the target of `COPY … TO`, `INTO OUTFILE`/`DUMPFILE`, `ATTACH [DATABASE] [IF NOT
EXISTS]`, `EXPORT DATABASE` and ClickHouse's `file(` is the token after the keyword, spelled in
any of the engines' string quotings: '…' (a doubled quote is one), "…" (MySQL's strings,
DuckDB's identifiers), E'…' (PostgreSQL's and DuckDB's escape strings, read only without a
backslash), $$…$$ and $tag$…$tag$ (PostgreSQL's, DuckDB's and ClickHouse's dollar quoting).
A relative target is a path from the working folder (judged so by the collector). A target
not spelled as a string so read (a bare word, a parameter, an expression, a string the
statement does not end) makes the statement unknown, whatever other paths the line names:
`COPY (SELECT 1 AS "/tmp/x") TO $$/etc/sudoers.d/ops$$` writes the second, not the first."""

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


def written_targets(statement: str) -> tuple[list[str], bool]:
    """The files `statement` writes by its grammar, and whether a write's target could not be
    read so (unknown)."""
    tokens = _tokens(statement)
    if tokens is None:
        return [], True
    words = [text for kind, text in tokens if kind == "word"]
    targets: list[str] = []
    unknown = False
    for index, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        after = index + 1
        if text == "to" and "copy" in words:
            pass
        elif text in ("outfile", "dumpfile", "attach"):
            pass
        elif text == "database" and index > 0 and tokens[index - 1] == ("word", "export"):
            pass
        elif text == "file" and after < len(tokens) and tokens[after] == ("other", "("):
            after += 1
        else:
            continue
        while after < len(tokens) and tokens[after][0] == "word" and tokens[after][1] in _SKIPPED \
                and text == "attach":
            after += 1
        target = tokens[after] if after < len(tokens) else ("other", None)
        if target[0] == "string" and target[1]:
            targets.append(target[1])
        elif not (target[0] == "word" and target[1] in _STREAMS):
            unknown = True
    return targets, unknown
